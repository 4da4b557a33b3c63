"""HTML handed to MkDocs past Markdown.

A generated page is Markdown for its headings (the title, the table of contents, anchors) with
HTML blocks for its tables, cards and charts. Python-Markdown parses every tag of a raw HTML
block only to pass it through unchanged, and that parsing was most of the time MkDocs spent on
a run page. Templates mark such blocks with the `html` filter (`{% filter html %}`); `pack`
holds each marked block back and leaves a short numbered comment in its place, which Markdown
passes through whole (it scans a page's text many times, so it should scan the placeholder, not
the block), and `unpack` puts the blocks back into the page's HTML (`on_page_content`).
`unmark` drops the marks where the Markdown is written for people (`reporter render --out`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup

_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.S)
START = "<!--reporter:html-->"
END = "<!--reporter:/html-->"
_MARKED = re.compile(f"{re.escape(START)}\n(.*?)\n{re.escape(END)}", re.S)
PACKED_PREFIX = "<!--reporter-html:"
_PACKED = re.compile(f"{re.escape(PACKED_PREFIX)}([0-9]{{1,9}})-->")


def mark(html: str) -> Markup:
    """A block of finished HTML (the `html` filter): it contains no Markdown to process."""
    body = str(html).strip("\n")
    return Markup(f"{START}\n{body}\n{END}") if body.strip() else Markup("")


def pack(markdown: str, held: list[str]) -> str:
    """Every marked block, appended to `held`, as a comment numbered by its place there, on a
    paragraph of its own."""
    if START not in markdown:
        return markdown

    def placeholder(match: re.Match[str]) -> str:
        held.append(match[1])
        return f"\n\n{PACKED_PREFIX}{len(held) - 1}-->\n\n"

    return _MARKED.sub(placeholder, markdown)


def unpack(html: str, held: Sequence[str]) -> str:
    """The page's HTML with its held blocks put back (a number it did not hold stays as is)."""
    if not held or PACKED_PREFIX not in html:
        return html

    def block(match: re.Match[str]) -> str:
        index = int(match[1])
        return held[index] if index < len(held) else match[0]

    return _PACKED.sub(block, html)


def unmark(markdown: str) -> str:
    """Markdown without the marks (the blocks stay, as the raw HTML they are, on paragraphs of
    their own as when packed)."""
    if START not in markdown:
        return markdown
    return _MARKED.sub(lambda m: f"\n\n{m[1]}\n\n", markdown)


def heading(markdown: str) -> str:
    """A page's front matter and first level-one heading: what decides its title and tags (a
    page whose HTML is kept is handed to MkDocs as just this)."""
    match = _FRONT_MATTER.match(markdown)
    front = match.group(0) if match else ""
    rest = markdown[len(front) :]
    title = next((line for line in rest.splitlines() if line.startswith("# ")), "")
    return f"{front}{title}\n"
