"""The MkDocs plugin: adds the generated pages to the build, in memory.

Nothing is written into the docs folder: generated pages are `File.generated` objects, and
run pages stay out of the navigation (a Material nav listing every run makes builds quadratic).
`reporter build` sets `runs_override` and `progress`; `mkdocs build` and `mkdocs serve` work
with the options from mkdocs.yml alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkPage
from mkdocs.utils import get_relative_url

from reporter.config import Settings
from reporter.config.files import absolute_runs, load_comparisons_file
from reporter.config.schema import ReporterConfig
from reporter.config.settings import settings_from_config
from reporter.errors import ConfigError
from reporter.files import inside
from reporter.journal.entries import Entry, read_entry
from reporter.pages import urls
from reporter.pages.cache import PageCache, templates_stamp
from reporter.pages.documents import FALLBACK_HOME, finish_markdown
from reporter.pages.renderer import Renderer
from reporter.pipeline import Progress, Report, build_report
from reporter.pipeline.cache import CACHE_UNWRITABLE, limits, usable
from reporter.pipeline.site_files import (
    ASSETS,
    SiteFile,
    prune_data,
    site_files,
    static_assets,
    write_if_changed,
)

log = get_plugin_logger("reporter")

# in this order: the query language before the leaderboard that uses it. plotly.js is not
# among them: reporter.js loads it on pages that draw charts
SCRIPTS = (
    "reporter.js",
    "query.js",
    "view.js",
    "leaderboard.js",
    "compare.js",
)

# `reporter serve --runs`: MkDocs' server makes the plugin itself (again on every rebuild), so
# the command line's runs reach it here rather than through an attribute set after loading.
_overrides: dict[str, Any] = {}


@contextlib.contextmanager
def runs_overridden(runs: str | None, storage_options: dict[str, Any] | None) -> Iterator[None]:
    """Every plugin made inside the block reads `runs` (and its storage options)."""
    _overrides.update(runs=runs, storage_options=storage_options)
    try:
        yield
    finally:
        _overrides.clear()


class ReporterPlugin(BasePlugin[ReporterConfig]):
    """`plugins: [reporter]` in mkdocs.yml."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.runs_override: str | None = _overrides.get("runs")
        self.storage_override: dict[str, Any] | None = _overrides.get("storage_options")
        self.progress: Progress | None = None
        self.report: Report | None = None
        self.settings: Settings | None = None
        self._renderer: Renderer | None = None
        self.seconds = 0.0  # reporter's own work in this build (reading, evaluating, rendering)
        self.site_target: Path | None = None  # the site folder the build will replace
        self.tabs = True  # the theme shows navigation tabs (else the sidebar is the navigation)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = self.settings_for(config)
        features = config.theme.get("features") or []
        self.tabs = "navigation.tabs" in features
        if "navigation.instant" in features and not config.site_url:
            log.info(
                "navigation.instant is on but site_url is not set: Material then falls back "
                "to full page loads. Set site_url to the address the site is served from."
            )
        if "attr_list" not in config.markdown_extensions:
            # generated headings carry attributes (`data-search-exclude` on number sections)
            config.markdown_extensions.append("attr_list")
        config.extra_css.append(f"{ASSETS}/reporter.css")
        for script in SCRIPTS:
            config.extra_javascript.append(f"{ASSETS}/{script}")
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        started = time.perf_counter()
        try:
            return self._add_files(files, config)
        finally:
            self.seconds += time.perf_counter() - started

    def _add_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.settings is not None
        entries, offsets = _journal_entries(files, self.settings.journal_dir)
        problem = usable(self.settings.cache_dir)
        if problem:
            log.warning(problem)
            self.settings = replace(self.settings, cache=False)
        self.report = build_report(self.settings, self.progress, entries, offsets)
        self._renderer = None
        for problem in self.report.problems:
            suffix = "" if problem.partial else " Skipped; use --strict to fail instead."
            log.warning(f"{problem}.{suffix}")
        for warning in self.report.warnings:
            log.warning(warning)
        for note in self.report.notes:
            log.info(note)
        site_root = Path(config.site_dir)
        state = site_state(self.settings, self.site_target or site_root)
        data = _DataFolder(state / "data", failure=problem)
        cache = page_cache(self.settings, state) if self.settings.cache else None
        nav_pages = []
        for item in site_files(self.report, self.settings, cache):
            inside(site_root, item.src_uri)  # whatever a run's data says, it stays in the site
            if item.page:
                in_nav = item.in_nav and not _excluded_from_nav(config, item.src_uri)
                level = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
                page = File.generated(config, item.src_uri, content=item.text, inclusion=level)
                _add(files, page)
                if in_nav:
                    nav_pages.append(item.src_uri)
            elif item.source is not None:
                _add(files, File.generated(config, item.src_uri, abs_src_path=str(item.source)))
            else:
                _add(files, data.file(config, item))
        reported = problem or any(w.startswith(CACHE_UNWRITABLE) for w in self.report.warnings)
        if data.failure and not reported:
            log.warning(data.failure)
        else:
            prune_data(data.folder, data.written)
        if files.get_file_from_path("index.md") is None:
            _add(files, File.generated(config, "index.md", content=FALLBACK_HOME))
        for item in static_assets():
            _add(files, File.generated(config, item.src_uri, abs_src_path=str(item.source)))
        if config.nav is not None:
            config.nav = nav_with(config.nav, nav_pages)
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
        report = self.report
        assert report is not None
        hidden = page.meta.get("hide")
        generated = page.file.generated_by and page.file.src_uri != "leaderboard.md"
        if not self.tabs and generated and isinstance(hidden, list):
            # data pages give their tables the sidebar's width only where tabs navigate (the
            # leaderboard always did)
            page.meta["hide"] = [h for h in hidden if h != "navigation"]

        def home(src_uri: str) -> str:
            latest = _latest_entries(report, files, page.url, limit=5)
            # the summary's tables use the width the (empty) section sidebar would take
            if "hide" not in page.meta and self.tabs:
                page.meta["hide"] = ["navigation"]
            return self._get_renderer().home(src_uri, latest)

        return finish_markdown(
            markdown,
            src_uri=page.file.src_uri,
            page_url=page.url,
            journal=report.journal,
            paths=urls.Paths(report.study.pages),
            embed=lambda *args: self._get_renderer().embed(*args),
            home=home,
        )

    def _get_renderer(self) -> Renderer:
        assert self.report is not None and self.settings is not None
        if self._renderer is None:
            self._renderer = Renderer(
                self.report.study,
                self.settings,
                self.report.comparisons,
                full_run=self.report.full_run,
            )
        return self._renderer

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.settings is not None and self.settings.runs.is_dir():
            server.watch(str(self.settings.runs))
        return server

    def settings_for(self, config: MkDocsConfig) -> Settings:
        """The build's settings from the validated plugin options (and `runs_override`)."""
        base_dir = Path(config.config_file_path or ".").resolve().parent
        try:
            extra = load_comparisons_file(base_dir / self.config.comparisons_file)
            return settings_from_config(
                self.config,
                base_dir=base_dir,
                use_directory_urls=config.use_directory_urls,
                runs_override=absolute_runs(self.runs_override),
                storage_override=self.storage_override,
                extra_comparisons=extra,
            )
        except ConfigError as exc:
            raise PluginError(str(exc)) from exc


def site_state(settings: Settings, site: Path) -> Path:
    """The cache folder of one site (its chart data and rendered pages): two sites built from
    one config never prune each other's files."""
    key = hashlib.sha256(str(site.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return settings.cache_dir / "sites" / key[:16]


def page_cache(settings: Settings, state: Path) -> PageCache:
    """Pages depend on the settings (not on when or where the site is built)."""
    salt = repr(
        (
            replace(settings, build_time=None, comparisons=()),
            templates_stamp(settings.templates),
            limits(),
        )
    )
    return PageCache(state, state / "data", salt)


class _DataFolder:
    """Pages' data files (chart data, cards), kept in the site's cache folder for cached pages.
    When that folder cannot be written, files are handed to MkDocs from memory instead, with
    one warning: the build goes on, uncached."""

    def __init__(self, folder: Path, failure: str = "") -> None:
        self.folder = folder
        self.written: set[Path] = set()
        self.failure = failure

    def file(self, config: MkDocsConfig, item: SiteFile) -> File:
        path = self.folder / item.src_uri
        if item.text is not None and not self.failure:
            try:
                write_if_changed(path, item.text)
            except OSError as exc:
                self.failure = (
                    f"{CACHE_UNWRITABLE} ({exc.strerror or exc}: {path.parent}); this build "
                    "keeps its chart data in memory and caches no page."
                )
        if item.text is not None and self.failure:
            return File.generated(config, item.src_uri, content=item.text)
        self.written.add(path)
        return File.generated(config, item.src_uri, abs_src_path=str(path))


def _journal_entries(files: Files, journal_dir: str) -> tuple[tuple[Entry, ...], dict[str, int]]:
    """Every journal post (drafts included, they may be served) and its front-matter length."""
    prefix = f"{journal_dir.strip('/')}/posts/"
    entries, offsets = [], {}
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        if file.src_uri.startswith(prefix):
            entry, offsets[file.src_uri] = read_entry(file.src_uri, file.content_string, file.name)
            entries.append(entry)
    return tuple(entries), offsets


def _latest_entries(report: Report, files: Files, page_url: str, limit: int) -> list[dict]:
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


def _excluded_from_nav(config: MkDocsConfig, src_uri: str) -> bool:
    """The site's `not_in_nav` patterns name the page: it stays out of the nav."""
    patterns = config.not_in_nav
    return patterns is not None and patterns.match_file(src_uri)


def nav_with(nav: list[Any], pages: list[str]) -> list[Any]:
    """A site's own `nav` with the generated pages it lacks (leaderboard, experiments,
    comparisons) added beside the ones it lists: after the top-level entry holding the
    nearest page before it in `pages`, else before the one holding the nearest page after it,
    else at the end. MkDocs then has none to report as missing from the nav."""
    nav = list(nav)
    for i, page in enumerate(pages):
        if page in set(_nav_paths(nav)):
            continue
        holder = {p: n for n, entry in enumerate(nav) for p in _nav_paths(entry)}
        before = [holder[p] + 1 for p in reversed(pages[:i]) if p in holder]
        after = [holder[p] for p in pages[i + 1 :] if p in holder]
        nav.insert((before or after or [len(nav)])[0], page)
    return nav


def _nav_paths(nav: Any) -> Iterator[str]:
    """The page paths a nav (or a part of one) lists, however nested."""
    if isinstance(nav, str):
        yield posixpath.normpath(nav.removeprefix("./"))
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_paths(value)
    elif isinstance(nav, list):
        for entry in nav:
            yield from _nav_paths(entry)


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None and getattr(existing, "generated_by", None):
        log.warning(f"'{file.src_uri}' is generated twice (also by {existing.generated_by}).")
    elif existing is not None:
        log.warning(
            f"'{file.src_uri}' exists in the docs folder and is generated too; "
            "the generated page wins. Rename or remove the hand-written file."
        )
        files.remove(existing)
    files.append(file)
