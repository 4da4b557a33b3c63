"""What an evaluation holds (pure data), and its JSON: the contract other tools read.

`Evaluation.to_json()`: always present: `n`, `positives`, `roc_auc`, `average_precision`,
`log_loss`, `brier`, `recall_at_fpr` and `precision_at_recall` (keyed by the target's shortest
repr, "0.001"), `confusion` (`threshold`, `tp`, `fp`, `tn`, `fn`), `ci` (metric -> [low, high] or
null), `slices` (column -> value -> the same keys without `slices`). Also: `negatives`, `n_rows`,
`positive_rows`, `prevalence`, `ece` (10 equal-width bins), `ece_quantile` (10 equal-count
bins), `recall_at_alerts_per_10k`, `precision_at_k`, `precision`, `recall`, `f1`, `fpr`,
`alerts_per_10k` (at the threshold), `thresholds` (of the target operating points),
`low_support`, `undefined`, every metric computed on the ranked rows
(`reporter.evaluation.metrics`, e.g. `partial_auc@fpr=0.01`), `metrics` (every computed
metric by its leaderboard name, e.g. `recall@fpr=0.01`) and `metric_thresholds` (the decision
threshold of each threshold-dependent one). Values are ints, floats, bools, strings or null,
never NaN or infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reporter.evaluation.curves import PrCurve, RocCurve
from reporter.evaluation.metrics import computed_metrics, metric_thresholds


@dataclass(frozen=True, kw_only=True, slots=True)
class OperatingPoint:
    """Outcome of alerting on every row scoring >= `threshold` (inf: alert on nothing).

    Rates are None where their denominator is zero (precision without alerts, recall without
    positives, FPR without negatives, F1 without positives or alerts).
    """

    threshold: float
    tp: float
    fp: float
    tn: float
    fn: float
    precision: float | None
    recall: float | None
    fpr: float | None
    f1: float | None
    alerts: float
    alerts_per_10k: float


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Calibration:
    """Reliability curve over quantile bins, plus two expected calibration errors.

    Both are sum over bins of (bin weight / total weight) * |observed rate - mean score|, the
    average gap between predicted and observed rates, each row counted by its weight. `ece`
    uses 10 equal-width bins over [0, 1] (the usual definition; integer weights equal
    replicated rows); `ece_quantile` uses the curve's equal-count bins (edges at percentiles of
    the rows' scores), which puts more bins where scores are dense and is not comparable.
    """

    prob_true: np.ndarray
    prob_pred: np.ndarray
    bin_weight: np.ndarray
    ece: float
    ece_quantile: float


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Evaluation:
    """Everything the report shows about one run's predictions (or one slice of them).

    `n`, `positives`, `negatives` are weighted sums; `*_rows` are raw row counts. Dicts of
    targets map a target to the best operating point (None if undefined). `roc` and `pr` are
    display curves, at most `curve_points` long; `roc_curve()`/`pr_curve()` give full ones.
    """

    n: float
    positives: float
    negatives: float
    n_rows: int
    positive_rows: int
    negative_rows: int
    prevalence: float
    roc_auc: float | None
    average_precision: float | None
    log_loss: float | None
    brier: float | None
    calibration: Calibration | None
    at_threshold: OperatingPoint
    recall_at_fpr: dict[float, OperatingPoint | None]
    precision_at_recall: dict[float, OperatingPoint | None]
    recall_at_alerts: dict[float, OperatingPoint | None]  # alert budget (per 10k rows) -> point
    at_thresholds: dict[float, OperatingPoint]  # fixed thresholds (a `threshold=` operating point)
    precision_at_k: dict[int, float | None]
    threshold_table: tuple[OperatingPoint, ...]
    roc: RocCurve | None
    pr: PrCurve | None
    ci: dict[str, tuple[float, float] | None]
    low_support: bool
    undefined: dict[str, str]
    slices: dict[str, dict[str, Evaluation]] = field(default_factory=dict)
    values: dict[str, float | None] = field(default_factory=dict)  # see `metrics.row_values`

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data; the keys listed in the module docs are a contract for other tools."""
        data = _summary_json(self)
        data["slices"] = {
            column: {value: _summary_json(sub) for value, sub in values.items()}
            for column, values in self.slices.items()
        }
        return data


def _summary_json(e: Evaluation) -> dict[str, Any]:
    """Every key but `slices`. Counts are ints when whole; inf thresholds (no alerts) are null."""
    at = e.at_threshold
    return {
        "n": _count(e.n),
        "positives": _count(e.positives),
        "negatives": _count(e.negatives),
        "n_rows": e.n_rows,
        "positive_rows": e.positive_rows,
        "prevalence": _float(e.prevalence),
        "roc_auc": _float(e.roc_auc),
        "average_precision": _float(e.average_precision),
        "log_loss": _float(e.log_loss),
        "brier": _float(e.brier),
        "ece": _float(e.calibration.ece) if e.calibration else None,
        "ece_quantile": _float(e.calibration.ece_quantile) if e.calibration else None,
        "recall_at_fpr": _targets(e.recall_at_fpr, "recall"),
        "precision_at_recall": _targets(e.precision_at_recall, "precision"),
        "recall_at_alerts_per_10k": _targets(e.recall_at_alerts, "recall"),
        "precision_at_k": {str(k): _float(v) for k, v in e.precision_at_k.items()},
        "confusion": {
            "threshold": _float(at.threshold),
            **{k: _count(getattr(at, k)) for k in ("tp", "fp", "tn", "fn")},
        },
        **{k: _float(getattr(at, k)) for k in ("precision", "recall", "f1", "fpr")},
        "alerts_per_10k": _float(at.alerts_per_10k),
        "thresholds": {
            "recall_at_fpr": _targets(e.recall_at_fpr, "threshold"),
            "precision_at_recall": _targets(e.precision_at_recall, "threshold"),
            "recall_at_alerts_per_10k": _targets(e.recall_at_alerts, "threshold"),
        },
        "ci": {m: None if ci is None else [_float(ci[0]), _float(ci[1])] for m, ci in e.ci.items()},
        "low_support": e.low_support,
        "undefined": dict(e.undefined),
        **{name: _float(value) for name, value in sorted(e.values.items())},
        "metrics": {k: v for k, v in computed_metrics(e).items() if math.isfinite(v)},
        "metric_thresholds": metric_thresholds(e),
    }


def _targets(points: dict[float, OperatingPoint | None], attr: str) -> dict[str, float | None]:
    """Keys are the shortest repr of the target ("0.001"), as other tools look them up."""
    return {repr(float(t)): _float(getattr(p, attr)) if p else None for t, p in points.items()}


def _float(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _count(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
