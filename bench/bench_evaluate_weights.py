"""Time the bootstrap on 1,000,000 rows: unweighted, integer weights, continuous weights.

    python bench/bench_evaluate_weights.py [--rows 1000000] [--resamples 200 1000] [--repeat 3]

Data as in bench_evaluate.py: ~1% positives; scores rounded to 4 decimals (ties) or
continuous. Times are CPU seconds (best of --repeat), so other load on the machine matters
less; they include sorting the scores. The target: continuous weights cost at most twice the
unweighted bootstrap. The paired bootstrap of two runs on the same rows is timed as well.
`reporter`'s shipped bootstrap (`reporter._curves`) is timed alongside
when importable: it takes a per-row path with continuous weights.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ci_methods as cm  # noqa: E402


def make_data(rows: int, ties: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(rows) < 0.01
    score = np.clip(rng.beta(1.2, 12.0, rows) + 0.35 * y * rng.random(rows), 0, 1)
    return y, np.round(score, 4) if ties else score


def second_run(score: np.ndarray, seed: int = 2) -> np.ndarray:
    """A run scored on the same rows, correlated with the first (for the paired timing)."""
    noise = np.random.default_rng(seed).normal(0, 0.05, len(score))
    return np.round(score + noise, 4)


def weights(rows: int, kind: str, seed: int = 1) -> np.ndarray | None:
    rng = np.random.default_rng(seed)
    if kind == "integer":
        return rng.integers(1, 4, rows).astype(np.float64)
    if kind == "continuous":
        return rng.gamma(2.0, 0.5, rows)
    return None


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def shipped(y: np.ndarray, score: np.ndarray, w: np.ndarray | None, resamples: int) -> object:
    from reporter import _curves

    return _curves.bootstrap(_curves.rank(y, score, w), resamples, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shipped", action="store_true", help="also time reporter's bootstrap")
    args = parser.parse_args()
    print(f"{args.rows:,} rows; CPU seconds, best of {args.repeat}")
    print(f"{'scores':<11} {'resamples':>9} {'weights':<11} {'seconds':>8} {'vs unweighted':>14}")
    for ties in (True, False):
        y, score = make_data(args.rows, ties)
        label = "rounded" if ties else "continuous"
        for resamples in args.resamples:
            base = 0.0
            for kind in ("none", "integer", "continuous"):
                w = weights(args.rows, kind)
                run = partial(cm.ranking_intervals, y, score, w, resamples=resamples)
                seconds = best_of(args.repeat, run)
                base = base or seconds
                print(
                    f"{label:<11} {resamples:>9} {kind:<11} {seconds:>8.3f} {seconds / base:>13.2f}x"
                )
                if args.shipped:
                    old = best_of(1, partial(shipped, y, score, w, resamples))
                    print(f"{'':<11} {'':>9} {'(shipped)':<11} {old:>8.3f}")
            other = second_run(score)
            for kind in ("none", "continuous"):
                w = weights(args.rows, kind)
                run = partial(
                    cm.paired_difference_intervals, y, other, score, w, resamples=resamples
                )
                seconds = best_of(args.repeat, run)
                print(
                    f"{'  paired':<11} {resamples:>9} {kind:<11} {seconds:>8.3f} {seconds / base:>13.2f}x"
                )


if __name__ == "__main__":
    main()
