"""dvclive reader against Live folders dvclive itself wrote (tests/data/dvclive)."""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup

from reporter.config import Settings
from reporter.errors import RunReadError
from reporter.readers import _parse, load_readers
from reporter.readers.discover import discover_runs
from reporter.readers.dvclive import DvcliveReader, load_lenient_json
from tests.conftest import DATA, make_project
from tests.sitecharts import page_figures

from ..conftest import load_all

STORE = DATA / "dvclive"
EXPECTED = json.loads((STORE / "expected.json").read_text())


@pytest.fixture(scope="module")
def runs():
    runs, problems, notes = load_all(Settings.defaults(STORE, cache=False))
    assert problems == []
    return {r.id: r for r in runs}


def test_every_live_folder_is_one_dvclive_run(runs):
    assert set(runs) == set(EXPECTED) == {"with-steps", "no-steps"}
    assert {r.reader for r in runs.values()} == {"dvclive"}


def test_metrics_and_params_match_what_dvclive_logged(runs):
    for run_id, want in EXPECTED.items():
        run = runs[run_id]
        summary = {k: v for k, v in want["summary"].items() if k != "step"}
        assert run.metrics == {k.replace(".", "/"): v for k, v in _parse.flatten(summary).items()}
        assert run.params == _parse.flatten(want["params"])
        assert run.config == want["params"]


def test_histories_with_steps_and_none_without(runs):
    with_steps = runs["with-steps"]
    assert {s.name: len(s.x) for s in with_steps.histories} == EXPECTED["with-steps"][
        "history_lengths"
    ]
    assert all(s.x_name == "step" and list(s.x) == list(range(6)) for s in with_steps.histories)
    assert with_steps.info["step"] == EXPECTED["with-steps"]["summary"]["step"]
    assert runs["no-steps"].histories == ()
    assert "step" not in runs["no-steps"].info


def test_sklearn_plots_are_read_as_plots_and_images_listed(runs):
    plots = {p.name: p for p in runs["with-steps"].plots}
    assert set(plots) == {"roc", "precision_recall", "calibration", "confusion_matrix"}
    roc = json.loads((STORE / "with-steps" / "plots" / "sklearn" / "roc.json").read_text())["roc"]
    assert plots["roc"].kind == "line" and len(plots["roc"].x) == len(roc)
    assert list(plots["roc"].y[:3]) == [row["tpr"] for row in roc[:3]]
    # titles and labels come from the dvc.yaml that declares the plot
    assert plots["roc"].title == "Receiver operating characteristic (ROC)"
    assert plots["calibration"].x_label == "Mean Predicted Probability"
    matrix = plots["confusion_matrix"]
    assert matrix.kind == "confusion" and matrix.labels == ("0", "1")
    assert sum(map(sum, matrix.counts)) == 40
    assert not any(k.startswith("plots.") for k in runs["with-steps"].info)
    names = [a.name for a in runs["with-steps"].artifacts]
    assert names == ["model.pkl", "plots/images/sample.png"]


def test_bare_infinity_is_parsed_to_none():
    roc = STORE / "with-steps" / "plots" / "sklearn" / "roc.json"
    assert "Infinity" in roc.read_text()
    data = load_lenient_json(roc, "roc.json")
    assert data["roc"][0]["threshold"] is None


def test_detection_rule(make_run, tmp_path):
    reader = DvcliveReader()
    # dvclive's own layout
    assert reader.matches(make_run("a", {"plots/metrics/loss.tsv": "step\tloss\n0\t1\n"}))
    # metrics.json + params.yaml in dvclive's shape
    assert reader.matches(make_run("b", {"metrics.json": {"x": {"y": 1}}, "params.yaml": {"a": 1}}))
    # native runs stay native: slices, native-only files, text values, no params.yaml
    assert not reader.matches(
        make_run("c", {"metrics.json": {"auc": 1, "slices": {"s": {"auc": 1}}}, "params.yaml": {}})
    )
    assert not reader.matches(
        make_run("d", {"metrics.json": {"auc": 1}, "params.yaml": {}, "run.yaml": {"name": "d"}})
    )
    assert not reader.matches(
        make_run("e", {"metrics.json": {"auc": 1, "note": "hi"}, "params.yaml": {}})
    )
    assert not reader.matches(make_run("f", {"metrics.json": {"auc": 1}}))
    # a dvc.yaml above the folder that lists its metrics.json
    make_run("g", {"metrics.json": {"auc": "text is fine here"}})
    (tmp_path / "runs" / "dvc.yaml").write_text("metrics:\n- g/metrics.json\n")
    assert reader.matches(tmp_path / "runs" / "g")
    found = discover_runs(tmp_path / "runs", load_readers()).found
    assert {f.id: f.reader.name for f in found} == {
        "a": "dvclive",
        "b": "dvclive",
        "c": "native",
        "d": "native",
        "e": "native",
        "f": "native",
        "g": "dvclive",
    }


def test_a_metric_logged_at_one_step_is_not_a_history(make_run, tmp_path):
    """dvclive writes a one-row TSV for a metric logged without `next_step`."""
    make_run("once", {"metrics.json": {"auc": 0.7}, "plots/metrics/auc.tsv": "step\tauc\n0\t0.7\n"})
    make_run("old", {"plots/metrics/loss.tsv": "timestamp\tstep\tloss\n1\t0\t2\n2\t1\t1\n"})
    runs, problems, _ = load_all(Settings.defaults(tmp_path / "runs", cache=False))
    by_id = {r.id: r for r in runs}
    assert not problems
    assert by_id["once"].histories == () and by_id["once"].metrics == {"auc": 0.7}
    (loss,) = by_id["old"].histories
    assert (loss.name, list(loss.x), list(loss.y)) == ("loss", [0.0, 1.0], [2.0, 1.0])


def test_a_default_live_folder_is_named_after_its_project(make_run, tmp_path):
    """`dvclive/` (dvclive's default) is the project's run: named after the project, in the
    experiment of the folder above the project; another Live folder is named after itself."""
    make_run("exp-7/dvclive", {"metrics.json": {"auc": 0.5}, "params.yaml": {"lr": 1}})
    make_run("fraud/lr-1/dvclive", {"metrics.json": {"auc": 0.6}, "params.yaml": {"lr": 1}})
    make_run("fraud/custom-live", {"metrics.json": {"auc": 0.7}, "params.yaml": {"lr": 2}})
    runs, _, _ = load_all(Settings.defaults(tmp_path / "runs", cache=False))
    assert sorted((r.id, r.name, r.experiment) for r in runs) == [
        ("exp-7/dvclive", "exp-7", "default"),
        ("fraud/custom-live", "custom-live", "fraud"),
        ("fraud/lr-1/dvclive", "lr-1", "fraud"),
    ]


def test_a_broken_tsv_is_a_problem_of_the_run_naming_file_and_line(tmp_path):
    """The run is shown without that history; its page and the log name the file and line."""
    shutil.copytree(STORE, tmp_path / "runs")
    (tmp_path / "runs" / "with-steps" / "plots" / "metrics" / "train" / "loss.tsv").write_text(
        "step\tloss\n0\t1.0\n1\toops\n"
    )
    runs, problems, _ = load_all(Settings.defaults(tmp_path / "runs", cache=False))
    (problem,) = problems
    assert isinstance(problem, RunReadError) and problem.partial
    assert problem.run_id == "with-steps"
    assert "with-steps/plots/metrics/train/loss.tsv, line 3" in str(problem)
    by_id = {r.id: r for r in runs}
    assert sorted(by_id) == ["no-steps", "with-steps"]
    assert [s.name for s in by_id["with-steps"].histories] == ["val/roc_auc"]
    assert by_id["with-steps"].problems == (str(problem),)


def test_a_site_builds_with_one_page_per_run_and_its_plots_drawn(tmp_path):
    from reporter.site.build import build_site

    result = build_site(make_project(tmp_path / "project", STORE))
    for run_id in EXPECTED:
        page = result.site_dir / "runs" / run_id / "index.html"
        text = BeautifulSoup(page.read_text(), "lxml").get_text(" ")
        assert "dvclive reader" in text
    assert len(result.report.study.runs) == 2
    page = result.site_dir / "runs" / "with-steps" / "index.html"
    soup = BeautifulSoup(page.read_text(), "lxml")
    heading = soup.find(id="logged-plots")
    assert heading is not None
    titles = {f["layout"]["title"]["text"]: f for f in page_figures(page)}
    roc = titles["Receiver operating characteristic (ROC)"]["data"][0]
    assert roc["type"] == "scatter" and len(roc["x"]) == len(roc["y"]) > 10
    matrix = titles["Confusion Matrix"]["data"][0]
    assert matrix["type"] == "heatmap" and sum(int(v) for row in matrix["text"] for v in row) == 40
    assert {"Precision-Recall Curve", "Calibration Curve"} <= set(titles)
