"""Evaluation charts as Plotly figure dicts (pure): PR, ROC, calibration, confusion, slices.

Every curve function takes `(label, Evaluation)` pairs, so a run page draws one trace and a
comparison overlays many with the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reporter.charts.base import PALETTE, Chart, base_layout
from reporter.evaluation.results import Evaluation
from reporter.model import Run
from reporter.study.compare import Comparison

_GREY = "#9e9e9e"
_LOW_SUPPORT = "#bdbdbd"  # heatmap cells with too few positives
_THRESHOLD_HOVER = "threshold %{customdata:.4g}<extra>%{fullData.name}</extra>"


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _list(values: np.ndarray) -> list[float | None]:
    """Floats for JSON; non-finite values (an infinite threshold) become None."""
    a = np.asarray(values, dtype=float)
    if np.isfinite(a).all():
        return a.tolist()
    return [float(v) if np.isfinite(v) else None for v in a]


def _thin(n: int, budget: int | None) -> np.ndarray:
    """At most `budget` evenly spaced indices of n, first and last included (all when None)."""
    if budget is None or n <= budget:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(budget, 2)).round().astype(int))


def _curve(
    label: str,
    i: int,
    x: np.ndarray,
    y: np.ndarray,
    thresholds: np.ndarray,
    hover: str,
    shape: str = "linear",
) -> dict[str, Any]:
    """One run's curve, its threshold on hover."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": label,
        "line": {"color": _color(i), "shape": shape},
        "x": _list(x),
        "y": _list(y),
        "customdata": _list(thresholds),
        "hovertemplate": hover + _THRESHOLD_HOVER,
    }


def _reference(name: str, y: list[float]) -> dict[str, Any]:
    """A dotted reference line from x=0 to x=1 (no skill, chance)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": [0, 1],
        "y": y,
        "hoverinfo": "skip",
        "line": {"color": _GREY, "dash": "dot", "width": 1},
    }


def pr_chart(
    items: list[tuple[str, Evaluation]], key: str = "pr_curve", budget: int | None = None
) -> Chart:
    """Precision against recall, threshold on hover, each run's operating point marked.
    `budget`: points per curve, for overlays of many runs."""
    traces: list[dict[str, Any]] = []
    for i, (label, e) in enumerate(items):
        if e.pr is None:
            continue
        keep = _thin(len(e.pr.recall), budget)
        hover = "recall %{x:.3f}<br>precision %{y:.3f}<br>"
        traces.append(
            _curve(
                label,
                i,
                e.pr.recall[keep],
                e.pr.precision[keep],
                e.pr.thresholds[keep],
                hover,
                shape="hv",
            )
        )
        traces.append(_operating_point(label, e, i, x="recall", y="precision"))
    if len(items) == 1 and items[0][1].pr is not None:
        prevalence = items[0][1].prevalence
        traces.append(_reference(f"no skill ({prevalence:.2%})", [prevalence, prevalence]))
    layout = base_layout(
        "Precision-recall curve", "recall", "precision", traces=len(items) + 1, hovermode="closest"
    )
    layout["xaxis"]["range"] = [0, 1.02]
    layout["yaxis"]["range"] = [0, 1.02]
    return Chart(key=key, figure={"data": traces, "layout": layout})


def roc_chart(
    items: list[tuple[str, Evaluation]], key: str = "roc_curve", budget: int | None = None
) -> Chart:
    """True-positive rate against false-positive rate; a button switches FPR to a log axis."""
    traces: list[dict[str, Any]] = []
    for i, (label, e) in enumerate(items):
        if e.roc is None:
            continue
        keep = _thin(len(e.roc.fpr), budget)
        hover = "FPR %{x:.4f}<br>recall %{y:.3f}<br>"
        traces.append(
            _curve(label, i, e.roc.fpr[keep], e.roc.tpr[keep], e.roc.thresholds[keep], hover)
        )
        traces.append(_operating_point(label, e, i, x="fpr", y="recall"))
    traces.append(_reference("chance", [0, 1]))
    layout = base_layout(
        "ROC curve", "false-positive rate", "true-positive rate (recall)", hovermode="closest"
    )
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "right",
            "x": 1,
            "xanchor": "right",
            "y": 0.02,
            "yanchor": "bottom",
            "showactive": True,
            "buttons": [
                {"label": "linear FPR", "method": "relayout", "args": [{"xaxis.type": "linear"}]},
                {"label": "log FPR", "method": "relayout", "args": [{"xaxis.type": "log"}]},
            ],
        }
    ]
    return Chart(key=key, figure={"data": traces, "layout": layout})


def _operating_point(label: str, e: Evaluation, i: int, *, x: str, y: str) -> dict[str, Any]:
    at = e.at_threshold
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{label} @ {at.threshold:.4g}",
        "x": [getattr(at, x)],
        "y": [getattr(at, y)],
        "customdata": _list(np.array([at.threshold])),
        "marker": {
            "color": _color(i),
            "size": 10,
            "symbol": "diamond",
            "line": {"width": 1, "color": "#fff"},
        },
        "hovertemplate": f"operating point<br>{x} %{{x:.4f}}<br>{y} %{{y:.4f}}<br>"
        + _THRESHOLD_HOVER,
        "showlegend": False,
    }


def calibration_chart(
    items: list[tuple[str, Evaluation]], key: str = "calibration"
) -> Chart | None:
    """Reliability diagram: observed positive rate against mean score per quantile bin."""
    traces: list[dict[str, Any]] = []
    for i, (label, e) in enumerate(items):
        c = e.calibration
        if c is None:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{label} (ECE {c.ece:.4f})",
                "x": _list(c.prob_pred),
                "y": _list(c.prob_true),
                "customdata": _list(c.bin_weight),
                "line": {"color": _color(i)},
                "hovertemplate": "mean score %{x:.4f}<br>observed rate %{y:.4f}<br>weight %{customdata:,.0f}<extra></extra>",
            }
        )
    if not traces:
        return None
    top = max(max((v for t in traces for v in t["x"] + t["y"] if v is not None), default=1.0), 1e-3)
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "perfectly calibrated",
            "x": [0, top],
            "y": [0, top],
            "hoverinfo": "skip",
            "line": {"color": _GREY, "dash": "dot", "width": 1},
        }
    )
    layout = base_layout(
        "Calibration (quantile bins)",
        "mean predicted score",
        "observed positive rate",
        hovermode="closest",
    )
    return Chart(key=key, figure={"data": traces, "layout": layout})


def confusion_chart(e: Evaluation, key: str = "confusion") -> Chart:
    """The confusion matrix at the run's threshold, counts written in the cells."""
    at = e.at_threshold
    z = [[at.tn, at.fp], [at.fn, at.tp]]
    figure = {
        "data": [
            {
                "type": "heatmap",
                "x": ["predicted negative", "predicted positive"],
                "y": ["actual negative", "actual positive"],
                "colorscale": [[0, "#f5f9ff"], [1, "#7fb2e5"]],
                "showscale": False,
                "z": [[float(np.log10(v + 1)) for v in row] for row in z],
                "text": [[f"{v:,.0f}" for v in row] for row in z],
                "texttemplate": "%{text}",
                "hovertemplate": "%{y}, %{x}: %{text}<extra></extra>",
            }
        ],
        "layout": {
            **base_layout(f"Confusion matrix at threshold {at.threshold:.4g}", "", ""),
            "height": 300,
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"automargin": True},
            "hovermode": "closest",
            "margin": {"l": 110, "r": 10, "t": 40, "b": 40},
        },
    }
    return Chart(key=key, figure=figure)


def slice_chart(
    column: str, values: dict[str, Evaluation], metric: str = "average_precision", key: str = ""
) -> Chart:
    """One bar per slice value with its bootstrap interval; low-support slices in grey."""
    names = list(values)
    ys = [getattr(values[v], metric) for v in names]
    cis = [values[v].ci.get(metric) for v in names]
    plus = [(ci[1] - y) if ci and y is not None else None for ci, y in zip(cis, ys, strict=True)]
    minus = [(y - ci[0]) if ci and y is not None else None for ci, y in zip(cis, ys, strict=True)]
    colors = [_GREY if values[v].low_support else PALETTE[0] for v in names]
    text = [
        f"n {values[v].n:,.0f}, positives {values[v].positives:,.0f}"
        + (" (too few positives)" if values[v].low_support else "")
        for v in names
    ]
    figure = {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": ys,
                "marker": {"color": colors},
                "text": text,
                "error_y": {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                "hovertemplate": "%{x}: %{y:.4f}<br>%{text}<extra></extra>",
                "textposition": "none",
            }
        ],
        "layout": base_layout(
            f"{metric} by {column} (95% bootstrap interval)",
            column,
            metric,
            hovermode="closest",
            showlegend=False,
        ),
    }
    return Chart(key=key or f"slices:{column}", figure=figure)


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
            {
                **base,
                "z": low,
                "colorscale": [[0, _LOW_SUPPORT], [1, _LOW_SUPPORT]],
                "showscale": False,
            },
        ],
        "layout": {
            **base_layout(
                f"{metric} by slice (grey: fewer than {min_positives} positives)", "", ""
            ),
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
