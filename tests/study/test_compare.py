from __future__ import annotations

import numpy as np
import pytest

from reporter.charts.base import round_values as compact
from reporter.charts.evaluation import slices_heatmap
from reporter.charts.history import history_charts
from reporter.config import Settings
from reporter.model import MetricSeries, Run
from reporter.pages.parts import COMPARISON, part_names
from reporter.study.analyse import analyse
from reporter.study.compare import (
    ComparisonSpec,
    build_comparison,
    experiment_specs,
    parse_spec,
    summary_rows,
)
from reporter.study.selection import Selection, SelectionError, parse_selection, select_runs

from ..conftest import options

PARTS = part_names(COMPARISON)
SETTINGS = Settings.defaults(__import__("pathlib").Path("runs"))


def run(run_id: str, **kw) -> Run:
    defaults = {
        "name": run_id.split("/")[-1],
        "experiment": run_id.split("/")[0],
        "reader": "test",
        "path": "",
    }
    return Run(id=run_id, **{**defaults, **kw})


def study_of(*runs: Run):
    return analyse(list(runs), SETTINGS)


RUNS = (
    run(
        "a/lr-1",
        params={"lr": 0.1, "seed": 1, "depth": 3},
        metrics={"average_precision": 0.30},
        tags=("x",),
    ),
    run(
        "a/lr-2",
        params={"lr": 0.1, "seed": 2, "depth": 3},
        metrics={"average_precision": 0.34},
        tags=("x", "y"),
    ),
    run(
        "a/lr-3",
        params={"lr": 0.2, "seed": 1, "depth": 3},
        metrics={"average_precision": 0.20},
        baseline=True,
    ),
    run(
        "b/other",
        params={"lr": 0.1, "depth": 5},
        metrics={"average_precision": 0.40},
        status="failed",
    ),
)


@pytest.mark.parametrize(
    ("spec", "ids"),
    [
        (["a/lr-2", "b/other"], ["a/lr-2", "b/other"]),  # explicit order is kept
        ("a/lr-*", ["a/lr-1", "a/lr-2", "a/lr-3"]),
        ({"experiment": "a", "tags": ["x"]}, ["a/lr-1", "a/lr-2"]),
        # b/other has the highest AP but failed: shown, never ranked above completed runs
        ({"top": 2, "by": "average_precision"}, ["a/lr-2", "a/lr-1"]),
        ({"top": 4, "by": "average_precision"}, ["a/lr-2", "a/lr-1", "a/lr-3", "b/other"]),
        ({"runs": ["a/*"], "exclude": ["a/lr-3"]}, ["a/lr-1", "a/lr-2"]),
        ({"status": "FAILED"}, ["b/other"]),
    ],
)
def test_selection(spec, ids):
    chosen, missing = select_runs(study_of(*RUNS), parse_selection(spec))
    assert [r.id for r in chosen] == ids and missing == []


def test_missing_ids_are_reported():
    _, missing = select_runs(study_of(*RUNS), parse_selection(["a/lr-1", "a/lr-9", "zz*"]))
    assert missing == ["a/lr-9"]


def test_bad_selection_lists_every_problem():
    with pytest.raises(SelectionError) as err:
        parse_selection({"top": -1, "colour": "red", "tags": {"a": 1}})
    text = str(err.value)
    assert "unknown key(s) colour" in text and "'top' must be a positive whole number" in text
    assert "'tags' must be a list" in text


def test_spec_validation_names_the_place_and_valid_parts():
    with pytest.raises(
        SelectionError,
        match=r"comparisons.yaml, entry 2: .*'title' is required.*valid parts: table",
    ):
        parse_spec({"select": ["a"], "show": ["table", "pie"]}, "comparisons.yaml, entry 2", PARTS)
    spec = parse_spec({"title": "My Runs!", "select": {"experiment": "a"}}, "x", PARTS)
    assert spec.slug == "my-runs"


def test_comparison_diff_seed_groups_baseline_and_deltas():
    study = study_of(*RUNS)
    cmp = build_comparison(
        ComparisonSpec(slug="s", title="t", selection=Selection(experiment="a")), study, SETTINGS
    )
    assert cmp.diff_params == ("lr", "seed")
    assert cmp.all_params == ("depth", "lr", "seed")
    assert cmp.baseline.id == "a/lr-3"  # marked baseline: true
    assert cmp.delta(cmp.runs[0], "average_precision") == pytest.approx(0.10)
    (group,) = cmp.groups
    assert [r.id for r in group.runs] == ["a/lr-1", "a/lr-2"]
    assert group.mean["average_precision"] == pytest.approx(0.32)
    assert group.sd["average_precision"] == pytest.approx(np.std([0.30, 0.34], ddof=1))
    kinds = [(row.kind, row.run.id if row.run else None) for row in summary_rows(cmp)]
    assert kinds == [("group", None), ("member", "a/lr-1"), ("member", "a/lr-2"), ("run", "a/lr-3")]


def test_comparability_guard_groups_runs_by_evaluation_data():
    runs = (
        run("a/1", eval_fingerprint="8000:aa"),
        run("a/2", eval_fingerprint="8000:aa"),
        run("a/3", eval_fingerprint="7999:bb"),
        run("a/4", info={"run.eval_dataset": "march"}),
    )
    cmp = build_comparison(
        ComparisonSpec(slug="s", title="t", selection=Selection()), study_of(*runs), SETTINGS
    )
    assert not cmp.comparable
    assert [(label, [r.id for r in rs]) for label, rs in cmp.eval_groups] == [
        ("A", ["a/1", "a/2"]),
        ("B", ["a/3"]),
        ("C", ["a/4"]),
    ]
    same = build_comparison(
        ComparisonSpec(slug="s", title="t", selection=Selection(runs=("a/1", "a/2"))),
        study_of(*runs),
        SETTINGS,
    )
    assert same.comparable


def test_experiment_comparisons_exist_for_experiments_with_two_runs():
    assert [s.slug for s in experiment_specs(study_of(*RUNS), PARTS)] == ["experiment-a"]


def test_overlaid_histories_share_a_point_budget_and_keep_spikes():
    steps = np.arange(100_000, dtype=float)
    runs = []
    for i in range(50):
        y = np.exp(-steps / 30_000) + 0.001 * i
        y[1234 + i * 977] = 5.0 + i  # a spike in every run
        runs.append(run(f"big/r{i:02d}", histories=(MetricSeries(name="loss", x=steps, y=y),)))
    cmp = build_comparison(
        ComparisonSpec(slug="s", title="t", selection=Selection()), study_of(*runs), SETTINGS
    )
    (chart,) = history_charts(cmp, None, max_points=2000, chart_points=12_000)
    traces = chart.figure["data"]
    assert len(traces) == 50
    for i, trace in enumerate(traces):
        assert len(trace["x"]) <= 12_000 // 50
        assert max(trace["y"]) == pytest.approx(5.0 + i)  # the spike survived
        assert trace["x"][0] == 0 and trace["x"][-1] == 99_999
        assert trace["x"] == sorted(trace["x"])
    assert "downsampled" in chart.caption
    assert chart.figure["layout"]["xaxis"]["title"]["text"] == "step"


def test_compact_rounds_to_significant_digits():
    assert compact(np.array([0.123456789, 1.5, np.nan])) == [0.12346, 1.5, None]
    assert compact(np.array([12345.678])) == [12345.7]


def test_slices_heatmap_greys_low_support_cells():
    runs = (
        run(
            "a/1",
            slices={
                "seg=x": {"average_precision": 0.5, "n": 100, "positives": 40},
                "seg=y": {"average_precision": 0.9, "n": 10, "positives": 2},
            },
        ),
        run("a/2", slices={"seg=x": {"average_precision": 0.4, "n": 100, "positives": 40}}),
    )
    cmp = build_comparison(
        ComparisonSpec(slug="s", title="t", selection=Selection()), study_of(*runs), SETTINGS
    )
    chart = slices_heatmap(cmp, "average_precision", min_positives=30)
    main, grey, *labels = chart.figure["data"]  # then the cell labels, black or white
    assert main["x"] == ["seg=x", "seg=y"] and main["y"] == ["1", "2"]
    assert main["z"] == [[0.5, None], [0.4, None]]
    assert grey["z"] == [[None, 1], [None, None]]
    assert grey["text"][0][1] == "0.900 ⚠"
    assert main["customdata"][0][1] == "n=10, positives=2 (fewer than 30 positives)"
    written = {t for layer in labels for row in layer["text"] for t in row if t}
    assert written == {"0.500", "0.400", "0.900 ⚠"}


def test_big_experiments_compare_their_best_fifty_with_light_curves():
    runs = tuple(run(f"big/r{i:03d}", metrics={"average_precision": i / 1000}) for i in range(120))
    (spec,) = experiment_specs(study_of(*runs), PARTS)
    assert spec.title == "Experiment big (best 50 of 120 by average_precision)"
    cmp = build_comparison(spec, study_of(*runs), SETTINGS)
    assert len(cmp.runs) == 50 and cmp.runs[0].id == "big/r119"


def test_overlaid_curves_share_the_point_budget():
    from reporter.charts.evaluation import pr_chart, roc_chart
    from reporter.evaluation.evaluate import evaluate
    from reporter.evaluation.predictions import Predictions

    rng = np.random.default_rng(0)
    y = rng.random(5000) < 0.1
    e = evaluate(Predictions.from_arrays(y, rng.random(5000) + y * 0.3), options(bootstrap=0))
    full = len(e.pr.recall)
    for chart in (pr_chart([("a", e), ("b", e)], budget=60), roc_chart([("a", e)], budget=60)):
        curve = chart.figure["data"][0]
        assert len(curve["x"]) <= 60 < full
        assert len(curve["x"]) == len(curve["y"]) == len(curve["customdata"])
    pr = pr_chart([("a", e)], budget=60).figure["data"][0]
    assert pr["x"][0] == e.pr.recall[0] and pr["x"][-1] == e.pr.recall[-1]
