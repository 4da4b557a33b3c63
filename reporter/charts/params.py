"""Parameter charts of a comparison (pure): parallel coordinates and metric by parameter.

Parameters are compared as what they stand for (`reporter.model.param_value`): a tracker's
"10" is the number 10 on an axis, "True" a boolean; labels show the value, not its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reporter.charts.base import PALETTE, Chart, base_layout, control
from reporter.model import Run, typed_params
from reporter.study.analyse import metric_value
from reporter.study.compare import Comparison, is_seed_key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _param_axis(values: list[Any]) -> dict[str, Any]:
    """A parallel-coordinates dimension: numbers as they are, anything else as categories in
    order (False before True, numbers by value before text)."""
    if all(_is_number(v) for v in values):
        return {"values": [float(v) for v in values]}
    order = sorted(set(values), key=lambda v: (not _is_number(v), v if _is_number(v) else str(v)))
    labels = [str(v) for v in order]
    return {
        "values": [order.index(v) for v in values],
        "tickvals": list(range(len(labels))),
        "ticktext": labels,
    }


def _typed(runs: list[Run] | tuple[Run, ...]) -> dict[str, dict[str, Any]]:
    return {r.id: typed_params(r) for r in runs}


def varying_params(cmp: Comparison, limit: int = 8) -> list[str]:
    """Parameters that differ and every run has (seed-like ones left out), at most `limit`."""
    keys = [
        k
        for k in cmp.diff_params
        if not is_seed_key(k)
        and all(k in r.params and not isinstance(r.params[k], list | dict) for r in cmp.runs)
    ]
    return keys[:limit]


def _mixed_set(values: list[Any]) -> bool:
    """Booleans and numbers on one axis would collide (True == 1): keep such axes as text."""
    return any(isinstance(v, bool) for v in values) and any(_is_number(v) for v in values)


def parallel_chart(cmp: Comparison, metric: str) -> Chart | None:
    runs = [r for r in cmp.runs if metric_value(r, metric) is not None]
    params = varying_params(cmp)
    if len(runs) < 2 or not params:
        return None
    typed = _typed(runs)
    dims = []
    for k in params:
        values = [typed[r.id][k] for r in runs]
        values = [str(v) for v in values] if _mixed_set(values) else values
        dims.append({"label": k, **_param_axis(values)})
    scores = [metric_value(r, metric) for r in runs]
    dims.append({"label": metric, "values": scores})
    figure = {
        "data": [
            {
                "type": "parcoords",
                "dimensions": dims,
                "line": {
                    "color": scores,
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": metric}},
                },
            }
        ],
        "layout": {
            **base_layout(f"Parameters → {metric}", "", ""),
            # room for the title above the dimension labels plotly.js writes over each axis
            "margin": {"l": 80, "r": 80, "t": 110, "b": 30},
        },
    }
    best = max(range(len(runs)), key=lambda i: scores[i])
    summary = (
        f"{len(runs)} runs across {len(params)} parameters ({', '.join(params)}), one line per "
        f"run coloured by {metric}; the highest, {scores[best]:.4g}, is {runs[best].name}."
    )
    return Chart(key="parallel", figure=figure, summary=summary)


def scatter_chart(
    cmp: Comparison, metric: str, colours: Mapping[str, str] | None = None
) -> Chart | None:
    """The metric against each varying numeric parameter; a menu picks the parameter."""
    runs = [r for r in cmp.runs if metric_value(r, metric) is not None]
    typed = _typed(runs)
    numeric = [k for k in varying_params(cmp) if all(_is_number(typed[r.id][k]) for r in runs)]
    if len(runs) < 2 or not numeric:
        return None
    xs = {k: [float(typed[r.id][k]) for r in runs] for k in numeric}
    first = numeric[0]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": xs[first],
        "y": [metric_value(r, metric) for r in runs],
        "text": [r.name for r in runs],
        "marker": {"size": 10, "color": [(colours or {}).get(r.id, PALETTE[0]) for r in runs]},
        "hovertemplate": "%{text}<br>%{x}: " + metric + " %{y:.4g}<extra></extra>",
    }
    figure_layout = base_layout(
        f"{metric} by parameter", first, metric, hovermode="closest", showlegend=False
    )
    picker = control(
        "parameter",
        *(
            {"label": k, "restyle": {"x": [xs[k]]}, "relayout": {"xaxis.title.text": k}}
            for k in numeric
        ),
    )
    summary = (
        f"{metric} of {len(runs)} runs against {first}"
        + (
            f" (the list above the chart picks another of {len(numeric)} parameters)"
            if len(numeric) > 1
            else ""
        )
        + "; each point in its run's colour, its name on hover."
    )
    return Chart(
        key="scatter",
        figure={"data": [trace], "layout": figure_layout, "controls": [picker]},
        summary=summary,
    )
