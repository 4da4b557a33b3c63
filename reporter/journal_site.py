"""The journal's MkDocs edge: read entries from the build's files, rewrite them when rendered."""

from __future__ import annotations

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from reporter.journal import Entry, meta_date, meta_title, replace_spans, scan
from reporter.journal_resolve import Journal, link_markdown
from reporter.render import Renderer


def read_entries(files: Files, journal_dir: str) -> tuple[tuple[Entry, ...], dict[str, int]]:
    """Every journal post (drafts included, they may be served) and its front-matter length."""
    prefix = f"{journal_dir.strip('/')}/posts/"
    entries, offsets = [], {}
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        if not file.src_uri.startswith(prefix):
            continue
        source = file.content_string
        body, meta = get_data(source)
        offsets[file.src_uri] = source[: len(source) - len(body)].count("\n")
        links, embeds = scan(body)
        entries.append(
            Entry(
                src_uri=file.src_uri,
                title=meta_title(meta, body, file.name),
                date=meta_date(meta.get("date")),
                links=tuple(links),
                embeds=tuple(embeds),
            )
        )
    return tuple(entries), offsets


def rewrite_entry(
    markdown: str, src_uri: str, page_url: str, journal: Journal, renderer: Renderer
) -> str:
    """Links to runs and comparisons become real links; `reporter` blocks become their parts."""
    links, embeds = scan(markdown)
    spans = []
    for link in links:
        resolved = journal.links.get((src_uri, link.kind, link.target))
        if resolved is not None:
            spans.append((link.start, link.end, link_markdown(resolved, src_uri)))
    for index, embed in enumerate(embeds):
        resolved = journal.embeds.get((src_uri, index))
        if resolved is not None:
            html = renderer.embed(src_uri, page_url, resolved)
            spans.append((embed.start, embed.end, f"\n{html}\n"))
    return replace_spans(markdown, spans)


def latest_entries(journal: Journal | None, files: Files, page_url: str, limit: int) -> list[dict]:
    """The newest entries, with links relative to the page at `page_url` (after the blog plugin
    gave posts their dated URLs)."""
    if journal is None:
        return []
    entries = sorted(journal.entries.values(), key=lambda e: (e.date, e.src_uri), reverse=True)
    latest = []
    for entry in entries[:limit]:
        file = files.get_file_from_path(entry.src_uri)
        if file is not None and file.inclusion.is_included():
            latest.append(
                {
                    "title": entry.title,
                    "date": entry.date,
                    "url": get_relative_url(file.url, page_url),
                }
            )
    return latest
