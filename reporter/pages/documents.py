"""Hand-written pages finished when they are rendered: a journal entry's run and comparison
links and its `reporter` embeds, and the home page's summary where `index.md` has the marker.

The entry's source stays the team's: this rewrites the Markdown in memory (or in the copy that
`reporter render --out` writes).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from urllib.parse import quote

from reporter.journal.entries import replace_spans, scan
from reporter.journal.resolve import Journal, ResolvedEmbed, ResolvedLink
from reporter.pages import urls

HOME_MARKER = "<!-- reporter:home -->"
FALLBACK_HOME = f"# Experiment report\n\n{HOME_MARKER}\n"  # when the docs have no index.md

# (src_uri, page_url, embed, every embed of the page) -> HTML; the page's embeds share colours
Embed = Callable[[str, str, ResolvedEmbed, tuple[ResolvedEmbed, ...]], str]
Home = Callable[[str], str]  # src_uri -> the home page's summary


def finish_markdown(
    markdown: str,
    *,
    src_uri: str,
    page_url: str,
    journal: Journal | None,
    paths: urls.Paths,
    embed: Embed,
    home: Home,
) -> str:
    """A hand-written page's Markdown with journal references and the home marker filled in."""
    if journal is not None and src_uri in journal.entries:
        markdown = rewrite_entry(markdown, src_uri, page_url, journal, paths, embed)
    if HOME_MARKER in markdown:
        markdown = markdown.replace(HOME_MARKER, home(src_uri))
    return markdown


def rewrite_entry(
    markdown: str, src_uri: str, page_url: str, journal: Journal, paths: urls.Paths, embed: Embed
) -> str:
    """Links to runs and comparisons become real links; `reporter` blocks become their parts."""
    links, embeds = scan(markdown)
    spans = []
    for link in links:
        resolved = journal.links.get((src_uri, link.kind, link.target))
        if resolved is not None:
            spans.append((link.start, link.end, link_markdown(resolved, src_uri, paths)))
    every = tuple(
        found for i in range(len(embeds)) if (found := journal.embeds.get((src_uri, i))) is not None
    )
    for index, block in enumerate(embeds):
        found = journal.embeds.get((src_uri, index))
        if found is not None:
            html = embed(src_uri, page_url, found, every)
            spans.append((block.start, block.end, f"\n{html}\n"))
    return replace_spans(markdown, spans)


def link_markdown(resolved: ResolvedLink, from_src: str, paths: urls.Paths) -> str:
    """The `](...)` part of a Markdown link: a relative .md path MkDocs resolves, with a title."""
    title = resolved.title.replace('"', "'")
    if resolved.target is None:
        return f'](# "{title}")'
    target = (
        paths.run_page(resolved.target)
        if resolved.kind == "run"
        else urls.compare_page(resolved.target)
    )
    rel = posixpath.relpath(target, posixpath.dirname(from_src) or ".")
    return f'](<{quote(rel)}> "{title}")'
