"""Bootstrap resampling of ROC-AUC and AP, for `ci_methods`: the shipped cells, aggregation and
first-order draw (`reporter.evaluation.resampling`), plus what only the method study needs: a
stratified draw (`Stratum`) and a ranking that keeps it.

A run's ranking is reduced to slots (`Ranking`): the k-th distinct score holding positives,
and the negatives between it and the one above. Rows that agree on slot, tie and class in every
ranking compared are interchangeable for both metrics, so a resample is the mass it draws into
each such cell (`Cells`). Cells of at most `EXACT_ROWS` rows are drawn row by row, with each
drawn row's own weight: exact for any weights. Larger cells (long runs of negatives, heavily
tied scores) get a count with the multinomial's mean, covariance and skewness (a normal draw
plus a Cornish-Fisher term) and a mass of that count times the cell's mean weight, plus, when
the weights in the cell differ, a draw with the mean, variance and skewness of a sum of that
many of them. Continuous weights therefore cost what unweighted rows cost.

Why this is still the bootstrap: both metrics depend on a resample only through the cell
masses. Small cells are drawn exactly as the multinomial bootstrap draws them. A large cell's
mass, given its count, is a sum of that many independent draws from the cell's weights; its
first three cumulants are matched, leaving an error of relative order 1/count (count > 8), and
only in cells whose single rows barely move either metric (long runs of negatives, or ties).
With equal weights in a cell (no weights, or rows that happen to share one weight) the mass
given the count is exact. Tests compare with the row-by-row draw.

Two rankings fragment the negatives into many small joint cells. Beyond `JOINT_CELLS` of them,
negatives below the top `TOP_NEGATIVES` negatives of both runs are resampled to first order
(`Linear`): their count per resample is drawn exactly, their mass follows it, and how that
count spreads over them moves the difference by a draw with the mean, variance and skewness
of the sum of their influences. Both metrics are nearly linear in such rows' weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.evaluation.resampling import (  # shipped; this module adds the stratified draw
    Aggregator,
    Cells,
    Linear,
    _approximate,
    _combine,
)
from reporter.evaluation.slots import scores

EXACT_ROWS = 8
JOINT_CELLS = 50_000
TOP_NEGATIVES = 1_000
_BATCH_NUMBERS = 1 << 20  # a batch's matrices stay in cache


def replicate(
    y: np.ndarray,
    w: np.ndarray | None,
    rankings: tuple[Ranking, ...],
    signs: tuple[float, ...],
    *,
    resamples: int,
    seed: int,
    stratified: bool,
    exact_rows: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point estimate, the value in every resample (NaN where a class is missing) and each
    row's influence (centred within its stratum) of sum(sign * (ROC-AUC, AP)) over rankings.

    `exact_rows=None` draws every row by row: the naive bootstrap, for reference.
    """
    estimate = _combine(signs, [scores(*r.masses(y, w))[0] for r in rankings])
    influence = _combine(signs, [r.row_influence(y, w) for r in rankings])
    cells = Cells.of(y, w, rankings, exact_rows)
    linear = None
    if len(rankings) > 1 and exact_rows is not None and len(cells.rows) > JOINT_CELLS:
        deep = ~y & np.logical_and.reduce([r.negatives_above(y) > TOP_NEGATIVES for r in rankings])
        linear = Linear.of(y, w, rankings, deep, influence)
        kept = ~deep
        member = tuple(r.take(kept) for r in rankings)
        cells = Cells.of(y[kept], None if w is None else w[kept], member, exact_rows)
    if stratified:
        for stratum in (y, ~y):
            influence[stratum] -= influence[stratum].mean(axis=0)
    else:
        influence -= influence.mean(axis=0)
    rng = np.random.default_rng(seed)
    values = _resampled(cells, rankings, signs, resamples, rng, stratified, linear)
    return estimate, values, influence


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Ranking:
    """One run's scores, reduced to what ROC-AUC and AP depend on.

    Segments holding positives are numbered k = 0..K-1 from the top. Every row has a `slot`:
    positives the k of their segment; negatives the k of the first positive segment at or
    below them (K below every positive), and `tied` when they share that segment's score.
    """

    slot: np.ndarray
    tied: np.ndarray
    n_slots: int

    @staticmethod
    def of(y: np.ndarray, score: np.ndarray) -> Ranking:
        order = np.argsort(-score)  # the order within ties does not matter
        ranked = score[order]
        distinct = np.cumsum(np.concatenate(([True], ranked[1:] != ranked[:-1]))) - 1
        has_positive = np.zeros(int(distinct[-1]) + 1, dtype=bool)
        has_positive[distinct[y[order]]] = True
        above = np.cumsum(has_positive)  # positive scores at or above each distinct score
        tied_sorted = has_positive[distinct] & ~y[order]
        slot_sorted = above[distinct] - np.where(has_positive[distinct], 1, 0)
        slot = np.empty_like(slot_sorted)
        slot[order] = slot_sorted
        tied = np.empty_like(tied_sorted)
        tied[order] = tied_sorted
        return Ranking(slot=slot, tied=tied, n_slots=int(above[-1]))

    def take(self, rows: np.ndarray) -> Ranking:
        """The same slots for a subset of the rows."""
        return Ranking(slot=self.slot[rows], tied=self.tied[rows], n_slots=self.n_slots)

    def negatives_above(self, y: np.ndarray) -> np.ndarray:
        """For each row, the negative rows in its slot or above it."""
        return np.cumsum(np.bincount(self.slot[~y], minlength=self.n_slots + 1))[self.slot]

    def masses(
        self, y: np.ndarray, w: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per slot: positive mass, negative mass (the last slot below every positive), tied
        negative mass; each of shape (1, slots)."""
        k = self.n_slots
        tp = np.bincount(self.slot[y], None if w is None else w[y], minlength=k)
        neg = np.bincount(self.slot[~y], None if w is None else w[~y], minlength=k + 1)
        tie = np.bincount(self.slot[self.tied], None if w is None else w[self.tied], minlength=k)
        return (
            tp[None, :k].astype(np.float64),
            neg[None, :].astype(np.float64),
            tie[None, :].astype(np.float64),
        )

    def row_influence(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        """Derivative of (ROC-AUC, AP) in each row's count: the row's weight times the
        derivative in its cell's mass. Sums to zero over all rows (both metrics are
        unchanged when every weight is scaled alike)."""
        tp, neg, tie = (m[0] for m in self.masses(y, w))
        k = self.n_slots
        table = np.zeros((k + 1, 3, 2))  # slot, (untied negative, tied negative, positive)
        positive, untied, tied = cell_derivatives(tp, neg, tie)
        for kind, derivative in enumerate((untied, tied, positive)):
            table[: len(derivative[0]), kind] = np.stack(derivative, axis=1)
        out = table[self.slot, 2 * y + self.tied]
        return out if w is None else out * w[:, None]


def cell_derivatives(
    tp: np.ndarray, neg: np.ndarray, tie: np.ndarray
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Derivatives of (ROC-AUC, AP) in the mass of a positive at slot k, an untied negative
    at slot k (k = K: below every positive), a tied negative at slot k."""
    auc, ap = scores(tp[None], neg[None], tie[None])[0]
    p, n = tp.sum(), neg.sum()
    tps = np.cumsum(tp)
    fps = np.cumsum(neg[:-1])
    above = np.concatenate(([0.0], tps))  # positive mass strictly above slot k, k = 0..K
    auc_pos = ((n - fps + tie / 2) / n - auc) / p
    auc_neg = (above / p - auc) / n
    auc_tie = ((above[:-1] + tp / 2) / p - auc) / n
    predicted = tps + fps
    square = np.where(predicted > 0, predicted, 1.0) ** 2
    later_tp = np.concatenate((np.cumsum((tp * tps / square)[::-1])[::-1], [0.0]))
    later_fp = np.cumsum((tp * fps / square)[::-1])[::-1]
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted > 0)
    ap_pos = (precision + later_fp - ap) / p
    ap_neg = -later_tp / p
    return (auc_pos, ap_pos), (auc_neg, ap_neg), (auc_tie, ap_neg[:-1])


# --- cells and resampling --------------------------------------------------------------------


def _resampled(
    cells: Cells,
    rankings: tuple[Ranking, ...],
    signs: tuple[float, ...],
    resamples: int,
    rng: np.random.Generator,
    stratified: bool,
    linear: Linear | None,
) -> np.ndarray:
    """Scores of every resample, NaN where a class is missing; in batches that stay in cache."""
    aggregators = [Aggregator.of(cells, i, r.n_slots) for i, r in enumerate(rankings)]
    deep = 0 if linear is None else linear.rows
    if stratified:
        strata = [Stratum.of(cells, cells.positive, 0), Stratum.of(cells, ~cells.positive, deep)]
    else:
        strata = [Stratum.of(cells, np.ones(len(cells.rows), dtype=bool), deep)]
    widest = max([len(cells.rows)] + [len(s.exact_cell) for s in strata])
    per_batch = max(1, _BATCH_NUMBERS // widest)
    values = [np.empty((0, 2))]
    for start in range(0, resamples, per_batch):
        mass = np.zeros((min(per_batch, resamples - start), len(cells.rows)))
        in_deep = np.zeros(len(mass), dtype=np.int64)
        for stratum in strata:
            in_deep += stratum.draw(rng, cells, mass)
        parts = []
        for i, aggregator in enumerate(aggregators):
            tp, neg, tie = aggregator.masses(mass)
            if linear is not None:
                linear.add_masses(i, in_deep, neg, tie)
            parts.append(scores(tp, neg, tie))
        batch = _combine(signs, parts)
        if linear is not None:
            batch += linear.spread(rng, in_deep)
        values.append(batch)
    return np.concatenate(values)


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Stratum:
    """What one multinomial draw spreads a stratum's rows over: the cell and weight of each
    row in a small cell, the large cells, and the rows resampled to first order."""

    n: int
    exact_cell: np.ndarray
    exact_weight: np.ndarray | None
    approx: np.ndarray
    approx_rows: int
    deep_rows: int

    @staticmethod
    def of(cells: Cells, select: np.ndarray, deep_rows: int) -> Stratum:
        rows = np.flatnonzero((select & cells.exact)[cells.of_row])
        approx = np.flatnonzero(select & ~cells.exact)
        approx_rows = int(cells.rows[approx].sum())
        return Stratum(
            n=len(rows) + approx_rows + deep_rows,
            exact_cell=cells.of_row[rows],
            exact_weight=None if cells.w is None else cells.w[rows],
            approx=approx,
            approx_rows=approx_rows,
            deep_rows=deep_rows,
        )

    def draw(self, rng: np.random.Generator, cells: Cells, mass: np.ndarray) -> np.ndarray:
        """Add one resample of this stratum to each row of `mass`; return how many rows each
        drew from the rows resampled to first order."""
        count, width = mass.shape
        exact = len(self.exact_cell)
        split = np.zeros((count, 3), dtype=np.int64)
        split[:, 0] = self.n
        if self.approx_rows or self.deep_rows:
            shares = np.array([exact, self.approx_rows, self.deep_rows]) / self.n
            split = rng.multinomial(self.n, shares, size=count)
        for row, k in zip(mass, split[:, 0].tolist(), strict=True) if exact else ():
            picks = rng.integers(0, exact, k)
            w = None if self.exact_weight is None else self.exact_weight[picks]
            row += np.bincount(self.exact_cell[picks], w, minlength=width)
        if len(self.approx):
            mass[:, self.approx] += _approximate(rng, cells, self.approx, split[:, 1])
        return split[:, 2]
