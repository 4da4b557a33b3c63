"""Comparison charts as Plotly figure dicts (pure): histories, parameters, slices."""

from __future__ import annotations

from typing import Any

from reporter.analyse import metric_value
from reporter.charts import (
    PALETTE,
    Chart,
    _layout,
    compact,
    downsample,
    group_histories,
    y_scale_menu,
)
from reporter.compare import Comparison, is_seed_key
from reporter.model import MetricSeries, Run

_GREY = "#bdbdbd"


def history_names(runs: tuple[Run, ...]) -> list[str]:
    return sorted({s.name for r in runs for s in r.histories})


def history_charts(
    cmp: Comparison, names: list[str] | None, *, max_points: int, chart_points: int
) -> list[Chart]:
    """One chart per history metric, one trace per run, within a point budget per chart."""
    wanted = names or history_names(cmp.runs)
    charts = []
    for name in wanted:
        series = [(r, s) for r in cmp.runs for s in r.histories if s.name == name]
        if series:
            charts.append(_history_chart(name, series, max_points, chart_points))
    return charts


def _history_chart(
    name: str, series: list[tuple[Run, MetricSeries]], max_points: int, chart_points: int
) -> Chart:
    budget = max(100, min(max_points, chart_points // len(series)))
    traces, shortened = [], 0
    for i, (run, s) in enumerate(series):
        keep = downsample(s.x, s.y, budget)
        shortened += len(keep) < len(s.y)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": run.name,
                "x": compact(s.x[keep], 9),
                "y": compact(s.y[keep]),
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 1.5},
                "hovertemplate": f"%{{y:.4g}} at {s.x_name} %{{x}}<extra>%{{fullData.name}}</extra>",
            }
        )
    caption = ""
    if shortened:
        caption = (
            f"{shortened} of {len(series)} series downsampled to at most {budget:,} points "
            "(min and max of each bucket kept, so spikes show); the full series are the "
            "history files linked in the table above."
        )
    layout = _layout(
        name,
        series[0][1].x_name,
        name,
        traces=len(traces),
        hovermode="closest",
        updatemenus=y_scale_menu(),
    )
    return Chart(key=f"history:{name}", figure={"data": traces, "layout": layout}, caption=caption)


def history_groups(cmp: Comparison) -> dict[str, list[str]]:
    """History metric names grouped the way run pages group them (train_x with valid_x)."""
    every = tuple(s for r in cmp.runs for s in r.histories)
    return {base: sorted({s.name for s in group}) for base, group in group_histories(every).items()}


def _param_axis(values: list[Any]) -> dict[str, Any]:
    """A parallel-coordinates dimension: numbers as they are, anything else as categories."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return {"values": [float(v) for v in values]}
    labels = sorted({str(v) for v in values})
    return {
        "values": [labels.index(str(v)) for v in values],
        "tickvals": list(range(len(labels))),
        "ticktext": labels,
    }


def varying_params(cmp: Comparison, limit: int = 8) -> list[str]:
    """Parameters that differ and every run has (seed-like ones left out), at most `limit`."""
    keys = [
        k
        for k in cmp.diff_params
        if not is_seed_key(k)
        and all(k in r.params and not isinstance(r.params[k], list | dict) for r in cmp.runs)
    ]
    return keys[:limit]


def parallel_chart(cmp: Comparison, metric: str) -> Chart | None:
    runs = [r for r in cmp.runs if metric_value(r, metric) is not None]
    params = varying_params(cmp)
    if len(runs) < 2 or not params:
        return None
    dims = [{"label": k, **_param_axis([r.params[k] for r in runs])} for k in params]
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
            **_layout(f"Parameters → {metric}", "", ""),
            "margin": {"l": 80, "r": 80, "t": 70, "b": 30},
        },
    }
    return Chart(key="parallel", figure=figure)


def scatter_chart(cmp: Comparison, metric: str) -> Chart | None:
    """The metric against each varying numeric parameter; a menu picks the parameter."""
    runs = [r for r in cmp.runs if metric_value(r, metric) is not None]
    numeric = [
        k
        for k in varying_params(cmp)
        if all(
            isinstance(r.params[k], int | float) and not isinstance(r.params[k], bool) for r in runs
        )
    ]
    if len(runs) < 2 or not numeric:
        return None
    xs = {k: [float(r.params[k]) for r in runs] for k in numeric}
    first = numeric[0]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": xs[first],
        "y": [metric_value(r, metric) for r in runs],
        "text": [r.name for r in runs],
        "marker": {"size": 10, "color": PALETTE[0]},
        "hovertemplate": "%{text}<br>%{x}: " + metric + " %{y:.4g}<extra></extra>",
    }
    layout = _layout(f"{metric} by parameter", first, metric, hovermode="closest", showlegend=False)
    layout["updatemenus"] = [
        {
            "type": "dropdown",
            "x": 1,
            "xanchor": "right",
            "y": 1.15,
            "showactive": True,
            "buttons": [
                {"label": k, "method": "update", "args": [{"x": [xs[k]]}, {"xaxis.title.text": k}]}
                for k in numeric
            ],
        }
    ]
    return Chart(key="scatter", figure={"data": [trace], "layout": layout})


def slices_heatmap(cmp: Comparison, metric: str, min_positives: int) -> Chart | None:
    """Runs x slices of `metric` (computed from predictions), with support in every cell."""
    cells = {r.id: _slice_cells(r, metric) for r in cmp.runs}
    columns = sorted({c for row in cells.values() for c in row})
    if not columns:
        return None
    runs = [r for r in cmp.runs if cells[r.id]]
    z, low, text, support = [], [], [], []
    for run in runs:
        zr, lr, tr, sr = [], [], [], []
        for col in columns:
            value, n, pos = cells[run.id].get(col, (None, None, None))
            weak = pos is not None and pos < min_positives
            zr.append(None if weak else value)
            lr.append(1 if weak and value is not None else None)
            tr.append(_cell_text(value, weak))
            sr.append(_support(n, pos, weak, min_positives))
        z.append(zr), low.append(lr), text.append(tr), support.append(sr)
    names = [r.name for r in runs]
    base = {
        "type": "heatmap",
        "x": columns,
        "y": names,
        "text": text,
        "customdata": support,
        "texttemplate": "%{text}",
        "textfont": {"size": 12},
        "hovertemplate": "%{y}<br>%{x}: %{text}<br>%{customdata}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    figure = {
        "data": [
            {**base, "z": z, "colorscale": "Viridis", "colorbar": {"title": {"text": metric}}},
            {**base, "z": low, "colorscale": [[0, _GREY], [1, _GREY]], "showscale": False},
        ],
        "layout": {
            **_layout(f"{metric} by slice (grey: fewer than {min_positives} positives)", "", ""),
            "height": 200 + 44 * len(runs),
            "margin": {"l": 200, "r": 20, "t": 40, "b": 90},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "hovermode": "closest",
        },
    }
    return Chart(key="slices", figure=figure)


def _slice_cells(
    run: Run, metric: str
) -> dict[str, tuple[float | None, float | None, float | None]]:
    if run.evaluation is not None and run.evaluation.slices:
        return {
            f"{col}={val}": (getattr(e, metric, None), e.n, e.positives)
            for col, values in run.evaluation.slices.items()
            for val, e in values.items()
        }
    return {
        name: (m.get(metric), m.get("n"), m.get("positives"))
        for name, m in run.slices.items()
        if metric in m
    }


def _cell_text(value: float | None, weak: bool) -> str:
    return ("—" if value is None else f"{value:.3f}") + (" ⚠" if weak else "")


def _support(n: float | None, pos: float | None, weak: bool, minimum: int) -> str:
    if n is None:
        return "support unknown"
    text = f"n={n:,.0f}" + ("" if pos is None else f", positives={pos:,.0f}")
    return text + (f" (fewer than {minimum} positives)" if weak else "")
