"""Time the bootstrap on 1,000,000 rows: unweighted, integer weights, continuous weights.

    python bench/bench_evaluate_weights.py [--rows 1000000] [--resamples 200 1000] [--repeat 3]

Data as in bench_evaluate.py: ~1% positives; scores rounded to 4 decimals (ties) or
continuous. Times are CPU seconds (best of --repeat), so other load on the machine matters
less; they include sorting the scores. What is timed is the shipped interval
(`reporter.evaluation.intervals.ranking_intervals`, what a run page shows) and the shipped paired
interval (`paired_difference_intervals`, what a comparison shows). The target: continuous
weights cost at most twice the unweighted bootstrap. `bench_evaluate.py` calls `table()`.
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

from reporter.evaluation import intervals as shipped  # noqa: E402


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


def table(rows: int, resamples_list: list[int], repeat: int, paired: bool = True) -> dict:
    """Print the timings; return {(scores, resamples, weights): seconds}."""
    print(f"{rows:,} rows; CPU seconds, best of {repeat}")
    print(f"{'scores':<11} {'resamples':>9} {'weights':<11} {'seconds':>8} {'vs unweighted':>14}")
    out = {}
    for ties in (True, False):
        y, score = make_data(rows, ties)
        label = "rounded" if ties else "continuous"
        for resamples in resamples_list:
            base = 0.0
            for kind in ("none", "integer", "continuous"):
                w = weights(rows, kind)
                run = partial(shipped.ranking_intervals, y, score, w, resamples=resamples)
                seconds = best_of(repeat, run)
                base = base or seconds
                out[(label, resamples, kind)] = seconds
                print(
                    f"{label:<11} {resamples:>9} {kind:<11} {seconds:>8.3f} {seconds / base:>13.2f}x"
                )
            if not paired:
                continue
            other = second_run(score)
            for kind in ("none", "continuous"):
                w = weights(rows, kind)
                run = partial(
                    shipped.paired_difference_intervals, y, other, score, w, resamples=resamples
                )
                seconds = best_of(repeat, run)
                out[("paired " + label, resamples, kind)] = seconds
                print(
                    f"{'  paired':<11} {resamples:>9} {kind:<11} {seconds:>8.3f} {seconds / base:>13.2f}x"
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table(args.rows, args.resamples, args.repeat)


if __name__ == "__main__":
    main()
