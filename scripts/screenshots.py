"""Full-page screenshots of every kind of page of a built reporter site, to look at.

Serves SITE_DIR on a local port and opens one page of each kind (home, leaderboard, experiments,
an experiment, a run with and one without predictions, a comparison, the comparisons, the
journal and a post, tags, search results) in headless Chromium at 1440x900 and 390x844, in
Material's light and dark palettes, waiting for the charts; writes
OUT_DIR/<kind>-<width>-<palette>.png. The pages are the ones the browser tests check
(tests/browser_util.page_kinds).

With --readme, writes instead the README's few screenshots into OUT_DIR (site_src/assets):
a run, a comparison and the leaderboard, each at both widths (the wide ones in the light
palette, the phone ones in the dark), cut to the top of the page and reduced to 256 colours
(Pillow, in the dev extra) so the repository stays small.

Usage::

    reporter build --site-dir /tmp/site
    python scripts/screenshots.py /tmp/site /tmp/shots [--kind run --kind leaderboard]
    python scripts/screenshots.py /tmp/site site_src/assets --readme
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

# (file name, page kind, width, palette, height, the heading shown at the top or "" for the
# top of the page)
README_SHOTS = (
    ("screenshot-run.png", "run", "1440", "light", 1100, ""),
    ("screenshot-run-phone.png", "run", "390", "dark", 1500, "performance"),
    ("screenshot-compare.png", "comparison", "1440", "dark", 1100, ""),
    ("screenshot-compare-phone.png", "comparison", "390", "light", 1500, "roc-curves"),
    ("screenshot-leaderboard.png", "leaderboard", "1440", "light", 900, ""),
    ("screenshot-leaderboard-phone.png", "leaderboard", "390", "dark", 1100, ""),
)


def _shrink(path: Path) -> None:
    """256 colours, maximal compression: a screenshot of flat UI colours loses nothing visible."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def readme(site_dir: Path, out_dir: Path) -> int:
    kinds = page_kinds(site_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with serve(site_dir) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        for name, kind_name, viewport, palette, height, heading in README_SHOTS:
            kind = kinds[kind_name]
            # a window as tall as the shot (a full-page capture makes Material hide its tabs)
            size = {"width": VIEWPORTS[viewport]["width"], "height": height}
            context = browser.new_context(viewport=size, device_scale_factor=1)
            context.set_default_navigation_timeout(60_000)
            context.add_init_script(palette_init_script(base, PALETTES[palette]))
            page = context.new_page()
            page.goto(base + kind.rel, wait_until="load")
            undrawn = wait_for_charts(page)
            if heading:
                # one scroll down to just above the heading: Material's "back to top" button
                # shows after scrolling up
                page.locator(f"#{heading}").evaluate(
                    "h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 64)"
                )
                page.wait_for_timeout(500)  # the header's title has faded to the page's
                undrawn = wait_for_charts(page)
            path = out_dir / name
            page.screenshot(path=str(path))
            context.close()
            _shrink(path)
            note = f"  ({undrawn} charts not drawn)" if undrawn else ""
            print(f"{path}  {path.stat().st_size // 1024} KiB  /{kind.rel}{note}", flush=True)
        browser.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_dir", type=Path, help="a built site (reporter build --site-dir)")
    parser.add_argument("out_dir", type=Path, help="where the PNGs go (created if missing)")
    parser.add_argument("--kind", action="append", help="only this page kind (repeatable)")
    parser.add_argument("--readme", action="store_true", help="the README's screenshots only")
    args = parser.parse_args(argv)
    if not (args.site_dir / "index.html").is_file():
        parser.error(f"{args.site_dir} holds no built site (no index.html)")
    if args.readme:
        return readme(args.site_dir, args.out_dir)
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
