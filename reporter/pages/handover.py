"""HTML handed to MkDocs past Markdown.

A generated page is Markdown for its headings (the title, the table of contents, anchors) with
HTML blocks for its tables, cards and charts. Python-Markdown parses every tag of a raw HTML
block only to pass it through unchanged, and that parsing was most of the time MkDocs spent on
a run page. Templates mark such blocks with the `html` filter (`{% filter html %}`); `pack`
hands each marked block to MkDocs as one comment, which Markdown passes through whole, and
`unpack` puts the block back into the page's HTML (`on_page_content`). `unmark` drops the marks
where the Markdown is written for people (`reporter render --out`).
"""

from __future__ import annotations

import base64
import re

from markupsafe import Markup

_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.S)
START = "<!--reporter:html-->"
END = "<!--reporter:/html-->"
_MARKED = re.compile(f"{re.escape(START)}\n(.*?)\n{re.escape(END)}", re.S)
PACKED_PREFIX = "<!--reporter-html:"
_PACKED = re.compile(f"{re.escape(PACKED_PREFIX)}([A-Za-z0-9+/]*={{0,2}})-->")


def mark(html: str) -> Markup:
    """A block of finished HTML (the `html` filter): it contains no Markdown to process."""
    body = str(html).strip("\n")
    return Markup(f"{START}\n{body}\n{END}") if body.strip() else Markup("")


def pack(markdown: str) -> str:
    """Every marked block as one comment on a paragraph of its own: base64 holds no `-->`."""
    if START not in markdown:
        return markdown
    return _MARKED.sub(_packed, markdown)


def _packed(match: re.Match[str]) -> str:
    encoded = base64.b64encode(match[1].encode("utf-8", "surrogateescape")).decode("ascii")
    return f"\n\n{PACKED_PREFIX}{encoded}-->\n\n"


def unpack(html: str) -> str:
    """The page's HTML with every packed block put back."""
    if PACKED_PREFIX not in html:
        return html
    return _PACKED.sub(_unpacked, html)


def _unpacked(match: re.Match[str]) -> str:
    return base64.b64decode(match[1]).decode("utf-8", "surrogateescape")


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
