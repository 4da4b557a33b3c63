"""The leaderboard, its queries, the ad-hoc comparison page and search of a built site in
headless Chromium.

    python bench/bench_browser.py SITE_DIR [--query "Run 4242"]
    python bench/bench_browser.py --make 10000 [--keep bench/out/browser-10000]
        [--plotly-bundle cartesian | PATH]

`--make N` writes N synthetic runs (bench/synthetic.py; predictions for the 5 runs the
comparison page draws), builds them with `reporter build` and measures that site.
`--plotly-bundle` builds it with a smaller plotly.js (the plugin option `plotly_bundle`):
`cartesian` installs npm's plotly.js-cartesian-dist-min of the plotly package's plotly.js
version into bench/out/npm. The comparison is then measured with each bundle.

Serves the site on localhost and prints: leaderboard load time (navigation to rows drawn),
sort time (click on a metric header to re-drawn rows), filter time (typing to narrowed rows),
the time for a query to redraw the leaderboard (target 200 ms), the time for the ad-hoc
comparison of 5 runs to draw every chart (target 2 s) with the run data it loaded, the search
index size and the time from typing a query to the first search result.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
QUERY = "metrics.roc_auc > 0.9 and params.model.max_depth = 8 and not tags.linear"
COMPARED = 5
MKDOCS_YML = """\
site_name: Bench
docs_dir: docs
theme: {name: material, font: false, features: [navigation.instant]}
plugins:
  - reporter: {runs: runs%s}
  - search
  - tags
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""


COMPARE_TIMES = r"""() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const runs = resources.filter(e => e.name.includes('/assets/reporter/runs/'));
    return {drawn: performance.now(),
            charts: document.querySelectorAll('.reporter-adhoc .reporter-chart').length,
            files: runs.length,
            bytes: runs.reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0),
            dom: nav.domContentLoadedEventEnd,
            ready: Number(document.querySelector('.reporter-adhoc').dataset.readyMs),
            bundles: resources.map(e => e.name.split('/').pop()).filter(n => /^plotly.*\.js$/.test(n)),
            plotly: Math.max(0, ...resources.filter(e => /\/plotly[^\/]*\.js$/.test(e.name))
                                            .map(e => e.responseEnd))}; }"""


def drawn_by(page: object) -> None:
    """Wait until the comparison has its data and every chart holds a drawn plot."""
    page.wait_for_selector(".reporter-adhoc[data-ready]", timeout=120_000)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        """() => { const n = Number(document.querySelector('.reporter-adhoc').dataset.charts);
        return [...document.querySelectorAll('.reporter-adhoc .reporter-chart')]
          .filter(c => c.querySelector('svg.main-svg')).length === n; }""",
        timeout=120_000,
    )


# A site built with `plotly_bundle` announces the smaller bundle before reporter.js; this makes
# the announcement a no-op, so the page loads the full bundle (what a site without it serves).
FULL_ONLY = """Object.defineProperty(window, '__reporterPlotlyLight',
  {configurable: false, get() { return undefined; }, set(v) {}});"""


def compare_page(browser: object, base: str, url: str, full: bool) -> dict:
    """The ad-hoc comparison's timings as a reader meets it, from the leaderboard where they
    ticked the runs (the site's own assets cached, plotly.js not), in a fresh context; then
    again with plotly.js cached. `full`: the full plotly.js even where the site has a smaller
    bundle."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    if full:
        context.add_init_script(FULL_ONLY)
    page = context.new_page()
    try:
        page.goto(base + "leaderboard/")
        page.wait_for_selector(".reporter-leaderboard tbody tr", timeout=120_000)
        page.goto("about:blank")
        page.goto(url)
        drawn_by(page)
        times = page.evaluate(COMPARE_TIMES)
        page.goto("about:blank")  # again, with plotly.js in the browser's caches
        page.goto(url)
        drawn_by(page)
        times["warm"] = page.evaluate("() => performance.now()")
        return times
    finally:
        context.close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the browser left
            super().handle()


def cartesian_bundle() -> Path:
    """npm's plotly.js-cartesian-dist-min at the plotly package's plotly.js version."""
    from reporter.pipeline.plotly_js import full_version

    prefix = Path(__file__).resolve().parent / "out" / "npm"
    package = f"plotly.js-cartesian-dist-min@{full_version()}"
    subprocess.run(
        ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", package],
        check=True, capture_output=True,
    )  # fmt: skip
    return prefix / "node_modules" / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"


def make_site(
    n: int, project: Path, rows: int, bundle: Path | None = None
) -> tuple[Path, list[str]]:
    """N synthetic runs, COMPARED of them with predictions, built by the CLI; (site, their ids).
    A kept project is built again when its options changed (`bundle`)."""
    import numpy as np
    from synthetic import EXPERIMENTS, _write_predictions, write_runs

    chosen = [
        f"{EXPERIMENTS[i % len(EXPERIMENTS)]}/run-{i:05d}"
        for i in range(0, n, max(n // COMPARED, 1))
    ][:COMPARED]
    project = project.resolve()
    site = project / "site"
    config = MKDOCS_YML % (f", plotly_bundle: {bundle.resolve()}" if bundle else "")
    if (project / "mkdocs.yml").is_file() and (project / "mkdocs.yml").read_text() != config:
        (project / "mkdocs.yml").write_text(config)
        shutil.rmtree(site, ignore_errors=True)
    if not (project / "runs").is_dir():
        (project / "docs").mkdir(parents=True, exist_ok=True)
        (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
        (project / "mkdocs.yml").write_text(config)
        write_runs(project / "runs", n)
        rng = np.random.default_rng(1)
        for run_id in chosen:
            _write_predictions(project / "runs" / run_id / "predictions.csv", rng, rows)
    if not site.is_dir():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "reporter.cli", "build", "--quiet", "--config",
             str(project / "mkdocs.yml")],
            check=True, cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )  # fmt: skip
        print(f"built {n:,} runs in {time.perf_counter() - started:.0f} s", flush=True)
    return site, chosen


def search_latency(site: Path, query: str) -> float:
    """Seconds from typing `query` into the home page's search box to the first result, in a
    fresh browser (cold cache) on the site served from localhost."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return first_result(
                    browser.new_page(), f"http://127.0.0.1:{server.server_port}/", query
                )
            finally:
                browser.close()
    finally:
        server.shutdown()


def first_result(page: object, base: str, query: str) -> float:
    page.goto(base)
    page.wait_for_load_state("load")
    started = time.perf_counter()
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item", timeout=120_000)
    return time.perf_counter() - started


def measure(site: Path, search_query: str, compared: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(base + "leaderboard/")
            page.wait_for_selector(".reporter-leaderboard tbody tr", timeout=120_000)
            load = time.perf_counter() - started
            runs = page.locator(".reporter-count").inner_text()
            sort = page.evaluate("""() => {
                const th = [...document.querySelectorAll('.reporter-leaderboard th.num button')][1];
                const t0 = performance.now(); th.click(); return performance.now() - t0; }""")
            filt = page.evaluate("""() => {
                const input = document.querySelector('.reporter-toolbar input');
                input.value = 'run 42'; const t0 = performance.now();
                input.dispatchEvent(new Event('input')); return performance.now() - t0; }""")
            narrowed = page.locator(".reporter-count").inner_text()
            queried = page.evaluate(
                """query => {
                const input = document.querySelector('.reporter-toolbar input');
                const times = [];
                for (let i = 0; i < 5; i++) {
                  input.value = i % 2 ? 'run' : query; input.dispatchEvent(new Event('input'));
                  input.value = query; const t0 = performance.now();
                  input.dispatchEvent(new Event('input')); times.push(performance.now() - t0);
                }
                times.sort((a, b) => a - b);
                return {median: times[2], worst: times[4],
                        error: !document.querySelector('.reporter-query-error').hidden}; }""",
                QUERY,
            )
            matched = page.locator(".reporter-count").inner_text()
            compares = []
            if compared:
                url = base + "compare/?runs=" + ",".join(quote(i, safe="") for i in compared)
                light = (site / "assets" / "reporter" / "plotly-light.min.js").is_file()
                # the smaller bundle (when the site has one) first: it gains nothing from a
                # browser that has run longer
                compares = [compare_page(browser, base, url, full=False)]
                if light:
                    compares.append(compare_page(browser, base, url, full=True))
            search = site / "search"  # Material's emptied index and reporter's shards
            index = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
            first = first_result(page, base, search_query)
            browser.close()
    finally:
        server.shutdown()
    print(
        f"leaderboard ({runs}): drawn {load:.2f} s after navigation; sort {sort:.0f} ms; "
        f"filter {filt:.0f} ms ({narrowed})"
    )
    print(
        f"query {QUERY!r}: leaderboard redrawn in {queried['median']:.0f} ms (median of 5, "
        f"worst {queried['worst']:.0f} ms; target 200 ms) -> {matched}"
        + ("; PARSE ERROR" if queried["error"] else "")
    )
    for compare in compares:
        print(
            f"compare page of {len(compared)} runs ({'+'.join(compare['bundles'])}): "
            f"{compare['charts']} charts drawn "
            f"{compare['drawn'] / 1000:.2f} s after navigation (target 2 s; DOM ready at "
            f"{compare['dom'] / 1000:.2f} s, run data loaded and tables drawn at "
            f"{compare['ready'] / 1000:.2f} s, plotly.js fetched at "
            f"{compare['plotly'] / 1000:.2f} s); {compare['files']} run data files loaded, "
            f"{compare['bytes'] / 1e3:.0f} kB; again with plotly.js cached: "
            f"{compare['warm'] / 1000:.2f} s"
        )
    print(
        f"search index {index / 1e6:.1f} MB; first result for {search_query!r} {first:.2f} s "
        "after typing (includes building the index in the search worker)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path, nargs="?")
    parser.add_argument("--query", default="Run 4242", help="what to type into site search")
    parser.add_argument("--make", type=int, help="build a site of this many synthetic runs")
    parser.add_argument("--keep", type=Path, help="project folder for --make (reused if built)")
    parser.add_argument("--rows", type=int, default=20_000, help="prediction rows of compared runs")
    parser.add_argument("--compare", nargs="*", default=[], help="run ids for the compare page")
    parser.add_argument(
        "--plotly-bundle",
        help="with --make: a smaller plotly.js (plotly_bundle): PATH or cartesian",
    )
    args = parser.parse_args()
    if args.make:
        project = args.keep or Path(tempfile.mkdtemp(prefix="bench-browser-"))
        bundle = args.plotly_bundle
        bundle = cartesian_bundle() if bundle == "cartesian" else Path(bundle) if bundle else None
        site, compared = make_site(args.make, project, args.rows, bundle)
    elif args.site:
        site, compared = args.site, args.compare
    else:
        parser.error("give a SITE_DIR or --make N")
    measure(site, args.query, compared)


if __name__ == "__main__":
    main()
