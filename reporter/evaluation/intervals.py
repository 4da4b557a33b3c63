"""Bootstrap intervals for ROC-AUC and average precision, and for the paired difference of two
runs scored on the same rows (pure: arrays in, intervals out).

The method, chosen by measurement (bench/ci_methods.py compares the candidates,
bench/bench_coverage.py measures this module): Efron's bias-corrected and accelerated (BCa)
interval over bootstrap resamples of the rows (not stratified by class: AP depends on the
prevalence, which varies between test sets), expanded for small samples.

- Resampling: `reporter.evaluation.resampling` (rows reduced to slot masses, no sort per
  resample; continuous weights cost what unweighted rows cost). A row carries its weight.
- Acceleration: from each row's influence, the derivative of the metric in the row's count,
  exact in O(n) (for ROC-AUC, DeLong's placement values); no jackknife.
- Expansion (Hesterberg's expanded percentile interval): the normal quantiles become Student-t
  quantiles with Welch-Satterthwaite degrees of freedom over the two classes, times the root
  of the n/(n-1) by which a bootstrap variance falls short.
- Resamples missing a class are dropped; fewer than half usable: no interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from reporter.evaluation.curves import Ranked
from reporter.evaluation.metrics import ONE_CLASS
from reporter.evaluation.resampling import replicate
from reporter.evaluation.slots import Ranking

METRICS = ("roc_auc", "average_precision")
LEVEL = 0.95
_NORMAL = NormalDist()


@dataclass(frozen=True, kw_only=True, slots=True)
class Interval:
    """An interval for one metric (or a difference), with the point estimate it is about."""

    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Replicates:
    """What a bootstrap leaves for an interval, per metric (columns in `METRICS` order): the
    point estimate, the value in each usable resample and each row's centred influence;
    `positive` is each row's class."""

    estimate: np.ndarray
    values: np.ndarray
    influence: np.ndarray
    positive: np.ndarray
    requested: int


def run_intervals(
    r: Ranked, resamples: int, seed: int
) -> tuple[dict[str, tuple[float, float] | None], dict[str, str]]:
    """95% intervals of `METRICS` for one evaluation (`Evaluation.ci`), and why any is missing."""
    none = dict.fromkeys(METRICS)
    if resamples == 0:
        return none, {f"ci.{m}": "not computed: bootstrap=0" for m in METRICS}
    if r.positives == 0 or r.negatives == 0:
        return none, {f"ci.{m}": ONE_CLASS for m in METRICS}
    boot = _replicates(r.y, r.w, (Ranking.from_ranked(r),), (1.0,), resamples, seed)
    ivs = bca_interval(boot)
    if ivs is None:
        why = f"undefined: only {len(boot.values)} of {resamples} resamples had both classes"
        return none, {f"ci.{m}": why for m in METRICS}
    return {m: (iv.low, iv.high) for m, iv in ivs.items()}, {}


def ranking_intervals(
    y_true: np.ndarray,
    y_score: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int = 0,
    level: float = LEVEL,
) -> dict[str, Interval] | None:
    """Intervals for ROC-AUC and AP of one run; None without both classes or enough usable
    resamples."""
    boot = replicates(y_true, y_score, weight, resamples=resamples, seed=seed)
    return bca_interval(boot, level) if boot is not None else None


def replicates(
    y_true: np.ndarray,
    y_score: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int = 0,
    exact_rows: int | None = 8,
) -> Replicates | None:
    """ROC-AUC and AP of one run in `resamples` bootstrap resamples of its rows (see
    `paired_replicates`)."""
    y, w, kept = _checked(y_true, weight, y_score)
    if not _both_classes(y):
        return None
    rankings = (Ranking.of(y, y_score[kept]),)
    return _replicates(y, w, rankings, (1.0,), resamples, seed, exact_rows)


def paired_replicates(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int = 0,
    exact_rows: int | None = 8,
) -> Replicates | None:
    """B minus A in ROC-AUC and AP on the same resamples of the rows: every resample draws
    rows once and scores both runs on them. `exact_rows=None` draws every row (the naive
    bootstrap, for tests). None without both classes."""
    if len(score_a) != len(score_b):
        raise ValueError(f"score_a has {len(score_a)} rows, score_b {len(score_b)}")
    y, w, kept = _checked(y_true, weight, score_a, score_b)
    if not _both_classes(y):
        return None
    rankings = (Ranking.of(y, score_a[kept]), Ranking.of(y, score_b[kept]))
    return _replicates(y, w, rankings, (-1.0, 1.0), resamples, seed, exact_rows)


def paired_difference_intervals(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    resamples: int,
    seed: int = 0,
    level: float = LEVEL,
) -> dict[str, Interval] | None:
    """BCa intervals for run B minus run A (see `paired_replicates`)."""
    boot = paired_replicates(y_true, score_a, score_b, weight, resamples=resamples, seed=seed)
    return bca_interval(boot, level) if boot is not None else None


def bca_interval(
    boot: Replicates, level: float = LEVEL, *, expanded: bool = True
) -> dict[str, Interval] | None:
    """Efron's BCa interval, expanded for small samples unless `expanded=False`.

    Bias correction: the share of replicates below the estimate (ties count half). An
    interval that would leave out the estimate is stretched to reach it.
    """
    if len(boot.values) == 0 or 2 * len(boot.values) < boot.requested:
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
        lows.append(min(float(low), float(estimate)))
        highs.append(max(float(high), float(estimate)))
    return {
        m: Interval(estimate=float(boot.estimate[k]), low=lows[k], high=highs[k])
        for k, m in enumerate(METRICS)
    }


def influence(
    y_true: np.ndarray, y_score: np.ndarray, weight: np.ndarray | None = None
) -> np.ndarray:
    """Each row's derivative of (ROC-AUC, AP) in its resampling count, shape (rows, 2);
    zero-weight rows get 0. Summed over a class, the squares give the bootstrap variance's
    first-order term (for ROC-AUC, DeLong's variance with n in place of n - 1)."""
    y, w, kept = _checked(y_true, weight, y_score)
    out = np.zeros((len(y_score), 2))
    if _both_classes(y):
        out[kept] = Ranking.of(y, y_score[kept]).row_influence(y, w)
    return out


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
    rankings: tuple[Ranking, ...],
    signs: tuple[float, ...],
    resamples: int,
    seed: int,
    exact_rows: int | None = 8,
) -> Replicates:
    estimate, values, infl = replicate(
        y, w, rankings, signs, resamples=resamples, seed=seed, exact_rows=exact_rows
    )
    return Replicates(
        estimate=estimate,
        values=values[~np.isnan(values).any(axis=1)],
        influence=infl,
        positive=y,
        requested=resamples,
    )


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
    p <= 0.975 with dof >= 5. Below 5 degrees of freedom it uses 5."""
    z = _NORMAL.inv_cdf(p)
    v = max(dof, 5.0)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )
