"""HTML handed to MkDocs past Markdown.

A generated page is Markdown for its headings (the title, the table of contents, anchors) with
HTML blocks for its tables, cards and charts. Python-Markdown parses every tag of a raw HTML
block only to pass it through unchanged, and that parsing was most of the time MkDocs spent on
a run page. Templates mark such blocks with the `html` filter (`{% filter html %}`); `pack`
holds each marked block back and leaves a short numbered comment in its place, which Markdown
passes through whole (it scans a page's text many times, so it should scan the placeholder, not
the block), and `unpack` puts the blocks back into the page's HTML (`on_page_content`).
A page that is nothing but headings and marked blocks (a run's page) is handed over as its
headings alone, each heading's blocks held for it (`Held.by_heading`): Markdown's cost is per
block, so even the comments cost a run page half its Markdown time; the HTML comes out the same.
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
_HEADING = re.compile(r"#{1,6}[ \t]")  # an ATX heading's line
_CLOSE = re.compile(r"</h[1-6]>")  # where a heading Markdown made ends


def mark(html: str) -> Markup:
    """A block of finished HTML (the `html` filter): it contains no Markdown to process."""
    body = str(html).strip("\n")
    return Markup(f"{START}\n{body}\n{END}") if body.strip() else Markup("")


class Held(list[str]):
    """The blocks `pack` held back from one page, for `unpack`: by number, or (`by_heading`)
    the blocks after each heading, one string per heading."""

    by_heading = False


def pack(markdown: str, held: list[str]) -> str:
    """Every marked block, appended to `held`, as a comment numbered by its place there, on a
    paragraph of its own. A page that is only headings and marked blocks (a run's page), given
    a `Held`, is handed over as its headings alone: Markdown's cost is per block, and the
    comments were half a run page's."""
    if START not in markdown:
        return markdown
    if isinstance(held, Held) and not held:
        skeleton = _headings_only(markdown, held)
        if skeleton is not None:
            return skeleton
    if isinstance(held, Held) and held.by_heading:  # blocks added later: Markdown passes them
        return unmark(markdown)

    def placeholder(match: re.Match[str]) -> str:
        held.append(match[1])
        return f"\n\n{PACKED_PREFIX}{len(held) - 1}-->\n\n"

    return _MARKED.sub(placeholder, markdown)


def _headings_only(markdown: str, held: Held) -> str | None:
    """The front matter and headings of a page that holds nothing else but marked blocks, a
    heading first; each heading's blocks go to `held`. None for any other page."""
    match = _FRONT_MATTER.match(markdown)
    front = match.group(0) if match else ""
    headings: list[str] = []
    after: list[list[str]] = []
    for k, part in enumerate(split_marked(markdown[len(front) :])):
        if k % 2:  # a marked block (split keeps the group)
            if not after:
                return None
            after[-1].append(part)
            continue
        for line in filter(str.strip, part.splitlines()):
            if not _HEADING.match(line):
                return None
            headings.append(line)
            after.append([])
    held.by_heading = True
    held.extend("\n" + "\n\n".join(blocks) if blocks else "" for blocks in after)
    return front + "\n\n".join(headings) + "\n"


def split_marked(text: str) -> list[str]:
    """`_MARKED.split(text)`: the text between marked blocks and each block's body, in turn,
    found with `str.find` (the pattern's lazy body cost a run page 0.3 ms, scanning its
    blocks a character at a time)."""
    parts, start, opening, closing = [], 0, START + "\n", "\n" + END
    while (found := text.find(opening, start)) >= 0:
        body = found + len(opening)
        end = text.find(closing, body)
        if end < 0:  # no block closes after this one opens: none after it does either
            break
        parts += [text[start:found], text[body:end]]
        start = end + len(closing)
    parts.append(text[start:])
    return parts


def unpack(html: str, held: Sequence[str]) -> str:
    """The page's HTML with its held blocks put back (a number it did not hold stays as is);
    by heading: each heading's blocks after it (any left over, were a heading's text to close
    one early, at the end: never lost)."""
    if isinstance(held, Held) and held.by_heading:
        parts, last = [], 0
        closes = _CLOSE.finditer(html)
        for blocks, close in zip(held, closes, strict=False):
            more = "\n" if blocks and close.end() < len(html) else ""  # a blank line, as before
            parts += [html[last : close.end()], blocks + more]
            last = close.end()
        return "".join([*parts, html[last:], *held[len(parts) // 2 :]])
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
