"""Small text helpers shared by messages and pages: sizes, numbers, escaping, "did you mean"."""

from __future__ import annotations

import difflib
import math
import re
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


def suggest(name: str, choices: list[str], n: int = 3, cutoff: float = 0.4) -> str:
    """' Did you mean 'a', 'b'?' or '' when nothing is close."""
    close = difflib.get_close_matches(name, choices, n=n, cutoff=cutoff)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def slug(text: str) -> str:
    """A path-safe slug that keeps the text readable (URL quoting handles the rest)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip())
    return re.sub(r"-{2,}", "-", cleaned).strip("-.") or "unnamed"


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
