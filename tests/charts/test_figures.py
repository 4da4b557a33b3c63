"""What the chart builders promise (issue 14): one colour per run from its id, ROC on a log FPR
axis with the budgets and a chance line that is y = x, heatmap labels black or white by cell
brightness, and a title and short text summary on every chart."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from reporter.charts.base import (
    DARK_TEXT,
    LIGHT_TEXT,
    PALETTE,
    VIRIDIS,
    label_traces,
    luminance,
    run_colours,
    scale_colour,
    text_colour_on,
)
from reporter.charts.curves import calibration_chart, pr_chart, roc_chart
from reporter.charts.evaluation import confusion_chart, slice_chart
from reporter.evaluation.evaluate import evaluate
from reporter.evaluation.predictions import Predictions

from ..conftest import options


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _rgb(hex_colour: str) -> tuple[int, ...]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def evaluations():
    rng = np.random.default_rng(7)
    out = []
    for name, signal in (("strong", 2.5), ("weak", 0.8)):
        y = (rng.random(4000) < 0.03).astype(int)
        s = 1 / (1 + np.exp(-(rng.normal(size=4000) + signal * y - 3.5)))
        group = np.where(rng.random(4000) < 0.5, "a", "b")
        preds = Predictions.from_arrays(y, s, slices={"group": group})
        out.append((name, evaluate(preds, options(bootstrap=0, fpr_targets=(0.001, 0.01, 0.05)))))
    return out


# ---------- colours ----------


def _hashed(run_id: str) -> str:
    digest = hashlib.sha256(run_id.encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def test_a_run_keeps_its_colour_on_every_page_and_runs_of_a_page_differ():
    ids = [f"exp/run-{i}" for i in range(8)]
    page = run_colours(ids)
    assert len(set(page.values())) == 8  # up to 8 runs: all different
    assert set(page.values()) <= set(PALETTE)
    assert run_colours(reversed(ids)) == page  # not the order of the page
    for run_id in ids:  # alone (a run page), a run has the colour its id hashes to
        assert run_colours([run_id]) == {run_id: _hashed(run_id)}
    # two runs whose ids hash to different colours keep them wherever they meet
    apart = [(a, b) for a in ids for b in ids if a < b and _hashed(a) != _hashed(b)]
    assert apart
    for a, b in apart:
        assert run_colours([a, b]) == {a: _hashed(a), b: _hashed(b)}


def test_curves_use_the_colours_they_are_given(evaluations):
    colours = ["#228833", "#aa3377"]
    for chart in (
        pr_chart(evaluations, colours=colours),
        roc_chart(evaluations, colours=colours),
        calibration_chart(evaluations, colours=colours),
    ):
        by_run = {}
        for trace in chart.figure["data"]:
            for label, _ in evaluations:
                if trace["name"].startswith(label):
                    paint = trace.get("line", {}).get("color") or trace["marker"]["color"]
                    by_run.setdefault(label, set()).add(paint)
        assert by_run == {"strong": {colours[0]}, "weak": {colours[1]}}, chart.title


# ---------- ROC ----------


def test_roc_is_on_a_log_fpr_axis_with_budgets_and_a_chance_line_on_the_diagonal(evaluations):
    chart = roc_chart(evaluations)
    layout = chart.figure["layout"]
    assert layout["xaxis"]["type"] == "log"
    low, high = layout["xaxis"]["range"]  # log10 units
    assert low < np.log10(0.001) and high >= 0  # the smallest budget and FPR 1 are in view
    chance = next(t for t in chart.figure["data"] if t["name"] == "chance")
    assert len(chance["x"]) > 10  # a straight y = x is a curve on a log axis: many points
    assert chance["x"] == chance["y"]
    assert min(chance["x"]) <= 10**low * 1.01 and max(chance["x"]) == pytest.approx(1.0)
    budgets = sorted(t["x"][0] for t in chart.figure["data"] if t["name"].startswith("FPR budget"))
    assert budgets == [0.001, 0.01, 0.05]
    for b in budgets:
        line = next(
            t for t in chart.figure["data"] if t["name"].startswith("FPR budget") and t["x"][0] == b
        )
        assert line["x"] == [b, b] and line["y"][0] == 0 and line["y"][1] >= 1
    options_ = {o["label"]: o for o in chart.figure["controls"][0]["options"]}
    assert options_["linear"]["relayout"]["xaxis.type"] == "linear"
    assert options_["log"]["relayout"]["xaxis.type"] == "log"
    assert "within an FPR of 1%" in chart.summary


# ---------- heatmaps ----------


@pytest.mark.parametrize("t", np.linspace(0, 1, 41))
def test_cell_text_is_black_or_white_whichever_reads(t):
    cell = scale_colour(VIRIDIS, t)
    colour = text_colour_on(cell)
    assert colour in (DARK_TEXT, LIGHT_TEXT)
    assert _contrast(_rgb(colour), cell) >= 4.5


def test_scale_colour_hits_the_stops():
    assert scale_colour(VIRIDIS, 0) == pytest.approx(_rgb("#440154"))
    assert scale_colour(VIRIDIS, 1) == pytest.approx(_rgb("#fde725"))
    assert scale_colour(VIRIDIS, 0.444) == pytest.approx(_rgb("#26828e"))


def test_heatmap_labels_pick_their_colour_per_cell():
    z = [[0.0, 1.0], [None, 0.5]]
    text = [["dark cell", "light cell"], ["", "middle"]]
    layers = label_traces({"x": ["a", "b"], "y": ["r", "s"]}, z, text, VIRIDIS, 0.0, 1.0)
    colours = {layer["textfont"]["color"]: layer for layer in layers}
    assert colours[LIGHT_TEXT]["text"][0] == ["dark cell", ""]  # #440154: white text
    assert colours[DARK_TEXT]["text"][0] == ["", "light cell"]  # #fde725: black text
    assert all(layer["hoverinfo"] == "skip" for layer in layers)
    drawn = [
        label
        for layer in layers
        for row_z, row_t in zip(layer["z"], layer["text"], strict=True)
        for v, label in zip(row_z, row_t, strict=True)
        if v is not None
    ]
    assert sorted(drawn) == ["dark cell", "light cell", "middle"]


def test_confusion_matrix_is_coloured_by_row_share_with_counts(evaluations):
    _, e = evaluations[0]
    chart = confusion_chart(e)
    cells, *labels = chart.figure["data"]
    at = e.at_threshold
    assert cells["z"][1][1] == pytest.approx(at.tp / (at.tp + at.fn))
    assert cells["z"][0][1] == pytest.approx(at.fp / (at.fp + at.tn))
    written = [t for layer in labels for row in layer["text"] for t in row if t]
    assert len(written) == 4 and all("%" in t and "<br>" in t for t in written)
    assert f"{at.tn:,.0f}" in " ".join(written)
    assert "texttemplate" not in cells  # its labels are the black and white layers


def test_slice_bars_claim_an_interval_only_when_they_have_one():
    """Intervals off (`bootstrap: 0`, or the slices' AP with `slice_bootstrap: 0`): no error
    bars (Plotly would draw a zero-length whisker) and no "(95% interval)" in the title."""
    rng = np.random.default_rng(3)
    y = rng.random(3000) < 0.1
    s = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    preds = Predictions.from_arrays(
        y, s, slices={"group": np.where(rng.random(3000) < 0.5, "a", "b")}
    )
    for changes, shown in (({}, True), ({"slice_bootstrap": 0}, False), ({"bootstrap": 0}, False)):
        e = evaluate(preds, options(**({"bootstrap": 50} | changes)))
        chart = slice_chart("group", e.slices["group"], overall=e.average_precision)
        bars = [t for t in chart.figure["data"] if t["type"] == "bar"]
        assert bars and all(("error_y" in t) == shown for t in bars), changes
        assert chart.title.endswith("(95% interval)") == shown, chart.title
        if shown:
            (bar,) = bars
            low, high = e.slices["group"]["a"].ci["average_precision"]
            y_a = e.slices["group"]["a"].average_precision
            assert bar["error_y"]["array"][0] == pytest.approx(high - y_a)
            assert bar["error_y"]["arrayminus"][0] == pytest.approx(y_a - low)


# ---------- every chart: a title and a short summary ----------


def test_every_chart_has_a_title_and_a_short_summary(evaluations):
    _, e = evaluations[0]
    charts = [
        pr_chart(evaluations),
        roc_chart(evaluations),
        calibration_chart(evaluations),
        confusion_chart(e),
        *(
            slice_chart(c, v, overall=e.average_precision, min_positives=30)
            for c, v in e.slices.items()
        ),
    ]
    assert len(charts) >= 5
    for chart in charts:
        assert chart.title and chart.title != "Chart"
        assert 20 <= len(chart.summary) <= 400, (chart.title, chart.summary)
