"""The operating-point metric in bootstrap resamples of the rows, for paired differences (pure).

`recall@fpr=t`, `precision@recall=r`, `recall@alerts_per_10k=b` and `f1@threshold=x` are read
from the cumulative (weighted) positives and negatives at each distinct score, as
`reporter.evaluation.evaluate` reads them. They are step functions of the rows, so unlike
ROC-AUC and AP they are not reduced to slot masses: each resample draws n row indices with
replacement (`rng.integers(0, n, n)`: the plain row bootstrap) and sums the drawn rows' weights
into each run's distinct scores by class (one `bincount` into a small table), then the
cumulative sums over the distinct scores: O(rows) per resample and run, no sort (about 60 ms
per resample of 1,000,000 rows, hence `MAX_ROW_DRAWS`). The interval is the percentile interval
of the paired differences (no BCa: a step function has no useful derivative for the
acceleration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reporter.config.operating import OperatingPointSpec

MAX_ROW_DRAWS = 100_000_000  # rows x resamples: beyond, the operating point is not tested


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Accumulator:
    """One run's rows as keys into its distinct scores (descending) and class:
    `key = 2 * distinct score index + label`, in the caller's row order."""

    key: np.ndarray
    w: np.ndarray | None
    size: int
    thresholds: np.ndarray

    @staticmethod
    def of(y: np.ndarray, score: np.ndarray, w: np.ndarray | None) -> Accumulator:
        thresholds, inverse = np.unique(-score, return_inverse=True)
        return Accumulator(
            key=(2 * inverse + y).astype(np.int32 if len(y) < 2**30 else np.int64),
            w=w,
            size=2 * len(thresholds),
            thresholds=-thresholds,
        )

    def values(self, op: OperatingPointSpec, draws: list[np.ndarray | None]) -> np.ndarray:
        """The metric in each resample (`draws`: the drawn row indices, or None for every row
        once); NaN where it is undefined (a class missing)."""
        rows = []
        for drawn in draws:
            key = self.key if drawn is None else self.key[drawn]
            w = self.w if self.w is None or drawn is None else self.w[drawn]
            rows.append(np.bincount(key, weights=w, minlength=self.size))
        mass = np.array(rows, dtype=np.float64).reshape(len(draws), -1, 2)
        tps, fps = np.cumsum(mass[:, :, 1], axis=1), np.cumsum(mass[:, :, 0], axis=1)
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
    estimate = float(b.values(op, [None])[0] - a.values(op, [None])[0])
    rng = np.random.default_rng(seed)
    n = len(y)
    values = []
    for _ in range(resamples):
        drawn: list[np.ndarray | None] = [rng.integers(0, n, n)]
        values.append(b.values(op, drawn) - a.values(op, drawn))
    out = np.concatenate(values) if values else np.empty(0)
    return estimate, out[np.isfinite(out)]
