"""Small text helpers shared by messages and pages: sizes, numbers, escaping, "did you mean"."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup, escape

# Characters Python-Markdown (with the extensions we enable) treats as syntax in inline text.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def size_text(size: float) -> str:
    """A byte count for people, in pages and messages alike: `812 B`, `3.4 KB`, `16.0 MB`."""
    if size < 1024:
        return f"{size:,.0f} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def plural(count: int, noun: str) -> str:
    """`1 run`, `2 runs`, `1,200 runs`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def suggest(name: str, choices: list[str], n: int = 3, cutoff: float = 0.4) -> str:
    """' Did you mean 'a', 'b'?' or '' when nothing is close."""
    close = difflib.get_close_matches(name, choices, n=n, cutoff=cutoff)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


MAX_SLUG = 80  # characters; a longer slug is cut and given a digest, so names stay files


def slug(text: str) -> str:
    """A path-safe slug that keeps the text readable (URL quoting handles the rest)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip())
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-.") or "unnamed"
    if len(cleaned) > MAX_SLUG:
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        cleaned = f"{cleaned[: MAX_SLUG - 9].rstrip('-.')}-{digest}"
    return cleaned


def number_text(value: Any, digits: int = 4) -> str:
    """Numbers for people: integers with separators, others to `digits` significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.{digits}g}"


def markdown_text(text: Any) -> Markup:
    """Plain text safe inside Markdown inline content: HTML-escaped, syntax backslash-escaped,
    on one line (a line break would end a heading and start Markdown of the text's own)."""
    line = " ".join(str(text).splitlines())
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(line))))


def printable(text: str) -> str:
    """Text for one line of a message: control characters (a newline in a folder name) and
    undecodable bytes shown as escapes, so a name cannot break or forge a log line."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def unique_names(
    names: Iterable[str], name_of: Callable[[str], str], reserved: Iterable[str] = ()
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """A name for each of `names` that no other has, compared without case (pages are files,
    and many file systems ignore case): the first of a clash (in sorted order) keeps
    `name_of(name)`, the next get `-2`, `-3`... Returns the names and the clashes, as
    (original, the name it met, name given); a reserved name is met as itself."""
    holders = {r.lower(): r for r in reserved}
    given: dict[str, str] = {}
    clashes: list[tuple[str, str, str]] = []
    for name in sorted(set(names)):
        base = name_of(name)
        candidate, n = base, 1
        while candidate.lower() in holders:
            n += 1
            candidate = f"{base}-{n}"
        holders[candidate.lower()] = name
        given[name] = candidate
        if candidate != base:
            clashes.append((name, holders[base.lower()], candidate))
    return given, clashes


def metric_text(value: Any, fmt: str = "decimal") -> str:
    """A metric value in its declared format: decimal (4 significant digits), percent (a
    fraction shown as a percentage) or integer."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return number_text(value)
    if not math.isfinite(value):
        return number_text(value)
    if fmt == "percent":
        return f"{value * 100:.3g}%"
    if fmt == "integer":
        return f"{round(value):,}"
    return number_text(value)
