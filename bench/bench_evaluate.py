"""Time `reporter.evaluate` against the scikit-learn calls it replaces, on 1,000,000 rows.

    python bench/bench_evaluate.py [--rows 1000000] [--repeat 3]

The data is fraud-like: ~1% positives, scores in [0, 1] rounded to 4 decimals (so, ties).
The target: `evaluate` without bootstrap takes no longer than scikit-learn's roc_curve +
roc_auc_score + average_precision_score + log_loss + brier_score_loss on the same arrays,
although it computes far more (curves, calibration, operating points, threshold table).

Weights (issue 13, item 7): the same rows with continuous weights (gamma-distributed), with
and without the bootstrap; the bootstrap's cost is the difference, and continuous weights may
cost at most twice what unweighted rows cost. Then the bootstrap alone
(`bench_evaluate_weights.table`: rounded and continuous scores, unweighted, integer and
continuous weights, and the paired bootstrap of two runs), CPU seconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import bench_evaluate_weights
import numpy as np
from sklearn import metrics as skm

from reporter.config import Settings
from reporter.evaluation.evaluate import EvalOptions, evaluate
from reporter.evaluation.predictions import Predictions


def options(**changes: object) -> EvalOptions:
    """The default evaluation options (from the config schema), with `changes`."""
    from dataclasses import replace

    return replace(EvalOptions.from_settings(Settings.defaults(Path("runs")).evaluation), **changes)


def make_data(rows: int, seed: int = 0, weighted: bool = False) -> Predictions:
    rng = np.random.default_rng(seed)
    y = rng.random(rows) < 0.01
    score = np.clip(rng.beta(1.2, 12.0, rows) + 0.35 * y * rng.random(rows), 0, 1)
    weight = rng.gamma(2.0, 0.5, rows) if weighted else None
    return Predictions.from_arrays(y, np.round(score, 4), weight=weight)


def sklearn_calls(p: Predictions) -> dict[str, float]:
    skm.roc_curve(p.y_true, p.y_score)
    return {
        "roc_auc": skm.roc_auc_score(p.y_true, p.y_score),
        "average_precision": skm.average_precision_score(p.y_true, p.y_score),
        "log_loss": skm.log_loss(p.y_true, p.y_score),
        "brier": skm.brier_score_loss(p.y_true, p.y_score),
    }


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def check_agreement(p: Predictions) -> None:
    """A benchmark of different numbers would be meaningless: check they agree first."""
    ours, theirs = evaluate(p, options(bootstrap=0)), sklearn_calls(p)
    for name, value in theirs.items():
        assert abs(getattr(ours, name) - value) < 1e-9, (name, getattr(ours, name), value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-table", action="store_true", help="skip the bootstrap-alone table (CPU seconds)"
    )
    args = parser.parse_args()
    p = make_data(args.rows)
    weighted = make_data(args.rows, weighted=True)
    resamples = options().bootstrap
    check_agreement(p)
    print(
        f"{args.rows:,} rows, {int(p.y_true.sum()):,} positives, "
        f"{len(np.unique(p.y_score)):,} distinct scores; best of {args.repeat}"
    )
    baseline = best_of(args.repeat, lambda: sklearn_calls(p))
    cases = {
        "sklearn: roc_curve+roc_auc+AP+log_loss+brier": lambda: sklearn_calls(p),
        "reporter.evaluate (bootstrap=0)": lambda: evaluate(p, options(bootstrap=0)),
        f"reporter.evaluate (bootstrap={resamples})": lambda: evaluate(p, options()),
        "  continuous weights (bootstrap=0)": lambda: evaluate(weighted, options(bootstrap=0)),
        f"  continuous weights (bootstrap={resamples})": lambda: evaluate(weighted, options()),
    }
    print(f"{'case':<48} {'seconds':>9} {'vs sklearn':>11}")
    seconds = {}
    for name, run in cases.items():
        seconds[name] = baseline if name.startswith("sklearn") else best_of(args.repeat, run)
        print(f"{name:<48} {seconds[name]:>9.3f} {seconds[name] / baseline:>10.2f}x")
    times = list(seconds.values())
    plain, heavy = times[2] - times[1], times[4] - times[3]
    print(
        f"bootstrap ({resamples} resamples) within evaluate: unweighted {plain:.3f} s, "
        f"continuous weights {heavy:.3f} s, ratio {heavy / plain:.2f}x (target <= 2x)"
    )
    if not args.no_table:
        print()
        bench_evaluate_weights.table(args.rows, [resamples], args.repeat)


if __name__ == "__main__":
    main()
