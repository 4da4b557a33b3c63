"""The leaderboard and search of a built site in headless Chromium.

    python bench/bench_browser.py SITE_DIR [--query "Run 4242"]

Serves SITE_DIR on localhost and prints: leaderboard load time (navigation to rows drawn),
sort time (click on a metric header to re-drawn rows), filter time (typing to narrowed rows),
the search index size on disk and the time from typing a query to the first search result.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default="Run 4242")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(args.site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(base + "leaderboard/")
            page.wait_for_selector(".reporter-leaderboard tbody tr", timeout=120_000)
            load = time.perf_counter() - started
            runs = page.locator(".reporter-count").inner_text()
            sort = page.evaluate("""() => {
                const th = [...document.querySelectorAll('.reporter-leaderboard th.num')][1];
                const t0 = performance.now(); th.click(); return performance.now() - t0; }""")
            filt = page.evaluate("""() => {
                const input = document.querySelector('.reporter-toolbar input');
                input.value = 'run 42'; const t0 = performance.now();
                input.dispatchEvent(new Event('input')); return performance.now() - t0; }""")
            narrowed = page.locator(".reporter-count").inner_text()
            search = args.site / "search"  # Material's emptied index and reporter's shards
            index = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
            page.goto(base)
            page.wait_for_load_state("load")
            started = time.perf_counter()
            page.locator("input.md-search__input").click()
            page.keyboard.type(args.query)
            page.wait_for_selector(".md-search-result__item", timeout=120_000)
            first = time.perf_counter() - started
            browser.close()
    finally:
        server.shutdown()
    print(
        f"leaderboard ({runs}): drawn {load:.2f} s after navigation; sort {sort:.0f} ms; "
        f"filter {filt:.0f} ms ({narrowed})"
    )
    print(
        f"search index {index / 1e6:.1f} MB on disk; first result for {args.query!r} "
        f"{first:.2f} s after typing (bench/bench_search.py measures search in detail)"
    )


if __name__ == "__main__":
    main()
