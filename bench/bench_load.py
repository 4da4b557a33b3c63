"""Reading and evaluating runs: one process, a thread pool, a process pool; cold and cached.

python bench/bench_load.py [--runs 400] [--rows 6000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_runs  # noqa: E402

from reporter.config import Settings  # noqa: E402
from reporter.pipeline import loading  # noqa: E402
from reporter.readers import load_readers  # noqa: E402
from reporter.readers.discover import discover_runs  # noqa: E402


def timed(label: str, fn) -> float:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {seconds:7.2f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--rows", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reporter-bench-") as tmp:
        root = Path(tmp)
        write_runs(root / "runs", args.runs, steps=1000, predictions=args.rows)
        settings = Settings.defaults(root / "runs", cache_dir=root / "cache", cache=False)
        found = discover_runs(settings.runs, load_readers()).found
        print(f"{args.runs} runs, predictions of {args.rows:,} rows, histories of 1,000 steps")
        serial = timed("one process", lambda: [loading.read_one(f, settings) for f in found])

        def threads() -> None:
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(lambda f: loading.read_one(f, settings), found))

        threaded = timed("2 threads", threads)
        pooled = timed("2 processes (spawn)", lambda: list(loading._pooled(found, settings, 2)))
        cached = replace(settings, cache=True)
        cold = timed("cache on, cold (read + write)", lambda: loading.load(found, cached))
        warm = timed("cache on, warm", lambda: loading.load(found, cached))
        print(
            f"\nthreads {serial / threaded:.2f}x, processes {serial / pooled:.2f}x faster than one process; "
            f"warm cache {warm / cold:.1%} of a cold load"
        )


if __name__ == "__main__":
    main()
