"""Helpers for the browser tests: a local static server, a recording browser tab, site inventories.

Kept apart from the tests so they read as checks, not plumbing. Nothing here builds a site.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
MISSING_CHROMIUM = (
    f"Chromium is not installed at {CHROMIUM}: the browser tests need it (CI installs it). "
    "Install it (e.g. `apt-get install chromium`) or set REPORTER_SKIP_BROWSER=1 to skip them."
)

_UNDRAWN_CHARTS = """() => [...document.querySelectorAll('.reporter-chart')]
    .filter(el => !el.querySelector('svg.main-svg')).length"""


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None; skips when REPORTER_SKIP_BROWSER=1."""
    if CHROMIUM.is_file():
        return None
    if os.environ.get("REPORTER_SKIP_BROWSER") == "1":
        pytest.skip(f"{CHROMIUM} is missing and REPORTER_SKIP_BROWSER=1")
    return MISSING_CHROMIUM


# ---------- serving ----------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    # A browser opens a connection per request (HTTP/1.0) and several at once; socketserver's
    # backlog of 5 can overflow while a busy test process is slow to accept them.
    request_queue_size = 128


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` (which may not exist yet) on an ephemeral localhost port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------- the browser tab ----------


@dataclass
class Visit:
    """One test's use of a site's tab, with everything that went wrong meanwhile recorded."""

    page: Any  # playwright.sync_api.Page
    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    worker_messages: list[str] = field(default_factory=list)  # e.g. Material's search worker

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        # Leave the site so nothing this test started is blamed on the next one.
        with contextlib.suppress(Exception):
            self.page.goto("about:blank")

    def goto(self, rel: str) -> None:
        self.page.goto(self.base + rel, wait_until="load")

    def console_errors_except(self, expected_urls: Sequence[str] = (), since: int = 0) -> list[str]:
        """Console errors, minus failed loads of resources a fixture breaks on purpose."""
        errors = self.console_errors[since:]
        return [e for e in errors if not any(e.endswith(f"@ {u}") for u in expected_urls)]

    def wait_for_charts(self, expected: int) -> None:
        """Wait until `expected` chart containers exist and each holds a drawn Plotly SVG."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(
                f"() => document.querySelectorAll('.reporter-chart').length === {expected}"
                f" && ({_UNDRAWN_CHARTS})() === 0",
                timeout=TIMEOUT_MS,
            )
        except PlaywrightTimeout:
            found = self.page.locator(".reporter-chart").count()
            pytest.fail(
                f"{self.page.url}: after {TIMEOUT_MS / 1000:g} s, {found} chart containers "
                f"(expected {expected}), {self.undrawn_charts()} of them not drawn; "
                f"page errors: {self.page_errors}"
            )

    def undrawn_charts(self) -> int:
        return self.page.evaluate(_UNDRAWN_CHARTS)


class Tab:
    """One browser page per site, reused by its tests: a fresh page costs ~1 s of start-up.

    Its context can reach only `base`: every other request is aborted and recorded.
    """

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.context: Any = None
        self.current = Visit(page=None, base=base)

    def visit(self) -> Visit:
        if self.browser is None:
            pytest.fail(MISSING_CHROMIUM)
        if self.context is None or self.current.page is None or self.current.page.is_closed():
            self._open()
        self.current = Visit(page=self.current.page, base=self.base)
        return self.current

    def close(self) -> None:
        if self.context is not None:
            self.context.close()

    def _open(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", self._route)
        self.context.on("request", self._on_request)
        page = self.context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.current.page_errors.append(str(error)))
        page.on("dialog", self._on_dialog)
        page.on("worker", self._on_worker)
        self.current.page = page

    def _local(self, url: str) -> bool:
        return _origin(url) == _origin(self.base)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        else:
            self._foreign(url)
            route.abort()

    def _on_request(self, request: Any) -> None:  # also sees requests the router may not
        url = request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and not self._local(url):
            self._foreign(url)

    def _foreign(self, url: str) -> None:
        if url not in self.current.foreign_requests:
            self.current.foreign_requests.append(url)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            rel = where.removeprefix(self.base)
            self.current.console_errors.append(f"{message.text} @ {rel}")

    def _on_worker(self, worker: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type in ("error", "warning"):
                self.current.worker_messages.append(f"{message.type}: {message.text}")

        worker.on("console", on_console)

    def _on_dialog(self, dialog: Any) -> None:
        self.current.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


# ---------- what a built site holds ----------


@dataclass
class Site:
    """A built and served site, with one tab for its tests."""

    name: str
    root: Path
    base: str
    tab: Tab

    def open(self) -> Visit:
        return self.tab.visit()

    def pages(self, limit: int) -> list[str]:
        """Every top-level page, then an even spread of the deeper ones, `limit` at most."""
        pages = sorted(page_url(self.root, p) for p in self.root.rglob("index.html"))
        top = [p for p in pages if p.count("/") <= 1]
        rest = [p for p in pages if p.count("/") > 1]
        return (top + spread(rest, max(limit - len(top), 0)))[:limit]

    def runs(self) -> list[str]:
        return sorted(page_url(self.root, p) for p in (self.root / "runs").glob("**/index.html"))

    def require_runs(self, count: int = 1) -> list[str]:
        runs = self.runs()
        if len(runs) < count:
            pytest.skip(
                f"the {self.name} site has {len(runs)} run pages (runs/ not generated yet?)"
            )
        return runs

    def require_instant_navigation(self) -> None:
        """Material navigates instantly only to URLs its sitemap.xml lists for this host:port."""
        text = (self.root / "sitemap.xml").read_text(encoding="utf-8")
        locs = re.findall(r"<loc>\s*(.*?)\s*</loc>", text)
        found = f"lists {locs[0]}" if locs else "is empty (no site_url)"
        assert any(loc.startswith(self.base) for loc in locs), (
            f"instant navigation is off on the {self.name} site: its sitemap.xml {found}, "
            f"not {self.base}; the fixture must build the site for the address serving it"
        )

    def title(self, rel: str) -> str:
        """The page's <title>, which Material also sets after an instant navigation."""
        match = re.search(r"<title>(.*?)</title>", self._html(rel), re.S)
        assert match, f"{rel} has no <title>"
        return html.unescape(match.group(1).strip())

    def chart_count(self, rel: str) -> int:
        return len(re.findall(r'class="reporter-chart"', self._html(rel)))

    def _html(self, rel: str) -> str:
        return (self.root / rel / "index.html").read_text(encoding="utf-8")


def page_url(site: Path, index_html: Path) -> str:
    """'runs/a/b/' for site/runs/a/b/index.html, '' for the home page."""
    rel = index_html.parent.relative_to(site).as_posix()
    return "" if rel == "." else rel + "/"


def spread(items: Sequence[str], limit: int) -> list[str]:
    """At most `limit` of `items`, evenly spaced, the first and last included."""
    if len(items) <= limit:
        return list(items)
    if limit <= 1:
        return list(items[:limit])
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


# ---------- page kinds, viewports and palettes of the quality checks ----------

VIEWPORTS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
PALETTES = {"light": "default", "dark": "slate"}  # Material's scheme names
SEARCH_QUERY = "logistic"


@dataclass(frozen=True)
class PageKind:
    """One kind of page of a built site: where it is, and for search results the query typed."""

    name: str
    rel: str
    query: str = ""


def page_kinds(root: Path) -> dict[str, PageKind]:
    """Every kind of page of a reporter site, each as one page picked from the built files.

    The richest page of a kind is picked (most charts, then tables, then table rows; the first in
    path order on a tie): it has the most to get wrong. The run page without predictions is the
    run page with the fewest.
    """

    def pages(prefix: str) -> list[str]:
        found = (page_url(root, p) for p in (root / prefix).glob("*/**/index.html"))
        return sorted(found)

    def weight(rel: str) -> tuple[int, int, int]:
        text = (root / rel / "index.html").read_text(encoding="utf-8")
        return text.count('class="reporter-chart"'), text.count("<table"), text.count("<tr")

    def richest(rels: list[str], pick: Any = max) -> str:
        assert rels, f"the site at {root} lacks a page kind"
        return pick(rels, key=weight)

    runs = pages("runs")
    posts = [p for p in pages("journal") if re.match(r"journal/\d{4}/\d\d/\d\d/", p)]
    kinds = [
        PageKind("home", ""),
        PageKind("leaderboard", "leaderboard/"),
        PageKind("experiments", "experiments/"),
        PageKind("experiment", richest(pages("experiments"))),
        PageKind("run", richest(runs)),
        PageKind("run-no-predictions", richest(runs, pick=min)),
        PageKind("comparison", richest(pages("compare"))),
        PageKind("comparisons", "compare/"),
        PageKind("journal", "journal/"),
        PageKind("journal-post", richest(posts)),
        PageKind("tags", "tags/"),
        PageKind("search", "", query=SEARCH_QUERY),
    ]
    return {kind.name: kind for kind in kinds}


def palette_init_script(base: str, scheme: str) -> str:
    """JS run before each page's scripts: store `scheme` as the reader's palette choice the way
    Material 9.8 does (localStorage key '<site path>.__palette', holding the toggle's index and
    scheme), so the page opens in that palette. The index follows mkdocs.yml's palette order; the
    toggle at that index supplies the primary and accent colours."""
    scope = urlsplit(base).path or "/"
    value = {
        "index": list(PALETTES.values()).index(scheme),
        "color": {"media": "", "scheme": scheme},
    }
    return f"localStorage.setItem({json.dumps(scope + '.__palette')}, {json.dumps(json.dumps(value))});"


SWITCH_PALETTE = """() => {
  const label = document.querySelector('form[data-md-component="palette"] label:not([hidden])');
  if (!label) return null;
  label.click();
  return document.body.getAttribute('data-md-color-scheme');
}"""


def show_search_results(page: Any, query: str) -> int:
    """Type `query` into Material's search box; how many results it shows once they come."""
    toggle = page.locator("label.md-header__button[for='__search']")
    if toggle.is_visible():  # narrow screens hide the box behind a button
        toggle.click()
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # one keyup: Material searches for the whole query
    page.locator(".md-search-result__item").first.wait_for(timeout=TIMEOUT_MS)
    return page.locator(".md-search-result__item").count()


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@contextlib.contextmanager
def running_chromium() -> Iterator[Any]:
    """The system Chromium under Playwright, for a module's tests; fails (or skips, with
    REPORTER_SKIP_BROWSER=1) when it is missing."""
    problem = chromium_problem()
    if problem:
        pytest.fail(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_charts(page: Any, timeout_ms: int = 3 * TIMEOUT_MS) -> int:
    """Wait until every chart container holds a drawn Plotly SVG; how many are still undrawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({_UNDRAWN_CHARTS})() === 0", timeout=timeout_ms)
    return page.evaluate(_UNDRAWN_CHARTS)


# ---------- axe-core ----------

AXE_VERSION = "4.14.1"  # pinned: a new axe release may add rules, and so new failures
AXE_DIR = Path(__file__).resolve().parent / ".axe"
SERIOUS = ("serious", "critical")

_AXE_RUN = """async selector => {
  const results = await axe.run(selector, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html})),
  }));
}"""


def axe_source() -> str:
    """axe-core's browser script: the file $AXE_CORE_JS names, or the pinned npm package in
    tests/.axe/, installed there with npm when missing (the npm registry must be reachable)."""
    override = os.environ.get("AXE_CORE_JS")
    if override:
        path = Path(override)
        if not path.is_file():
            pytest.fail(f"AXE_CORE_JS={override} is not a file")
        return path.read_text(encoding="utf-8")
    return (npm_package("axe-core", AXE_VERSION) / "axe.min.js").read_text(encoding="utf-8")


def npm_package(name: str, version: str) -> Path:
    """The folder of an npm package at a pinned version, installed into tests/.axe/ with npm
    when missing (the npm registry must be reachable)."""
    package = AXE_DIR / "node_modules" / name
    installed = package / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != version:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                f"npm is missing: these tests install {name} with it "
                f"(npm install --prefix tests/.axe {name}@{version}); apt-get install -y npm"
            )
        command = [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"]
        done = subprocess.run(
            [*command, f"{name}@{version}"], capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            pytest.fail(f"{' '.join(command)} {name}@{version} failed:\n{done.stderr}")
    return package


def cartesian_bundle() -> Path:
    """plotly.js's cartesian partial bundle (scatter, bar, heatmap, ... but no parcoords) from
    npm, of the version the installed plotly package makes its figures for."""
    from reporter.pipeline.plotly_js import full_version

    folder = npm_package("plotly.js-cartesian-dist-min", full_version())
    return folder / "plotly-cartesian.min.js"


def axe_violations(page: Any, source: str, selector: str) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical inside `selector` on `page`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    found = page.evaluate(_AXE_RUN, selector)
    return [v for v in found if v["impact"] in SERIOUS]


def describe_violations(violations: list[dict[str, Any]], limit: int = 5) -> str:
    """Rule id, impact, how many nodes, their selectors and one HTML snippet, per violation."""
    lines = []
    for v in violations:
        targets = [n["target"] for n in v["nodes"]]
        more = f" (+{len(targets) - limit} more)" if len(targets) > limit else ""
        lines.append(f"{v['id']} [{v['impact']}] {len(targets)} node(s): {v['help']}")
        lines.append(f"    targets: {', '.join(targets[:limit])}{more}")
        lines.append(f"    e.g. {v['nodes'][0]['html'][:200]}")
    return "\n".join(lines)
