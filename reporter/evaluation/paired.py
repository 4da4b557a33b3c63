"""The paired difference of a run to a baseline scored on the same rows (pure).

Two runs are paired when their predictions cover the same rows: the same ids (when both files
have the id column; rows are matched by id, in any order), else the same labels in the same
order and number. Matched rows must agree on their label and weight. Each bootstrap resample
then draws rows once and scores both runs on them (`intervals.paired_difference_intervals`),
so what the runs share (the rows' difficulty) cancels out of the difference.

A `Difference` holds run minus baseline per metric, or why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reporter.config.operating import OperatingPointSpec
from reporter.evaluation.at_point import MAX_ROW_DRAWS, paired_point_replicates
from reporter.evaluation.intervals import LEVEL, METRICS, Interval, paired_difference_intervals
from reporter.evaluation.predictions import Predictions

PAIRED_METRICS = METRICS  # what a paired interval is computed for
NO_PREDICTIONS = "no predictions to pair"
DIFFERENT_ROWS = "different rows"


@dataclass(frozen=True, kw_only=True, slots=True)
class Difference:
    """Run minus baseline on the same rows: a 95% paired bootstrap interval per metric of
    `PAIRED_METRICS`, or (empty `intervals`) `reason` says why there is none."""

    intervals: dict[str, Interval] = field(default_factory=dict)
    reason: str = ""
    rows: int = 0
    matched_by: str = ""  # "ids" or "order"
    untested: dict[str, str] = field(default_factory=dict)  # metric -> why it has no interval

    def verdict(self, metric: str, lower_is_better: bool = False) -> str:
        """ "better", "worse" or "unclear" (the interval holds 0); "" without an interval."""
        iv = self.intervals.get(metric)
        if iv is None:
            return ""
        if not iv.excludes_zero:
            return "unclear"
        return "better" if (iv.low > 0) != lower_is_better else "worse"


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Pairing:
    """Rows of the baseline and of the run, matched: `base[i]` and `other[i]` are one row."""

    base: np.ndarray
    other: np.ndarray
    matched_by: str


def pair_rows(base: Predictions, other: Predictions) -> Pairing | str:
    """The rows the two runs share, matched; or why they are not the same rows."""
    if base.ids is not None and other.ids is not None:
        return _by_ids(base, other)
    if base.n_rows != other.n_rows:
        return f"{DIFFERENT_ROWS} ({base.n_rows:,} and {other.n_rows:,})"
    if base.label_hash != other.label_hash:
        return f"{DIFFERENT_ROWS} (the labels differ)"
    rows = np.arange(base.n_rows)
    return _weights_agree(base, other, Pairing(base=rows, other=rows, matched_by="order"))


def _by_ids(base: Predictions, other: Predictions) -> Pairing | str:
    assert base.ids is not None and other.ids is not None
    if len(np.unique(base.ids)) != len(base.ids) or len(np.unique(other.ids)) != len(other.ids):
        return f"{DIFFERENT_ROWS} (ids repeat within a file)"
    if len(base.ids) != len(other.ids):
        return f"{DIFFERENT_ROWS} ({len(base.ids):,} and {len(other.ids):,} ids)"
    order_base, order_other = np.argsort(base.ids), np.argsort(other.ids)
    if not np.array_equal(base.ids[order_base], other.ids[order_other]):
        return f"{DIFFERENT_ROWS} (the ids differ)"
    if not np.array_equal(base.y_true[order_base], other.y_true[order_other]):
        return f"{DIFFERENT_ROWS} (the labels differ on the same ids)"
    pairing = Pairing(base=order_base, other=order_other, matched_by="ids")
    return _weights_agree(base, other, pairing)


def _weights_agree(base: Predictions, other: Predictions, pairing: Pairing) -> Pairing | str:
    if (base.weight is None) != (other.weight is None):
        return f"{DIFFERENT_ROWS} (one run has weights, the other not)"
    if (
        base.weight is not None
        and other.weight is not None
        and not np.array_equal(base.weight[pairing.base], other.weight[pairing.other])
    ):
        return f"{DIFFERENT_ROWS} (the weights differ)"
    return pairing


def paired_difference(
    base: Predictions,
    other: Predictions,
    *,
    resamples: int,
    seed: int,
    operating_point: OperatingPointSpec | None = None,
) -> Difference:
    """`other` minus `base` with paired bootstrap intervals (ROC-AUC and AP, and the
    operating point's metric when given); the reason when unpaired."""
    if resamples == 0:
        return Difference(reason="not computed: bootstrap=0")
    pairing = pair_rows(base, other)
    if isinstance(pairing, str):
        return Difference(reason=pairing)
    y = base.y_true[pairing.base]
    w = None if base.weight is None else base.weight[pairing.base]
    ivs = paired_difference_intervals(
        y,
        base.y_score[pairing.base],
        other.y_score[pairing.other],
        w,
        resamples=resamples,
        seed=seed,
    )
    rows = len(y)
    if ivs is None:
        why = "undefined: one class only, or too few resamples with both classes"
        return Difference(reason=why, rows=rows, matched_by=pairing.matched_by)
    untested = {}
    if operating_point is not None and rows * resamples > MAX_ROW_DRAWS:
        untested[operating_point.metric] = (
            f"{rows:,} rows x {resamples:,} resamples is beyond the "
            f"{MAX_ROW_DRAWS:,} row draws the operating point's paired bootstrap may take"
        )
    elif operating_point is not None:
        scores = (base.y_score[pairing.base], other.y_score[pairing.other])
        at = point_interval(operating_point, y, *scores, w, resamples=resamples, seed=seed)
        if at is None:
            untested[operating_point.metric] = "undefined in too many resamples"
        ivs = ivs | ({operating_point.metric: at} if at is not None else {})
    return Difference(intervals=ivs, rows=rows, matched_by=pairing.matched_by, untested=untested)


def point_interval(
    op: OperatingPointSpec,
    y: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    w: np.ndarray | None,
    *,
    resamples: int,
    seed: int,
) -> Interval | None:
    """Percentile interval of B minus A at the operating point (`at_point`); None when under
    half the resamples have it defined."""
    estimate, values = paired_point_replicates(
        op, y, score_a, score_b, w, resamples=resamples, seed=seed
    )
    if not np.isfinite(estimate) or len(values) == 0 or 2 * len(values) < resamples:
        return None
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return Interval(
        estimate=estimate, low=min(float(low), estimate), high=max(float(high), estimate)
    )
