"""Bootstrap intervals for ROC-AUC and average precision, and for the difference of two runs.

Pure numpy: arrays in, intervals out; resampling lives in `ci_resampling`.

The interval (`ranking_intervals`, `paired_difference_intervals`) is Efron's bias-corrected and
accelerated (BCa) bootstrap interval over resamples of the rows, not stratified by class,
expanded for small samples; 1000 resamples by default. Chosen by measurement
(bench/bench_coverage.py, binormal data at 1% prevalence, 20 to 100 positives): the shipped
percentile interval misses mostly on one side (the interval lies above the truth), BCa's bias
correction and acceleration move it, the expansion widens it where positives are few.
Stratifying by class does not help ROC-AUC and lowers AP's coverage, because AP depends on the
prevalence, which varies between test sets drawn from the same population. Bootstrap-t on the
logit scale covers ROC-AUC near 1 a little better but is much wider; DeLong's logit interval is
no better than BCa and does not exist for AP.

- Acceleration: from each row's influence, the derivative of the metric in the row's count,
  exact in O(n) from cumulative sums (for ROC-AUC these are DeLong's placement values), so no
  jackknife is needed.
- Expansion (Hesterberg's expanded percentile interval): the normal quantiles become Student-t
  quantiles with Welch-Satterthwaite degrees of freedom over the two classes, times the root
  of the n/(n-1) by which a bootstrap variance falls short.
- Weights: rows are what is resampled; a row carries its weight. A row of weight 3 scores as
  three copies but is drawn as one row, as down-sampled negatives of weight 1/rate should be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import ci_resampling as rs
import numpy as np

METRICS = ("roc_auc", "average_precision")
_NORMAL = NormalDist()


@dataclass(frozen=True, kw_only=True, slots=True)
class Interval:
    """An interval for one metric (or for a difference), with the point estimate it is about."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Replicates:
    """What a bootstrap leaves for an interval: per metric (columns in `METRICS` order) the
    point estimate, the value in each usable resample (resamples missing a class are dropped)
    and each row's influence, centred within its resampling stratum; `positive` is each
    row's class (rows of weight 0 left out)."""

    estimate: np.ndarray
    values: np.ndarray
    influence: np.ndarray
    positive: np.ndarray
    requested: int


def ranking_intervals(
    y_true: np.ndarray,
    y_score: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Interval] | None:
    """Intervals for ROC-AUC and AP of one run; None without both classes or enough usable
    resamples (half of them)."""
    boot = bootstrap_replicates(y_true, y_score, weight, resamples=resamples, seed=seed)
    return bca_interval(boot, level) if boot is not None else None


def paired_difference_intervals(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Interval] | None:
    """Intervals for run B minus run A, both scored on the same rows: every resample draws
    rows once and scores both runs on them. None as for `ranking_intervals`."""
    boot = paired_replicates(y_true, score_a, score_b, weight, resamples=resamples, seed=seed)
    return bca_interval(boot, level) if boot is not None else None


def bootstrap_replicates(
    y_true: np.ndarray,
    y_score: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int,
    stratified: bool = False,
    exact_rows: int | None = rs.EXACT_ROWS,
) -> Replicates | None:
    """ROC-AUC and AP of `resamples` bootstrap resamples of the rows.

    `stratified` keeps the number of positive and of negative rows of every resample (measured
    worse for AP, see the module docs). `exact_rows=None` draws every row: each resample is
    then `rng.integers(0, n, n)` over the rows of nonzero weight, the naive bootstrap.
    """
    y, w, kept = _checked(y_true, weight, y_score)
    if not _both_classes(y):
        return None
    rankings = (rs.Ranking.of(y, y_score[kept]),)
    return _replicates(y, w, rankings, (1.0,), resamples, seed, stratified, exact_rows)


def paired_replicates(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int,
    stratified: bool = False,
    exact_rows: int | None = rs.EXACT_ROWS,
) -> Replicates | None:
    """B minus A in ROC-AUC and AP, on the same resamples of the rows (see
    `bootstrap_replicates`)."""
    if len(score_a) != len(score_b):
        raise ValueError(f"score_a has {len(score_a)} rows, score_b {len(score_b)}")
    y, w, kept = _checked(y_true, weight, score_a, score_b)
    if not _both_classes(y):
        return None
    rankings = (rs.Ranking.of(y, score_a[kept]), rs.Ranking.of(y, score_b[kept]))
    return _replicates(y, w, rankings, (-1.0, 1.0), resamples, seed, stratified, exact_rows)


def percentile_interval(boot: Replicates, level: float = 0.95) -> dict[str, Interval] | None:
    """The (1 - level)/2 and (1 + level)/2 quantiles of the replicates."""
    if 2 * len(boot.values) < boot.requested:
        return None
    tail = (1 - level) / 2
    low, high = np.quantile(boot.values, [tail, 1 - tail], axis=0)
    return _intervals(boot.estimate, low, high)


def bca_interval(
    boot: Replicates, level: float = 0.95, *, expanded: bool = True
) -> dict[str, Interval] | None:
    """Efron's BCa interval, expanded for small samples unless `expanded=False`.

    Bias correction: the share of replicates below the estimate (ties count half). An
    interval that would leave out the estimate (a bias correction beyond the level) is
    stretched to reach it.
    """
    if 2 * len(boot.values) < boot.requested:
        return None
    tail = (1 - level) / 2
    lows, highs = [], []
    for k in range(len(boot.estimate)):
        values, estimate = boot.values[:, k], boot.estimate[k]
        u = boot.influence[:, k]
        z = _small_sample_z(u, boot.positive, tail) if expanded else _NORMAL.inv_cdf(1 - tail)
        below = np.count_nonzero(values < estimate) + 0.5 * np.count_nonzero(values == estimate)
        share = min(max(below / len(values), 0.5 / len(values)), 1 - 0.5 / len(values))
        z0 = _NORMAL.inv_cdf(share)
        a = _acceleration(u)
        quantiles = [_NORMAL.cdf(z0 + (z0 + q) / max(1 - a * (z0 + q), 1e-9)) for q in (-z, z)]
        low, high = np.quantile(values, quantiles)
        lows.append(min(low, estimate))
        highs.append(max(high, estimate))
    return _intervals(boot.estimate, np.array(lows), np.array(highs))


def influence(
    y_true: np.ndarray, y_score: np.ndarray, weight: np.ndarray | None = None
) -> np.ndarray:
    """Each row's derivative of (ROC-AUC, AP) in its resampling count, shape (rows, 2).

    Summed over a class, the squares give the bootstrap variance's first-order term: for
    ROC-AUC this is DeLong's variance with n in place of n - 1. Zero-weight rows get 0.
    """
    y, w, kept = _checked(y_true, weight, y_score)
    out = np.zeros((len(y_score), 2))
    if _both_classes(y):
        out[kept] = rs.Ranking.of(y, y_score[kept]).row_influence(y, w)
    return out


# --- checks ---------------------------------------------------------------------------------


def _checked(
    y_true: np.ndarray, weight: np.ndarray | None, *scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Labels and weights of the rows with nonzero weight, and those rows' indices."""
    y = np.asarray(y_true).astype(bool)
    for score in scores:
        if len(score) != len(y) or not np.isfinite(score).all():
            raise ValueError("scores must be finite, one per label")
    if weight is None:
        return y, None, np.arange(len(y))
    w = np.asarray(weight, dtype=np.float64)
    if len(w) != len(y) or not (np.isfinite(w) & (w >= 0)).all():
        raise ValueError("weights must be finite and >= 0, one per label")
    kept = np.flatnonzero(w)
    return y[kept], w[kept], kept


def _both_classes(y: np.ndarray) -> bool:
    return bool(y.any()) and not bool(y.all())


def _replicates(
    y: np.ndarray,
    w: np.ndarray | None,
    rankings: tuple[rs.Ranking, ...],
    signs: tuple[float, ...],
    resamples: int,
    seed: int,
    stratified: bool,
    exact_rows: int | None,
) -> Replicates:
    estimate, values, influence = rs.replicate(
        y,
        w,
        rankings,
        signs,
        resamples=resamples,
        seed=seed,
        stratified=stratified,
        exact_rows=exact_rows,
    )
    return Replicates(
        estimate=estimate,
        values=values[~np.isnan(values).any(axis=1)],
        influence=influence,
        positive=y,
        requested=resamples,
    )


# --- intervals -------------------------------------------------------------------------------


def _intervals(estimate: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, Interval]:
    return {
        m: Interval(estimate=float(estimate[k]), low=float(low[k]), high=float(high[k]))
        for k, m in enumerate(METRICS)
    }


def _acceleration(u: np.ndarray) -> float:
    square = float(np.sum(u * u))
    return float(np.sum(u**3)) / (6 * square**1.5) if square > 0 else 0.0


def _small_sample_z(u: np.ndarray, positive: np.ndarray, tail: float) -> float:
    """Hesterberg's expansion: the root of the n/(n-1) bias of a bootstrap variance times a
    Student-t quantile, both over the two classes (Welch-Satterthwaite degrees of freedom)."""
    parts = []
    for rows in (positive, ~positive):
        n = int(np.count_nonzero(rows))
        v = float(np.sum((u[rows] - u[rows].mean()) ** 2)) if n else 0.0
        if v > 0 and n > 1:
            parts.append((v, n))
    if not parts:
        return _NORMAL.inv_cdf(1 - tail)
    total = sum(v for v, _ in parts)
    corrected = sum(v * n / (n - 1) for v, n in parts)
    dof = total**2 / sum(v * v / (n - 1) for v, n in parts)
    return math.sqrt(corrected / total) * _t_quantile(1 - tail, dof)


def _t_quantile(p: float, dof: float) -> float:
    """Student-t quantile by its Cornish-Fisher expansion in 1/dof: off by less than 3e-4 at
    p <= 0.975 with dof >= 5, 3e-3 at p = 0.995. Below 5 degrees of freedom it uses 5."""
    z = _NORMAL.inv_cdf(p)
    v = max(dof, 5.0)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )
