"""The journal: entries that link and embed runs, checked at build time.

Hand-written Markdown stays the team's: nothing is written back. References are found in the
entries' text (pure functions of the text), resolved against the study, and rewritten in memory
when MkDocs renders the page:

    [the early-stopped model](run:fraud/hgb-lr0.2-es)      a link to a run page
    [all boosting runs](compare:experiment-boosting)        a link to a comparison page
    ```reporter                                             an embed (YAML body)
    compare: [fraud/hgb-lr0.05, fraud/hgb-lr0.2-es]         or run: <id>
    show: [table, pr_curve, history:valid_average_precision]
    ```
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, unquote

import yaml

from reporter.errors import RunReadError
from reporter.files import parse_yaml, tame
from reporter.text import markdown_text as md

LINK = re.compile(r"\]\((run|compare):([^)\s\"']+)(?:\s+\"([^\"]*)\")?\)")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\S*)\s*$")
EMBED_KEYS = ("compare", "run", "show", "metrics", "baseline", "title")


@dataclass(frozen=True, kw_only=True, slots=True)
class Link:
    kind: str  # "run" or "compare"
    target: str
    line: int
    start: int  # offsets of the whole "](...)" in the text
    end: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Embed:
    line: int  # line of the opening fence
    start: int  # offsets of the whole fenced block in the text
    end: int
    body: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """A journal entry as written: where it is, its title and date, what it references."""

    src_uri: str
    title: str
    date: str
    links: tuple[Link, ...] = ()
    embeds: tuple[Embed, ...] = ()
    run_ids: tuple[str, ...] = field(default_factory=tuple)  # filled once resolved


def scan(text: str) -> tuple[list[Link], list[Embed]]:
    """Links outside code blocks, and `reporter` fenced blocks, with their line numbers."""
    links: list[Link] = []
    embeds: list[Embed] = []
    offset = 0
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match:
            close = _closing_fence(lines, i, match.group(2))
            block_end = offset + sum(len(x) for x in lines[i : close + 1])
            if match.group(3) == "reporter":
                body = "".join(lines[i + 1 : close])
                embeds.append(Embed(line=i + 1, start=offset, end=block_end, body=body))
            offset, i = block_end, close + 1
            continue
        for m in LINK.finditer(lines[i]):
            links.append(
                Link(
                    kind=m.group(1),
                    target=m.group(2),
                    line=i + 1,
                    start=offset + m.start(),
                    end=offset + m.end(),
                )
            )
        offset += len(lines[i])
        i += 1
    return links, embeds


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip().startswith(fence) and not lines[j].strip().strip(fence[0]):
            return j
    return len(lines) - 1


def parse_embed(body: str) -> dict[str, Any]:
    """The YAML of an embed, validated; raises ValueError with every problem (and YAML line)."""
    try:
        data = parse_yaml(body, "the block")
    except RunReadError as exc:
        where = f" (line {exc.line} of the block)" if exc.line else ""
        raise ValueError(f"{exc.reason}{where}") from exc
    if not isinstance(data, dict):
        raise ValueError("expected a mapping with 'compare' or 'run', and 'show'")
    problems = []
    unknown = sorted(set(map(str, data)) - set(EMBED_KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(EMBED_KEYS)}")
    if ("compare" in data) == ("run" in data):
        problems.append("give exactly one of 'compare' (runs to compare) or 'run' (one run)")
    if "run" in data and not isinstance(data["run"], str):
        problems.append("'run' must be one run id")
    show = data.get("show", ["table"] if "compare" in data else ["metrics", "pr_curve"])
    if isinstance(show, str):
        show = [show]
    if not isinstance(show, list):
        problems.append("'show' must be a list of parts")
        show = []
    if problems:
        raise ValueError("; ".join(problems))
    return {**data, "show": [str(s) for s in show]}


def unknown_parts(show: list[str], valid: tuple[str, ...]) -> list[str]:
    return [s for s in show if s.split(":", 1)[0] not in valid]


def read_entry(src_uri: str, source: str, fallback_title: str) -> tuple[Entry, int]:
    """An entry from its Markdown source, and how many lines its front matter takes (so
    warnings name the line of the file, not of the body)."""
    from mkdocs.utils.meta import get_data

    body, meta = get_data(source)
    try:
        meta = tame(meta, src_uri)  # front matter is bounded like every file reporter reads
    except RunReadError:
        meta = {}
    links, embeds = scan(body)
    entry = Entry(
        src_uri=src_uri,
        title=meta_title(meta, body, fallback_title),
        date=meta_date(meta.get("date")),
        links=tuple(links),
        embeds=tuple(embeds),
    )
    return entry, source[: len(source) - len(body)].count("\n")


def meta_title(meta: dict[str, Any], text: str, fallback: str) -> str:
    """The entry's title as text: a front matter `title` is HTML to MkDocs (its entities show
    decoded), so it is decoded here; reporter's pages escape what they show."""
    if meta.get("title"):
        return html.unescape(str(meta["title"]))
    heading = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    return heading or fallback


def meta_date(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value or "")[:10]


def replace_spans(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """Replace (start, end) spans of `text`, given in any order and never overlapping."""
    out, last = [], 0
    for start, end, new in sorted(replacements):
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return "".join(out)


def entry_skeleton(
    title: str,
    day: date,
    runs: list[tuple[str, str]],
    *,
    authors: tuple[str, ...] = (),
    since: str = "",
    slug: str | None = None,
) -> str:
    """A new entry: front matter, the four sections, links to the runs made since the last one.

    `runs` are (run id, run name) pairs, newest last. MkDocs and Material put a page's `title`
    into the page as HTML (the header, `<title>`, the blog's index), so the title typed, which
    is text, is written escaped (`meta_title` reads it back); `slug` keeps the post's address
    the one the blog makes of the title typed, where the escaped title would change it.
    """
    meta: dict[str, Any] = {"date": day, "title": html.escape(title)}
    if slug:
        meta["slug"] = slug
    meta |= {"categories": [], "tags": []}
    if authors:
        meta["authors"] = list(authors)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    heading = md(title.replace("\n", " "))
    shown = since if re.fullmatch(r"\d{4}-\d{2}-\d{2}", since) else md(since)
    where = f" since the previous entry ({shown})" if since else ""
    if runs:
        listed = "\n".join(f"- [{md(name)}](run:{link_target(run_id)})" for run_id, name in runs)
        tried = f"Runs created{where}:\n\n{listed}\n"
    else:
        tried = f"No runs were created{where}.\n"
    return (
        f"---\n{front}---\n\n# {heading}\n\nOne or two sentences: the question and the answer.\n\n"
        f"<!-- more -->\n\n## What we tried\n\n{tried}\n## What worked\n\n\n## What did not\n\n\n"
        "## Next\n\n"
    )


def link_target(run_id: str) -> str:
    """A run id as written in a `run:` link: percent-encoded where Markdown or the link syntax
    would cut it (spaces, parentheses, quotes, `#`, `<`, `>`); read back by `link_targets`."""
    return quote(run_id, safe="/@:+,;=!$*")


def link_targets(target: str) -> tuple[str, ...]:
    """The run ids a written link target may mean: as written, then percent-decoded."""
    decoded = unquote(target)
    return (target,) if decoded == target else (target, decoded)
