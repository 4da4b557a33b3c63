"""One run's data file for the ad-hoc comparison page (`compare/?runs=a,b`), which draws any
runs together in the browser, without a rebuild.

The file is a script (so it loads from file:// too) that adds the run to
`window.__reporterRuns`, keyed by its id; it is named by a digest of the id
(`urls.run_data`), so the page finds it from the id alone and loads only the chosen runs' files.
It holds what a comparison shows of a run: its metrics, parameters, the figures of its histories
and curves (built by the same chart builders as a built comparison, so overlays look the same),
and its operating points. Sizes are bounded by the point budgets, like every chart.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson

from reporter.charts import evaluation as eval_charts
from reporter.charts.history import overlay_history_chart
from reporter.config import Settings
from reporter.config.operating import OperatingPointSpec
from reporter.model import Run
from reporter.pages import filters, urls
from reporter.pages.run_page import targets
from reporter.study.analyse import Ranking, metric_value

CURVE_RUNS = 5  # curves are stored thin enough for this many runs within the chart budget


def run_data(
    run: Run,
    *,
    settings: Settings,
    paths: urls.Paths,
    ranking: Ranking,
    operating_point: OperatingPointSpec | None,
) -> dict[str, Any]:
    """What the ad-hoc comparison page shows of `run`; URLs relative to the site's root."""

    def site_url(src_uri: str) -> str:
        return quote(urls.page_url(src_uri, settings.use_directory_urls))

    names = sorted({*run.metrics, *run.computed})
    history_url = None
    if run.history_file:
        history_url = site_url(paths.run_file(run.id, filters.basename(run.history_file)))
    return {
        "id": run.id,
        "name": run.name,
        "url": site_url(paths.run_page(run.id)),
        "history_url": history_url,
        "experiment": run.experiment,
        "status": run.status,
        "ranked": ranking.ranked(run),
        "baseline": run.baseline,
        "created": filters.date(run.created),
        "tags": list(run.tags),
        "metrics": {n: filters.short(v) for n in names if (v := metric_value(run, n)) is not None},
        "params": {
            k: filters.value_text(v)
            for k, v in list(sorted(run.params.items()))[: filters.ROW_LIMIT]
        },
        "eval_key": _eval_key(run),
        "histories": _histories(run, settings),
        **_evaluation(run, settings, operating_point),
    }


def run_data_script(data: dict[str, Any]) -> str:
    """The data file: JSON assigned by a script, the id a JSON string (never code)."""
    key = orjson.dumps(data["id"]).decode()
    body = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return f"(window.__reporterRuns=window.__reporterRuns||{{}})[{key}]={body};\n"


def _eval_key(run: Run) -> str:
    declared = run.info.get("run.eval_dataset")
    return f"dataset {declared}" if declared else run.eval_fingerprint


def _histories(run: Run, settings: Settings) -> dict[str, Any]:
    found = {}
    for s in run.histories:
        chart = overlay_history_chart(
            s.name, [(run, s)], max_points=settings.max_points, chart_points=settings.chart_points
        )
        found[s.name] = {"figure": chart.figure, "points": len(s.y)}
    return found


def _split(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure's run traces apart from its reference lines (drawn once in an overlay)."""
    data = figure["data"]
    return {
        "layout": figure["layout"],
        "traces": [t for t in data if t.get("hoverinfo") != "skip"],
        "references": [t for t in data if t.get("hoverinfo") == "skip"],
    }


def _evaluation(
    run: Run, settings: Settings, operating_point: OperatingPointSpec | None
) -> dict[str, Any]:
    e = run.evaluation
    if e is None:
        return {"pr": None, "roc": None, "operating": [], "precision_at_k": {}}
    budget = max(50, settings.chart_points // CURVE_RUNS)
    items = [(run.name, e)]
    operating = []
    for t in targets(e, operating_point):
        point = t.point(e)
        operating.append(
            {
                "metric": t.metric,
                "label": t.label,
                "attr": t.attr,
                "secondary": t.secondary,
                "operating": t.operating,
                "threshold": _number(point.threshold) if point else None,
                "value": _number(getattr(point, t.attr)) if point else None,
                "other": _number(getattr(point, t.secondary)) if point else None,
            }
        )
    return {
        "pr": _split(eval_charts.pr_chart(items, budget=budget).figure) if e.pr else None,
        "roc": _split(eval_charts.roc_chart(items, budget=budget).figure) if e.roc else None,
        "operating": operating,
        "precision_at_k": {str(k): _number(v) for k, v in e.precision_at_k.items()},
    }


def _number(value: float | None) -> float | None:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return filters.short(float(value))
