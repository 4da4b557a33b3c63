"""What a run page shows beyond the run's own fields, worked out from it (pure): the Performance
section's rows and charts, per-slice rows, and the runs it is related to."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reporter.charts import evaluation as eval_charts_
from reporter.evaluation.metrics import headline_metrics, metric_values, undefined_reason
from reporter.evaluation.results import Evaluation
from reporter.model import Run
from reporter.study.analyse import Study

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
                )
            )
    return rows


def slice_rows(e: Evaluation) -> list[tuple[str, str, Evaluation]]:
    """(column, value, evaluation) for every slice, sorted by column then value."""
    return [
        (col, val, sub)
        for col, values in sorted(e.slices.items())
        for val, sub in sorted(values.items())
    ]


def eval_charts(run: Run) -> dict[str, Any]:
    """The Performance section's charts, or {} when the run has no evaluation."""
    e = run.evaluation
    if e is None:
        return {}
    item = [(run.name, e)]
    return {
        "confusion": eval_charts_.confusion_chart(e),
        "curves": [eval_charts_.pr_chart(item), eval_charts_.roc_chart(item)],
        "calibration": eval_charts_.calibration_chart(item),
        "slices": [
            eval_charts_.slice_chart(col, values) for col, values in sorted(e.slices.items())
        ],
    }


def related_runs(run: Run, study: Study) -> list[tuple[str, Run]]:
    """Runs this one names (parent, children, the run that produced a model...) that exist."""
    by_id = {r.id: r for r in study.runs}
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
