"""The MkDocs plugin: adds the generated pages to the build, in memory.

Nothing is written into the docs folder: generated pages are `File.generated` objects, and
run pages stay out of the navigation (a Material nav listing every run makes builds quadratic).
`reporter build` sets `runs_override` and `progress`; `mkdocs build` and `mkdocs serve` work
with the options from mkdocs.yml alone.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkPage

from reporter.config import Settings
from reporter.config.schema import ReporterConfig
from reporter.errors import ConfigError
from reporter.files import check_relative
from reporter.linking import Linker
from reporter.pages import urls
from reporter.pages.cache import EntryGone, TemplateCode
from reporter.pages.documents import FALLBACK_HOME, finish_markdown
from reporter.pages.handover import Held, pack, unpack
from reporter.pages.renderer import Renderer
from reporter.pipeline import Progress, Report, build_report
from reporter.pipeline.cache import CACHE_UNWRITABLE, usable
from reporter.pipeline.site_files import ASSETS, SiteFile, prune_data, site_files, static_assets
from reporter.plugin.collector import Collector
from reporter.plugin.data import DataFolder, add_file, make_room, page_cache, site_state
from reporter.plugin.framing import Framer
from reporter.plugin.journal import journal_entries, latest_entries
from reporter.plugin.kept import (
    KEPT_TEMPLATE,
    KeptPages,
    QuietSkips,
    StaleKeptPages,
    as_kept,
    context_digest,
    open_kept,
    stale_reported,
)
from reporter.plugin.nav import excluded_from_nav, nav_with
from reporter.plugin.options import plugin_settings, uses_tabs
from reporter.plugin.overrides import overrides
from reporter.plugin.stubs import Stubs, with_stub
from reporter.search import point_to_worker, replace_material_index, run_documents

log = get_plugin_logger("reporter")

# in this order: the query language before the leaderboard that uses it. plotly.js is not
# among them: reporter.js loads it on pages that draw charts
SCRIPTS = ("reporter.js", "query.js", "view.js", "leaderboard.js", "compare.js")


class ReporterPlugin(BasePlugin[ReporterConfig]):
    """`plugins: [reporter]` in mkdocs.yml."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.runs_override: str | None = overrides.get("runs")
        self.storage_override: dict[str, Any] | None = overrides.get("storage_options")
        self.progress: Progress | None = None
        self.report: Report | None = None
        self.settings: Settings | None = None
        self.assets: list[SiteFile] = []  # plotly.js, reporter's scripts and style
        self._renderer: Renderer | None = None
        self.seconds = 0.0  # reporter's own work in this build (reading, evaluating, rendering)
        self.site_target: Path | None = None  # the site folder the build will replace
        self.keep_pages = True  # off: every page rendered (a build after `StaleKeptPages`)
        self.builds_again = False  # the driver builds again on `StaleKeptPages` (reporter's)
        self.kept: KeptPages | None = None
        self.stubs: Stubs | None = None  # kept pages' stubs, read without YAML
        self._kept_keys: dict[str, str] = {}  # src_uri -> key: kept pages, handed over as stubs
        self._fresh_keys: dict[str, str] = {}  # src_uri -> key: pages to keep after rendering
        self._held: dict[str, list[str]] = {}  # src_uri -> HTML blocks held back from Markdown
        self._nav: Any = None
        self._linker: Linker | None = None  # links kept pages and data files into the site
        self._framer = Framer(processes=0)  # frames pages on the other cores (`on_config`)
        self._env: Any = None  # MkDocs' template environment, once every plugin changed it
        self._quiet = QuietSkips(lambda s: s in self._kept_keys or s in self._framer.elsewhere)
        self._collector = Collector()  # collects less often during a build
        self.tabs = True  # the theme shows navigation tabs (else the sidebar is the navigation)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._collector.relax()
        self.settings = self.settings_for(config)
        self._framer = Framer(processes=self.settings.processes - 1)
        self.tabs = uses_tabs(config)
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
            with stale_reported(self):
                return self._add_files(files, config)
        finally:
            self.seconds += time.perf_counter() - started

    def _add_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.settings is not None
        entries, offsets = journal_entries(files, self.settings.journal_dir)
        problem = usable(self.settings.cache_dir)
        if problem:
            log.warning(problem)
            self.settings = replace(self.settings, cache=False)
        self.report = build_report(self.settings, self.progress, entries, offsets)
        self._collector.freeze()  # the study lives until the build ends
        self._renderer = None
        for broken in self.report.problems:  # not `problem`: the cache's, used below
            suffix = "" if broken.partial else " Skipped; use --strict to fail instead."
            log.warning(f"{broken}.{suffix}")
        for warning in self.report.warnings:
            log.warning(warning)
        for note in self.report.notes:
            log.info(note)
        site_root = Path(config.site_dir)
        state = site_state(self.settings, self.site_target or site_root)
        lazy = self.keep_pages and self.config.incremental  # kept pages need no Markdown
        cache = page_cache(self.settings, state, lazy=lazy) if self.settings.cache else None
        data = DataFolder(state / "data", failure=problem, cache=cache)
        nav_pages, pages = [], []
        # data files are written as they come (a page's chart data is let go at once): only
        # pages wait, for the navigation's headings that kept pages' keys depend on
        finish = data.write_page
        if lazy and cache is not None:  # pages may be kept: their stubs parsed where rendered
            finish = functools.partial(with_stub, data.write_page)
        for item in site_files(self.report, self.settings, cache, finish=finish):
            check_relative(site_root, item.src_uri)  # whatever a run's data says: in the site
            if item.page:
                pages.append(item)
                continue
            file = data.copy_of(config, item) if item.source else data.file(config, item)
            if file is not None:
                add_file(files, file)
        self.kept = self._kept_pages(config, files, pages, state)
        self.stubs = Stubs(self.kept.folder) if self.kept is not None else None
        for item in pages:
            in_nav = item.in_nav and not excluded_from_nav(config, item.src_uri)
            level = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            text = self._kept_or_fresh(item, in_nav)
            add_file(files, File.generated(config, item.src_uri, content=text, inclusion=level))
            if in_nav:
                nav_pages.append(item.src_uri)
        for src_uri, _ in data.linked:  # linked beside MkDocs, which must not write them
            if src_uri in files.src_uris:
                make_room(files, src_uri)
        self._link(config, files, data)
        reported = problem or any(w.startswith(CACHE_UNWRITABLE) for w in self.report.warnings)
        if data.failure and not reported:
            log.warning(data.failure)
        else:
            prune_data(data.folder, data.written)
            data.prune_copies()
            if cache is not None:
                cache.save()
        if files.get_file_from_path("index.md") is None:
            add_file(files, File.generated(config, "index.md", content=FALLBACK_HOME))
        for item in self.assets:
            source = {"abs_src_path": str(item.source)} if item.source else {"content": item.text}
            add_file(files, File.generated(config, item.src_uri, **source))
        if config.nav is not None:
            config.nav = nav_with(config.nav, nav_pages)
        return files

    def _link(self, config: MkDocsConfig, files: Files, data: DataFolder) -> None:
        """Start linking data files and kept pages into the site, beside MkDocs' work (which
        emptied the site before `on_files` and writes none of these files)."""
        self._linker = Linker()
        data.link_into(config.site_dir, self._linker)
        if self.kept is not None:
            self.kept.link(self._kept_keys, files, self._linker)
        self._linker.start()

    def _kept_pages(
        self, config: MkDocsConfig, files: Files, items: list[SiteFile], state: Path
    ) -> KeptPages | None:
        """Run pages' HTML from earlier builds, when this build may use it."""
        self._kept_keys.clear()
        self._fresh_keys, self._held = {}, {}
        assert self.settings is not None
        if not (self.keep_pages and self.settings.cache and self.config.incremental):
            return None
        return open_kept(config, files, items, state / "html", search=self.settings.search_index)

    def _kept_or_fresh(self, item: SiteFile, in_nav: bool) -> str:
        """A page's Markdown, packed; its stub when its HTML is kept (keyed by the Markdown)."""
        try:
            if self.kept is None or in_nav:
                return pack(item.markdown(), self._held.setdefault(item.src_uri, Held()))
            key = self.kept.key(item.src_uri, item.digest())
            assert self.stubs is not None
            if self.kept.has(key, item.src_uri):
                self._kept_keys[item.src_uri] = key
                self.stubs.kept_page(item.src_uri, key, item.heading())
                return item.heading()
            self._fresh_keys[item.src_uri] = key
            self.stubs.fresh(key, item.heading() if item.stub is None else "", item.stub)
            return pack(item.markdown(), self._held.setdefault(item.src_uri, Held()))
        except EntryGone as exc:  # build again, reading every cached page whole
            raise StaleKeptPages(str(exc)) from exc

    def on_nav(self, nav: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        self._nav = nav
        return nav

    @event_priority(-100)  # the last: the environment pages are framed with
    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        """Keep compiled templates in the cache; check the navigation is the one kept pages were
        made with (`StaleKeptPages` if not). Kept pages and pages framed in another process
        render an empty template: their HTML is linked, or written by that process."""
        if self.settings is not None and self.settings.cache and env.bytecode_cache is None:
            env.bytecode_cache = TemplateCode(self.settings.cache_dir / "templates")
        if self.kept is not None and self._nav is not None:
            with stale_reported(self):
                self.kept.check_context(context_digest(self._nav))
        self._quiet.on()
        import jinja2

        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({KEPT_TEMPLATE: ""}), env.loader])
        self._env = env
        return env

    def on_pre_page(self, page: MkPage, /, *, config: MkDocsConfig, files: Files) -> MkPage:
        if self.stubs is not None:
            self.stubs.read(page, config)
        return page

    def on_page_markdown(
        self, markdown: str, /, *, page: MkPage, config: MkDocsConfig, files: Files
    ) -> str | None:
        if page.file.src_uri in self._kept_keys:
            as_kept(page)
            return markdown
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
            latest = latest_entries(report, files, page.url, limit=5)
            # the summary's tables use the width the (empty) section sidebar would take
            if "hide" not in page.meta and self.tabs:
                page.meta["hide"] = ["navigation"]
            return self._get_renderer().home(src_uri, latest)

        return pack(
            finish_markdown(
                markdown,
                src_uri=page.file.src_uri,
                page_url=page.url,
                journal=report.journal,
                paths=urls.Paths(report.study.pages),
                embed=lambda *args: self._get_renderer().embed(*args),
                home=home,
            ),
            self._held.setdefault(page.file.src_uri, Held()),
        )

    def _get_renderer(self) -> Renderer:
        assert self.report is not None and self.settings is not None
        if self._renderer is None:
            report = self.report
            self._renderer = Renderer(
                report.study, self.settings, report.comparisons, full_run=report.full_run
            )
        return self._renderer

    @event_priority(100)  # the first: other plugins (search, tags) see the finished HTML
    def on_page_content(
        self, html: str, /, *, page: MkPage, config: MkDocsConfig, files: Files
    ) -> str:
        return unpack(html, self._held.pop(page.file.src_uri, ()))

    @event_priority(-100)  # the last: what this returns is the page's final HTML
    def on_post_page(self, output: str, /, *, page: MkPage, config: MkDocsConfig) -> str:
        src_uri = page.file.src_uri
        if src_uri in self._kept_keys or src_uri in self._framer.elsewhere:
            return ""  # MkDocs writes nothing (`QuietSkips`): the HTML is linked, or written
        if self.settings is not None and self.settings.search_index:
            output = point_to_worker(output)
        if self.kept is not None and src_uri in self._fresh_keys:
            self.kept.put(self._fresh_keys[src_uri], output)
        return output

    def on_page_context(self, context: Any, /, *, page: MkPage, config: MkDocsConfig, nav: Any):
        if not self._framer.started:  # MkDocs frames its first page: the rest may be shared
            self._framer.start(context, config, self._env, nav, self._framed_elsewhere)
        if self.kept is not None:  # the order Material's search saw the pages in
            self.kept.order.append((page.url, page.file.src_uri))
        return context

    def _framed_elsewhere(self, file: File) -> bool:
        """Reporter's pages outside the navigation that are not kept may be framed elsewhere."""
        return (
            file.generated_by == "reporter"
            and file.inclusion.is_not_in_nav()
            and file.src_uri not in self._kept_keys
        )

    @event_priority(-100)  # after Material's search plugin wrote its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        try:
            with stale_reported(self):
                self._post_build(config)
        finally:
            self._ended()

    def on_build_error(self, *, error: BaseException) -> None:
        self._ended()

    def _ended(self) -> None:
        self._framer.abandon()  # the build failed: its folder is about to go
        if self._linker is not None:
            self._linker.abandon()
            self._linker = None
        self._quiet.off()
        self._collector.restore()

    def _post_build(self, config: MkDocsConfig) -> None:
        self._index(config)
        self._framer.finish()  # before kept pages are pruned: other processes keep pages
        if self.kept is not None and self.stubs is not None:
            self.kept.prune()
            self.stubs.save()
            if self.kept.kept:
                log.info(f"Kept {self.kept.kept} pages from the previous build.")
        if self._linker is not None:  # last: its links were made beside the work above
            started = time.perf_counter()
            linker, self._linker = self._linker, None
            failed = linker.finish()
            self.seconds += time.perf_counter() - started
            if failed is not None:  # a kept page gone is `StaleKeptPages`: build in full
                raise self.kept.failure(failed) if self.kept is not None else failed[1]

    def _index(self, config: MkDocsConfig) -> None:  # reporter's search index
        complete: Any = list
        if self.kept is not None:
            complete = functools.partial(
                self.kept.complete, kept=self._kept_keys, fresh=self._fresh_keys
            )
        if self.report is None or self.settings is None or not self.settings.search_index:
            return
        started = time.perf_counter()
        docs = run_documents(self.report.study, config.use_directory_urls)
        tokens = self.settings.cache_dir / "search-tokens.json" if self.settings.cache else None
        if replace_material_index(Path(config.site_dir), docs, complete, tokens) is None:
            log.warning("Material's search plugin wrote no search index; the site has no search.")
        self.seconds += time.perf_counter() - started

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.settings is not None and self.settings.runs.exists():  # a folder, or mlflow.db
            server.watch(str(self.settings.runs))
        return server

    def settings_for(self, config: MkDocsConfig) -> Settings:
        """The build's settings from the validated plugin options (and `runs_override`), and
        its static assets (`plotly_bundle` checked)."""
        settings = plugin_settings(self.config, config, self.runs_override, self.storage_override)
        try:
            self.assets = static_assets(settings)
        except ConfigError as exc:
            raise PluginError(str(exc)) from exc
        return settings
