"""The operating-point metric in bootstrap resamples of the rows, for paired differences (pure).

`recall@fpr=t`, `precision@recall=r`, `recall@alerts_per_10k=b` and `f1@threshold=x` are read
from the cumulative (weighted) positives and negatives at each distinct score, as
`reporter.evaluation.evaluate` reads them. They are step functions of the rows, so unlike
ROC-AUC and AP they are not reduced to slot masses: each resample draws n row indices with
replacement (`rng.integers(0, n, n)`: the plain row bootstrap) and re-accumulates both runs'
rankings with the drawn counts as weights, O(rows) per resample and run. The interval is the
percentile interval of the paired differences (ties with the estimate count half toward the
bias correction's share; no acceleration: a step function has no useful derivative).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.config.operating import OperatingPointSpec

_BATCH_NUMBERS = 1 << 22


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Accumulator:
    """One run's rows by descending score, and the last row of each distinct score."""

    order: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    ends: np.ndarray
    thresholds: np.ndarray

    @staticmethod
    def of(y: np.ndarray, score: np.ndarray, w: np.ndarray | None) -> Accumulator:
        order = np.argsort(-score, kind="stable")
        ranked = score[order]
        ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
        return Accumulator(
            order=order,
            y=y[order],
            w=None if w is None else w[order],
            ends=ends,
            thresholds=ranked[ends],
        )

    def values(self, op: OperatingPointSpec, counts: np.ndarray) -> np.ndarray:
        """The metric for each row of `counts` (resamples x rows, in the caller's row order);
        NaN where it is undefined (a class missing)."""
        mass = counts[:, self.order].astype(np.float64)
        if self.w is not None:
            mass *= self.w
        tps = np.cumsum(np.where(self.y, mass, 0.0), axis=1)[:, self.ends]
        fps = np.cumsum(np.where(self.y, 0.0, mass), axis=1)[:, self.ends]
        return point_values(op, tps, fps, self.thresholds)


def point_values(
    op: OperatingPointSpec, tps: np.ndarray, fps: np.ndarray, thresholds: np.ndarray
) -> np.ndarray:
    """The operating point's metric per row of cumulative positives and negatives (one column
    per distinct score, descending), as `evaluate` defines it."""
    p, n = tps[:, -1], fps[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        if op.family == "recall@fpr":
            feasible = fps / n[:, None] <= op.target
            out = np.max(np.where(feasible, tps, 0.0), axis=1) / p
            out[n <= 0] = np.nan
        elif op.family == "recall@alerts_per_10k":
            feasible = 10_000 * (tps + fps) / (p + n)[:, None] <= op.target
            out = np.max(np.where(feasible, tps, 0.0), axis=1) / p
        elif op.family == "precision@recall":
            reached = tps / p[:, None] >= op.target
            predicted = tps + fps
            precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted > 0)
            out = np.max(np.where(reached, precision, -np.inf), axis=1)
        else:  # threshold: F1 at a fixed threshold
            index = int(np.searchsorted(-thresholds, -op.target, side="right")) - 1
            tp = tps[:, index] if index >= 0 else np.zeros(len(tps))
            fp = fps[:, index] if index >= 0 else np.zeros(len(tps))
            out = 2 * tp / (2 * tp + fp + (p - tp))
    out = np.where(np.isfinite(out), out, np.nan)
    out[p <= 0] = np.nan
    return out


def paired_point_replicates(
    op: OperatingPointSpec,
    y: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    w: np.ndarray | None,
    *,
    resamples: int,
    seed: int,
) -> tuple[float, np.ndarray]:
    """B minus A at the operating point: the estimate and the value in every resample holding
    both classes (rows of zero weight are dropped first, as the evaluation drops them)."""
    if w is not None:
        kept = np.flatnonzero(w)
        y, score_a, score_b, w = y[kept], score_a[kept], score_b[kept], w[kept]
    a, b = Accumulator.of(y, score_a, w), Accumulator.of(y, score_b, w)
    ones = np.ones((1, len(y)), dtype=np.int64)
    estimate = float(b.values(op, ones)[0] - a.values(op, ones)[0])
    rng = np.random.default_rng(seed)
    n = len(y)
    per_batch = max(1, _BATCH_NUMBERS // max(n, 1))
    values = []
    for start in range(0, resamples, per_batch):
        count = min(per_batch, resamples - start)
        counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(count)])
        values.append(b.values(op, counts) - a.values(op, counts))
    out = np.concatenate(values) if values else np.empty(0)
    return estimate, out[np.isfinite(out)]
