"""Build time and peak memory of `reporter build` for N synthetic runs.

    python bench/bench_build.py                 # N = 100, 1000, 5000
    python bench/bench_build.py --sizes 100 500

Each build runs in a fresh process (`reporter build`), so peak RSS is that build's own.
Prints N, seconds, milliseconds per run, peak RSS and the largest page; time per run should
stay flat as N grows (no page carries every run except the leaderboard and search data).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_runs  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MKDOCS_YML = """\
site_name: Bench
docs_dir: docs
theme: {name: material, font: false, features: [navigation.instant]}
plugins:
  - reporter: {runs: runs}
  - search
  - tags
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""


def measure(n: int, workdir: Path) -> dict[str, float]:
    project = workdir / f"n{n}"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
    (project / "mkdocs.yml").write_text(MKDOCS_YML)
    write_runs(project / "runs", n)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reporter.cli",
            "build",
            "-q",
            "--config",
            str(project / "mkdocs.yml"),
        ],
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    pages = list((project / "site" / "runs").rglob("index.html"))
    largest = max(p.stat().st_size for p in pages)
    board = (project / "site" / "leaderboard" / "index.html").stat().st_size
    search = project / "site" / "search"  # Material's emptied index and reporter's shards
    index = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
    return {
        "n": n,
        "seconds": seconds,
        "ms_per_run": 1000 * seconds / n,
        "peak_mb": max(peak, before) / 1024,
        "largest_run_page_kb": largest / 1024,
        "leaderboard_kb": board / 1024,
        "search_index_kb": index / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="reporter-bench-") as tmp:
        for n in args.sizes:
            rows.append(measure(n, Path(tmp)))
            print(_row(rows[-1]), flush=True) if len(rows) > 1 else print(
                _header() + "\n" + _row(rows[-1]), flush=True
            )
    base = rows[0]["ms_per_run"]
    print(
        f"\ntime per run relative to N={rows[0]['n']}: "
        + ", ".join(f"N={r['n']}: {r['ms_per_run'] / base:.2f}x" for r in rows)
    )


def _header() -> str:
    return f"{'N':>6} {'seconds':>8} {'ms/run':>7} {'peak MB':>8} {'run page KB':>12} {'leaderboard KB':>15} {'search KB':>10}"


def _row(r: dict[str, float]) -> str:
    return (
        f"{r['n']:>6} {r['seconds']:>8.1f} {r['ms_per_run']:>7.1f} {r['peak_mb']:>8.0f} "
        f"{r['largest_run_page_kb']:>12.1f} {r['leaderboard_kb']:>15.1f} {r['search_index_kb']:>10.0f}"
    )


if __name__ == "__main__":
    main()
