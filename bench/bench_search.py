"""Search at scale: index size, bytes fetched and time from typing to the first result, per option.

    python bench/bench_search.py --root /tmp/search-bench --sizes 1000 10000 --lunr-js lunr.js
    python bench/bench_search.py --root /tmp/search-bench --sizes 1000 --options material proto --reps 1

For each size N it writes N synthetic runs (bench/search_proto/corpus.py: varied names, tags,
parameters, notes with Chinese sentences and tokens such as `recall@fpr`, `amp&and`) and builds
the site once with `reporter build`; both stay under --root and are reused by later calls.
From that site it derives one copy per option (bench/search_proto/options.py: material, lean,
lunr, pagefind, proto), serves it on 127.0.0.1 and, in a fresh headless Chromium per
measurement (cold cache), opens the home page, types the query into Material's search box as
soon as the page has loaded, and times the first result row (or "No matching documents").

Prints per option and query: the median latency in ms, the count Material shows, and whether
the first result is a right answer (`+`) or not (`-`); then per option: index bytes on disk
(and files), bytes fetched for search until the first result (median over queries), and the
growth of the browser's resident memory from page load to the first result (median), and the
time from navigation start until the search worker first answers (median).
The lunr option needs lunr.js 2.3.9 (`npm pack lunr@2.3.9`); without --lunr-js it is skipped.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "search_proto"))
from corpus import write_search_runs  # noqa: E402
from options import OPTIONS, make  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
MKDOCS_YML = """\
site_name: Search bench
docs_dir: docs
site_url: http://127.0.0.1:8000/
theme: {name: material, font: false, features: [navigation.instant, search.suggest, search.highlight]}
plugins:
  - reporter: {runs: runs}
  - search
  - tags
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""
SEARCH_PATHS = ("/search/", "/pagefind/")
INDEX_PATHS = {
    "material": "search/search_index.json",
    "lean": "search/search_index.json",
    "lunr": "search/lunr-worker",
    "pagefind": "pagefind",
    "proto": "search/reporter",
}
WATCH = """() => {
  const input = document.querySelector('input.md-search__input');
  const meta = document.querySelector('.md-search-result__meta');
  const list = document.querySelector('.md-search-result__list');
  const none = JSON.parse(document.getElementById('__config').textContent)
    .translations['search.result.none'];
  window.__search = {t0: null, t1: null};
  input.addEventListener('keyup', () => { if (window.__search.t0 === null) window.__search.t0 = performance.now(); }, true);
  const check = () => {
    const s = window.__search;
    if (s.t0 === null || s.t1 !== null) return;
    if (list.children.length || meta.textContent.trim() === none) s.t1 = performance.now();
  };
  new MutationObserver(check).observe(meta.parentElement, {childList: true, subtree: true, characterData: true});
}"""


class Counting(http.server.SimpleHTTPRequestHandler):
    """Serves the site and counts the bytes of every file it sends."""

    sent: list[tuple[float, str, int]] = []

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        f = super().send_head()
        if f is not None and hasattr(f, "fileno"):
            Counting.sent.append((time.perf_counter(), self.path, os.fstat(f.fileno()).st_size))
        return f


def prepare(root: Path, n: int, options: list[str], lunr_js: Path | None) -> dict[str, Path]:
    runs, site = root / f"runs-{n}", root / f"site-{n}"
    if not runs.is_dir():
        print(f"writing {n} runs ...", flush=True)
        write_search_runs(runs, n)
    if not (site / "search" / "search_index.json").is_file():
        project = root / "project"
        (project / "docs").mkdir(parents=True, exist_ok=True)
        (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
        (project / "mkdocs.yml").write_text(MKDOCS_YML)
        print(f"building the site of {n} runs (once) ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "reporter.cli",
                "build",
                "-q",
                "--runs",
                str(runs),
                "--site-dir",
                str(site),
                "--config",
                str(project / "mkdocs.yml"),
            ],
            check=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
        )
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    sites = {}
    for option in options:
        out = site if option == "material" else root / f"{option}-{n}"
        marker = out / ".bench-option"
        if option != "material" and not marker.is_file():
            started = time.perf_counter()
            make(option, site, out, lunr_js=lunr_js)
            marker.write_text(f"{time.perf_counter() - started:.1f}")
            print(f"  {option}: made in {marker.read_text()} s", flush=True)
        sites[option] = out
    return sites


def queries(runs: Path, n: int) -> list[tuple[str, str, set[str]]]:
    """(label, query, locations of the run pages that answer it)."""
    truth: dict[str, set[str]] = {
        k: set() for k in ("name", "tag", "param", "note", "lr", "recall", "amp", "zh")
    }
    target = (n * 4242) // 10000
    name = ""
    for meta_file in sorted(runs.glob("*/run-*/run.yaml")):
        folder = meta_file.parent
        loc = f"runs/{folder.relative_to(runs).as_posix()}/"
        meta = yaml.load(meta_file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        config = yaml.load((folder / "config.yaml").read_text(), Loader=yaml.CSafeLoader)
        notes = meta.get("notes", "")
        if folder.name == f"run-{target:05d}":
            name = meta["name"]
            truth["name"].add(loc)
        for key, hit in (
            ("tag", "night-shift" in meta.get("tags", [])),
            ("param", config["data"]["sampler"] == "adasyn"),
            ("note", "isotonic" in notes),
            ("lr", "learning_rate" in config["model"]),
            ("recall", "recall@fpr" in notes),
            ("amp", "amp&and" in notes),
            ("zh", "召回率" in notes),
        ):
            if hit:
                truth[key].add(loc)
    return [
        ("run name", name, truth["name"]),
        ("tag", "night-shift", truth["tag"]),
        ("param value", "adasyn", truth["param"]),
        ("note word", "isotonic", truth["note"]),
        ("learning_rate", "learning_rate", truth["lr"]),
        ("recall@fpr", "recall@fpr", truth["recall"]),
        ("amp&and", "amp&and", truth["amp"]),
        ("Chinese", "召回率", truth["zh"]),
    ]


def chromium_rss_kb() -> int:
    """Resident memory of every Chromium process under this one."""
    me, total = os.getpid(), 0
    parents: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
                parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    for pid in parents:
        p, seen = pid, 0
        while p in parents and p != me and seen < 50:
            p, seen = parents[p], seen + 1
        if p != me:
            continue
        try:
            status = (Path("/proc") / str(pid) / "status").read_text()
        except OSError:
            continue
        if "chrom" in status.split("\n", 1)[0].lower():
            total += next(
                (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
                0,
            )
    return total


def measure(playwright, base: str, query: str, answers: set[str]) -> dict[str, object]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        page = browser.new_context().new_page()
        Counting.sent.clear()
        page.goto(base, wait_until="load")
        page.evaluate(WATCH)
        rss0 = chromium_rss_kb()
        box = page.locator("input.md-search__input")
        box.click()
        box.fill(query)
        page.keyboard.press("End")
        page.wait_for_function("() => window.__search.t1 !== null", timeout=180_000, polling=20)
        seconds = page.evaluate("() => (window.__search.t1 - window.__search.t0) / 1000")
        found_at = time.perf_counter()
        fetched = sum(
            b
            for t, path, b in Counting.sent
            if t <= found_at and any(path.startswith(p) for p in SEARCH_PATHS)
        )
        rss1 = chromium_rss_kb()
        time.sleep(1.0)  # a second, longer result list may follow the first
        fetched_all = sum(
            b for _, path, b in Counting.sent if any(path.startswith(p) for p in SEARCH_PATHS)
        )
        count = page.locator(".md-search-result__meta").inner_text().split(" ")[0]
        first = page.locator(".md-search-result__item a").first
        href = first.get_attribute("href") if first.count() else None
        loc = href.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] if href else None
        return {
            "s": seconds,
            "count": count,
            "right": loc in answers,
            "fetched": fetched,
            "fetched_all": fetched_all,
            "rss": rss1 - rss0,
        }
    finally:
        browser.close()


def measure_ready(playwright, base: str) -> float:
    """Seconds from navigation start until the search worker answers (Material's result meta
    leaves its initial "Initializing search"): what a visitor typing at once waits for."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        page = browser.new_context().new_page()
        page.goto(base, wait_until="domcontentloaded")
        # the text the page was served with (the live one may have changed already)
        served = page.evaluate("() => fetch(location.href).then(r => r.text())")
        initial = re.search(r'class="md-search-result__meta">([^<]*)<', served).group(1)
        page.wait_for_function(
            "t => document.querySelector('.md-search-result__meta').textContent.trim() !== t.trim()",
            arg=initial,
            timeout=300_000,
            polling=50,
        )
        return page.evaluate("() => performance.now()") / 1000
    finally:
        browser.close()


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Counting, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def disk(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return sum(p.stat().st_size for p in files), len(files)


def run_size(root: Path, n: int, options: list[str], reps: int, lunr_js: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    sites = prepare(root, n, options, lunr_js)
    qs = queries(root / f"runs-{n}", n)
    results: dict[str, dict[str, list[dict]]] = {}
    ready: dict[str, float] = {}
    with sync_playwright() as p:
        for option, site in sites.items():
            server = serve(site)
            base = f"http://127.0.0.1:{server.server_port}/"
            try:
                results[option] = {
                    label: [measure(p, base, q, answers) for _ in range(reps)]
                    for label, q, answers in qs
                }
                ready[option] = statistics.median(measure_ready(p, base) for _ in range(reps))
            finally:
                server.shutdown()
            print(f"  measured {option}", flush=True)
    print(
        f"\n{n:,} runs: first result after typing, ms (median of {reps}); count shown; "
        "first result right (+) or not (-)"
    )
    width = 22
    print(f"{'query':<26}" + "".join(f"{o:>{width}}" for o in sites))
    for label, _query, answers in qs:
        cells = []
        for o in sites:
            rs = results[o][label]
            ms = statistics.median(r["s"] for r in rs) * 1000
            cells.append(f"{ms:>8.0f} {rs[0]['count']:>8} {'+' if rs[0]['right'] else '-'}")
        shown = f"{label} ({len(answers)})"
        print(f"{shown:<26}" + "".join(f"{c:>{width}}" for c in cells))
    sizes = {o: disk(sites[o] / INDEX_PATHS[o]) for o in sites}
    print(
        f"{'index on disk, KB (files)':<26}"
        + "".join(f"{f'{sizes[o][0] // 1024} ({sizes[o][1]})':>{width}}" for o in sites)
    )

    def median(key: str, scale: float) -> str:
        return "".join(
            f"{statistics.median(r[key] for rs in results[o].values() for r in rs) / scale:>{width}.0f}"
            for o in sites
        )

    print(f"{'fetched to 1st result, KB':<26}" + median("fetched", 1024))
    print(f"{'fetched in all, KB':<26}" + median("fetched_all", 1024))
    print(f"{'browser RSS growth, MB':<26}" + median("rss", 1024))
    print(f"{'search ready after nav, s':<26}" + "".join(f"{ready[o]:>{width}.1f}" for o in sites))
    made = {o: (sites[o] / ".bench-option").read_text().strip() for o in sites if o != "material"}
    print("post-build step, s: " + ", ".join(f"{o} {s}" for o, s in made.items()))
    with open(root / f"results-{n}.json", "w") as f:
        json.dump(
            {
                "queries": [(label, q, len(a)) for label, q, a in qs],
                "results": results,
                "ready": ready,
            },
            f,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--root", type=Path, required=True, help="runs, sites and results live here"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--options", nargs="+", default=list(OPTIONS), choices=OPTIONS)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--lunr-js", type=Path, help="lunr.js 2.3.9 for the lunr option")
    args = parser.parse_args()
    options = [o for o in args.options if o != "lunr" or args.lunr_js]
    if len(options) < len(args.options):
        print("lunr skipped: pass --lunr-js (lunr.js from `npm pack lunr@2.3.9`)")
    args.root.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        run_size(args.root, n, options, args.reps, args.lunr_js)


if __name__ == "__main__":
    main()
