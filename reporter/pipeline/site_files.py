"""The files a build adds to the site, whoever writes them: the MkDocs plugin hands them to
MkDocs, `reporter render --out` writes them to a folder.

Pages come with the files they need beside them (chart data, exported cards); runs' history
files are published beside their pages; reporter's own assets (plotly.js, its script and style)
are copied once per site.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reporter.config import Settings
from reporter.files import replace_file
from reporter.pages import urls
from reporter.pages.cache import CachedMarkdown, PageCache, text_digest
from reporter.pages.handover import heading
from reporter.pages.renderer import Page
from reporter.pipeline import Report, plotly_js, report_pages

ASSETS = "assets/reporter"


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteFile:
    """A generated file: its text, or a file on disk to copy (`source`). A data file of a
    cached page has neither: it is in the site's data folder from an earlier build. A cached
    page's Markdown may be `cached` instead of `text`: read only if it is rendered."""

    src_uri: str
    text: str | None = None
    source: Path | None = None
    page: bool = False  # a Markdown page (rendered by MkDocs), not a file copied as it is
    in_nav: bool = False
    cached: CachedMarkdown | None = None
    stub: tuple[str, ...] | None = None  # see `reporter.plugin.stubs.parsed_stub`

    def markdown(self) -> str:
        """A page's Markdown (raises `EntryGone` if a cached page's went missing)."""
        return self.cached.text() if self.cached is not None else self.text or ""

    def digest(self) -> str:
        return self.cached.digest if self.cached is not None else text_digest(self.markdown())

    def heading(self) -> str:
        return self.cached.heading if self.cached is not None else heading(self.markdown())


def site_files(
    report: Report,
    settings: Settings,
    page_cache: PageCache | None = None,
    finish: Callable[[Page], Page] | None = None,
) -> Iterator[SiteFile]:
    """Every generated page with its data files, then the runs' history files; `finish`:
    see `Renderer`."""
    for page in report_pages(report, settings, page_cache, finish):
        markdown, in_nav = page.markdown, page.in_nav
        if isinstance(markdown, CachedMarkdown):
            yield SiteFile(src_uri=page.src_uri, cached=markdown, page=True, in_nav=in_nav)
        else:
            yield SiteFile(
                src_uri=page.src_uri, text=markdown, page=True, in_nav=in_nav, stub=page.stub
            )
        for src_uri, text in page.assets:
            yield SiteFile(src_uri=src_uri, text=text)
    paths = urls.Paths(report.study.pages)
    for run in report.study.runs:
        for src_uri, source in paths.own_files(run.id, run.history_file):
            yield SiteFile(src_uri=src_uri, source=Path(source))


def static_assets(settings: Settings) -> list[SiteFile]:
    """plotly.js from the installed plotly package (and the smaller bundle `plotly_bundle`
    names, announced to reporter.js by a line before it), and reporter's script and style.
    Raises `ConfigError` for a smaller bundle that is not a plotly.js of the right version."""
    here = Path(__file__).resolve().parent.parent / "pages" / "assets"
    sources = {
        plotly_js.FULL: plotly_js.full_bundle(),
        "reporter.js": here / "reporter.js",
        "query.js": here / "query.js",
        "view.js": here / "view.js",
        "leaderboard.js": here / "leaderboard.js",
        "compare.js": here / "compare.js",
        "reporter.css": here / "reporter.css",
    }
    assets = [SiteFile(src_uri=f"{ASSETS}/{name}", source=path) for name, path in sources.items()]
    if settings.plotly_bundle is not None:
        light = plotly_js.read_bundle(settings.plotly_bundle)
        script = plotly_js.light_prelude(light) + sources["reporter.js"].read_text("utf-8")
        assets = [a for a in assets if a.src_uri != f"{ASSETS}/reporter.js"] + [
            SiteFile(src_uri=f"{ASSETS}/reporter.js", text=script),
            SiteFile(src_uri=f"{ASSETS}/{plotly_js.LIGHT}", source=light.path),
        ]
    return sorted(assets, key=lambda a: a.src_uri)


def write_if_changed(path: Path, text: str) -> Path:
    """Write generated data outside the docs folder (`replace_file`: its folder made only when
    missing); an unchanged file keeps its mtime, so `mkdocs serve --dirty` skips it."""
    data = text.encode("utf-8")
    if not (path.is_file() and path.read_bytes() == data):
        replace_file(path, data)
    return path


def prune_data(data_dir: Path, keep: set[str]) -> None:
    """Remove chart and run data no page of this build uses (older versions of content-named
    files, runs that are gone). `keep` holds paths as `str(data_dir / src_uri)` gives them."""
    for folder in (urls.CHART_DATA_DIR, urls.RUN_DATA_DIR):
        for root, _, names in os.walk(data_dir / folder):
            for name in names:
                path = os.path.join(root, name)
                if name.endswith(".js") and path not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
