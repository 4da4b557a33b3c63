"""A ranking reduced to what ROC-AUC and average precision depend on, for the bootstrap.

Segments holding positives are numbered k = 0..K-1 from the top score down. Every row gets a
`slot`: a positive the k of its segment; a negative the k of the first positive segment at or
below it (K below every positive), and `tied` when it shares that segment's score. Both metrics
are functions of the (weighted) mass in each slot, so a bootstrap resample is a set of slot
masses and never needs a sort (`reporter.evaluation.resampling`).

`scores` gives both metrics from slot masses, as `reporter.evaluation.curves` (and
scikit-learn) define them; `cell_derivatives` gives their derivatives in each slot's mass,
which make each row's influence (for ROC-AUC, DeLong's placement values) in O(rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.evaluation.curves import Ranked


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Ranking:
    """One run's rows reduced to slots (see the module docs); rows in the caller's order."""

    slot: np.ndarray
    tied: np.ndarray
    n_slots: int

    @staticmethod
    def of(y: np.ndarray, score: np.ndarray) -> Ranking:
        """From labels and scores in any order (sorted here; the order within ties does not
        matter)."""
        order = np.argsort(-score)
        ranked = score[order]
        distinct = np.cumsum(np.concatenate(([True], ranked[1:] != ranked[:-1]))) - 1
        slot_sorted, tied_sorted, n_slots = _slots(y[order], distinct)
        slot = np.empty_like(slot_sorted)
        slot[order] = slot_sorted
        tied = np.empty_like(tied_sorted)
        tied[order] = tied_sorted
        return Ranking(slot=slot, tied=tied, n_slots=n_slots)

    @staticmethod
    def from_ranked(r: Ranked) -> Ranking:
        """From rows already sorted by `curves.rank` (rows in ranked order, no second sort)."""
        distinct = np.repeat(np.arange(len(r.ends)), np.diff(r.ends, prepend=-1))
        slot, tied, n_slots = _slots(r.y, distinct)
        return Ranking(slot=slot, tied=tied, n_slots=n_slots)

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

    def row_influence(
        self,
        y: np.ndarray,
        w: np.ndarray | None,
        masses: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        scored: np.ndarray | None = None,
    ) -> np.ndarray:
        """Derivative of (ROC-AUC, AP) in each row's count, shape (rows, 2): the row's weight
        times the derivative in its slot's mass. Sums to zero over all rows (both metrics are
        unchanged when every weight is scaled alike). `masses` and `scored`, its `masses(y, w)`
        and their `scores`, when the caller has them."""
        tp, neg, tie = (m[0] for m in (self.masses(y, w) if masses is None else masses))
        table = np.zeros((self.n_slots + 1, 3, 2))  # slot, (untied neg, tied neg, positive)
        positive, untied, tied = cell_derivatives(tp, neg, tie, scored)
        for kind, derivative in enumerate((untied, tied, positive)):
            table[: len(derivative[0]), kind] = np.stack(derivative, axis=1)
        out = table[self.slot, 2 * y + self.tied]
        return out if w is None else out * w[:, None]


def _slots(y: np.ndarray, distinct: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Slot and tie of rows sorted by descending score (`distinct`: each row's distinct-score
    index)."""
    has_positive = np.zeros(int(distinct[-1]) + 1, dtype=bool)
    has_positive[distinct[y]] = True
    above = np.cumsum(has_positive)  # positive scores at or above each distinct score
    tied = has_positive[distinct] & ~y
    slot = above[distinct] - np.where(has_positive[distinct], 1, 0)
    return slot, tied, int(above[-1])


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


Derivatives = tuple[np.ndarray, np.ndarray]  # (ROC-AUC, AP)


def cell_derivatives(
    tp: np.ndarray, neg: np.ndarray, tie: np.ndarray, scored: np.ndarray | None = None
) -> tuple[Derivatives, Derivatives, Derivatives]:
    """Derivatives of (ROC-AUC, AP) in the mass of a positive at slot k, of an untied negative
    at slot k (k = K: below every positive) and of a tied negative at slot k (`scored`: the
    masses' `scores`, when known)."""
    auc, ap = scores(tp[None], neg[None], tie[None])[0] if scored is None else scored
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
