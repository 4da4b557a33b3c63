"""Ranking arithmetic behind `reporter.evaluation.evaluate`: one sort, then cumulative sums.

The scores are sorted once, descending; the cumulative (weighted) positives and negatives at the
last row of each distinct score are what scikit-learn's `confusion_matrix_at_thresholds` computes.
ROC, PR, AUC, AP, operating points, top-k, every slice (a filter keeps the order) and every
bootstrap resample (slot masses of the same order, `reporter.evaluation.slots`) are read
from these arrays, so the O(n log n) step happens once per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Ranked:
    """Rows by descending score (zero-weight rows dropped, as scikit-learn drops them).

    `ends[i]` is the last row scoring `thresholds[i]`; `tps[i]`/`fps[i]` are the weighted
    positives/negatives scoring at least `thresholds[i]`. `order` maps rows back to the input.
    """

    order: np.ndarray
    score: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    ends: np.ndarray
    tps: np.ndarray
    fps: np.ndarray

    @property
    def thresholds(self) -> np.ndarray:
        return self.score[self.ends]

    @property
    def positives(self) -> float:
        return float(self.tps[-1])

    @property
    def negatives(self) -> float:
        return float(self.fps[-1])


def rank(y_true: np.ndarray, y_score: np.ndarray, weight: np.ndarray | None) -> Ranked:
    """Sort once, stably, as scikit-learn does: tied rows keep their file order, so weighted
    sums add up in scikit-learn's order and results (bootstrap included) match on every machine.
    """
    kept = np.arange(len(y_score)) if weight is None else np.flatnonzero(weight)
    order = kept[np.argsort(-y_score[kept], kind="stable")]
    w = None if weight is None else weight[order]
    return _accumulate(order, y_score[order], y_true[order], w)


def subset(ranked: Ranked, mask: np.ndarray) -> Ranked:
    """The ranked rows where `mask` (in ranked order) holds: filtering keeps the sort."""
    w = None if ranked.w is None else ranked.w[mask]
    return _accumulate(ranked.order[mask], ranked.score[mask], ranked.y[mask], w)


def _accumulate(
    order: np.ndarray, score: np.ndarray, y: np.ndarray, w: np.ndarray | None
) -> Ranked:
    if len(score) == 0:
        raise ValueError("no rows to evaluate (every row has zero weight)")
    ends = np.append(np.flatnonzero(np.diff(score)), len(score) - 1)
    if w is None:
        tps = np.cumsum(y, dtype=np.float64)[ends]
        fps = (ends + 1) - tps
    else:
        tps = np.cumsum(np.where(y, w, 0.0))[ends]
        fps = np.cumsum(np.where(y, 0.0, w))[ends]
    return Ranked(order=order, score=score, y=y, w=w, ends=ends, tps=tps, fps=fps)


def roc_auc(tps: np.ndarray, fps: np.ndarray) -> float:
    """Trapezoidal area under (fpr, tpr) from the origin, as `sklearn.metrics.roc_auc_score`."""
    fpr = np.concatenate(([0.0], fps / fps[-1]))
    tpr = np.concatenate(([0.0], tps / tps[-1]))
    return float(np.trapezoid(tpr, fpr))


def partial_auc(tps: np.ndarray, fps: np.ndarray, max_fpr: float) -> float:
    """Area under ROC up to `max_fpr`, standardised (McClish) so 0.5 is chance and 1 perfect:
    `sklearn.metrics.roc_auc_score(max_fpr=...)`."""
    fpr = np.concatenate(([0.0], fps / fps[-1]))
    tpr = np.concatenate(([0.0], tps / tps[-1]))
    if max_fpr >= 1:
        return float(np.trapezoid(tpr, fpr))
    stop = int(np.searchsorted(fpr, max_fpr, side="right"))
    edge = np.interp(max_fpr, fpr[stop - 1 : stop + 1], tpr[stop - 1 : stop + 1])
    area = float(np.trapezoid(np.append(tpr[:stop], edge), np.append(fpr[:stop], max_fpr)))
    low, high = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (area - low) / (high - low))


def average_precision(tps: np.ndarray, fps: np.ndarray) -> float:
    """Step-wise sum of precision times recall increments, as `average_precision_score`.

    Points where nothing was predicted (possible in a resample) add no recall, so they count 0.
    """
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    recall = tps / tps[-1]
    return max(0.0, float(np.sum(np.diff(recall, prepend=0.0) * precision)))


def precision_at_k(ranked: Ranked, k: int) -> float:
    """Precision of the k highest-scoring rows (1 <= k <= rows).

    When tied scores straddle position k, the tied rows enter in proportion: the value is the
    expected precision over every order of the tie (weighted: expected positive weight over
    expected weight), so it never depends on the order of rows in the file.
    """
    rows = ranked.ends + 1
    g = int(np.searchsorted(rows, k, side="left"))
    before = (rows[g - 1], ranked.tps[g - 1], ranked.fps[g - 1]) if g > 0 else (0, 0.0, 0.0)
    share = (k - before[0]) / (rows[g] - before[0])
    tp = before[1] + share * (ranked.tps[g] - before[1])
    fp = before[2] + share * (ranked.fps[g] - before[2])
    return float(tp / (tp + fp))


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class RocCurve:
    """ROC points by descending threshold, from the origin (threshold inf), as `roc_curve`."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray

    def take(self, indices: np.ndarray) -> RocCurve:
        return RocCurve(
            fpr=self.fpr[indices], tpr=self.tpr[indices], thresholds=self.thresholds[indices]
        )


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class PrCurve:
    """PR points by ascending threshold, as `precision_recall_curve` without its final
    (recall 0, precision 1) point, which belongs to no threshold."""

    recall: np.ndarray
    precision: np.ndarray
    thresholds: np.ndarray

    def take(self, indices: np.ndarray) -> PrCurve:
        return PrCurve(
            recall=self.recall[indices],
            precision=self.precision[indices],
            thresholds=self.thresholds[indices],
        )


def roc_points(ranked: Ranked) -> RocCurve:
    """Every ROC point (scikit-learn's `drop_intermediate=False`); needs both classes."""
    return RocCurve(
        fpr=np.concatenate(([0.0], ranked.fps / ranked.negatives)),
        tpr=np.concatenate(([0.0], ranked.tps / ranked.positives)),
        thresholds=np.concatenate(([np.inf], ranked.thresholds)),
    )


def pr_points(ranked: Ranked) -> PrCurve:
    """Every precision-recall point; needs positives."""
    precision = ranked.tps / (ranked.tps + ranked.fps)
    recall = ranked.tps / ranked.positives
    return PrCurve(
        recall=recall[::-1], precision=precision[::-1], thresholds=ranked.thresholds[::-1]
    )


def calibration_bins(ranked: Ranked, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed rate, mean score and weight of each non-empty quantile bin.

    Bin edges and bin membership are `calibration_curve(strategy="quantile")`'s: percentiles of
    the rows' scores, a row in the first bin whose upper edge is >= its score. Within a bin, rows
    count by their weight (scikit-learn's curve is unweighted; equal without weights).
    """
    score, y = ranked.score[::-1], ranked.y[::-1]
    edges = np.percentile(score, np.linspace(0, 1, n_bins + 1) * 100)
    starts = np.concatenate(([0], np.searchsorted(score, edges[1:-1], side="right")))
    sizes = np.diff(np.append(starts, len(score)))
    starts = starts[sizes > 0]
    if ranked.w is None:
        total = sizes[sizes > 0].astype(np.float64)
        hits = np.add.reduceat(y, starts, dtype=np.float64)
        mass = np.add.reduceat(score, starts)
    else:
        w = ranked.w[::-1]
        total = np.add.reduceat(w, starts)
        hits = np.add.reduceat(np.where(y, w, 0.0), starts)
        mass = np.add.reduceat(score * w, starts)
    return hits / total, mass / total, total


def uniform_bins(ranked: Ranked, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positive weight, score mass and weight of each non-empty equal-width bin over [0, 1].

    Bin membership is `calibration_curve(strategy="uniform")`'s: a score on an inner edge
    belongs to the lower bin. The edges do not depend on the data, so a row of integer weight
    w counts exactly as w copies of the row.
    """
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], ranked.score, side="left")
    w = np.ones(len(ranked.score)) if ranked.w is None else ranked.w
    total = np.bincount(ids, weights=w, minlength=n_bins)
    hits = np.bincount(ids, weights=np.where(ranked.y, w, 0.0), minlength=n_bins)
    mass = np.bincount(ids, weights=ranked.score * w, minlength=n_bins)
    kept = total > 0
    return hits[kept], mass[kept], total[kept]


def display_indices(x: np.ndarray, y: np.ndarray, budget: int, keep: list[int]) -> np.ndarray:
    """At most `budget` indices: first, last, `keep`, the rest evenly spaced along the curve.

    Spacing by path length, not by index, keeps the shape of a ROC curve whose thresholds pile
    up in one corner.
    """
    n = len(x)
    if n <= budget:
        return np.arange(n)
    kept = np.unique(np.clip([0, n - 1, *keep], 0, n - 1))
    length = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    spaced = np.searchsorted(length, np.linspace(0.0, length[-1], budget - len(kept)))
    return np.union1d(np.minimum(spaced, n - 1), kept)
