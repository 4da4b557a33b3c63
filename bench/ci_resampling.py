"""Bootstrap resampling of ROC-AUC and AP, for `ci_methods`: pure numpy.

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


def _combine(signs: tuple[float, ...], parts: list[np.ndarray]) -> np.ndarray:
    out = np.zeros_like(parts[0])
    for sign, part in zip(signs, parts, strict=True):
        out += sign * part
    return out


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


def scores(tp: np.ndarray, neg: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """(ROC-AUC, AP) per row of the slot masses; NaN where a class has no mass.

    ROC-AUC: each positive scores the negative mass below it plus half the tied one (the
    trapezoid). AP: each positive scores the precision at its segment, as scikit-learn.
    """
    p = tp.sum(axis=1)
    n = neg.sum(axis=1)
    tps = np.cumsum(tp, axis=1)
    fps = np.cumsum(neg[:, :-1], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = np.sum(tp * (n[:, None] - fps + tie / 2), axis=1) / (p * n)
        predicted = tps + fps
        precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted > 0)
        ap = np.sum(tp * precision, axis=1) / p
    out = np.stack([auc, ap], axis=1)
    out[(p <= 0) | (n <= 0)] = np.nan
    return out


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


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Cells:
    """Rows grouped by (slot and tie in every ranking, class). Cells of at most `exact_rows`
    rows are drawn row by row (`exact`); the others from moments of their weights."""

    of_row: np.ndarray
    positive: np.ndarray
    rows: np.ndarray
    exact: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    skew: np.ndarray
    slots: tuple[tuple[np.ndarray, np.ndarray], ...]
    w: np.ndarray | None

    @staticmethod
    def of(
        y: np.ndarray, w: np.ndarray | None, rankings: tuple[Ranking, ...], exact_rows: int | None
    ) -> Cells:
        key = y.astype(np.int64)
        for r in rankings:
            key = (key * (r.n_slots + 1) + r.slot) * 2 + r.tied
        if len(rankings) == 1:
            present, of_row = _compact(key)
        else:
            present, of_row = np.unique(key, return_inverse=True)
        rows = np.bincount(of_row)
        mean, sd, skew = _weight_moments(of_row, rows, w)
        some = np.empty(len(rows), dtype=np.int64)
        some[of_row] = np.arange(len(y))  # any row of each cell: they agree on all that counts
        slots = tuple((r.slot[some], r.tied[some]) for r in rankings)
        limit = len(y) if exact_rows is None else exact_rows
        return Cells(
            of_row=of_row,
            positive=y[some],
            rows=rows,
            exact=rows <= limit,
            mean=mean,
            sd=sd,
            skew=skew,
            slots=slots,
            w=w,
        )


def _compact(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(key, return_inverse=True) for keys of modest range, without a sort."""
    counts = np.bincount(key)
    present = np.flatnonzero(counts)
    index = np.zeros(len(counts), dtype=np.int64)
    index[present] = np.arange(len(present))
    return present, index[key]


def _weight_moments(
    of_row: np.ndarray, rows: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation and skewness of the weights in each cell (0 where equal)."""
    if w is None:
        return np.ones(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    mean = np.bincount(of_row, w) / rows
    dev = w - mean[of_row]
    var = np.bincount(of_row, dev * dev) / rows
    third = np.bincount(of_row, dev**3) / rows
    var = np.where(var > 1e-24 * mean * mean, var, 0.0)
    sd = np.sqrt(var)
    skew = np.divide(third, var * sd, out=np.zeros_like(var), where=var > 0)
    return mean, sd, skew


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
class Aggregator:
    """Sums cell masses into one ranking's slot masses (positive, negative, tied negative)."""

    groups: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, int], ...]

    @staticmethod
    def of(cells: Cells, i: int, n_slots: int) -> Aggregator:
        slot, tied = cells.slots[i]
        parts = []
        for select, size in (
            (cells.positive, n_slots),
            (~cells.positive, n_slots + 1),
            (~cells.positive & tied, n_slots),
        ):
            columns = np.flatnonzero(select)
            columns = columns[np.argsort(slot[columns], kind="stable")]
            keys = slot[columns]
            starts = np.flatnonzero(np.diff(keys, prepend=-1))
            parts.append((columns, starts, keys[starts], size))
        return Aggregator(groups=tuple(parts))

    def masses(self, mass: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = []
        for columns, starts, keys, size in self.groups:
            summed = np.zeros((len(mass), size))
            if len(columns):
                picked = mass[:, columns]
                if len(starts) < len(columns):
                    picked = np.add.reduceat(picked, starts, axis=1)
                summed[:, keys] = picked
            out.append(summed)
        return out[0], out[1], out[2]


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


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Linear:
    """Negatives resampled to first order: per ranking their (negative, tied) mass per slot,
    and the spread, skewness and correlation over the two metrics of their influences."""

    rows: int
    masses: tuple[tuple[np.ndarray, np.ndarray], ...]
    sd: np.ndarray
    skew: np.ndarray
    rho: float

    @staticmethod
    def of(
        y: np.ndarray,
        w: np.ndarray | None,
        rankings: tuple[Ranking, ...],
        deep: np.ndarray,
        influence: np.ndarray,
    ) -> Linear:
        weight = np.ones(int(np.count_nonzero(deep))) if w is None else w[deep]
        masses = []
        for r in rankings:
            slot, tied = r.slot[deep], r.tied[deep]
            neg = np.bincount(slot, weight, minlength=r.n_slots + 1)
            tie = np.bincount(slot[tied], weight[tied], minlength=r.n_slots)
            masses.append((neg, tie[: r.n_slots]))
        u = influence[deep] - influence[deep].mean(axis=0)
        var = np.mean(u * u, axis=0)
        sd = np.sqrt(var)
        skew = np.divide(np.mean(u**3, axis=0), var * sd, out=np.zeros(2), where=var > 0)
        rho = float(np.mean(u[:, 0] * u[:, 1]) / (sd[0] * sd[1])) if (sd > 0).all() else 0.0
        return Linear(
            rows=int(np.count_nonzero(deep)), masses=tuple(masses), sd=sd, skew=skew, rho=rho
        )

    def add_masses(self, i: int, drawn: np.ndarray, neg: np.ndarray, tie: np.ndarray) -> None:
        """Add the mean mass of `drawn` rows (one count per resample) to ranking i's slots."""
        share = (drawn / self.rows)[:, None]
        neg += share * self.masses[i][0]
        tie += share * self.masses[i][1]

    def spread(self, rng: np.random.Generator, drawn: np.ndarray) -> np.ndarray:
        """How the metrics move with which of the rows the draws hit, to first order: the sum
        of `drawn` influences drawn from these rows, less its mean."""
        z = rng.standard_normal((len(drawn), 2))
        z[:, 1] = self.rho * z[:, 0] + np.sqrt(max(1 - self.rho**2, 0.0)) * z[:, 1]
        root = np.sqrt(np.maximum(drawn, 1))[:, None]
        x = z + self.skew * (z * z - 1) / (6 * root)
        return np.sqrt(drawn)[:, None] * self.sd * x


def _approximate(
    rng: np.random.Generator, cells: Cells, approx: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Masses of large cells when `total` rows are drawn among them (one row per resample).

    Counts: mean total*p, multinomial covariance, and the multinomial's skewness through a
    Cornish-Fisher term. Mass: count times the mean weight, plus (unequal weights) the sum of
    `count` weights drawn from the cell, with its mean, variance and skewness.
    """
    rows = cells.rows[approx]
    p = rows / rows.sum()
    expected = total[:, None] * p
    z = rng.standard_normal((len(total), len(approx)))
    gamma = 1 / np.sqrt(np.maximum(expected, 1.0))
    x = z + gamma * (z * z - 1) / 6
    root = np.sqrt(p)
    counts = expected + np.sqrt(total)[:, None] * (root * x - p * (x @ root)[:, None])
    counts = np.maximum(counts, 0.0)
    mass = counts * cells.mean[approx]
    sd = cells.sd[approx]
    if sd.any():
        z = rng.standard_normal(counts.shape)
        spread = z + cells.skew[approx] * (z * z - 1) / (6 * np.sqrt(np.maximum(counts, 1.0)))
        mass = np.maximum(mass + np.sqrt(counts) * sd * spread, 0.0)
    return mass
