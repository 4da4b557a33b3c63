"""The example study decides at its operating point (recall@fpr=0.01 in mkdocs.yml): the built
site ranks by it, never ranks the failed run, and leaves counts and volumes unranked."""

from __future__ import annotations

import json

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import REPO

OP = "recall@fpr=0.01"


@pytest.fixture(scope="module")
def evaluated() -> list[dict]:
    """Every run with its computed numbers, as a script gets them."""
    result = CliRunner().invoke(
        cli,
        ["list", "--format", "json", "--with-evaluation", "--config", str(REPO / "mkdocs.yml")],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def soup(site, *parts: str) -> BeautifulSoup:
    return BeautifulSoup(site.joinpath(*parts, "index.html").read_text(encoding="utf-8"), "lxml")


def board(site) -> tuple[list[dict], list[dict], str]:
    node = soup(site, "leaderboard").select_one(".reporter-leaderboard")
    return json.loads(node["data-columns"]), json.loads(node["data-rows"]), node["data-sort"]


def test_the_example_config_sets_the_operating_point():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text().replace("!!python", ""))
    (reporter,) = [
        p["reporter"] for p in config["plugins"] if isinstance(p, dict) and "reporter" in p
    ]
    assert reporter["operating_point"] == OP


def test_every_run_has_the_operating_points_value(evaluated):
    for run in evaluated:
        assert run["evaluation"] is not None, run["id"]
        assert OP in run["evaluation"]["metrics"]
        assert OP in run["evaluation"]["metric_thresholds"]


def test_home_names_the_best_completed_run_at_the_operating_point(example_site, evaluated):
    completed = [r for r in evaluated if r["status"].lower() not in ("failed", "killed")]
    best = max(
        completed, key=lambda r: (r["evaluation"]["metrics"][OP], [-ord(c) for c in r["id"]])
    )
    by_ap = max(evaluated, key=lambda r: r["evaluation"]["metrics"]["average_precision"])
    assert by_ap["id"] != best["id"]  # the study's point: AP would pick another run
    box = soup(example_site).select_one("article .admonition.success")
    assert "Best run at the operating point: best recall at FPR ≤ 1%" in box.get_text(" ")
    link = box.select_one("a")
    assert link.get_text() == best["name"] and best["id"] in link["href"]
    assert f"{best['evaluation']['metrics'][OP]:.4g}" in box.get_text()


def test_the_leaderboard_sorts_by_the_operating_point_first(example_site):
    columns, _rows, sort = board(example_site)
    assert sort == OP and columns[0]["key"] == OP
    assert columns[0]["direction"] == "higher" and columns[0]["lower"] is False
    assert "higher is better" in columns[0]["title"]


def test_the_failed_run_is_never_highlighted(example_site, evaluated):
    failed = next(r for r in evaluated if r["status"] == "failed")
    values = [r["evaluation"]["metrics"][OP] for r in evaluated]
    assert failed["evaluation"]["metrics"][OP] == min(values)  # the lowest recall at 1% FPR
    columns, rows, _ = board(example_site)
    row = next(r for r in rows if r["id"] == failed["id"])
    assert row["ranked"] is False
    for i, column in enumerate(columns):  # its value is never a column's best but by a tie
        ranked_values = [r["metrics"][i] for r in rows if r["ranked"]]
        if column["best"] is not None and row["metrics"][i] == column["best"]:
            assert column["best"] in ranked_values, column["key"]
    best = next(c for c in columns if c["key"] == OP)["best"]
    assert best == pytest.approx(max(values))
    experiment = soup(example_site, "experiments", "boosting")
    failed_row = next(
        tr for tr in experiment.select("article tbody tr") if failed["id"] in tr.get_text()
    )
    assert not failed_row.select(".reporter-best")


def test_alerts_and_counts_are_neutral(example_site):
    columns, _, _ = board(example_site)
    by_key = {c["key"]: c for c in columns}
    for key in ("alerts_per_10k", "n_iter"):
        assert by_key[key]["direction"] == "neutral" and by_key[key]["best"] is None, key
    assert by_key["n_iter"]["format"] == "integer"
    assert by_key["fpr"]["direction"] == "lower"
    compare = soup(example_site, "compare", "model-families")
    table = compare.select_one("table.reporter-compare-table")
    heads = [th.get_text() for th in table.select("thead th")]
    assert heads[1] == OP  # the operating point's metric first
    n_iter = heads.index("n_iter")
    deltas = [
        tr.select("td")[n_iter].select_one("small:not(.reporter-ci)")
        for tr in table.select("tbody tr")
    ]
    shown = [d for d in deltas if d is not None and d.get_text() != "+0"]
    assert shown and all("reporter-neutral" in d["class"] for d in shown)
    assert not [d for d in shown if {"reporter-better", "reporter-worse"} & set(d["class"])]
    cells = [tr.select("td")[n_iter] for tr in table.select("tbody tr")]
    assert not [td for td in cells if "reporter-best" in td.get("class", [])]


def test_operating_point_tables_put_it_first_and_mark_the_winner(example_site, evaluated):
    page = soup(example_site, "runs", "fraud", "hgb-lr0.2-es")
    table = page.select_one("#operating-points ~ div table")
    first = table.select_one("tbody tr")
    assert "best recall at FPR ≤ 1%" in first.get_text() and "operating point" in first.get_text()
    compare = soup(example_site, "compare", "experiment-boosting").select_one("table.reporter-ops")
    assert "FPR ≤ 1%" in compare.select_one("thead tr th.reporter-group-head").get_text()
    rows = compare.select("tbody tr")
    names = [tr.select_one("td a").get_text() for tr in rows]
    boosting = [r for r in evaluated if r["id"].startswith("fraud/") and r["name"] in names]
    ranked = sorted(
        (r for r in boosting if r["status"] != "failed"),
        key=lambda r: (-r["evaluation"]["metrics"][OP], r["id"]),
    )
    assert names[0] == ranked[0]["name"]
    assert names[-1] == "HGB lr=1.5 (diverged)"  # the failed run last, with its status
    winners = [tr for tr in rows if "reporter-best" in tr.select("td")[2].get("class", [])]
    assert [w.select_one("td a").get_text() for w in winners] == [ranked[0]["name"]]


def test_the_model_card_states_the_operating_point(example_site, evaluated):
    run = next(r for r in evaluated if r["id"] == "fraud/hgb-lr0.2-es")
    readme = (
        example_site / "runs" / "fraud" / "hgb-lr0.2-es" / "model-card.README.md.txt"
    ).read_text()
    front = yaml.safe_load(readme.split("---\n")[1])
    assert "## Operating point" in readme
    assert "best recall at FPR ≤ 1% (`recall@fpr=0.01`)" in readme
    threshold = run["evaluation"]["metric_thresholds"][OP]
    assert f"- Threshold: {threshold:.6g}" in readme
    metrics = {m["type"]: m for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics[OP]["args"] == {"threshold": threshold}
    assert "n_iter" not in metrics  # a count is not an evaluation result
    assert "dataset" not in front["model-index"][0]["results"][0]  # no dataset was named
