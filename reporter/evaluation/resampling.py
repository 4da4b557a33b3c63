"""Bootstrap resampling of ROC-AUC and AP over slot masses (`reporter.evaluation.slots`).

Rows that agree on slot, tie and class in every ranking compared are interchangeable for both
metrics, so a resample is the mass it draws into each such cell (`Cells`). Cells of at most
`EXACT_ROWS` rows are drawn row by row, with each drawn row's own weight: exact for any
weights. Larger cells (long runs of negatives, heavily tied scores) get a count with the
multinomial's mean, covariance and skewness (a normal draw plus a Cornish-Fisher term) and a
mass of that count times the cell's mean weight, plus, when the weights in the cell differ, a
draw with the mean, variance and skewness of a sum of that many of them. Continuous weights
therefore cost what unweighted rows cost.

Why this is still the bootstrap: both metrics depend on a resample only through the cell
masses. Small cells are drawn exactly as the multinomial bootstrap draws them. A large cell's
mass, given its count, is a sum of that many independent draws from the cell's weights; its
first three cumulants are matched, leaving an error of relative order 1/count (count > 8), and
only in cells whose single rows barely move either metric (long runs of negatives, or ties).
With equal weights in a cell (no weights, or rows that happen to share one weight) the mass
given the count is exact. Tests compare with the row-by-row draw.

Two rankings (a paired comparison) fragment the negatives into many small joint cells. Beyond
`JOINT_CELLS` of them, negatives below the top `TOP_NEGATIVES` negatives of both runs are
resampled to first order (`Linear`): their count per resample is drawn exactly, their mass
follows it, and how that count spreads over them moves the difference by a draw with the mean,
variance and skewness of the sum of their influences. Both metrics are nearly linear in such
rows' weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.evaluation.slots import Ranking, scores

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
    exact_rows: int | None = EXACT_ROWS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point estimate, the value in every resample (NaN where a class is missing) and each
    row's influence (centred) of sum(sign * (ROC-AUC, AP)) over the rankings.

    `exact_rows=None` draws every row by row: the naive bootstrap, for reference.
    """
    masses = [r.masses(y, w) for r in rankings]
    scored = [scores(*m)[0] for m in masses]
    estimate = _combine(signs, scored)
    influence = _combine(
        signs,
        [r.row_influence(y, w, m, s) for r, m, s in zip(rankings, masses, scored, strict=True)],
    )
    cells = Cells.of(y, w, rankings, exact_rows)
    linear = None
    if len(rankings) > 1 and exact_rows is not None and len(cells.rows) > JOINT_CELLS:
        deep = ~y & np.logical_and.reduce([r.negatives_above(y) > TOP_NEGATIVES for r in rankings])
        linear = Linear.of(y, w, rankings, deep, influence)
        kept = ~deep
        member = tuple(r.take(kept) for r in rankings)
        cells = Cells.of(y[kept], None if w is None else w[kept], member, exact_rows)
    influence -= influence.mean(axis=0)
    rng = np.random.default_rng(seed)
    values = _resampled(cells, rankings, signs, resamples, rng, linear)
    return estimate, values, influence


def _combine(signs: tuple[float, ...], parts: list[np.ndarray]) -> np.ndarray:
    out = np.zeros_like(parts[0])
    for sign, part in zip(signs, parts, strict=True):
        out += sign * part
    return out


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
    third = np.bincount(of_row, dev * dev * dev) / rows
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
    linear: Linear | None,
) -> np.ndarray:
    """Scores of every resample, NaN where a class is missing; in batches that stay in cache."""
    aggregators = [Aggregator.of(cells, i, r.n_slots) for i, r in enumerate(rankings)]
    draw = Draw.of(cells, 0 if linear is None else linear.rows)
    per_batch = max(1, _BATCH_NUMBERS // max(len(cells.rows), len(draw.exact_cell), 1))
    values = [np.empty((0, 2))]
    for start in range(0, resamples, per_batch):
        mass = np.zeros((min(per_batch, resamples - start), len(cells.rows)))
        in_deep = draw.draw(rng, cells, mass)
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
class Draw:
    """What one multinomial draw of all rows spreads them over: the cell and weight of each
    row in a small cell, the large cells, and the rows resampled to first order."""

    n: int
    exact_cell: np.ndarray
    exact_weight: np.ndarray | None
    approx: np.ndarray
    approx_rows: int
    deep_rows: int

    @staticmethod
    def of(cells: Cells, deep_rows: int) -> Draw:
        rows = np.flatnonzero(cells.exact[cells.of_row])
        approx = np.flatnonzero(~cells.exact)
        approx_rows = int(cells.rows[approx].sum())
        return Draw(
            n=len(rows) + approx_rows + deep_rows,
            exact_cell=cells.of_row[rows],
            exact_weight=None if cells.w is None else cells.w[rows],
            approx=approx,
            approx_rows=approx_rows,
            deep_rows=deep_rows,
        )

    def draw(self, rng: np.random.Generator, cells: Cells, mass: np.ndarray) -> np.ndarray:
        """Add one resample to each row of `mass`; return how many rows each drew from the rows
        resampled to first order."""
        count, width = mass.shape
        exact = len(self.exact_cell)
        split = np.zeros((count, 3), dtype=np.int64)
        split[:, 0] = self.n
        if self.approx_rows or self.deep_rows:
            shares = np.array([exact, self.approx_rows, self.deep_rows]) / self.n
            split = rng.multinomial(self.n, shares, size=count)
        if exact:  # every resample's rows in one draw: the stream of one draw per resample
            drawn = split[:, 0]
            picks = rng.integers(0, exact, int(drawn.sum()))
            w = None if self.exact_weight is None else self.exact_weight[picks]
            at = np.repeat(np.arange(count, dtype=np.int64) * width, drawn) + self.exact_cell[picks]
            mass += np.bincount(at, w, minlength=count * width).reshape(count, width)
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
        skew = np.divide(np.mean(u * u * u, axis=0), var * sd, out=np.zeros(2), where=var > 0)
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
