"""The bundled example study, built the way a user builds it, and checked against scikit-learn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sklearn.metrics import average_precision_score, roc_auc_score

from reporter.cli import cli

from .. import searchindex
from ..conftest import REPO
from ..sitecharts import page_figures

RUN_IDS = sorted(
    p.parent.relative_to(REPO / "runs").as_posix() for p in (REPO / "runs").rglob("metrics.json")
)


def article(site: Path, run_id: str) -> BeautifulSoup:
    html = (site / "runs" / run_id / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "lxml").select_one("article")


def figures(site: Path, run_id: str) -> list[dict]:
    return page_figures(site / "runs" / run_id / "index.html")


def test_the_example_study_is_a_dozen_runs():
    assert len(RUN_IDS) >= 12


def test_every_run_has_a_page_in_the_leaderboard_and_the_search_index(example_site):
    board = BeautifulSoup((example_site / "leaderboard" / "index.html").read_text(), "lxml")
    rows = json.loads(board.select_one(".reporter-leaderboard")["data-rows"])
    assert sorted(r["id"] for r in rows) == RUN_IDS
    locations = {d["location"] for d in searchindex.documents(example_site)}
    for run_id in RUN_IDS:
        assert (example_site / "runs" / run_id / "index.html").is_file()
        assert f"runs/{run_id}/" in locations


@pytest.mark.parametrize("run_id", RUN_IDS)
def test_performance_matches_scikit_learn(example_site, run_id):
    frame = pd.read_csv(REPO / "runs" / run_id / "predictions.csv")
    page = article(example_site, run_id)
    table = page.select_one("#performance ~ div table")
    cells = {
        tr.select("td")[0].get_text(): tr.select("td")[1].get_text()
        for tr in table.select("tbody tr")
    }
    assert float(cells["average_precision"]) == pytest.approx(
        average_precision_score(frame.y_true, frame.y_score), abs=5e-5
    )
    assert float(cells["roc_auc"]) == pytest.approx(
        roc_auc_score(frame.y_true, frame.y_score), abs=5e-5
    )
    titles = [f["layout"]["title"]["text"] for f in figures(example_site, run_id)]
    assert "Precision-recall curve" in titles and "ROC curve" in titles
    pr = next(
        f
        for f in figures(example_site, run_id)
        if f["layout"]["title"]["text"] == "Precision-recall curve"
    )
    curve = pr["data"][0]
    assert (
        len(curve["x"])
        == len(curve["y"])
        == len(curve["customdata"])
        >= min(10, frame.y_score.nunique())
    )
    assert "threshold" in curve["hovertemplate"]
    assert pr["data"][1]["hovertemplate"].startswith("operating point")


def test_logged_and_computed_metrics_agree_in_the_example(example_site):
    for run_id in RUN_IDS:
        assert (
            "Logged and computed metrics disagree" not in article(example_site, run_id).get_text()
        )


def test_slices_are_evaluated_with_intervals_and_low_support_flags(example_site):
    page = article(example_site, "fraud/hgb-lr0.2-es")
    rows = page.select("#performance-by-slice + div table tbody tr")
    labels = [r.select_one("td").get_text(" ", strip=True) for r in rows]
    assert any(label.startswith("segment = retail") for label in labels)
    assert any("few positives" in label for label in labels)  # some countries have < 30 frauds
    slice_titles = [
        f["layout"]["title"]["text"]
        for f in figures(example_site, "fraud/hgb-lr0.2-es")
        if "by" in f["layout"]["title"]["text"]
    ]
    assert "average_precision by segment (95% interval)" in slice_titles


def test_failed_runs_are_shown_with_their_status(example_site):
    page = article(example_site, "fraud/hgb-lr1.5")
    assert page.select_one(".reporter-status--failed").get_text() == "failed"


def test_show_json_has_the_documented_evaluation_keys():
    result = CliRunner().invoke(
        cli,
        ["show", "fraud/hgb-lr0.2-es", "--format", "json", "--config", str(REPO / "mkdocs.yml")],
    )
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)["evaluation"]
    assert {
        "n",
        "positives",
        "roc_auc",
        "average_precision",
        "log_loss",
        "brier",
        "recall_at_fpr",
        "precision_at_recall",
        "confusion",
        "ci",
        "slices",
    } <= set(evaluation)
    assert set(evaluation["recall_at_fpr"]) == {"0.001", "0.01", "0.05"}
    assert set(evaluation["precision_at_recall"]) == {"0.5", "0.8", "0.9"}
    assert evaluation["confusion"]["threshold"] == 0.21  # the run's own threshold from run.yaml
    assert set(evaluation["confusion"]) == {"threshold", "tp", "fp", "tn", "fn"}
    assert set(evaluation["ci"]) == {"roc_auc", "average_precision"}
    assert set(evaluation["slices"]) == {"country", "segment"}
    retail = evaluation["slices"]["segment"]["retail"]
    assert "slices" not in retail and {"n", "positives", "roc_auc"} <= set(retail)


def test_plain_mkdocs_build_strict_in_the_repo_root_builds_the_same_pages(example_site, tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    pages = sorted(
        p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("index.html")
    )
    assert pages == sorted(p.relative_to(example_site) for p in example_site.rglob("index.html"))


def test_experiment_and_named_comparisons_are_built(example_site):
    pages = sorted(p.parent.name for p in (example_site / "compare").glob("*/index.html"))
    assert pages == [
        "experiment-baselines",
        "experiment-boosting",
        "hgb-learning-rates",
        "model-families",
        "top-5",
    ]
    experiment = BeautifulSoup(
        (example_site / "experiments" / "boosting" / "index.html").read_text(), "lxml"
    )
    assert any(
        a["href"].endswith("compare/experiment-boosting/") for a in experiment.select("article a")
    )
    board = BeautifulSoup((example_site / "leaderboard" / "index.html").read_text(), "lxml")
    titles = [
        c["title"]
        for c in json.loads(board.select_one(".reporter-leaderboard")["data-comparisons"])
    ]
    assert "Best of each model family" in titles


def test_a_comparison_page_has_every_part(example_site):
    html = (example_site / "compare" / "experiment-boosting" / "index.html").read_text()
    page = BeautifulSoup(html, "lxml").select_one("article")
    headings = [h.get_text().rstrip("¶") for h in page.select("h2")]
    assert headings == [
        "Summary",
        "Configuration differences",
        "Training histories",
        "Precision-recall curves",
        "ROC curves",
        "Operating points",
        "Calibration",
        "Parameters and metric",
        "Metric by parameter",
        "Slices",
    ]
    all_figures = page_figures(example_site / "compare" / "experiment-boosting" / "index.html")
    kinds = {f["data"][0]["type"] for f in all_figures}
    assert {"scatter", "parcoords", "heatmap"} <= kinds
    group = page.select_one("tr.reporter-group")
    assert "3 seeds" in group.get_text() and "±" in group.get_text()
    assert len(page.select("tr.reporter-member")) == 3
    pr = next(f for f in all_figures if f["layout"]["title"]["text"] == "Precision-recall curve")
    assert len([t for t in pr["data"] if t["mode"] == "lines"]) == 8  # one curve per run
    history_links = [a["href"] for a in page.select(".reporter-compare-table a[download]")]
    assert len(history_links) == 8
    for href in history_links:
        assert ((example_site / "compare" / "experiment-boosting") / href).resolve().is_file()


def test_the_baseline_comparison_shows_deltas(example_site):
    page = BeautifulSoup(
        (example_site / "compare" / "model-families" / "index.html").read_text(), "lxml"
    )
    first = page.select_one(".reporter-compare-table tbody tr")
    assert "baseline" in first.get_text()
    assert page.select(".reporter-compare-table small.reporter-better")
