"""Ranking arithmetic behind `reporter.evaluate`: one sort, then cumulative sums.

The scores are sorted once, descending; the cumulative (weighted) positives and negatives at the
last row of each distinct score are what scikit-learn's `confusion_matrix_at_thresholds` computes.
ROC, PR, AUC, AP, operating points, top-k, every slice (a filter keeps the order) and every
bootstrap resample (a reweighting of the same order) are read from these arrays, so the
O(n log n) step happens once per evaluation.
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


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Cells:
    """Ranked rows grouped by (segment, class, weight), for the bootstrap.

    A segment is one distinct score holding positives, or a run of consecutive distinct scores
    holding only negatives: merging such a run drops curve points where recall stays flat, which
    changes neither AUC nor AP. Rows of one cell are interchangeable for both metrics, so a
    resample is fully described by how many rows it draws from each cell: a multinomial over
    cell sizes. With ~1% positives there are far fewer cells than rows; when there are not
    (continuous weights, balanced classes), each row is its own cell (`by_row`).
    `of_row` maps each ranked row to its cell.
    """

    by_row: bool
    of_row: np.ndarray
    rows: np.ndarray
    segment: np.ndarray
    weight: np.ndarray
    positive_cells: np.ndarray
    negative: np.ndarray
    n_segments: int


def cells(ranked: Ranked) -> Cells:
    segment = np.repeat(_segments(ranked), np.diff(ranked.ends, prepend=-1))
    weight = np.ones(len(segment)) if ranked.w is None else ranked.w
    codes = np.zeros(len(segment), np.int64)
    if ranked.w is not None:
        codes = np.unique(ranked.w, return_inverse=True)[1]
    key = (segment * 2 + ranked.y) * (int(codes.max()) + 1) + codes
    _, first, of_row = np.unique(key, return_index=True, return_inverse=True)
    by_row = len(first) * 8 > len(segment)
    pick = slice(None) if by_row else first
    return Cells(
        by_row=by_row,
        of_row=np.arange(len(segment)) if by_row else of_row,
        rows=np.ones(len(segment), np.int64) if by_row else np.bincount(of_row),
        segment=segment[pick],
        weight=weight[pick],
        positive_cells=np.flatnonzero(ranked.y[pick]),
        negative=(~ranked.y[pick]).astype(np.float64),
        n_segments=int(segment[-1]) + 1,
    )


def _segments(ranked: Ranked) -> np.ndarray:
    """Segment of each distinct score: a new one starts at or right after a score with positives."""
    has_positive = np.diff(ranked.tps, prepend=0.0) > 0
    starts = has_positive | np.concatenate(([True], has_positive[:-1]))
    return np.cumsum(starts) - 1


def draw(rng: np.random.Generator, cells: Cells) -> np.ndarray:
    """Rows drawn per cell by one bootstrap resample of all n rows, with replacement."""
    n = int(cells.rows.sum())
    if cells.by_row:
        return np.bincount(rng.integers(0, n, n), minlength=n)
    return rng.multinomial(n, cells.rows / n)


def resampled_counts(cells: Cells, drawn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative weighted positives and negatives of a resample, per segment."""
    mass = drawn * cells.weight
    pos = cells.positive_cells
    tps = np.bincount(cells.segment[pos], weights=mass[pos], minlength=cells.n_segments)
    fps = np.bincount(cells.segment, weights=mass * cells.negative, minlength=cells.n_segments)
    return np.cumsum(tps), np.cumsum(fps)


def bootstrap(ranked: Ranked, resamples: int, seed: int) -> np.ndarray:
    """(ROC-AUC, AP) of each resample holding both classes, in draw order; shape (usable, 2).

    Resamples are drawn and scored in batches (a matrix of cell counts per batch), bounded so a
    batch stays a few million numbers whatever the data size.
    """
    rng = np.random.default_rng(seed)
    grouped = cells(ranked)
    batch = max(1, min(resamples, _BATCH_CELLS // max(len(grouped.rows), 1)))
    scores = []
    for start in range(0, resamples, batch):
        drawn = draw_many(rng, grouped, min(batch, resamples - start))
        scores.append(batch_scores(grouped, drawn))
    usable = np.concatenate(scores) if scores else np.empty((0, 2))
    return usable[~np.isnan(usable).any(axis=1)]


_BATCH_CELLS = 4_000_000


def draw_many(rng: np.random.Generator, cells: Cells, count: int) -> np.ndarray:
    """`count` resamples at once: rows drawn per cell, shape (count, cells)."""
    n = int(cells.rows.sum())
    if cells.by_row:
        picks = rng.integers(0, n, (count, n)) + (np.arange(count) * n)[:, None]
        return np.bincount(picks.ravel(), minlength=count * n).reshape(count, n)
    return rng.multinomial(n, cells.rows / n, size=count)


def batch_scores(cells: Cells, drawn: np.ndarray) -> np.ndarray:
    """(ROC-AUC, AP) per resample (rows of `drawn`); NaN where a class is missing.

    The same arithmetic as `roc_auc` and `average_precision`, along axis 1.
    """
    mass = drawn * cells.weight
    starts = np.flatnonzero(np.diff(cells.segment, prepend=-1))
    positive = np.zeros(mass.shape[1], dtype=bool)
    positive[cells.positive_cells] = True
    tps = np.cumsum(np.add.reduceat(np.where(positive, mass, 0.0), starts, axis=1), axis=1)
    fps = np.cumsum(np.add.reduceat(mass * cells.negative, starts, axis=1), axis=1)
    usable = (tps[:, -1] > 0) & (fps[:, -1] > 0)
    out = np.full((len(drawn), 2), np.nan)
    if not usable.any():
        return out
    tps, fps = tps[usable], fps[usable]
    zero = np.zeros((len(tps), 1))
    fpr = np.hstack([zero, fps / fps[:, -1:]])
    tpr = np.hstack([zero, tps / tps[:, -1:]])
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    recall_step = np.diff(tps / tps[:, -1:], prepend=0.0, axis=1)
    out[usable, 0] = np.trapezoid(tpr, fpr, axis=1)
    out[usable, 1] = np.maximum(0.0, np.sum(recall_step * precision, axis=1))
    return out


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
