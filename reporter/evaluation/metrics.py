"""What the evaluation reports and what every metric means, declared once.

Each `Metric` says how its values are read from an `Evaluation` (or computed on the ranked rows
while evaluating), whether it is a headline of a run page's Performance section, which logged
names mean the same thing, and its `MetricType`: direction (higher, lower or neutral), kind
(score, rate, loss, count, time), display format and a description. The leaderboard, run
pages, comparisons and exported cards read computed metrics through `computed_metrics`, so a
new metric is one entry here (plus its arithmetic in `curves`). A metric may be a family:
`recall@fpr` gives one value per target, named `recall@fpr=0.01`.

Logged metrics are typed by `reporter.evaluation.names` (aliases, tracker prefixes, name rules)
and by the user's `metric_types`; `MetricTypes.of(name)` is what every consumer asks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from reporter.evaluation.names import RULES, SPLIT_PREFIXES, MetricType, loss, rate, score

if TYPE_CHECKING:
    from reporter.config import Settings
    from reporter.evaluation.curves import Ranked
    from reporter.evaluation.evaluate import EvalOptions
    from reporter.evaluation.results import Evaluation, OperatingPoint

ONE_CLASS = "undefined: only one class"
NO_POSITIVES = "undefined: no positives"
NO_NEGATIVES = "undefined: no negatives"

# Logged or computed names the home page and the leaderboard rank by, in order of preference,
# when no operating point or primary metric is configured; and the metrics shown by default in
# tables when most runs have them.
PRIMARY_CANDIDATES = ("pr_auc", "average_precision", "roc_auc")
DEFAULT_COLUMNS = (*PRIMARY_CANDIDATES, "log_loss", "brier")

Values = dict[str, "float | None"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    """A computed metric (or family of metrics): where its values come from and what they mean.

    `values` reads them from an evaluation's results; `rows` computes them on the ranked rows
    while evaluating (kept in `Evaluation.values`). `thresholds` gives the decision threshold
    each value was taken at (threshold-dependent metrics). `undefined_as` names the
    evaluation's reason to show when a value is undefined, if not the metric's own.
    """

    name: str
    type: MetricType
    values: Callable[[Evaluation], Values] | None = None
    rows: Callable[[Ranked, EvalOptions], Values] | None = None
    thresholds: Callable[[Evaluation], Values] | None = None
    headline: bool = False
    aliases: tuple[str, ...] = ()
    undefined_as: str = ""
    note: str = ""  # a few words beside its name on a run page ("10 equal-width bins")


def primary_fpr(options: EvalOptions) -> float | None:
    """The FPR budget that matters most: the operating point's when it is one, else the middle
    one of the configured targets (None without any)."""
    if options.primary_fpr is not None:
        return options.primary_fpr
    targets = sorted(options.fpr_targets)
    return targets[len(targets) // 2] if targets else None


def _partial_auc(r: Ranked, options: EvalOptions) -> Values:
    from reporter.evaluation.curves import partial_auc

    budget = primary_fpr(options)
    if budget is None:
        return {}
    both = r.positives > 0 and r.negatives > 0
    return {f"partial_auc@fpr={budget:g}": partial_auc(r.tps, r.fps, budget) if both else None}


def _at(attr: str) -> Callable[[Evaluation], Values]:
    return lambda e: {attr: getattr(e.at_threshold, attr)}


def _threshold(point: OperatingPoint | None) -> float | None:
    return point.threshold if point is not None and math.isfinite(point.threshold) else None


def _family(
    prefix: str, points: Callable[[Evaluation], dict[float, OperatingPoint | None]], attr: str
) -> tuple[Callable[[Evaluation], Values], Callable[[Evaluation], Values]]:
    """A family read from a dict of operating points: (its values, their thresholds)."""

    def values(e: Evaluation) -> Values:
        return {f"{prefix}={t:g}": getattr(p, attr) if p else None for t, p in points(e).items()}

    def thresholds(e: Evaluation) -> Values:
        return {f"{prefix}={t:g}": _threshold(p) for t, p in points(e).items()}

    return values, thresholds


_RECALL_AT_FPR = _family("recall@fpr", lambda e: e.recall_at_fpr, "recall")
_PRECISION_AT_RECALL = _family("precision@recall", lambda e: e.precision_at_recall, "precision")
_RECALL_AT_ALERTS = _family("recall@alerts_per_10k", lambda e: e.recall_at_alerts, "recall")
_F1_AT_THRESHOLD = _family("f1@threshold", lambda e: e.at_thresholds, "f1")


def _at_metric(name: str, kind: Callable[..., MetricType], text: str, **type_: str) -> Metric:
    """A metric at the run's decision threshold (`threshold` in run.yaml, else the option)."""
    return Metric(
        name=name,
        type=kind(text + " at the run's decision threshold", threshold=True, **type_),
        values=_at(name),
        thresholds=lambda e: {name: _threshold(e.at_threshold)},
        aliases=(f"{name}_score",) if name in ("precision", "recall", "f1") else (),
    )


METRICS: tuple[Metric, ...] = (
    Metric(
        name="roc_auc",
        type=score("area under the ROC curve, as roc_auc_score"),
        values=lambda e: {"roc_auc": e.roc_auc},
        headline=True,
        aliases=("auc", "roc_auc_score"),
    ),
    Metric(
        name="average_precision",
        type=score("area under the precision-recall curve, as average_precision_score"),
        values=lambda e: {"average_precision": e.average_precision},
        headline=True,
        aliases=("pr_auc", "ap", "average_precision_score"),
    ),
    Metric(
        name="partial_auc",
        type=score(
            "ROC area up to the FPR budget, standardised so 0.5 is chance (McClish), as "
            "roc_auc_score(max_fpr=...)"
        ),
        rows=_partial_auc,
        headline=True,
        note="standardised, 0.5 is chance",
        undefined_as="roc_auc",
    ),
    Metric(
        name="log_loss",
        type=loss("mean negative log-likelihood of the labels, as sklearn's log_loss"),
        values=lambda e: {"log_loss": e.log_loss},
        headline=True,
        aliases=("logloss", "binary_logloss"),
    ),
    Metric(
        name="brier",
        type=loss("mean squared difference of score and label, as brier_score_loss"),
        values=lambda e: {"brier": e.brier},
        headline=True,
        aliases=("brier_score", "brier_score_loss"),
    ),
    Metric(
        name="ece",
        type=loss(
            "expected calibration error: 10 equal-width score bins over [0, 1], each bin's gap "
            "between observed rate and mean score weighted by its share of the rows"
        ),
        values=lambda e: {"ece": e.calibration.ece if e.calibration else None},
        headline=True,
        note="10 equal-width bins",
        undefined_as="log_loss",
    ),
    Metric(
        name="ece_quantile",
        type=loss(
            "expected calibration error over 10 equal-count (quantile) bins, as "
            "calibration_curve(strategy='quantile'); not comparable with ece"
        ),
        values=lambda e: {"ece_quantile": e.calibration.ece_quantile if e.calibration else None},
        headline=True,
        note="10 equal-count bins",
        undefined_as="log_loss",
    ),
    _at_metric("precision", rate, "share of alerts that are positives"),
    _at_metric("recall", rate, "share of positives alerted on"),
    _at_metric("f1", score, "harmonic mean of precision and recall"),
    _at_metric("fpr", rate, "share of negatives alerted on", direction="lower"),
    _at_metric("alerts_per_10k", rate, "alerts per 10,000 rows (a volume)", direction="neutral"),
    Metric(
        name="recall@fpr",
        type=rate("best recall within the false-positive-rate budget", threshold=True),
        values=_RECALL_AT_FPR[0],
        thresholds=_RECALL_AT_FPR[1],
    ),
    Metric(
        name="precision@recall",
        type=rate("best precision reaching the recall target", threshold=True),
        values=_PRECISION_AT_RECALL[0],
        thresholds=_PRECISION_AT_RECALL[1],
    ),
    Metric(
        name="recall@alerts_per_10k",
        type=rate("best recall within the alert budget (alerts per 10,000 rows)", threshold=True),
        values=_RECALL_AT_ALERTS[0],
        thresholds=_RECALL_AT_ALERTS[1],
    ),
    Metric(
        name="f1@threshold",
        type=score("F1 at the fixed decision threshold", threshold=True),
        values=_F1_AT_THRESHOLD[0],
        thresholds=_F1_AT_THRESHOLD[1],
    ),
    Metric(
        name="precision@k",
        type=rate("precision of the k highest scores"),
        values=lambda e: {f"precision@{k}": v for k, v in e.precision_at_k.items()},
    ),
)
BY_NAME = {m.name: m for m in METRICS}


def metric_values(metric: Metric, e: Evaluation) -> Values:
    """The values of one metric (one name, or one per target of a family) in an evaluation."""
    if metric.values is not None:
        return metric.values(e)
    return {
        k: v for k, v in e.values.items() if k == metric.name or k.startswith(f"{metric.name}@")
    }


def row_values(ranked: Ranked, options: EvalOptions) -> Values:
    """The metrics computed on the ranked rows while evaluating (see `Metric.rows`)."""
    found: Values = {}
    for metric in METRICS:
        if metric.rows is not None:
            found.update(metric.rows(ranked, options))
    return found


def computed_metrics(e: Evaluation) -> dict[str, float]:
    """Every defined computed metric, by name (sorted): what leaderboards and cards show."""
    values = {k: v for metric in METRICS for k, v in metric_values(metric, e).items()}
    return {k: float(v) for k, v in sorted(values.items()) if v is not None}


def metric_thresholds(e: Evaluation) -> dict[str, float]:
    """The decision threshold each threshold-dependent computed value was taken at."""
    found = {k: v for m in METRICS if m.thresholds for k, v in m.thresholds(e).items()}
    return {k: float(v) for k, v in sorted(found.items()) if v is not None}


def headline_metrics() -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.headline)


def undefined_reason(e: Evaluation, metric: Metric, name: str) -> str:
    """Why `name` (a value of `metric`) has no value in `e`."""
    for key in (name, metric.name, metric.undefined_as):
        if key and key in e.undefined:
            return e.undefined[key]
    return "not computed"


# --- what a name means ---------------------------------------------------------------------


def _aliases() -> dict[str, Metric]:
    found = {}
    for metric in METRICS:
        for name in (metric.name, *metric.aliases):
            found[name.lower()] = metric
    return found


ALIASES = _aliases()


def canonical(name: str) -> str:
    """The computed metric a logged name means (`roc_auc_score` -> `roc_auc`), else the name."""
    metric = ALIASES.get(name.lower())
    return metric.name if metric is not None and "@" not in metric.name else name


class MetricTypes:
    """What every metric name means, for one build: the user's declarations (`metric_types`,
    then `neutral` and `lower_is_better` patterns), then the metrics table, then name rules."""

    def __init__(
        self,
        declared: tuple[tuple[str, Mapping[str, str]], ...] = (),
        lower: tuple[str, ...] = (),
        neutral: tuple[str, ...] = (),
    ) -> None:
        self.declared = declared
        self.lower = lower
        self.neutral = neutral
        self._memo: dict[str, MetricType] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> MetricTypes:
        return cls(settings.metric_types, settings.lower_is_better, settings.neutral)

    def of(self, name: str) -> MetricType:
        found = self._memo.get(name)
        if found is None:
            found = self._memo[name] = self._user(name) or self._builtin(name)
        return found

    def _user(self, name: str) -> MetricType | None:
        key = name.lower()
        exact = [f for p, f in self.declared if p.lower() == key]
        pattern = [f for p, f in self.declared if _GLOB & set(p) and _match(key, p)]
        if exact or pattern:
            fields = (exact or pattern)[0]
            if fields.get("kind") == "count" and "format" not in fields:
                fields = {**fields, "format": "integer"}
            return replace(self._builtin(name), **fields)
        if any(_match(key, p) for p in self.neutral):
            return replace(self._builtin(name), direction="neutral")
        if any(_match(key, p) for p in self.lower):
            return replace(self._builtin(name), direction="lower")
        return None

    def _builtin(self, name: str) -> MetricType:
        key = name.lower()
        metric = ALIASES.get(key)
        if metric is not None:
            return metric.type
        if "@" in key:
            return self._derived(name)
        for prefix in SPLIT_PREFIXES:
            rest = name[len(prefix) :]
            if key.startswith(prefix) and rest and rest.lower() in ALIASES:
                return ALIASES[rest.lower()].type
        for patterns, kind in RULES:
            if any(fnmatchcase(key, p) for p in patterns):
                return kind
        return MetricType()

    def _derived(self, name: str) -> MetricType:
        """`X@constraint`: a family of the table (`recall@fpr=0.01`, `precision@100`), else what
        X means (`partial_auc@fpr=0.01` is a `partial_auc`)."""
        base, _, constraint = name.partition("@")
        family = f"{base}@{constraint.partition('=')[0]}" if "=" in constraint else ""
        if not family and constraint.isdigit():
            family = f"{base}@k"
        metric = ALIASES.get(family.lower())
        if metric is not None:
            return metric.type
        return self.of(base)


_GLOB = set("*?[")


def _match(key: str, pattern: str) -> bool:
    return fnmatchcase(key, pattern.lower())
