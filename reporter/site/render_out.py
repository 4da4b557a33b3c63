"""`reporter render --out DIR`: the pages a build would publish, as plain Markdown files.

Writes a copy of the docs folder with every generated page, chart data file and exported card
added, the home page's marker filled in and journal links and embeds resolved, so the result
can be read, diffed, or built by a bare `mkdocs build` without the reporter plugin.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from reporter.config import Settings
from reporter.config.files import docs_dir, settings_from_config_file
from reporter.errors import UsageError
from reporter.files import inside, write_inside
from reporter.journal.entries import read_entry
from reporter.pages import urls
from reporter.pages.documents import FALLBACK_HOME, finish_markdown
from reporter.pages.handover import unmark
from reporter.pages.renderer import Renderer
from reporter.pipeline import Report, build_report
from reporter.pipeline.site_files import site_files, static_assets
from reporter.site.targets import check_target, project_folders


def render_to(
    config_file: Path,
    out: Path,
    runs: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Report:
    settings = settings_from_config_file(config_file, runs, storage_options)
    assets = static_assets(settings)  # a bad plotly_bundle fails before anything is written
    docs = docs_dir(config_file)
    config_dir = config_file.resolve().parent if config_file.is_file() else None
    protected, beneath = project_folders(settings.runs, docs, config_dir)
    out = check_target(
        out, what="render folder", protected=protected, inside_forbidden=beneath, must_be_ours=False
    )
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"'{out}' is not empty; pick a new folder (nothing was written).")
    sources = _journal_sources(docs, settings.journal_dir)
    entries, offsets = [], {}
    for src, source in sources.items():
        entry, offsets[src] = read_entry(src, source, Path(src).stem)
        entries.append(entry)
    report = build_report(settings, None, tuple(entries), offsets)
    if docs.is_dir():
        shutil.copytree(docs, out, dirs_exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    for item in [*site_files(report, settings), *assets]:
        if item.source is not None:
            shutil.copyfile(item.source, inside(out, item.src_uri, make_parent=True))
        else:
            write_inside(
                out, item.src_uri, unmark(item.text or "") if item.page else item.text or ""
            )
    _finish(out, report, settings, sources)
    return report


def _journal_sources(docs: Path, journal_dir: str) -> dict[str, str]:
    posts = docs / journal_dir / "posts"
    return {
        path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8-sig")
        for path in (sorted(posts.rglob("*.md")) if posts.is_dir() else [])
    }


def _finish(out: Path, report: Report, settings: Settings, sources: dict[str, str]) -> None:
    """Journal entries and the home page with their references resolved (front matter kept)."""
    from mkdocs.utils.meta import get_data

    renderer = Renderer(report.study, settings, report.comparisons, full_run=report.full_run)
    home = out / "index.md"
    if not home.is_file():
        home.write_text(FALLBACK_HOME, encoding="utf-8")
    documents = {**sources, "index.md": home.read_text(encoding="utf-8")}
    for src, source in documents.items():
        body, _ = get_data(source)
        front = source[: len(source) - len(body)]
        finished = finish_markdown(
            body,
            src_uri=src,
            page_url=urls.page_url(src, settings.use_directory_urls),  # the blog may choose another
            journal=report.journal,
            paths=urls.Paths(report.study.pages),
            embed=renderer.embed,
            home=lambda src_uri: renderer.home(src_uri, []),
        )
        write_inside(out, src, front + unmark(finished))
