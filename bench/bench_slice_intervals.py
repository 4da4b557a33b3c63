"""Would an analytic interval for a slice's average precision do? Coverage and cost against the
shipped bootstrap interval, where slices live: 20 to 50 positives at 1% prevalence.

    python bench/bench_slice_intervals.py [--reps 1000] [--positives 20 50] [--aucs 0.75 0.9 0.97]

A run's slices take 40% of its evaluation, almost all of it their bootstrap intervals (issue
17). The candidate is the logit interval with the infinitesimal-jackknife variance: each row's
influence on AP (exact, O(n), as the BCa acceleration already uses) gives Var(AP) as the sum of
their squares, and logit(AP) +/- z * sd / (AP (1 - AP)), z the normal quantile or the
expanded Student-t quantile the shipped interval uses. Data and truth: `bench_coverage`'s
binormal model (ROC-AUC = Phi(d / sqrt 2), the population AP by quadrature), labels i.i.d.

It prints, per setting, the coverage of a nominal 95% interval (Monte Carlo error about 0.7
points at 1,000 repetitions), mean width and CPU milliseconds per interval. The candidate's
time includes its own sort (`intervals.influence`); in an evaluation the ranking is already
made.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_coverage as bc  # noqa: E402

from reporter.evaluation import intervals as iv  # noqa: E402
from reporter.evaluation.curves import average_precision, rank  # noqa: E402

Z95 = 1.959964


def logit_ij(y: np.ndarray, score: np.ndarray, expanded: bool) -> tuple[float, float]:
    """The candidate: logit interval with the infinitesimal-jackknife variance of AP."""
    r = rank(y, score, None)
    ap = min(max(average_precision(r.tps, r.fps), 1e-9), 1 - 1e-9)
    u = iv.influence(y, score)[:, 1]
    u = u - u.mean()
    z = iv._small_sample_z(u, y.astype(bool), 0.025) if expanded else Z95
    sd = math.sqrt(float(np.sum(u * u))) / (ap * (1 - ap))
    centre = math.log(ap / (1 - ap))
    return tuple(1 / (1 + math.exp(-(centre + sign * z * sd))) for sign in (-1, 1))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--positives", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--aucs", type=float, nargs="+", default=[0.75, 0.9, 0.97])
    parser.add_argument("--prevalence", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    methods = ("shipped (bootstrap, 200)", "logit IJ, normal z", "logit IJ, expanded t")
    print(f"coverage / mean width / CPU ms of 95% intervals for AP, {args.reps} repetitions\n")
    print(f"{'pos':>4} {'AUC':>5} {'AP':>6}" + "".join(f" | {m:>24}" for m in methods))
    for positives in args.positives:
        for auc in args.aucs:
            setting = bc.Setting(positives=positives, auc=auc, prevalence=args.prevalence)
            d = bc.separation(auc)
            truth = bc.population_ap(d, args.prevalence)
            hits, width, cpu, n = np.zeros(3), np.zeros(3), np.zeros(3), 0
            for rep in range(args.reps):
                y = bc._labels(rng, setting, "iid")
                if y.sum() < 2:
                    continue
                score = rng.standard_normal(len(y)) + d * y
                ends = []
                for k in range(3):
                    start = time.process_time()
                    if k == 0:
                        ivs = iv.ranking_intervals(y, score, resamples=200, seed=rep)
                        ap = ivs["average_precision"] if ivs else None
                        ends.append((ap.low, ap.high) if ap else (math.nan, math.nan))
                    else:
                        ends.append(logit_ij(y, score, expanded=k == 2))
                    cpu[k] += time.process_time() - start
                for k, (low, high) in enumerate(ends):
                    hits[k] += low <= truth <= high
                    width[k] += high - low
                n += 1
            cells = "".join(
                f" | {hits[k] / n:>8.3f} {width[k] / n:>7.3f} {1000 * cpu[k] / n:>7.2f}"
                for k in range(3)
            )
            print(f"{positives:>4} {auc:>5} {truth:>6.3f}{cells}", flush=True)


if __name__ == "__main__":
    main()
