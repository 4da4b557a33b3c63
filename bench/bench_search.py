"""Search at scale on a site built by `reporter build`: time from typing to the first result in
headless Chromium with a cold cache, bytes fetched, index size, right answers.

    python bench/bench_search.py --root /tmp/search-bench                  # 1,000 runs
    python bench/bench_search.py --root /tmp/search-bench --sizes 1000 10000 --reps 3

For each size N it writes N synthetic runs (bench/search_corpus.py: varied names, tags,
parameters, notes with Chinese sentences and tokens such as `recall@fpr`, `amp&and`) and builds
the site with `reporter build`; both stay under --root and are reused by later calls
(`--rebuild` builds again, e.g. after changing reporter). It serves the site on 127.0.0.1 and,
in a fresh headless Chromium per measurement (cold cache), opens the home page, types the query
into Material's search box as soon as the page has loaded, and times the first result row (or
"No matching documents").

Prints per query: the median latency in ms, the count Material shows, whether the first result
is a right answer (`+`) or not (`-`), and the KB fetched from `search/` until the first result;
then the index on disk, the growth of the browser's resident memory from page load to the
first result (median), the time from navigation start until the search worker first answers
(Material's "Initializing search" replaced), the build time, and the machine's load average
(the machine is shared: note it with the numbers).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_corpus import write_search_runs  # noqa: E402

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


def prepare(root: Path, n: int, rebuild: bool) -> tuple[Path, float | None]:
    """The site of `n` synthetic runs, built by `reporter build` (once; again with `rebuild`)."""
    runs, site = root / f"runs-{n}", root / f"site-{n}"
    if not runs.is_dir():
        print(f"writing {n} runs ...", flush=True)
        write_search_runs(runs, n)
    if (site / "search" / "reporter" / "meta.json").is_file() and not rebuild:
        return site, None
    project = root / f"project-{n}"
    (project / "docs").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
    (project / "mkdocs.yml").write_text(MKDOCS_YML)
    print(f"building the site of {n} runs ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reporter.cli", "build", "-q", "--runs", str(runs)]
        + ["--site-dir", str(site), "--config", str(project / "mkdocs.yml")],
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
    )
    seconds = time.perf_counter() - started
    print(f"  built in {seconds:.0f} s", flush=True)
    return site, seconds


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
            b for t, path, b in Counting.sent if t <= found_at and path.startswith("/search/")
        )
        rss1 = chromium_rss_kb()
        time.sleep(1.0)  # a second, longer result list may follow the first
        count = page.locator(".md-search-result__meta").inner_text().split(" ")[0]
        first = page.locator(".md-search-result__item a").first
        href = first.get_attribute("href") if first.count() else None
        loc = href.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] if href else None
        return {
            "s": seconds,
            "count": count,
            "right": loc in answers,
            "fetched": fetched,
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
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def run_size(root: Path, n: int, reps: int, rebuild: bool) -> None:
    from playwright.sync_api import sync_playwright

    site, built = prepare(root, n, rebuild)
    qs = queries(root / f"runs-{n}", n)
    load = os.getloadavg()
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        with sync_playwright() as p:
            results = {
                label: [measure(p, base, q, answers) for _ in range(reps)]
                for label, q, answers in qs
            }
            ready = statistics.median(measure_ready(p, base) for _ in range(reps))
    finally:
        server.shutdown()
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    print(
        f"\n{n:,} runs: first result after typing (ms, median of {reps}), count shown, "
        "first result right (+) or not (-), KB fetched from search/ until the first result"
    )
    print(f"{'query (run pages answering)':<30}{'ms':>8}{'shown':>8}{'':>3}{'KB':>8}")
    for label, _query, answers in qs:
        rs = results[label]
        ms = statistics.median(r["s"] for r in rs) * 1000
        kb = statistics.median(r["fetched"] for r in rs) / 1024
        shown = f"{label} ({len(answers)})"
        print(
            f"{shown:<30}{ms:>8.0f}{rs[0]['count']:>8}{'+' if rs[0]['right'] else '-':>3}{kb:>8.0f}"
        )
    size, files = disk(site / "search" / "reporter")
    rss = statistics.median(r["rss"] for rs in results.values() for r in rs) / 1024
    print(f"index on disk: {size / 1024:.0f} KB in {files} files")
    print(f"browser RSS growth to the first result: {rss:.0f} MB (median)")
    print(f"search ready after navigation: {ready:.1f} s (median)")
    if built is not None:
        print(f"build: {built:.0f} s")
    print(f"load average (max of before and after): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    with open(root / f"results-{n}.json", "w") as f:
        json.dump(
            {
                "queries": [(label, q, len(a)) for label, q, a in qs],
                "results": results,
                "ready": ready,
                "build_seconds": built,
                "index_bytes": size,
                "load": load,
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--rebuild", action="store_true", help="build the sites again (reuse the runs)"
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"Chromium is needed at {CHROMIUM}")
    args.root.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        run_size(args.root, n, args.reps, args.rebuild)


if __name__ == "__main__":
    main()
