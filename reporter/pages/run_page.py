"""What a run page shows beyond the run's own fields, worked out from it (pure): the Performance
section's rows and charts, per-slice rows, and the runs it is related to."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reporter.charts import evaluation as eval_charts_
from reporter.charts.base import run_colours
from reporter.config.operating import OperatingPointSpec
from reporter.evaluation.metrics import headline_metrics, metric_values, undefined_reason
from reporter.evaluation.results import Evaluation, OperatingPoint
from reporter.model import Run
from reporter.study.analyse import Ranking, Study

TOLERANCE = 1e-3  # logged and computed values further apart than this are flagged


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricRow:
    """One headline metric: computed from predictions, as logged, interval, and why undefined."""

    name: str
    computed: float | None
    logged: float | None
    logged_as: str
    ci: tuple[float, float] | None
    undefined: str
    note: str = ""  # how it is computed, in a few words ("10 equal-width bins")
    title: str = ""  # what it is and which way is better (a tooltip)

    @property
    def disagrees(self) -> bool:
        if self.computed is None or self.logged is None:
            return False
        return not math.isclose(self.computed, self.logged, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def headline_rows(run: Run) -> list[MetricRow]:
    """The run page's Performance table: every headline metric of `reporter.evaluation.metrics`."""
    e = run.evaluation
    if e is None:
        return []
    rows = []
    for metric in headline_metrics():
        for name in metric_values(metric, e):
            computed = run.computed.get(name)
            names = (name, *metric.aliases) if name == metric.name else (name,)
            logged_as = next((a for a in names if a in run.metrics), "")
            rows.append(
                MetricRow(
                    name=name,
                    computed=computed,
                    logged=run.metrics.get(logged_as) if logged_as else None,
                    logged_as=logged_as,
                    ci=e.ci.get(name),
                    undefined="" if computed is not None else undefined_reason(e, metric, name),
                    note=metric.note,
                    title=metric.type.title(),
                )
            )
    return rows


# family -> (the evaluation's points, what is maximised, how a target reads)
_FAMILIES = {
    "recall@fpr": (lambda e: e.recall_at_fpr, "recall", lambda t: f"FPR ≤ {t * 100:g}%"),
    "precision@recall": (
        lambda e: e.precision_at_recall,
        "precision",
        lambda t: f"recall ≥ {t * 100:g}%",
    ),
    "recall@alerts_per_10k": (
        lambda e: e.recall_at_alerts,
        "recall",
        lambda t: f"≤ {t:g} alerts per 10,000",
    ),
    "f1@threshold": (lambda e: e.at_thresholds, "f1", lambda t: f"threshold {t:g}"),
}
_MAXIMISED = {"recall": "best recall", "precision": "best precision", "f1": "F1"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """One target of an operating-point table: `recall@fpr=0.01`, maximising recall."""

    family: str
    target: float
    attr: str  # the OperatingPoint field maximised there
    label: str  # "FPR ≤ 1%"
    operating: bool  # the team's operating point

    @property
    def metric(self) -> str:
        return f"{self.family}={self.target:g}"

    @property
    def long(self) -> str:
        return f"{_MAXIMISED[self.attr]} at {self.label}"

    @property
    def secondary(self) -> str:
        """The other value a comparison shows beside the maximised one."""
        return "alerts_per_10k" if self.attr == "precision" else "precision"

    def point(self, e: Evaluation) -> OperatingPoint | None:
        return _FAMILIES[self.family][0](e).get(self.target)


def targets(e: Evaluation, op: OperatingPointSpec | None) -> list[Target]:
    """Every operating-point target the evaluation has, the team's operating point first."""
    found = [
        Target(
            family=family,
            target=t,
            attr=attr,
            label=label(t),
            operating=op is not None and op.metric == f"{family}={t:g}",
        )
        for family, (points, attr, label) in _FAMILIES.items()
        for t in points(e)
    ]
    return sorted(found, key=lambda t: not t.operating)  # stable: the rest keep their order


@dataclass(frozen=True, kw_only=True, slots=True)
class OperatingTable:
    """A comparison's operating points: runs best first at the operating point (or primary
    metric), and the best ranked run at each target."""

    targets: list[Target]
    runs: list[Run]
    winners: dict[str, str]  # target metric -> run id


def operating_table(
    runs: list[Run], op: OperatingPointSpec | None, ranking: Ranking, by: str | None
) -> OperatingTable:
    evaluated = [r for r in runs if r.evaluation is not None]
    if not evaluated:
        return OperatingTable(targets=[], runs=[], winners={})
    first = evaluated[0].evaluation
    assert first is not None
    found = targets(first, op)
    ordered = ranking.order(evaluated, by) if by else evaluated
    winners = {}
    for t in found:
        best = ranking.order(evaluated, t.metric, value=_point_value(t))
        top = best[0] if best else None
        if top is not None and ranking.ranked(top) and _point_value(t)(top, t.metric) is not None:
            winners[t.metric] = top.id
    return OperatingTable(targets=found, runs=ordered, winners=winners)


def _point_value(t: Target):  # noqa: ANN202
    def value(run: Run, _name: str) -> float | None:
        point = t.point(run.evaluation) if run.evaluation is not None else None
        return getattr(point, t.attr) if point is not None else None

    return value


def slice_rows(e: Evaluation) -> list[tuple[str, str, Evaluation]]:
    """(column, value, evaluation) for every slice, sorted by column then value."""
    return [
        (col, val, sub)
        for col, values in sorted(e.slices.items())
        for val, sub in sorted(values.items())
    ]


def eval_charts(run: Run, min_positives: int | None = None) -> dict[str, Any]:
    """The Performance section's charts, or {} when the run has no evaluation."""
    e = run.evaluation
    if e is None:
        return {}
    item = [(run.name, e)]
    colour = [run_colours([run.id])[run.id]]  # the run's colour on every page
    return {
        "confusion": eval_charts_.confusion_chart(e),
        "curves": [
            eval_charts_.pr_chart(item, colours=colour),
            eval_charts_.roc_chart(item, colours=colour),
        ],
        "calibration": eval_charts_.calibration_chart(item, colours=colour),
        "slices": [
            eval_charts_.slice_chart(
                col, values, overall=e.average_precision, min_positives=min_positives
            )
            for col, values in sorted(e.slices.items())
        ],
    }


def related_runs(run: Run, study: Study) -> list[tuple[str, Run]]:
    """Runs this one names (parent, children, the run that produced a model...) that exist."""
    by_id = study.by_id
    related = []
    for key, label in (
        ("parent", "Parent run"),
        ("children", "Child run"),
        ("produced_by", "Produced by"),
        ("produced_models", "Model"),
    ):
        value = run.info.get(key)
        for target in value if isinstance(value, list) else [value]:
            if isinstance(target, str) and target in by_id and target != run.id:
                related.append((label, by_id[target]))
    return related
