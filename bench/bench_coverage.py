"""Coverage of bootstrap intervals for ROC-AUC, AP and the paired difference of two runs.

    python bench/bench_coverage.py [--reps 600] [--resamples 1000] [--quick]

Data: negatives score N(0, 1), positives N(d, 1), so ROC-AUC = Phi(d / sqrt 2); the population
AP at prevalence pi is the integral over thresholds t of the positive density times the
precision pi R / (pi R + (1 - pi) F), R = Phi(d - t) and F = Phi(-t) the rates above t
(checked against a large sample before the run). Rows are drawn i.i.d. with the given
prevalence (`--design iid`, the default: the number of positives varies as in real data) or
with exactly that many positives (`--design fixed`).

Methods: OLD is the interval `reporter` shipped in 0.1 (percentile, not stratified, 200
resamples; `ci_methods`); NEW is the shipped one, imported from `reporter.evaluation.intervals`
(ROC-AUC: the Hanley-McNeil score interval; AP: the widest of BCa and the logit bootstrap-t,
plain and bias-corrected) with the shipped default resamples (the `bootstrap` option) unless
`--resamples` says otherwise. Paired: two scorers on the same rows with correlated noise
(rho 0.8) and known AUC and AP, B stronger than A; the shipped
`paired_difference_intervals` (what comparisons use) should cover B - A.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ci_methods as cm  # noqa: E402

from reporter.config import Settings  # noqa: E402
from reporter.evaluation import intervals as shipped  # noqa: E402

DEFAULT_RESAMPLES = Settings.defaults(Path("runs")).evaluation.bootstrap
_ERFC = np.vectorize(math.erfc, otypes=[float])
_NORMAL = NormalDist()
RHO = 0.8
WEAKER_BY = 0.3  # scorer A's d is the setting's d minus this


def phi_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * _ERFC(-np.asarray(x, dtype=float) / math.sqrt(2))


def separation(auc: float) -> float:
    """d with Phi(d / sqrt 2) = auc."""
    return math.sqrt(2) * _NORMAL.inv_cdf(auc)


def population_auc(d: float) -> float:
    return _NORMAL.cdf(d / math.sqrt(2))


def population_ap(d: float, prevalence: float, points: int = 200_001) -> float:
    """AP = integral of precision over recall = integral over t of phi(t - d) * precision(t)."""
    t = np.linspace(d - 12, d + 12, points)
    recall, fpr = phi_cdf(d - t), phi_cdf(-t)
    precision = prevalence * recall / (prevalence * recall + (1 - prevalence) * fpr)
    density = np.exp(-0.5 * (t - d) ** 2) / math.sqrt(2 * math.pi)
    return float(np.trapezoid(density * precision, t))


def sample_ap(y: np.ndarray, score: np.ndarray) -> float:
    """Step-wise AP of a sample with continuous scores (no ties)."""
    hits = y[np.argsort(-score)]
    tps = np.cumsum(hits)
    return float(np.sum(tps[hits] / (np.flatnonzero(hits) + 1)) / tps[-1])


def check_population_ap(
    d: float, prevalence: float, rows: int, seed: int
) -> tuple[float, float, float]:
    """Population AP, and the AP of one sample of `rows` rows with its standard error (from
    the rows' influence): they must agree within a few standard errors."""
    rng = np.random.default_rng(seed)
    y = rng.random(rows) < prevalence
    score = rng.standard_normal(rows) + d * y
    se = float(np.sqrt(np.sum(shipped.influence(y, score)[:, 1] ** 2)))
    return population_ap(d, prevalence), sample_ap(y, score), se


@dataclass(frozen=True, kw_only=True, slots=True)
class Setting:
    positives: int
    auc: float
    prevalence: float

    @property
    def rows(self) -> int:
        return round(self.positives / self.prevalence)


@dataclass(kw_only=True, slots=True)
class Tally:
    """Misses below (truth under the interval) and above, and summed widths, per method."""

    below: dict[str, np.ndarray]
    above: dict[str, np.ndarray]
    width: dict[str, np.ndarray]
    seconds: dict[str, float]
    reps: int = 0

    def add(self, name: str, truth: np.ndarray, ivs: dict[str, Any] | None, s: float) -> None:
        low = np.array([ivs[m].low for m in shipped.METRICS]) if ivs else np.full(2, np.nan)
        high = np.array([ivs[m].high for m in shipped.METRICS]) if ivs else np.full(2, np.nan)
        for store, values in ((self.below, truth < low), (self.above, truth > high)):
            store[name] = store.get(name, np.zeros(2)) + values
        self.width[name] = self.width.get(name, np.zeros(2)) + (high - low)
        self.seconds[name] = self.seconds.get(name, 0.0) + s

    def coverage(self, name: str) -> np.ndarray:
        return 1 - (self.below[name] + self.above[name]) / self.reps


def simulate(setting: Setting, reps: int, resamples: int, design: str, seed: int) -> Tally:
    d_b = separation(setting.auc)
    d_a = d_b - WEAKER_BY
    truth = np.array([population_auc(d_b), population_ap(d_b, setting.prevalence)])
    truth_a = np.array([population_auc(d_a), population_ap(d_a, setting.prevalence)])
    rng = np.random.default_rng(seed)
    tally = Tally(below={}, above={}, width={}, seconds={})
    for rep in range(reps):
        y = _labels(rng, setting, design)
        noise_b = rng.standard_normal(len(y))
        noise_a = RHO * noise_b + math.sqrt(1 - RHO**2) * rng.standard_normal(len(y))
        score_a, score_b = noise_a + d_a * y, noise_b + d_b * y
        for name, target in (("old", truth), ("new", truth), ("paired", truth - truth_a)):
            start = time.process_time()
            ivs = _intervals(name, y, score_a, score_b, resamples, rep)
            tally.add(name, target, ivs, time.process_time() - start)
        tally.reps += 1
    return tally


def _labels(rng: np.random.Generator, setting: Setting, design: str) -> np.ndarray:
    if design == "fixed":
        y = np.zeros(setting.rows, dtype=bool)
        y[: setting.positives] = True
        return y
    return rng.random(setting.rows) < setting.prevalence


def _intervals(
    name: str, y: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, resamples: int, seed: int
) -> dict[str, Any] | None:
    if name == "old":  # what `reporter` shipped: percentile, not stratified, 200 resamples
        boot = cm.bootstrap_replicates(y, score_b, resamples=200, seed=seed)
        return cm.percentile_interval(boot) if boot is not None else None
    if name == "new":
        return shipped.ranking_intervals(y, score_b, resamples=resamples, seed=seed)
    return shipped.paired_difference_intervals(y, score_a, score_b, resamples=resamples, seed=seed)


def settings(args: argparse.Namespace) -> list[Setting]:
    grid = [
        Setting(positives=m, auc=a, prevalence=args.prevalence)
        for m in args.positives
        for a in args.aucs
    ]
    if args.balanced:
        grid.append(Setting(positives=args.balanced, auc=0.9, prevalence=0.5))
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=600, help="datasets per setting")
    parser.add_argument(
        "--resamples",
        type=int,
        default=DEFAULT_RESAMPLES,
        help=f"for NEW and paired (default: the shipped default, {DEFAULT_RESAMPLES})",
    )
    parser.add_argument("--positives", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--aucs", type=float, nargs="+", default=[0.75, 0.9, 0.97])
    parser.add_argument("--prevalence", type=float, default=0.01)
    parser.add_argument(
        "--balanced", type=int, default=50, help="positives of the balanced control (0: none)"
    )
    parser.add_argument("--design", choices=["iid", "fixed"], default="iid")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smoke run: 40 reps, 2 settings")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.positives, args.aucs = 40, [20, 50], [0.9]
    check_rows = 400_000 if args.quick else 10_000_000
    print(f"population AP vs a sample of {check_rows:,} rows at prevalence {args.prevalence}:")
    for auc in sorted(set(args.aucs)):
        pop, sample, se = check_population_ap(
            separation(auc), args.prevalence, check_rows, args.seed
        )
        print(
            f"  AUC {auc}: population {pop:.5f}, sample {sample:.5f} (diff {sample - pop:+.5f}, SE {se:.5f})"
        )
    print(
        f"\n{args.reps} datasets per setting, design {args.design}; NEW and paired use {args.resamples} resamples"
    )
    head = (
        f"{'pos':>4} {'AUC':>5} {'prev':>5} {'AP':>6} | {'ROC-AUC old':>18} {'new':>18} | "
        f"{'AP old':>18} {'new':>18} | {'paired dAUC':>18} {'dAP':>18} | "
        f"{'width AUC old/new':>17} {'width AP old/new':>17} | {'ms new/paired':>13}"
    )
    print(head)
    print("-" * len(head))
    means: dict[str, list[np.ndarray]] = {"old": [], "new": [], "paired": []}
    started = time.process_time()
    for i, setting in enumerate(settings(args)):
        tally = simulate(setting, args.reps, args.resamples, args.design, args.seed + 1000 * i)
        cells = {k: [_cell(tally, k, j) for j in range(2)] for k in means}
        w_old, w_new = tally.width["old"] / tally.reps, tally.width["new"] / tally.reps
        ms = {k: 1000 * tally.seconds[k] / tally.reps for k in ("new", "paired")}
        ap = population_ap(separation(setting.auc), setting.prevalence)
        print(
            f"{setting.positives:>4} {setting.auc:>5} {setting.prevalence:>5} {ap:>6.3f} | "
            f"{cells['old'][0]:>18} {cells['new'][0]:>18} | {cells['old'][1]:>18} {cells['new'][1]:>18} | "
            f"{cells['paired'][0]:>18} {cells['paired'][1]:>18} | "
            f"{w_old[0]:>8.3f}/{w_new[0]:<8.3f} {w_old[1]:>8.3f}/{w_new[1]:<8.3f} | "
            f"{ms['new']:>6.0f}/{ms['paired']:<6.0f}",
            flush=True,
        )
        if setting.prevalence == args.prevalence:
            for k in means:
                means[k].append(tally.coverage(k))
    mean = {k: np.mean(v, axis=0) for k, v in means.items()}
    print(
        f"mean over the {len(means['new'])} settings at prevalence {args.prevalence}: "
        f"ROC-AUC old {mean['old'][0]:.3f} new {mean['new'][0]:.3f}; "
        f"AP old {mean['old'][1]:.3f} new {mean['new'][1]:.3f}; "
        f"paired dAUC {mean['paired'][0]:.3f} dAP {mean['paired'][1]:.3f}"
    )
    print(
        "coverage (% of datasets with the truth below / above the interval); "
        f"total CPU {time.process_time() - started:.0f} s"
    )


def _cell(tally: Tally, name: str, j: int) -> str:
    below, above = (100 * x[name][j] / tally.reps for x in (tally.below, tally.above))
    return f"{tally.coverage(name)[j]:.3f} ({below:.1f}/{above:.1f})"


if __name__ == "__main__":
    main()
