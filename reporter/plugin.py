"""The MkDocs plugin: adds the generated pages to the build, in memory.

Nothing is written into the docs folder: generated pages are `File.generated` objects, and
run pages stay out of the navigation (a Material nav listing every run makes builds quadratic).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkPage

from reporter import urls
from reporter.config_file import load_comparisons_file
from reporter.errors import ConfigError
from reporter.journal_site import latest_entries, read_entries, rewrite_entry
from reporter.page_cache import PageCache, templates_stamp
from reporter.pipeline import Progress, Report, build_report, report_pages
from reporter.plugin_config import ReporterConfig
from reporter.render import Renderer
from reporter.settings import Settings, settings_from_options

log = get_plugin_logger("reporter")
HOME_MARKER = "<!-- reporter:home -->"
ASSETS = "assets/reporter"


class ReporterPlugin(BasePlugin[ReporterConfig]):
    """`plugins: [reporter]` in mkdocs.yml; `reporter build` sets `runs_override`/`progress`."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.runs_override: Path | None = None
        self.progress: Progress | None = None
        self.report: Report | None = None
        self.settings: Settings | None = None
        self._renderer: Renderer | None = None
        self.seconds = 0.0  # reporter's own work in this build (reading, evaluating, rendering)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = self._settings(config)
        features = config.theme.get("features") or []
        if "navigation.instant" in features and not config.site_url:
            log.info(
                "navigation.instant is on but site_url is not set: Material then falls back "
                "to full page loads. Set site_url to the address the site is served from."
            )
        if "attr_list" not in config.markdown_extensions:
            # generated headings carry attributes (`data-search-exclude` on number sections)
            config.markdown_extensions.append("attr_list")
        config.extra_css.append(f"{ASSETS}/reporter.css")
        for script in ("plotly.min.js", "reporter.js"):
            config.extra_javascript.append(f"{ASSETS}/{script}")
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        started = time.perf_counter()
        try:
            return self._add_pages(files, config)
        finally:
            self.seconds += time.perf_counter() - started

    def _add_pages(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.settings is not None
        entries, offsets = read_entries(files, self.config.journal_dir)
        self.report = build_report(self.settings, self.progress, entries, offsets)
        for problem in self.report.problems:
            suffix = "" if problem.partial else " Skipped; use --strict to fail instead."
            log.warning(f"{problem}.{suffix}")
        for warning in self.report.warnings:
            log.warning(warning)
        for note in self.report.notes:
            log.info(note)
        data_dir = self.settings.cache_dir / "site-data"
        cache = page_cache(self.settings, data_dir) if self.settings.cache else None
        written: set[Path] = set()
        for page in report_pages(self.report, self.settings, cache):
            level = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            _add(
                files, File.generated(config, page.src_uri, content=page.markdown, inclusion=level)
            )
            for src_uri, text in page.assets:
                path = (
                    data_dir / src_uri
                    if text is None
                    else write_if_changed(data_dir / src_uri, text)
                )
                written.add(path)
                _add(files, File.generated(config, src_uri, abs_src_path=str(path)))
        prune_data(data_dir, written)
        for run in self.report.study.runs:
            if run.history_file:
                name = Path(run.history_file).name
                _add(
                    files,
                    File.generated(
                        config, urls.history_file(run.id, name), abs_src_path=run.history_file
                    ),
                )
        if files.get_file_from_path("index.md") is None:
            _add(
                files,
                File.generated(
                    config, "index.md", content=f"# Experiment report\n\n{HOME_MARKER}\n"
                ),
            )
        for name, path in asset_sources().items():
            _add(files, File.generated(config, f"{ASSETS}/{name}", abs_src_path=str(path)))
        return files

    def on_page_markdown(
        self, markdown: str, /, *, page: MkPage, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.report is None or self.settings is None:
            return markdown
        started = time.perf_counter()
        try:
            return self._page_markdown(markdown, page, files)
        finally:
            self.seconds += time.perf_counter() - started

    def _page_markdown(self, markdown: str, page: MkPage, files: Files) -> str:
        assert self.report is not None and self.settings is not None
        journal = self.report.journal
        in_journal = journal is not None and page.file.src_uri in journal.entries
        if not in_journal and HOME_MARKER not in markdown:
            return markdown  # most pages: nothing to do
        if self._renderer is None:
            self._renderer = Renderer(
                self.report.study, self.settings, self.report.comparisons, bodies=self.report.bodies
            )
        if in_journal:
            markdown = rewrite_entry(markdown, page.file.src_uri, page.url, journal, self._renderer)
        if HOME_MARKER in markdown:
            latest = latest_entries(journal, files, page.url, limit=5)
            markdown = markdown.replace(HOME_MARKER, self._renderer.home(page.file.src_uri, latest))
        return markdown

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.settings is not None and self.settings.runs.is_dir():
            server.watch(str(self.settings.runs))
        return server

    def _settings(self, config: MkDocsConfig) -> Settings:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        try:
            extra = load_comparisons_file(base_dir / self.config.comparisons_file)
        except ConfigError as exc:
            raise PluginError(str(exc)) from exc
        return settings_from_options(
            dict(self.config),
            base_dir=base_dir,
            use_directory_urls=config.use_directory_urls,
            runs_override=self.runs_override,
            extra_comparisons=extra,
        )


def page_cache(settings: Settings, data_dir: Path) -> PageCache:
    """Pages depend on the settings (not on when or where the site is built)."""
    salt = repr(
        (replace(settings, build_time=None, comparisons=()), templates_stamp(settings.templates))
    )
    return PageCache(settings.cache_dir, data_dir, salt)


def prune_data(data_dir: Path, keep: set[Path]) -> None:
    """Remove chart data no page of this build uses (older versions of content-named files)."""
    charts = data_dir / urls.CHART_DATA_DIR
    for path in charts.rglob("*.js") if charts.is_dir() else []:
        if path not in keep:
            with contextlib.suppress(OSError):
                path.unlink()


def write_if_changed(path: Path, text: str) -> Path:
    """Write generated data outside the docs folder; an unchanged file keeps its mtime, so
    `mkdocs serve --dirty` skips it."""
    data = text.encode("utf-8")
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        log.warning(
            f"'{file.src_uri}' exists in the docs folder and is generated too; "
            "the generated page wins. Rename or remove the hand-written file."
        )
        files.remove(existing)
    files.append(file)


def asset_sources() -> dict[str, Path]:
    import plotly

    here = Path(__file__).parent / "assets"
    return {
        "plotly.min.js": Path(os.path.dirname(plotly.__file__)) / "package_data" / "plotly.min.js",
        "reporter.js": here / "reporter.js",
        "reporter.css": here / "reporter.css",
    }
