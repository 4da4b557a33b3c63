"""Bootstrap intervals for ROC-AUC and average precision, read from the ranking of
`reporter.evaluation.curves`: a resample is a reweighting of the same sorted rows, so no resample
is sorted again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.evaluation.curves import Ranked
from reporter.evaluation.metrics import ONE_CLASS

CI_METRICS = ("roc_auc", "average_precision")


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


def intervals(
    r: Ranked, resamples: int, seed: int
) -> tuple[dict[str, tuple[float, float] | None], dict[str, str]]:
    """Percentile (2.5, 97.5) bootstrap intervals of `CI_METRICS`, and why any is missing;
    resamples missing a class are skipped."""
    none = dict.fromkeys(CI_METRICS)
    if resamples == 0:
        return none, {f"ci.{m}": "not computed: bootstrap=0" for m in CI_METRICS}
    if r.positives == 0 or r.negatives == 0:
        return none, {f"ci.{m}": ONE_CLASS for m in CI_METRICS}
    samples = bootstrap(r, resamples, seed)
    if 2 * len(samples) < resamples:
        why = f"undefined: only {len(samples)} of {resamples} resamples had both classes"
        return none, {f"ci.{m}": why for m in CI_METRICS}
    low, high = np.percentile(samples, [2.5, 97.5], axis=0)
    return {m: (float(low[j]), float(high[j])) for j, m in enumerate(CI_METRICS)}, {}
