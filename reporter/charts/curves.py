"""Curves of evaluated runs as Plotly figure dicts (pure): precision-recall, ROC, calibration.

Every function takes `(label, Evaluation)` pairs, so a run page draws one trace and a
comparison overlays many with the same code; `colours` (one per pair) keeps a run's colour the
same in every chart of a page (see `base.run_colours`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reporter.charts.base import GREY, PALETTE, Chart, base_layout, control, finite_list
from reporter.evaluation.results import Evaluation

_THRESHOLD_HOVER = "threshold %{customdata:.4g}<extra>%{fullData.name}</extra>"
Items = list[tuple[str, Evaluation]]


def colour_of(colours: Sequence[str] | None, i: int) -> str:
    return colours[i] if colours and i < len(colours) else PALETTE[i % len(PALETTE)]


def as_list(values: np.ndarray) -> list[float | None]:
    """Floats for JSON; non-finite values (an infinite threshold) become None."""
    return finite_list(np.asarray(values, dtype=float))


def _thin(n: int, budget: int | None) -> np.ndarray:
    """At most `budget` evenly spaced indices of n, first and last included (all when None)."""
    if budget is None or n <= budget:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(budget, 2)).round().astype(int))


def _curve(
    label: str,
    colour: str,
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
        "line": {"color": colour, "shape": shape},
        "x": as_list(x),
        "y": as_list(y),
        "customdata": as_list(thresholds),
        "hovertemplate": hover + _THRESHOLD_HOVER,
    }


def reference(name: str, x: list[float], y: list[float]) -> dict[str, Any]:
    """A dotted grey reference line (no skill, chance, perfect calibration)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": x,
        "y": y,
        "hoverinfo": "skip",
        "line": {"color": GREY, "dash": "dot", "width": 1},
    }


def _operating_point(label: str, e: Evaluation, colour: str, *, x: str, y: str) -> dict[str, Any]:
    at = e.at_threshold
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{label} @ {at.threshold:.4g}",
        "x": [getattr(at, x)],
        "y": [getattr(at, y)],
        "customdata": as_list(np.array([at.threshold])),
        "marker": {"color": colour, "size": 10, "symbol": "diamond", "line": {"width": 1}},
        "hovertemplate": f"operating point<br>{x} %{{x:.4f}}<br>{y} %{{y:.4f}}<br>"
        + _THRESHOLD_HOVER,
        "showlegend": False,
    }


def _values(items: Items, attr: str, fmt: str = "{:.4f}") -> str:
    """Each run's value, or for more than three runs the highest and the lowest (a summary
    stays short; the chart's hover has every run)."""
    known = [(label, getattr(e, attr)) for label, e in items if getattr(e, attr) is not None]
    return _spread(known, fmt)


def _spread(known: list[tuple[str, float]], fmt: str = "{:.4f}") -> str:
    if len(known) <= 3:
        return ", ".join(f"{label} {fmt.format(v)}" for label, v in known)
    high = max(known, key=lambda k: k[1])
    low = min(known, key=lambda k: k[1])
    return (
        f"highest {high[0]} {fmt.format(high[1])}, lowest {low[0]} {fmt.format(low[1])} "
        f"(of {len(known)} runs)"
    )


def pr_chart(
    items: Items,
    key: str = "pr_curve",
    budget: int | None = None,
    colours: Sequence[str] | None = None,
) -> Chart:
    """Precision against recall, threshold on hover, each run's operating point marked.
    `budget`: points per curve, for overlays of many runs."""
    traces: list[dict[str, Any]] = []
    for i, (label, e) in enumerate(items):
        if e.pr is None:
            continue
        keep = _thin(len(e.pr.recall), budget)
        hover = "recall %{x:.3f}<br>precision %{y:.3f}<br>"
        colour = colour_of(colours, i)
        traces.append(
            _curve(
                label,
                colour,
                e.pr.recall[keep],
                e.pr.precision[keep],
                e.pr.thresholds[keep],
                hover,
                shape="hv",
            )
        )
        traces.append(_operating_point(label, e, colour, x="recall", y="precision"))
    if len(items) == 1 and items[0][1].pr is not None:
        prevalence = items[0][1].prevalence
        traces.append(reference(f"no skill ({prevalence:.2%})", [0, 1], [prevalence, prevalence]))
    layout = base_layout(
        "Precision-recall curve", "recall", "precision", traces=len(items) + 1, hovermode="closest"
    )
    layout["xaxis"]["range"] = [0, 1.02]
    layout["yaxis"]["range"] = [0, 1.02]
    summary = "Average precision (area under the curve): " + (
        _values(items, "average_precision") or "none"
    )
    summary += "; diamonds mark each run's decision threshold."
    return Chart(key=key, figure={"data": traces, "layout": layout}, summary=summary)


def _budgets(items: Items) -> list[float]:
    return sorted({b for _, e in items for b in e.recall_at_fpr if 0 < b < 1})


def _smallest_fpr(items: Items) -> float:
    """The left end of a log FPR axis: a bit below the smallest positive FPR any run reaches."""
    smallest = [
        float(np.min(e.roc.fpr[e.roc.fpr > 0]))
        for _, e in items
        if e.roc is not None and (e.roc.fpr > 0).any()
    ]
    return max(min(smallest, default=1e-4), 1e-6) / 1.5


def roc_chart(
    items: Items,
    key: str = "roc_curve",
    budget: int | None = None,
    colours: Sequence[str] | None = None,
) -> Chart:
    """True-positive rate against false-positive rate on a log FPR axis (the low FPRs a team
    alerts within get the width), the FPR budgets marked; a control switches to linear."""
    traces: list[dict[str, Any]] = []
    for i, (label, e) in enumerate(items):
        if e.roc is None:
            continue
        keep = _thin(len(e.roc.fpr), budget)
        hover = "FPR %{x:.4f}<br>recall %{y:.3f}<br>"
        colour = colour_of(colours, i)
        traces.append(
            _curve(label, colour, e.roc.fpr[keep], e.roc.tpr[keep], e.roc.thresholds[keep], hover)
        )
        traces.append(_operating_point(label, e, colour, x="fpr", y="recall"))
    low = _smallest_fpr(items)
    chance = np.geomspace(low, 1, 40).tolist()  # y = x: a curve on the log axis, still chance
    traces.append(reference("chance", chance, chance))
    for b in _budgets(items):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+text",
                "name": f"FPR budget {b:.2%}",
                "x": [b, b],
                "y": [0, 1.04],
                "text": ["", f"{b * 100:g}%"],  # short: on a phone budgets sit close
                "textposition": "top center",
                "textfont": {"size": 10},
                "hoverinfo": "skip",
                "showlegend": False,
                "line": {"color": GREY, "dash": "dash", "width": 1},
            }
        )
    layout = base_layout(
        "ROC curve", "false-positive rate (log)", "true-positive rate (recall)", hovermode="closest"
    )
    layout["xaxis"].update({"type": "log", "range": [float(np.log10(low)), 0.02]})
    layout["yaxis"]["range"] = [0, 1.1]
    controls = [
        {
            "label": "FPR axis",
            "active": 0,
            "options": [
                {
                    "label": "log",
                    "relayout": {
                        "xaxis.type": "log",
                        "xaxis.range": [float(np.log10(low)), 0.02],
                        "xaxis.title.text": "false-positive rate (log)",
                    },
                },
                {
                    "label": "linear",
                    "relayout": {
                        "xaxis.type": "linear",
                        "xaxis.range": [0, 1.02],
                        "xaxis.title.text": "false-positive rate",
                    },
                },
            ],
        }
    ]
    summary = "ROC-AUC: " + (_values(items, "roc_auc") or "none")
    budgets = _budgets(items)
    if budgets:
        closest = min(budgets, key=lambda t: abs(t - 0.01))  # a typical alert budget: 1%
        recalls = [
            (label, p.recall)
            for label, e in items
            if (p := e.recall_at_fpr.get(closest)) is not None
        ]
        if recalls:
            summary += f"; recall within an FPR of {closest * 100:g}%: " + _spread(
                recalls, "{:.3f}"
            )
    summary += ". Dashed lines mark the FPR budgets."
    return Chart(
        key=key,
        figure={"data": traces, "layout": layout, "controls": controls},
        summary=summary,
    )


def calibration_chart(
    items: Items, key: str = "calibration", colours: Sequence[str] | None = None
) -> Chart | None:
    """Reliability diagram: observed positive rate against mean score per quantile bin, on log
    axes (rare positives put most bins near zero, where a linear axis squeezes them)."""
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
                "x": as_list(c.prob_pred),
                "y": as_list(c.prob_true),
                "customdata": as_list(c.bin_weight),
                "line": {"color": colour_of(colours, i)},
                "hovertemplate": "mean score %{x:.4f}<br>observed rate %{y:.4f}<br>weight %{customdata:,.0f}<extra></extra>",
            }
        )
    if not traces:
        return None
    values = [v for t in traces for v in t["x"] + t["y"] if v is not None]
    positive = [v for v in values if v > 0]
    top = max(max(values, default=1.0), 1e-3)
    low = min(positive, default=1e-3)
    # a bin without a positive (observed rate 0) has no place on a log axis: a gap there, drawn
    # again when the reader switches to linear
    linear_y = [t["y"] for t in traces]
    log_y = [[v if v is None or v > 0 else None for v in y] for y in linear_y]
    for trace, y in zip(traces, log_y, strict=True):
        trace["y"] = y
    runs = list(range(len(traces)))
    traces.append(reference("perfectly calibrated", [low, top], [low, top]))
    layout = base_layout(
        "Calibration (quantile bins)",
        "mean predicted score (log)",
        "observed positive rate (log)",
        hovermode="closest",
    )
    layout["xaxis"]["type"] = "log"
    layout["yaxis"]["type"] = "log"
    names = ("mean predicted score", "observed positive rate")

    def axes(kind: str, y: list[list[float | None]]) -> dict[str, Any]:
        suffix = " (log)" if kind == "log" else ""
        return {
            "label": kind,
            "restyle": {"y": y},
            "traces": runs,
            "relayout": {
                "xaxis.type": kind,
                "yaxis.type": kind,
                "xaxis.autorange": True,
                "yaxis.autorange": True,
                "xaxis.title.text": names[0] + suffix,
                "yaxis.title.text": names[1] + suffix,
            },
        }

    scale = control("axes", axes("log", log_y), axes("linear", linear_y))
    zero = sum(1 for y in linear_y for v in y if v == 0)
    summary = "Expected calibration error (10 equal-width bins): " + _spread(
        [(label, e.calibration.ece) for label, e in items if e.calibration is not None]
    )
    summary += "; points on the dotted diagonal are calibrated, above it the scores are too low."
    if zero:
        summary += (
            f" {zero} bins without a positive are not drawn on the log axes (linear shows them)."
        )
    return Chart(
        key=key,
        figure={"data": traces, "layout": layout, "controls": [scale]},
        summary=summary,
    )
