"""Intervals for ROC-AUC and average precision of one run, and bootstrap intervals for the
paired difference of two runs scored on the same rows (pure: arrays in, intervals out).

The methods, chosen by measurement (bench/ci_methods.py compares the candidates,
bench/bench_coverage.py measures this module's coverage):

- One run's ROC-AUC: the score interval with the Hanley-McNeil variance (Newcombe's method):
  every A whose variance V(A) puts the estimate within z * sqrt(V(A)) of it. The variance is
  that of the AUC at A, not at the estimate, so the interval reaches down where a sample of
  20 to 100 positives cannot show how rare a low-scoring positive is; the bootstrap of those
  rows covered a true ROC-AUC near 0.97 only 85-92% of the time. Weighted rows count as their
  classes' effective sizes (Kish).
- One run's average precision: the widest of the BCa interval below and the logit bootstrap-t
  interval, plain and bias-corrected (the estimate's logit, less its bootstrap bias, plus or
  minus the t quantile times the standard deviation of the resamples' logits). Each alone, or
  BCa with one of them, covered an AP near 0.04 (1% prevalence, ROC-AUC 0.75, 20 to 50
  positives) only 91-93.7% of the time: the estimate is skewed and biased there.
- Paired differences (and the BCa part of AP): Efron's bias-corrected and accelerated (BCa)
  interval over bootstrap resamples of the rows (not stratified by class: AP depends on the
  prevalence, which varies between test sets), expanded for small samples.

Bootstrap details:

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
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from reporter.evaluation.curves import Ranked, roc_auc
from reporter.evaluation.metrics import ONE_CLASS
from reporter.evaluation.resampling import replicate
from reporter.evaluation.score_interval import hanley_mcneil_interval
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
    weight: np.ndarray | None = None


def run_intervals(
    r: Ranked, resamples: int, seed: int, *, score_only: str | None = None
) -> tuple[dict[str, tuple[float, float] | None], dict[str, str]]:
    """95% intervals of `METRICS` for one evaluation (`Evaluation.ci`), and why any is missing.

    `score_only` is the reason AP has no interval when `resamples` is 0 but ROC-AUC's score
    interval, which needs no resamples, is still wanted (`slice_bootstrap: 0`)."""
    none = dict.fromkeys(METRICS)
    if resamples == 0 and score_only is None:
        return none, {f"ci.{m}": "not computed: bootstrap=0" for m in METRICS}
    if r.positives == 0 or r.negatives == 0:
        return none, {f"ci.{m}": ONE_CLASS for m in METRICS}
    if resamples == 0:
        positives, negatives = _effective_sizes(r.y, r.w)
        auc = hanley_mcneil_interval(roc_auc(r.tps, r.fps), positives, negatives, LEVEL)
        return {**none, "roc_auc": auc}, {"ci.average_precision": score_only}
    boot = _replicates(r.y, r.w, (Ranking.from_ranked(r),), (1.0,), resamples, seed)
    ivs = run_interval(boot)
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
    return run_interval(boot, level) if boot is not None else None


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
    if not _enough(boot):
        return None
    tail = (1 - level) / 2
    intervals = {}
    for k, metric in enumerate(METRICS):
        z = _small_sample_z(boot.influence[:, k], boot.positive, tail) if expanded else None
        intervals[metric] = _bca(boot, k, _NORMAL.inv_cdf(1 - tail) if z is None else z)
    return intervals


def _enough(boot: Replicates) -> bool:
    """At least half the resamples asked for had both classes."""
    return len(boot.values) > 0 and 2 * len(boot.values) >= boot.requested


def _bca(boot: Replicates, k: int, z: float) -> Interval:
    """The BCa interval of metric k whose unaccelerated ends are the estimate -z and +z."""
    values, estimate = boot.values[:, k], boot.estimate[k]
    below = np.count_nonzero(values < estimate) + 0.5 * np.count_nonzero(values == estimate)
    share = min(max(below / len(values), 0.5 / len(values)), 1 - 0.5 / len(values))
    z0 = _NORMAL.inv_cdf(share)
    a = _acceleration(boot.influence[:, k])
    quantiles = [_NORMAL.cdf(z0 + (z0 + q) / max(1 - a * (z0 + q), 1e-9)) for q in (-z, z)]
    low, high = quantiles_of(values, quantiles)
    return Interval(
        estimate=float(estimate),
        low=min(float(low), float(estimate)),
        high=max(float(high), float(estimate)),
    )


def run_interval(boot: Replicates, level: float = LEVEL) -> dict[str, Interval] | None:
    """One run's intervals (`Replicates` of one ranking): ROC-AUC by the Hanley-McNeil score
    interval, AP by the widest of BCa and the logit bootstrap-t intervals (no BCa interval of
    ROC-AUC is made: none is shown). None as for BCa."""
    if not _enough(boot):
        return None
    auc = float(boot.estimate[0])
    positives, negatives = _effective_sizes(boot.positive, boot.weight)
    low, high = hanley_mcneil_interval(auc, positives, negatives, level)
    z = _small_sample_z(boot.influence[:, 1], boot.positive, (1 - level) / 2)
    ap = _bca(boot, 1, z)
    plain, corrected = _logit_t_intervals(boot, 1, z)
    return {
        "roc_auc": Interval(estimate=auc, low=low, high=high),
        "average_precision": Interval(
            estimate=ap.estimate,
            low=min(ap.low, plain[0], corrected[0]),
            high=max(ap.high, plain[1], corrected[1]),
        ),
    }


def quantiles_of(values: np.ndarray, qs: Sequence[float]) -> list[float]:
    """`np.quantile(values, qs)` (its linear method, arithmetic and all: the same numbers)
    from one sort, without its per-call set-up (a run and its slices take thousands)."""
    ordered = np.sort(values)
    last = len(ordered) - 1
    out = []
    for q in qs:
        virtual = last * q
        below = min(max(math.floor(virtual), 0), last)
        a, b = float(ordered[below]), float(ordered[min(below + 1, last)])
        t = virtual - below
        out.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)
    return out


def _effective_sizes(positive: np.ndarray, weight: np.ndarray | None) -> tuple[float, float]:
    """Each class's row count, or with weights its effective size (sum w)^2 / sum w^2."""
    if weight is None:
        pos = float(np.count_nonzero(positive))
        return pos, float(len(positive)) - pos
    sizes = []
    for rows in (positive, ~positive):
        w = weight[rows]
        square = float(np.sum(w * w))
        sizes.append(float(np.sum(w)) ** 2 / square if square > 0 else 0.0)
    return sizes[0], sizes[1]


def _logit_t_intervals(
    boot: Replicates, k: int, z: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The logit bootstrap-t interval, plain and bias-corrected: the estimate's logit (less the
    bootstrap estimate of its bias: the resamples' mean logit minus the estimate's) plus or
    minus `z` (the expanded t quantile) times the standard deviation of the resamples' logits.
    For a metric in [0, 1]; logits of values within 1e-9 of 0 or 1 are clipped."""
    clip = 1e-9
    estimate = float(np.clip(boot.estimate[k], clip, 1 - clip))
    values = np.clip(boot.values[:, k], clip, 1 - clip)
    point = (float(boot.estimate[k]),) * 2
    if len(values) < 2:
        return point, point
    logits = np.log(values / (1 - values))
    spread = float(np.std(logits, ddof=1))
    if spread < 1e-9:  # every resample gave the estimate (a perfect ranking): no spread
        return point, point
    centre = math.log(estimate / (1 - estimate))
    corrected = 2 * centre - float(np.mean(logits))
    return tuple(
        tuple(1 / (1 + math.exp(-(c + sign * z * spread))) for sign in (-1, 1))
        for c in (centre, corrected)
    )  # type: ignore[return-value]


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
        weight=w,
    )


def _acceleration(u: np.ndarray) -> float:
    squares = u * u
    square = float(np.sum(squares))  # u * u * u: numpy's u**3 calls pow, ten times slower
    return float(np.sum(squares * u)) / (6 * square**1.5) if square > 0 else 0.0


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
