"""A comparison of 50 runs, each with 100,000-step histories of 4 metrics.

    python bench/bench_compare.py [--runs 50] [--steps 100000]

Prints the build time, the comparison page's weight (HTML with its inline chart data; plotly.js,
loaded once per site, excluded) and, when Chromium is installed, how long the page takes to
draw every chart in headless Chromium.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_runs  # noqa: E402

MKDOCS_YML = """\
site_name: Bench
docs_dir: docs
theme: {name: material, font: false, features: [navigation.instant]}
plugins:
  - reporter:
      runs: runs
      comparisons:
        - {title: Fifty, slug: fifty, select: {experiment: bench}}
  - search
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""


def draw_seconds(site: Path, page: str) -> tuple[float, float] | None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page()
            tab.goto(
                f"http://127.0.0.1:{server.server_port}/"
            )  # warm: plotly.js and Material cached
            tab.wait_for_load_state("load")
            started = time.perf_counter()
            tab.goto(f"http://127.0.0.1:{server.server_port}/{page}")
            tab.wait_for_function(
                "document.querySelector('.reporter-chart svg.main-svg')", timeout=60_000
            )
            first = time.perf_counter() - started
            tab.wait_for_function(
                "[...document.querySelectorAll('.reporter-chart')].every(c => c.querySelector('svg.main-svg'))",
                timeout=60_000,
            )
            every = time.perf_counter() - started
            timing = tab.evaluate(
                "JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON())"
            )
            browser.close()
            import json

            nav = json.loads(timing)
            print(
                f"(page: DOM ready {nav['domInteractive'] / 1000:.2f} s, loaded {nav['loadEventEnd'] / 1000:.2f} s)"
            )
            return first, every
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reporter-bench-") as tmp:
        project = Path(tmp)
        (project / "docs").mkdir()
        (project / "docs" / "index.md").write_text("# Bench\n")
        (project / "mkdocs.yml").write_text(MKDOCS_YML)
        started = time.perf_counter()
        write_runs(project / "runs", args.runs, steps=args.steps, experiments=("bench",), metrics=4)
        print(
            f"generated {args.runs} runs x {args.steps:,} steps x 4 metrics in {time.perf_counter() - started:.1f} s"
        )
        from reporter.site.build import build_site

        started = time.perf_counter()
        build_site(project / "mkdocs.yml")
        build = time.perf_counter() - started
        page = project / "site" / "compare" / "fifty" / "index.html"
        data = list(
            (project / "site" / "assets" / "reporter" / "charts" / "compare").glob("fifty.*.js")
        )
        weight = page.stat().st_size + sum(p.stat().st_size for p in data)
        draw = draw_seconds(project / "site", "compare/fifty/")
        print(f"build: {build:.1f} s")
        print(f"comparison page with its chart data file: {weight / 1e6:.2f} MB (limit 1.5 MB)")
        if draw is None:
            print("draw in headless Chromium: skipped (no /usr/bin/chromium)")
        else:
            print(
                f"draw in headless Chromium: first chart {draw[0]:.2f} s, every chart {draw[1]:.2f} s after navigation"
            )


if __name__ == "__main__":
    main()
