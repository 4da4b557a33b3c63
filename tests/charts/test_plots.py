"""Plots a tracker logged (dvclive's ROC, PR, confusion...), drawn on run pages; NaN as gaps."""

from __future__ import annotations

import numpy as np

from reporter.charts.base import downsample
from reporter.charts.history import history_chart
from reporter.charts.plots import plot_chart, run_plot_charts
from reporter.model import MetricSeries, Plot, Run


def test_a_long_curve_is_downsampled_keeping_its_ends_and_extremes():
    x = np.linspace(0, 1, 50_000)
    y = np.sqrt(x)
    y[12_345] = 1.5  # a spike
    chart = plot_chart(
        Plot(name="roc", kind="line", title="ROC curve", x_label="FPR", y_label="TPR", x=x, y=y),
        budget=400,
    )
    (trace,) = chart.figure["data"]
    assert trace["type"] == "scatter" and trace["mode"] == "lines"
    assert len(trace["y"]) <= 400
    assert trace["x"][0] == 0 and trace["x"][-1] == 1 and max(trace["y"]) == 1.5
    layout = chart.figure["layout"]
    assert layout["title"]["text"] == "ROC curve"
    assert layout["xaxis"]["title"]["text"] == "FPR" and layout["yaxis"]["title"]["text"] == "TPR"
    assert chart.caption.startswith("Downsampled") and "of 50,000 points" in chart.caption


def test_a_confusion_matrix_is_a_heatmap_of_counts():
    plot = Plot(
        name="confusion_matrix",
        kind="confusion",
        title="Confusion",
        labels=("0", "1"),
        counts=((30, 2), (5, 3)),
    )
    (trace,) = plot_chart(plot, budget=100).figure["data"]
    assert trace["type"] == "heatmap"
    assert trace["y"] == ["actual 0", "actual 1"] and trace["x"] == ["predicted 0", "predicted 1"]
    assert trace["text"] == [["30", "2"], ["5", "3"]]


def test_a_scatter_plot_and_an_empty_plot():
    scatter = Plot(name="p", kind="scatter", x=np.arange(3.0), y=np.arange(3.0))
    assert plot_chart(scatter, 100).figure["data"][0]["mode"] == "markers"
    run = Run(
        id="r",
        name="r",
        experiment="e",
        reader="dvclive",
        path="",
        plots=(scatter, Plot(name="empty", kind="line", x=np.array([]), y=np.array([]))),
    )
    assert [c.key for c in run_plot_charts(run, 100)] == ["plot:0:p"]


def test_nan_points_stay_gaps_through_downsampling():
    y = np.arange(10_000, dtype=float)
    y[5_000:5_010] = np.nan
    keep = downsample(np.arange(10_000), y, 200)
    assert len(keep) <= 300 and np.isnan(y[keep]).any()
    assert y[keep][0] == 0 and y[keep][-1] == 9_999
    chart = history_chart(
        "loss", [("loss", MetricSeries(name="loss", x=np.arange(10_000.0), y=y))], 200
    )
    values = chart.figure["data"][0]["y"]
    assert None in values and max(v for v in values if v is not None) == 9_999
