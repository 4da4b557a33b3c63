"""Render comparisons and their parts (the same parts the journal embeds)."""

from __future__ import annotations

from typing import Any

from reporter import charts_compare, charts_eval
from reporter.charts import Chart
from reporter.compare import MIN_RUNS_FOR_PARAMS_CHARTS, PARTS, Comparison, summary_rows
from reporter.settings import Settings

SLICE_METRIC = "average_precision"
PART_TITLES = {
    "table": "Summary",
    "config_diff": "Configuration differences",
    "history": "Training histories",
    "pr_curve": "Precision-recall curves",
    "roc_curve": "ROC curves",
    "operating_points": "Operating points",
    "calibration": "Calibration",
    "parallel": "Parameters and metric",
    "scatter": "Metric by parameter",
    "slices": "Slices",
}


def part_names(show: tuple[str, ...], cmp: Comparison) -> list[str]:
    """Requested parts that apply to these runs (e.g. parameter charts need 5+ runs)."""
    names = []
    for part in show:
        base = part.split(":", 1)[0]
        if base in ("parallel", "scatter") and len(cmp.runs) < MIN_RUNS_FOR_PARAMS_CHARTS:
            continue
        if base in PARTS:
            names.append(part)
    return names


def part_context(
    part: str, cmp: Comparison, settings: Settings, metric: str | None
) -> dict[str, Any]:
    """What the template of one part needs: its charts (computed here), rows and options."""
    base, _, arg = part.partition(":")
    charts: list[Chart | None] = []
    evaluated = [(r.name, r.evaluation) for r in cmp.runs if r.evaluation is not None]
    key_metric = metric or (cmp.columns[0].name if cmp.columns else SLICE_METRIC)
    if base == "history":
        names = [arg] if arg else None
        charts = list(
            charts_compare.history_charts(
                cmp, names, max_points=settings.max_points, chart_points=settings.chart_points
            )
        )
    elif base == "pr_curve" and evaluated:
        budget = max(50, settings.chart_points // len(evaluated))
        charts = [charts_eval.pr_chart(evaluated, key=f"pr:{cmp.spec.slug}", budget=budget)]
    elif base == "roc_curve" and evaluated:
        budget = max(50, settings.chart_points // len(evaluated))
        charts = [charts_eval.roc_chart(evaluated, key=f"roc:{cmp.spec.slug}", budget=budget)]
    elif base == "calibration" and evaluated:
        charts = [charts_eval.calibration_chart(evaluated)]
    elif base == "parallel":
        charts = [charts_compare.parallel_chart(cmp, key_metric)]
    elif base == "scatter":
        charts = [charts_compare.scatter_chart(cmp, key_metric)]
    elif base == "slices":
        charts = [
            charts_compare.slices_heatmap(
                cmp, arg or SLICE_METRIC, settings.evaluation.min_positives
            )
        ]
    return {
        "part": base,
        "arg": arg,
        "charts": [c for c in charts if c is not None],
        "rows": summary_rows(cmp) if base == "table" else [],
        "evaluated": [r for r in cmp.runs if r.evaluation is not None],
        "history_wanted": arg,
    }
