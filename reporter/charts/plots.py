"""Plots a tracker logged with a run (pure): ROC and PR curves, calibration, custom x-y plots and
confusion matrices, as dvclive writes them (`reporter.model.Plot`).

Curves are downsampled to the point budget (min/max buckets, so their shape and extremes stay),
so a page's chart data stays bounded whatever the tracker logged.
"""

from __future__ import annotations

import numpy as np

from reporter.charts.base import PALETTE, Chart, base_layout, downsample, round_values
from reporter.model import Plot, Run

MAX_TEXT = 200  # titles and axis labels come from the tracker's files
MAX_CLASSES = 50  # a confusion matrix larger than this is not drawn


def run_plot_charts(run: Run, budget: int) -> list[Chart]:
    """One chart per plot of the run, in the order the reader gave them."""
    charts = []
    for i, plot in enumerate(run.plots):
        chart = plot_chart(plot, budget, key=f"plot:{i}:{plot.name}")
        if chart is not None:
            charts.append(chart)
    return charts


def plot_chart(plot: Plot, budget: int, key: str = "") -> Chart | None:
    if plot.kind == "confusion":
        return _confusion(plot, key or f"plot:{plot.name}")
    if plot.x is None or plot.y is None or not len(plot.y):
        return None
    keep = downsample(plot.x, plot.y, budget)
    trace = {
        "type": "scatter",
        "mode": "markers" if plot.kind == "scatter" else "lines",
        "name": _text(plot.name),
        "x": round_values(plot.x[keep], 9),
        "y": round_values(plot.y[keep]),
        "line": {"color": PALETTE[0], "width": 1.5},
        "marker": {"color": PALETTE[0], "size": 5},
        "hovertemplate": "%{x:.4g}, %{y:.4g}<extra></extra>",
    }
    layout = base_layout(
        _text(plot.title or plot.name),
        _text(plot.x_label),
        _text(plot.y_label),
        traces=1,
        hovermode="closest",
        showlegend=False,
    )
    caption = ""
    if len(keep) < len(plot.y):
        caption = f"Downsampled to {len(keep):,} of {len(plot.y):,} points (min/max per bucket)."
    return Chart(
        key=f"{key or 'plot:' + plot.name}",
        figure={"data": [trace], "layout": layout},
        caption=caption,
    )


def _confusion(plot: Plot, key: str) -> Chart | None:
    """Counts by actual (rows) and predicted (columns) class, written in the cells."""
    if not plot.labels or len(plot.labels) > MAX_CLASSES:
        return None
    counts = np.array(plot.counts, dtype=float)
    labels = [_text(label) for label in plot.labels]
    figure = {
        "data": [
            {
                "type": "heatmap",
                "x": [f"predicted {label}" for label in labels],
                "y": [f"actual {label}" for label in labels],
                "colorscale": [[0, "#f5f9ff"], [1, "#7fb2e5"]],
                "showscale": False,
                "z": np.log10(counts + 1).round(4).tolist(),
                "text": [[f"{v:,.0f}" for v in row] for row in counts],
                "texttemplate": "%{text}",
                "hovertemplate": "%{y}, %{x}: %{text}<extra></extra>",
            }
        ],
        "layout": {
            **base_layout(_text(plot.title or plot.name), "", ""),
            "height": 260 + 20 * len(labels),
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"automargin": True},
            "hovermode": "closest",
            "showlegend": False,
            "margin": {"l": 110, "r": 10, "t": 40, "b": 40},
        },
    }
    return Chart(key=key, figure=figure)


def _text(value: str) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
