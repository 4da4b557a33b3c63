"""The journal's posts as the plugin reads them from MkDocs' files."""

from __future__ import annotations

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from reporter.journal.entries import Entry, read_entry
from reporter.pipeline import Report


def journal_entries(files: Files, journal_dir: str) -> tuple[tuple[Entry, ...], dict[str, int]]:
    """Every journal post (drafts included, they may be served) and its front-matter length."""
    prefix = f"{journal_dir.strip('/')}/posts/"
    entries, offsets = [], {}
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        if file.src_uri.startswith(prefix):
            entry, offsets[file.src_uri] = read_entry(file.src_uri, file.content_string, file.name)
            entries.append(entry)
    return tuple(entries), offsets


def latest_entries(report: Report, files: Files, page_url: str, limit: int) -> list[dict]:
    """The newest entries, with links relative to the page at `page_url` (after the blog plugin
    gave posts their dated URLs)."""
    if report.journal is None:
        return []
    entries = sorted(
        report.journal.entries.values(), key=lambda e: (e.date, e.src_uri), reverse=True
    )
    latest = []
    for entry in entries[:limit]:
        file = files.get_file_from_path(entry.src_uri)
        if file is not None and file.inclusion.is_included():
            url = get_relative_url(file.url, page_url)
            latest.append({"title": entry.title, "date": entry.date, "url": url})
    return latest
