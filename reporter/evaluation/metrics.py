"""What the evaluation reports, declared once.

Each `Metric` says how its values are read from an `Evaluation` (or computed on the ranked rows
while evaluating), whether it is a headline of a run page's Performance section, and which
logged names mean the same thing. The leaderboard, run pages, comparisons and exported cards all
read computed metrics through `computed_metrics`, so a new metric is one entry here (plus its
arithmetic in `curves`). A metric may be a family: `recall@fpr` gives one value per target,
named `recall@fpr=0.01`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.evaluation.curves import Ranked
    from reporter.evaluation.evaluate import EvalOptions
    from reporter.evaluation.results import Evaluation

ONE_CLASS = "undefined: only one class"
NO_POSITIVES = "undefined: no positives"
NO_NEGATIVES = "undefined: no negatives"

# Logged or computed names the home page and the leaderboard rank by, in order of preference,
# and the metrics shown by default in tables when most runs have them.
PRIMARY_CANDIDATES = ("pr_auc", "average_precision", "roc_auc")
DEFAULT_COLUMNS = (*PRIMARY_CANDIDATES, "log_loss", "brier")

Values = dict[str, "float | None"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    """A computed metric (or family of metrics): where its values come from and how it is shown.

    `values` reads them from an evaluation's results; `rows` computes them on the ranked rows
    while evaluating (kept in `Evaluation.values`). `undefined_as` names the evaluation's reason
    to show when a value is undefined, if not the metric's own.
    """

    name: str
    values: Callable[[Evaluation], Values] | None = None
    rows: Callable[[Ranked, EvalOptions], Values] | None = None
    headline: bool = False
    aliases: tuple[str, ...] = ()
    undefined_as: str = ""


def primary_fpr(options: EvalOptions) -> float:
    """The FPR budget that matters most: the middle one of the configured targets."""
    targets = sorted(options.fpr_targets)
    return targets[len(targets) // 2]


def _partial_auc(r: Ranked, options: EvalOptions) -> Values:
    from reporter.evaluation.curves import partial_auc

    budget = primary_fpr(options)
    both = r.positives > 0 and r.negatives > 0
    return {f"partial_auc@fpr={budget:g}": partial_auc(r.tps, r.fps, budget) if both else None}


def _at(attr: str) -> Callable[[Evaluation], Values]:
    return lambda e: {attr: getattr(e.at_threshold, attr)}


def _recall_at_fpr(e: Evaluation) -> Values:
    return {f"recall@fpr={t:g}": p.recall if p else None for t, p in e.recall_at_fpr.items()}


def _precision_at_recall(e: Evaluation) -> Values:
    return {
        f"precision@recall={t:g}": p.precision if p else None
        for t, p in e.precision_at_recall.items()
    }


METRICS: tuple[Metric, ...] = (
    Metric(
        name="roc_auc", values=lambda e: {"roc_auc": e.roc_auc}, headline=True, aliases=("auc",)
    ),
    Metric(
        name="average_precision",
        values=lambda e: {"average_precision": e.average_precision},
        headline=True,
        aliases=("pr_auc", "ap"),
    ),
    Metric(name="partial_auc", rows=_partial_auc, headline=True, undefined_as="roc_auc"),
    Metric(name="log_loss", values=lambda e: {"log_loss": e.log_loss}, headline=True),
    Metric(name="brier", values=lambda e: {"brier": e.brier}, headline=True),
    Metric(
        name="ece",
        values=lambda e: {"ece": e.calibration.ece if e.calibration else None},
        headline=True,
        undefined_as="log_loss",
    ),
    Metric(name="precision", values=_at("precision")),
    Metric(name="recall", values=_at("recall")),
    Metric(name="f1", values=_at("f1")),
    Metric(name="fpr", values=_at("fpr")),
    Metric(name="alerts_per_10k", values=_at("alerts_per_10k")),
    Metric(name="recall@fpr", values=_recall_at_fpr),
    Metric(name="precision@recall", values=_precision_at_recall),
    Metric(
        name="precision@k",
        values=lambda e: {f"precision@{k}": v for k, v in e.precision_at_k.items()},
    ),
)


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


def headline_metrics() -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.headline)


def undefined_reason(e: Evaluation, metric: Metric, name: str) -> str:
    """Why `name` (a value of `metric`) has no value in `e`."""
    for key in (name, metric.name, metric.undefined_as):
        if key and key in e.undefined:
            return e.undefined[key]
    return "not computed"
