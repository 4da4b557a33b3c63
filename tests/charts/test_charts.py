from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.charts.base import downsample, finite_list, round_values
from reporter.charts.curves import as_list
from reporter.charts.history import group_histories, history_chart
from reporter.model import MetricSeries


def series(name: str, y: np.ndarray) -> MetricSeries:
    return MetricSeries(name=name, x=np.arange(len(y), dtype=float), y=y)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=5000),
    budget=st.integers(min_value=4, max_value=600),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_downsample_keeps_budget_ends_extremes_and_order(n, budget, seed):
    y = np.random.default_rng(seed).normal(size=n).cumsum()
    keep = downsample(np.arange(n), y, budget)
    assert len(keep) <= max(budget, 4)
    assert np.all(np.diff(keep) > 0)  # sorted, unique: a monotone x stays monotone
    if n:
        assert keep[0] == 0 and keep[-1] == n - 1
        assert y[keep].min() == y.min() and y[keep].max() == y.max()


def test_downsample_keeps_a_single_spike():
    y = np.zeros(100_000)
    y[77_777] = 50.0
    y[12_345] = -3.0
    keep = downsample(np.arange(len(y)), y, 2000)
    assert 77_777 in keep and 12_345 in keep
    assert len(keep) <= 2000


def test_short_series_are_untouched():
    assert downsample(np.arange(10), np.arange(10.0), 2000).tolist() == list(range(10))


def test_histories_group_by_base_name():
    groups = group_histories(
        (
            series("train_loss", np.ones(3)),
            series("valid_loss", np.ones(3)),
            series("valid_auc", np.ones(3)),
            series("lr", np.ones(3)),
        )
    )
    assert {k: [s.name for s in v] for k, v in groups.items()} == {
        "auc": ["valid_auc"],
        "loss": ["train_loss", "valid_loss"],
        "lr": ["lr"],
    }


def test_history_chart_figure_dict():
    long = series("valid_loss", np.sin(np.arange(10_000) / 50.0))
    chart = history_chart(
        "loss", [("train_loss", series("train_loss", np.ones(5))), ("valid_loss", long)], budget=500
    )
    data = chart.figure["data"]
    assert [t["name"] for t in data] == ["train_loss", "valid_loss"]
    assert len(data[0]["x"]) == 5 and len(data[1]["x"]) <= 500
    assert chart.figure["layout"]["xaxis"]["title"]["text"] == "step"
    assert chart.figure["layout"]["yaxis"]["title"]["text"] == "loss"
    assert "valid_loss: " in chart.caption and "of 10,000 points" in chart.caption


# --- parameters as trackers log them (text) --------------------------------------------------


def _text_params_comparison():
    from pathlib import Path

    from reporter.config import Settings
    from reporter.model import Run
    from reporter.study.analyse import analyse
    from reporter.study.compare import ComparisonSpec, build_comparison
    from reporter.study.selection import Selection

    depths = ["1", "10", "11", "2", "20"]
    flags = ["True", "false", "False", "true", "TRUE"]
    runs = [
        Run(
            id=f"mlflow/{i}",
            name=f"run {i}",
            experiment="e",
            reader="mlflow",
            path="",
            params={"max_depth": d, "balanced": f, "solver": "lbfgs" if i % 2 else "saga"},
            metrics={"average_precision": 0.1 * (i + 1)},
        )
        for i, (d, f) in enumerate(zip(depths, flags, strict=True))
    ]
    settings = Settings.defaults(Path("runs"))
    spec = ComparisonSpec(slug="p", title="p", selection=Selection(runs=("mlflow/*",)))
    return build_comparison(spec, analyse(runs, settings), settings)


def test_parameters_logged_as_text_are_numbers_and_booleans_in_charts():
    from reporter.charts.params import parallel_chart, scatter_chart

    cmp = _text_params_comparison()
    figure = parallel_chart(cmp, "average_precision").figure
    dims = {d["label"]: d for d in figure["data"][0]["dimensions"]}
    assert dims["max_depth"]["values"] == [1.0, 10.0, 11.0, 2.0, 20.0]
    assert "ticktext" not in dims["max_depth"]  # a numeric axis, not text sorted 1, 10, 11, 2
    assert dims["balanced"]["ticktext"] == ["False", "True"]
    assert dims["balanced"]["values"] == [1, 0, 0, 1, 1]
    assert dims["solver"]["ticktext"] == ["lbfgs", "saga"]
    scatter = scatter_chart(cmp, "average_precision").figure
    assert scatter["data"][0]["x"] == [1.0, 10.0, 11.0, 2.0, 20.0]
    picker = scatter["controls"][0]  # drawn above the plot by reporter.js
    assert [o["label"] for o in picker["options"]] == ["max_depth"]
    assert picker["options"][0]["restyle"]["x"] == [[1.0, 10.0, 11.0, 2.0, 20.0]]


def test_config_diffs_compare_values_not_their_text():
    from reporter.model import Run
    from reporter.study.compare import _differs

    runs = (
        Run(id="a", name="a", experiment="e", reader="t", path="", params={"d": "10", "b": "True"}),
        Run(id="b", name="b", experiment="e", reader="t", path="", params={"d": 10, "b": True}),
        Run(id="c", name="c", experiment="e", reader="t", path="", params={"d": 10.0, "b": "true"}),
    )
    assert not _differs(runs, "d") and not _differs(runs, "b")
    assert _differs(
        (*runs, Run(id="x", name="x", experiment="e", reader="t", path="", params={"d": "2"})), "d"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            st.sampled_from([float("inf"), float("-inf"), float("nan")]),
        ),
        max_size=40,
    )
)
def test_chart_values_are_json_floats_with_none_where_not_finite(values):
    a = np.array(values, dtype=float)
    expected = [float(v) if np.isfinite(v) else None for v in a]
    assert finite_list(a) == expected and as_list(a) == expected
    shown = round_values(a)
    assert [v is None for v in shown] == [e is None for e in expected]
    assert all(type(v) is float for v in finite_list(a) + shown if v is not None)
