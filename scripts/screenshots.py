"""Full-page screenshots of every kind of page of a built reporter site, to look at.

Serves SITE_DIR on a local port and opens one page of each kind (home, leaderboard, experiments,
an experiment, a run with and one without predictions, a comparison, the comparisons, the
journal and a post, tags, search results) in headless Chromium at 1440x900 and 390x844, in
Material's light and dark palettes, waiting for the charts; writes
OUT_DIR/<kind>-<width>-<palette>.png. The pages are the ones the browser tests check
(tests/browser_util.page_kinds).

Usage::

    reporter build --site-dir /tmp/site
    python scripts/screenshots.py /tmp/site /tmp/shots [--kind run --kind leaderboard]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_util import (  # noqa: E402  (the repository's test helpers)
    PALETTES,
    VIEWPORTS,
    launch_chromium,
    page_kinds,
    palette_init_script,
    serve,
    show_search_results,
    wait_for_charts,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_dir", type=Path, help="a built site (reporter build --site-dir)")
    parser.add_argument("out_dir", type=Path, help="where the PNGs go (created if missing)")
    parser.add_argument("--kind", action="append", help="only this page kind (repeatable)")
    args = parser.parse_args(argv)
    if not (args.site_dir / "index.html").is_file():
        parser.error(f"{args.site_dir} holds no built site (no index.html)")
    kinds = page_kinds(args.site_dir)
    unknown = sorted(set(args.kind or ()) - set(kinds))
    if unknown:
        parser.error(f"unknown page kind {unknown}; choose from {', '.join(kinds)}")
    chosen = [kinds[name] for name in args.kind or kinds]
    args.out_dir.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    written = 0
    with serve(args.site_dir) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        for viewport, size in VIEWPORTS.items():
            for palette, scheme in PALETTES.items():
                context = browser.new_context(viewport=size)
                context.set_default_navigation_timeout(60_000)
                context.add_init_script(palette_init_script(base, scheme))
                page = context.new_page()
                for kind in chosen:
                    page.goto(base + kind.rel, wait_until="load")
                    if kind.query:
                        show_search_results(page, kind.query)
                    undrawn = wait_for_charts(page)
                    path = args.out_dir / f"{kind.name}-{viewport}-{palette}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written += 1
                    note = f"  ({undrawn} charts not drawn)" if undrawn else ""
                    print(f"{path}  /{kind.rel}{note}", flush=True)
                context.close()
        browser.close()
    print(f"{written} screenshots in {time.monotonic() - started:.0f} s -> {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
