"""The journal as the rest of the site sees it: entries (title, date, URL), newest first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data


def latest_entries(
    files: Files, journal_dir: str, page_url: str, limit: int
) -> list[dict[str, str]]:
    """The newest `limit` journal posts with links relative to the page at `page_url`."""
    prefix = f"{journal_dir.strip('/')}/posts/"
    entries = []
    for file in files.documentation_pages():
        if not file.src_uri.startswith(prefix):
            continue
        text, meta = get_data(file.content_string)
        if meta.get("draft"):
            continue
        entries.append(
            {
                "title": str(meta.get("title") or _first_heading(text) or file.name),
                "date": _post_date(meta.get("date")),
                "url": get_relative_url(file.url, page_url),
                "src": file.src_uri,
            }
        )
    entries.sort(key=lambda e: (e["date"], e["src"]), reverse=True)
    return entries[:limit]


def _post_date(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value or "")[:10]


def _first_heading(text: str) -> str:
    return next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
