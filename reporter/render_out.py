"""`reporter render --out DIR`: the pages a build would publish, as plain Markdown files.

Writes a copy of the docs folder with every generated page, chart data file and exported card
added, the home page's marker filled in and journal links and embeds resolved, so the result
can be read, diffed, or built by a bare `mkdocs build` without the reporter plugin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reporter import urls
from reporter.config_file import docs_dir, settings_from_config_file
from reporter.errors import ReporterError
from reporter.journal import Entry, meta_date, meta_title, scan
from reporter.pipeline import Report, build_report, report_pages
from reporter.plugin import ASSETS, asset_sources

HOME_MARKER = "<!-- reporter:home -->"


def render_to(config_file: Path, out: Path, runs: Path | None = None) -> Report:
    settings = settings_from_config_file(config_file, runs)
    docs = docs_dir(config_file)
    if (
        out.resolve() in (docs.resolve(), settings.runs.resolve())
        or settings.runs.resolve() in out.resolve().parents
    ):
        raise ReporterError(f"Refusing to render into '{out}': it is the docs or runs folder.")
    if out.exists() and any(out.iterdir()):
        raise ReporterError(f"'{out}' is not empty; pick a new folder (nothing was written).")
    entries, offsets, texts = _entries(docs, settings.journal_dir)
    report = build_report(settings, None, entries, offsets)
    if docs.is_dir():
        shutil.copytree(docs, out, dirs_exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    for page in report_pages(report, settings):
        _write(out / page.src_uri, page.markdown)
        for src_uri, text in page.assets:
            _write(out / src_uri, text or "")
    for run in report.study.runs:
        if run.history_file:
            target = out / urls.history_file(run.id, Path(run.history_file).name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(run.history_file, target)
    for name, source in asset_sources().items():
        _write_bytes(out / ASSETS / name, source.read_bytes())
    _finish_journal_and_home(out, report, settings, texts)
    return report


def _entries(
    docs: Path, journal_dir: str
) -> tuple[tuple[Entry, ...], dict[str, int], dict[str, str]]:
    from mkdocs.utils.meta import get_data

    entries, offsets, texts = [], {}, {}
    posts = docs / journal_dir / "posts"
    for path in sorted(posts.rglob("*.md")) if posts.is_dir() else []:
        src = path.relative_to(docs).as_posix()
        source = path.read_text(encoding="utf-8-sig")
        body, meta = get_data(source)
        offsets[src] = source[: len(source) - len(body)].count("\n")
        texts[src] = source
        links, embeds = scan(body)
        entries.append(
            Entry(
                src_uri=src,
                title=meta_title(meta, body, path.name),
                date=meta_date(meta.get("date")),
                links=tuple(links),
                embeds=tuple(embeds),
            )
        )
    return tuple(entries), offsets, texts


def _finish_journal_and_home(out: Path, report: Report, settings, texts: dict[str, str]) -> None:  # noqa: ANN001
    from mkdocs.utils.meta import get_data

    from reporter.journal_site import rewrite_entry
    from reporter.render import Renderer

    renderer = Renderer(report.study, settings, report.comparisons, bodies=report.bodies)
    for src, source in texts.items():
        body, _ = get_data(source)
        front = source[: len(source) - len(body)]
        url = urls.page_url(src, settings.use_directory_urls)  # the blog plugin may choose another
        _write(out / src, front + rewrite_entry(body, src, url, report.journal, renderer))
    home = out / "index.md"
    text = (
        home.read_text(encoding="utf-8")
        if home.is_file()
        else f"# Experiment report\n\n{HOME_MARKER}\n"
    )
    if HOME_MARKER in text:
        _write(home, text.replace(HOME_MARKER, renderer.home("index.md", [])))


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
