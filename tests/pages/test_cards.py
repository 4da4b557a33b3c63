"""Model-card export: Hugging Face README.md and Model Card Toolkit JSON, from a `Run`."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import numpy as np
import pytest
import yaml

from reporter.config import Settings
from reporter.evaluation.metrics import computed_metrics
from reporter.model import Run
from reporter.pages.card_text import card_sections
from reporter.pages.cards import card_results, hf_card, mct_card
from tests.conftest import DATA

from ..conftest import load_all

CARD = """\
# Fraud screen

A gradient-boosted screen for card payments.

## Intended use
- Rank transactions for manual review
- Not for automatic blocking

## Limitations
Scores drift after holidays.

## Trade-offs
Recall over precision.

## Ethical considerations
Reviewers see the score after their own decision.

## Training data
Six months of payments.
"""


def plain_run(**overrides) -> Run:
    fields = dict(
        id="fraud/gbm-1",
        name="gbm | 1",
        experiment="fraud",
        reader="native",
        path="/runs/fraud/gbm-1",
        created=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        author="ana",
        git_commit="abc123",
        tags=("baseline",),
        metrics={"roc_auc": 0.91, "train_loss": 0.2, "bad": math.nan},
        slices={"segment=retail": {"roc_auc": 0.93}},
        card=CARD,
    )
    return Run(**{**fields, **overrides})


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> Run:
    """A native run with predictions (and a slice column) through the real evaluation."""
    root = tmp_path_factory.mktemp("runs")
    folder = root / "fraud" / "evaluated"
    folder.mkdir(parents=True)
    rs = np.random.RandomState(0)
    y = rs.randint(0, 2, 400)
    score = np.clip(0.35 * y + 0.65 * rs.rand(400), 0, 1)
    segment = np.where(rs.rand(400) < 0.5, "retail", "online")
    rows = "".join(f"{t},{s:.5f},{g}\n" for t, s, g in zip(y, score, segment, strict=True))
    (folder / "predictions.csv").write_text("y_true,y_score,segment\n" + rows)
    (folder / "metrics.json").write_text(json.dumps({"roc_auc": 0.5, "logged_only": 3.0}))
    (folder / "card.md").write_text(CARD)
    (run,), problems, _ = load_all(Settings.defaults(root, cache=False))
    assert not problems and run.evaluation is not None
    return run


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_hf_card_front_matter_has_model_index_overall_and_per_slice():
    front = front_matter(hf_card(plain_run()))
    assert front["tags"] == ["baseline"]
    (index,) = front["model-index"]
    assert index["name"] == "gbm | 1"
    overall, sliced = index["results"]
    assert overall["task"] == {"type": "tabular-classification", "name": "Classification"}
    assert "dataset" not in overall  # never named after the experiment
    assert [(m["type"], m["value"]) for m in overall["metrics"]] == [
        ("roc_auc", 0.91), ("train_loss", 0.2),
    ]  # fmt: skip
    assert sliced["metrics"] == [{"type": "roc_auc", "value": 0.93, "name": "ROC AUC"}]
    declared = plain_run(info={"run.eval_dataset": "payments-2026-q1"})
    overall, sliced = front_matter(hf_card(declared))["model-index"][0]["results"]
    assert overall["dataset"] == {"name": "payments-2026-q1", "type": "payments-2026-q1"}
    assert sliced["dataset"]["config"] == "segment=retail"


def test_hf_card_body_keeps_the_prose_and_escapes_table_cells():
    text = hf_card(plain_run())
    body = text.split("---\n", 2)[2]
    assert body.lstrip().startswith("# Fraud screen")  # the card's own title, not a second one
    assert "## Intended use" in body and "## Evaluation results" in body
    assert "| segment=retail | roc_auc | 0.93 |" in body
    assert "Git commit: `abc123`" in body
    bare = hf_card(plain_run(card="", name="a | b"))
    assert "# a | b" in bare and "No model card was written" in bare


def test_computed_metrics_win_and_carry_intervals(evaluated):
    results = card_results(evaluated)
    overall = {r.metric: r for r in results if not r.slice}
    assert overall["roc_auc"].value == evaluated.evaluation.roc_auc != 0.5
    assert overall["roc_auc"].ci == evaluated.evaluation.ci["roc_auc"]
    assert overall["logged_only"].value == 3.0
    slices = {r.slice for r in results if r.slice}
    assert slices == {"segment=online", "segment=retail"}
    retail = evaluated.evaluation.slices["segment"]["retail"]
    got = {r.metric: r.value for r in results if r.slice == "segment=retail"}
    assert got == computed_metrics(retail)


def test_hf_card_of_an_evaluated_run(evaluated):
    front = front_matter(hf_card(evaluated))
    results = front["model-index"][0]["results"]
    assert [r["task"]["name"] for r in results] == ["Binary classification"] * 3
    assert "dataset" not in results[0]
    assert "95% interval" in hf_card(evaluated)
    assert "&id" not in hf_card(evaluated)  # each slice states its task: no YAML anchors


def test_mct_card_fields(evaluated):
    card = mct_card(evaluated)
    json.dumps(card, allow_nan=False)  # plain JSON, nothing non-finite
    assert card["schema_version"] == "0.0.2"
    details = card["model_details"]
    assert details["name"] == evaluated.name
    assert details["overview"] == "A gradient-boosted screen for card payments."
    metrics = card["quantitative_analysis"]["performance_metrics"]
    auc = next(m for m in metrics if m["type"] == "roc_auc" and m["slice"] == "")
    low, high = evaluated.evaluation.ci["roc_auc"]
    assert auc["value"] == repr(evaluated.evaluation.roc_auc)
    assert auc["confidence_interval"] == {"lower_bound": repr(low), "upper_bound": repr(high)}
    assert {m["slice"] for m in metrics} == {"", "segment=online", "segment=retail"}
    considerations = card["considerations"]
    assert considerations["use_cases"] == [
        {"description": "Rank transactions for manual review"},
        {"description": "Not for automatic blocking"},
    ]
    assert considerations["limitations"] == [{"description": "Scores drift after holidays."}]
    assert considerations["tradeoffs"] == [{"description": "Recall over precision."}]
    assert considerations["ethical_considerations"][0]["name"].startswith("Reviewers see")
    assert card["model_parameters"]["data"] == [
        {"name": "Training data", "description": "Six months of payments."}
    ]


def test_mct_card_without_a_card_or_metrics():
    card = mct_card(plain_run(card="", metrics={}, slices={}, author="", created=None))
    assert card["quantitative_analysis"]["performance_metrics"] == []
    assert card["model_details"]["owners"] == []
    assert "date" not in card["model_details"]["version"]
    assert all(v == [] for v in card["considerations"].values())


def test_card_sections_title_and_bullets():
    sections = card_sections("# Title\n\nOverview text.\n\n## Users\n* analysts\n* auditors\n")
    assert sections == {"overview": ["Overview text."], "users": ["analysts", "auditors"]}


def test_cards_of_tracker_runs_name_the_library():
    runs, _, _ = load_all(Settings.defaults(DATA / "mlflow_file", cache=False))
    search = next(r for r in runs if r.name == "search")
    assert front_matter(hf_card(search))["library_name"] == "sklearn"
    assert mct_card(search)["model_parameters"]["model_architecture"] == "sklearn"
    runs, _, _ = load_all(Settings.defaults(DATA / "modelstore", cache=False))
    assert mct_card(runs[0])["model_parameters"]["model_architecture"] in {
        "LogisticRegression", "DecisionTreeClassifier",
    }  # fmt: skip


# --- what a card states -----------------------------------------------------------------------


def test_the_task_is_stated_only_when_known():
    from reporter.pages.cards import card_task

    assert card_task(plain_run(metrics={"rmse": 3.1, "r2": 0.8, "n_iter": 10})) == {
        "type": "tabular-regression",
        "name": "Regression",
    }
    assert card_task(plain_run(metrics={"n_iter": 10, "fit_seconds": 3.0})) is None
    assert card_task(plain_run(metrics={"roc_auc": 0.9, "rmse": 0.3})) is None  # mixed
    front = front_matter(hf_card(plain_run(metrics={"n_iter": 10, "mystery": 0.3}, slices={})))
    (result,) = front["model-index"][0]["results"]
    assert "task" not in result and [m["type"] for m in result["metrics"]] == ["mystery"]


def test_only_evaluation_metrics_are_results():
    run = plain_run(metrics={"roc_auc": 0.9, "n_iter": 150, "fit_seconds": 12.0, "support": 40})
    names = [r.metric for r in card_results(run) if not r.slice]
    assert names == ["roc_auc"]
    mct = mct_card(run)
    assert [m["type"] for m in mct["quantitative_analysis"]["performance_metrics"]] == [
        "roc_auc",
        "roc_auc",
    ]  # overall and the retail slice


def test_threshold_dependent_results_carry_their_threshold(evaluated):
    from reporter.evaluation.metrics import metric_thresholds

    at = metric_thresholds(evaluated.evaluation)
    results = {r.metric: r for r in card_results(evaluated) if not r.slice}
    assert results["precision"].threshold == evaluated.evaluation.at_threshold.threshold == 0.5
    assert results["recall@fpr=0.01"].threshold == at["recall@fpr=0.01"]
    assert results["roc_auc"].threshold is None
    front = front_matter(hf_card(evaluated))
    metrics = {m["type"]: m for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics["precision"]["args"] == {"threshold": 0.5}
    assert "args" not in metrics["roc_auc"]
    mct = {
        m["type"]: m
        for m in mct_card(evaluated)["quantitative_analysis"]["performance_metrics"]
        if not m["slice"]
    }
    assert mct["precision"]["threshold"] == "0.5" and "threshold" not in mct["roc_auc"]


def test_license_library_and_dataset_come_from_run_yaml():
    run = plain_run(
        info={
            "run.license": "apache-2.0",
            "run.library_name": "sklearn",
            "run.eval_dataset": "payments-q1",
        }
    )
    front = front_matter(hf_card(run))
    assert front["license"] == "apache-2.0" and front["library_name"] == "sklearn"
    assert "Evaluation dataset: payments-q1" in hf_card(run)
    mct = mct_card(run)
    assert mct["model_details"]["licenses"] == [{"identifier": "apache-2.0"}]
    assert {"name": "payments-q1", "description": "evaluation data"} in mct["model_parameters"][
        "data"
    ]
    assert "license" not in front_matter(hf_card(plain_run()))


def test_a_trackers_dataset_inputs_name_the_dataset():
    from reporter.pages.cards import card_dataset

    inputs = [
        {"name": "train-2026", "context": "training"},
        {"name": "test-2026", "context": "eval"},
    ]
    assert card_dataset(plain_run(info={"datasets": inputs})) == "test-2026"
    assert card_dataset(plain_run(info={"datasets": inputs[:1]})) == "train-2026"  # the only one
    assert card_dataset(plain_run()) == ""  # never the experiment's name


def test_the_card_states_the_operating_point(evaluated):
    from reporter.config.operating import parse_operating_point
    from reporter.pages.cards import CardContext

    op = parse_operating_point("recall@fpr=0.05")
    text = hf_card(evaluated, CardContext(operating_point=op))
    point = evaluated.evaluation.recall_at_fpr[0.05]
    assert "## Operating point" in text
    assert "- Operating point: best recall at FPR ≤ 5% (`recall@fpr=0.05`)" in text
    assert f"- Recall: {point.recall:.6g}" in text and f"- Threshold: {point.threshold:.6g}" in text
    assert "## Operating point" not in hf_card(evaluated)
