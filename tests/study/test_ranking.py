"""Failed runs are shown, never ranked best; neutral metrics have no best; deltas by direction."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.config import Settings
from reporter.config.operating import parse_operating_point
from reporter.model import Run
from reporter.study.analyse import analyse, column_values, metric_value
from reporter.study.compare import ComparisonSpec, build_comparison
from reporter.study.selection import Selection

SETTINGS = Settings.defaults(Path("runs"))


def run(run_id: str, status: str = "completed", **metrics: float) -> Run:
    return Run(
        id=run_id, name=run_id, experiment="e", reader="t", path="", status=status, metrics=metrics
    )


RUNS = [
    run("done-1", average_precision=0.30, n_iter=100, fpr=0.02),
    run("done-2", average_precision=0.35, n_iter=300, fpr=0.01),
    run("crashed", "FAILED", average_precision=0.90, n_iter=900, fpr=0.001),
    run("killed", "Killed", average_precision=0.95, fpr=0.0001),
]


def test_failed_and_killed_runs_are_never_best_in_any_case() -> None:
    study = analyse(RUNS, SETTINGS)
    ap = study.column("average_precision")
    assert ap is not None and (ap.best_run, ap.best_value) == ("done-2", 0.35)
    fpr = study.column("fpr")
    assert fpr is not None and fpr.lower_is_better and fpr.best_run == "done-2"
    assert study.experiments[0].best is not None and study.experiments[0].best.best_run == "done-2"
    assert not study.ranking.ranked(RUNS[2]) and not study.ranking.ranked(RUNS[3])


def test_the_unranked_statuses_are_an_option() -> None:
    study = analyse(RUNS, Settings.defaults(Path("runs"), unranked_status=("killed",)))
    assert study.column("average_precision").best_run == "crashed"  # type: ignore[union-attr]


def test_counts_have_no_best() -> None:
    column = analyse(RUNS, SETTINGS).column("n_iter")
    assert column is not None and column.neutral and column.best_run is None
    assert column.to_json()["direction"] == "neutral" and column.to_json()["format"] == "integer"


def test_the_operating_point_is_what_runs_are_ranked_by() -> None:
    runs = [
        Run(id="a", name="a", experiment="e", reader="t", path="",
            metrics={"average_precision": 0.4, "recall@fpr=0.01": 0.2}),
        Run(id="b", name="b", experiment="e", reader="t", path="",
            metrics={"average_precision": 0.3, "recall@fpr=0.01": 0.5}),
    ]  # fmt: skip
    plain = analyse(runs, SETTINGS)
    assert plain.primary_metric == "average_precision" and plain.best.best_run == "a"  # type: ignore[union-attr]
    op = parse_operating_point("recall@fpr=0.01")
    study = analyse(runs, Settings.defaults(Path("runs"), operating_point=op))
    assert study.primary_metric == "recall@fpr=0.01" and study.best.best_run == "b"  # type: ignore[union-attr]
    assert study.visible_columns[0].name == "recall@fpr=0.01"
    spec = ComparisonSpec(
        slug="x", title="x", selection=Selection(runs=("a", "b")), metrics=("average_precision",)
    )
    cmp = build_comparison(spec, study, SETTINGS)
    assert [c.name for c in cmp.columns] == ["recall@fpr=0.01", "average_precision"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["completed", "FAILED", " killed ", "running"]),
            st.one_of(st.none(), st.sampled_from([0.1, 0.5, 0.9, float("nan"), float("inf")])),
        ),
        max_size=12,
    ),
    st.sampled_from(["average_precision", "fpr", "n_iter"]),
)
def test_the_best_run_is_the_first_the_ranking_orders(specs, name) -> None:
    """`best` finds in one pass what sorting every run would put first."""
    ranking = analyse(RUNS, SETTINGS).ranking
    runs = [
        run(f"r{i % 5}-{i}", status, **({} if v is None else {name: v}))
        for i, (status, v) in enumerate(specs)
    ]
    best = ranking.best(runs, name)
    ordered = ranking.order(runs, name)
    if ranking.types.of(name).neutral:
        assert best == (None, None)
    elif ordered and ranking.ranked(ordered[0]) and metric_value(ordered[0], name) is not None:
        assert best == (metric_value(ordered[0], name), ordered[0].id)
    else:
        assert best == (None, None)
    values = column_values(runs, name)  # what a study's table holds
    assert values == [metric_value(r, name) for r in runs]
    assert ranking.best(runs, name, values, [ranking.ranked(r) for r in runs]) == best
    study = analyse(runs, SETTINGS)
    assert all(study.values[c.name] == column_values(study.runs, c.name) for c in study.columns)
