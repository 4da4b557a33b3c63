"""Scale: build time and memory from 100 to 10,000 runs, the overhead over a bare MkDocs build,
and the cost of an incremental rebuild after one new run.

    python bench/bench_scale.py                    # N = 100, 1000 (quick)
    python bench/bench_scale.py --sizes 100 1000 10000 --rows 6000 --steps 1000

Every build runs in a fresh process (peak RSS is that build's own). For each N it prints:
seconds, seconds per run, peak RSS, the ratio to a bare `mkdocs build` of the same pages
(written by `reporter render --out`, built with the same theme, plugins and navigation but no
reporter plugin), the incremental ratio (reporter's own work after adding one run, over a cold build's
own work), the largest run page and the leaderboard and search index sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_runs  # noqa: E402

MARKDOWN = "[admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]"
REPORTER_YML = f"""\
site_name: Bench
docs_dir: docs
theme: {{name: material, font: false, features: [navigation.instant]}}
plugins:
  - reporter: {{runs: runs}}
  - search
  - tags
markdown_extensions: {MARKDOWN}
"""
BARE_YML = f"""\
site_name: Bench
docs_dir: rendered
site_dir: bare-site
theme: {{name: material, font: false, features: [navigation.instant]}}
plugins: [search, tags]
not_in_nav: |
  /runs/
  /experiments/*
  !/experiments/index.md
  /compare/*
  !/compare/index.md
extra_css: [assets/reporter/reporter.css]
extra_javascript: [assets/reporter/plotly.min.js, assets/reporter/reporter.js]
markdown_extensions: {MARKDOWN}
"""
BUILD = """
import json, sys, time
from pathlib import Path
from reporter.site import build_site
started = time.perf_counter()
result = build_site(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - started, "reporter": result.reporter_seconds}))
"""
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1790000000"}


def child(args: list[str]) -> tuple[str, float, float]:
    """Run a child process; its stdout, wall seconds and peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(args, check=True, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return done.stdout, seconds, (peak if peak > before else float("nan")) / 1024


def measure(n: int, root: Path, rows: int, steps: int, bare: bool) -> dict[str, float]:
    project = root / f"n{n}"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
    (project / "mkdocs.yml").write_text(REPORTER_YML)
    write_runs(project / "runs", n, steps=steps, predictions=rows)
    out, seconds, peak = child([sys.executable, "-c", BUILD, str(project / "mkdocs.yml")])
    cold = json.loads(out)
    write_runs(project / "runs" / "new", 1, steps=steps, predictions=rows, seed=99)
    out, _, _ = child([sys.executable, "-c", BUILD, str(project / "mkdocs.yml")])
    warm = json.loads(out)
    row = {"n": n, "seconds": seconds, "ms_per_run": 1000 * seconds / n, "peak_mb": peak,
           "reporter_cold": cold["reporter"], "reporter_incremental": warm["reporter"],
           "incremental_total": warm["seconds"]}
    site = project / "site"
    row["largest_page_kb"] = max(p.stat().st_size for p in (site / "runs").rglob("index.html")) / 1024
    row["leaderboard_kb"] = (site / "leaderboard" / "index.html").stat().st_size / 1024
    row["search_kb"] = (site / "search" / "search_index.json").stat().st_size / 1024
    if bare:
        subprocess.run([sys.executable, "-m", "reporter.cli", "render", "--out", str(project / "rendered"),
                        "--config", str(project / "mkdocs.yml")], check=True, capture_output=True, env=ENV)
        (project / "bare.yml").write_text(BARE_YML)
        _, bare_seconds, _ = child([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "bare.yml")])
        row["bare_seconds"] = bare_seconds
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rows", type=int, default=6000, help="prediction rows per run")
    parser.add_argument("--steps", type=int, default=1000, help="history steps per run")
    parser.add_argument("--bare-up-to", type=int, default=1000, help="compare with bare MkDocs up to this N")
    parser.add_argument("--keep", type=Path, help="build under this folder and keep it (e.g. for bench_browser.py)")
    args = parser.parse_args()
    print(f"runs with predictions of {args.rows:,} rows and histories of {args.steps:,} steps x 3 metrics\n")
    print(f"{'N':>6} {'s':>7} {'ms/run':>7} {'peak MB':>8} {'x bare':>7} {'incr.':>7} "
          f"{'incr. s':>8} {'page KB':>8} {'board KB':>9} {'search KB':>10}")
    with tempfile.TemporaryDirectory(prefix="reporter-scale-") as tmp:
        for n in args.sizes:
            where = args.keep or Path(tmp)
            r = measure(n, where, args.rows, args.steps, bare=n <= args.bare_up_to)
            ratio = f"{r['seconds'] / r['bare_seconds']:.2f}" if "bare_seconds" in r else "-"
            incremental = r["reporter_incremental"] / r["reporter_cold"]
            print(f"{n:>6} {r['seconds']:>7.1f} {r['ms_per_run']:>7.1f} {r['peak_mb']:>8.0f} {ratio:>7} "
                  f"{incremental:>7.1%} {r['incremental_total']:>8.1f} {r['largest_page_kb']:>8.1f} "
                  f"{r['leaderboard_kb']:>9.0f} {r['search_kb']:>10.0f}", flush=True)
            print(f"       (reporter's own work: cold {r['reporter_cold']:.1f} s, after one new run "
                  f"{r['reporter_incremental']:.2f} s; bare MkDocs {r.get('bare_seconds', float('nan')):.1f} s)",
                  flush=True)


if __name__ == "__main__":
    main()
