"""What a metric's value means (`MetricType`), and the rules that type a logged metric by name.

Computed metrics carry their type in the metrics table (`reporter.evaluation.metrics`); a
logged name is typed by the first of: an alias of a computed metric (`roc_auc_score`), the
metric after a tracker's split prefix (`training_roc_auc`, `val_loss`), X for a derived
`X@constraint`, then the name rules below; anything else is a higher-is-better score.
`MetricTypes` (in `metrics`) puts the user's `metric_types`, `neutral` and `lower_is_better`
first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DIRECTIONS = ("higher", "lower", "neutral")
KINDS = ("score", "rate", "loss", "count", "time")
FORMATS = ("decimal", "percent", "integer")
CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricType:
    """What a metric's values mean.

    `direction`: "higher" or "lower" is better, or "neutral" (a count, a volume: never ranked,
    no best value, grey deltas). `kind`: score, rate, loss, count or time. `format`: decimal,
    percent (a fraction shown as a percentage) or integer. `threshold`: the value depends on a
    decision threshold. `task`: the task the metric implies, for model cards.
    """

    direction: str = "higher"
    kind: str = "score"
    format: str = "decimal"
    description: str = ""
    threshold: bool = False
    task: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def neutral(self) -> bool:
        return self.direction == "neutral"

    @property
    def is_evaluation(self) -> bool:
        """A measure of the model's quality (what a model card reports), not a count or time."""
        return self.kind in ("score", "rate", "loss")

    def title(self) -> str:
        """A tooltip: what it is and which way is better."""
        way = {
            "higher": "higher is better",
            "lower": "lower is better",
            "neutral": "neutral: not ranked",
        }[self.direction]
        return f"{self.description}; {way}" if self.description else way

    def to_json(self) -> dict[str, Any]:
        return {"direction": self.direction, "kind": self.kind, "format": self.format}


def score(description: str = "", **more: Any) -> MetricType:
    more.setdefault("task", CLASSIFICATION)
    return MetricType(kind="score", description=description, **more)


def rate(description: str = "", **more: Any) -> MetricType:
    more.setdefault("task", CLASSIFICATION)
    return MetricType(kind="rate", description=description, **more)


def loss(description: str = "", **more: Any) -> MetricType:
    more.setdefault("task", CLASSIFICATION)
    return MetricType(direction="lower", kind="loss", description=description, **more)


def _count(description: str) -> MetricType:
    return MetricType(direction="neutral", kind="count", format="integer", description=description)


# Prefixes trackers put before a metric: MLflow autologging's `training_`, split names.
SPLIT_PREFIXES = (
    "training_", "train_", "validation_", "valid_", "val_", "test_", "eval_", "holdout_",
)  # fmt: skip

# Name rules for logged metrics, first match wins (case-insensitive glob patterns).
RULES: tuple[tuple[tuple[str, ...], MetricType], ...] = (
    (("support", "*_support", "* support", "*support"), _count("rows of a class (support)")),
    (
        (
            "n",
            "n_*",
            "num_*",
            "count",
            "*_count",
            "count_*",
            "rows",
            "*_rows",
            "positives",
            "negatives",
            "tp",
            "fp",
            "tn",
            "fn",
            "*iter*",
            "epoch*",
            "step*",
            "*_size",
            "n_estimators",
        ),
        _count("a count"),
    ),  # fmt: skip
    (("*_per_*",), MetricType(direction="neutral", kind="rate", description="a volume")),
    (
        ("*seconds*", "*_secs", "*_time", "time_*", "*latency*", "*duration*", "*_ms"),
        MetricType(direction="lower", kind="time", description="a duration"),
    ),
    (
        ("*mse", "*mae", "*mape", "*msle", "mean_squared_*", "mean_absolute_*", "*_absolute_error"),
        loss("a regression error", task=REGRESSION),
    ),
    (("r2", "*_r2", "r2_*", "*r2_score", "explained_variance*"), score(task=REGRESSION)),
    (("*loss*", "*error*", "*deviance*", "*perplexity*", "*brier*"), loss("a loss", task="")),
    (
        ("fpr", "*_fpr", "fpr_*", "fnr", "*_fnr", "false_positive_rate", "false_negative_rate"),
        rate(direction="lower"),
    ),
    (("ece", "ece_*", "*_ece"), loss("expected calibration error")),
    (
        (
            "accuracy*",
            "*_accuracy*",
            "*auc*",
            "*f1*",
            "*precision*",
            "*recall*",
            "mcc",
            "matthews*",
            "*kappa*",
            "tpr",
            "sensitivity",
            "specificity",
        ),
        score(),
    ),  # fmt: skip
)
