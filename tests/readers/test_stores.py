"""Several tracker stores in one runs root, and run ids that survive a rename in the tracker."""

from __future__ import annotations

import shutil
from pathlib import Path

from reporter.config import Settings
from reporter.journal.entries import read_entry
from reporter.pipeline import build_report

from ..conftest import DATA, load_all, write_run

TRACKERS = DATA / "trackers"


def test_an_experiment_several_stores_hold_is_one_experiment_per_store(tmp_path):
    root = tmp_path / "runs"
    shutil.copytree(TRACKERS / "mlflow-3.17.2-file" / "mlruns", root / "team-a" / "mlruns")
    shutil.copy(TRACKERS / "mlflow-2.9.2-sqlite" / "mlflow.db", root / "team-b.db")
    write_run(root, "fraud/native-run", {"metrics.json": {"auc": 0.5}})
    write_run(root, "solo/native-run", {"metrics.json": {"auc": 0.6}})
    runs, problems, _ = load_all(Settings.defaults(root, cache=False))
    assert not problems
    by_experiment: dict[str, set[str]] = {}
    for run in runs:
        by_experiment.setdefault(run.experiment, set()).add(run.store)
    assert by_experiment == {
        "fraud": {""},  # runs not read from a store keep the plain name
        "fraud (team-a/mlruns)": {"team-a/mlruns"},
        "fraud (team-b.db)": {"team-b.db"},
        "churn (team-a/mlruns)": {"team-a/mlruns"},
        "churn (team-b.db)": {"team-b.db"},
        "solo": {""},  # one store (the folder layout) holds it: unchanged
    }


def test_one_store_keeps_plain_experiment_names(tmp_path):
    root = shutil.copytree(TRACKERS / "mlflow-3.17.2-sqlite", tmp_path / "runs")
    runs, _, _ = load_all(Settings.defaults(root, cache=False))
    assert {r.experiment for r in runs} == {"fraud", "churn"}


def entry(*targets: str) -> object:
    body = "\n".join(f"See [this](run:{t})." for t in targets)
    return read_entry("journal/posts/x.md", f"---\ndate: 2026-12-01\n---\n# X\n\n{body}\n", "X")[0]


def test_journal_links_keep_working_when_a_run_is_renamed_in_mlflow(tmp_path):
    root = shutil.copytree(TRACKERS / "mlflow-3.17.2-file", tmp_path / "runs")
    settings = Settings.defaults(root, cache=False)
    (run,) = [r for r in load_all(settings)[0] if r.name == "baseline"]
    uuid = run.info["mlflow.run_id"]
    former = f"mlruns/fraud/baseline-{uuid[:8]}"  # the id reporter gave it before
    links = (run.id, former, "mlruns/fraud/baseline")
    report = build_report(settings, entries=(entry(*links),))
    assert [report.journal.links[("journal/posts/x.md", "run", t)].target for t in links] == [
        run.id
    ] * 3

    (root / "mlruns" / run.id.split("/")[1] / uuid / "tags" / "mlflow.runName").write_text("v2")
    report = build_report(settings, entries=(entry(run.id, former, "mlruns/fraud/v2"),))
    (renamed,) = [r for r in report.study.runs if r.info["mlflow.run_id"] == uuid]
    assert (renamed.id, renamed.name) == (run.id, "v2")  # same id, so the same page
    resolved = report.journal.links
    for target in (run.id, former, "mlruns/fraud/v2"):  # the former id names it still
        assert resolved[("journal/posts/x.md", "run", target)].target == run.id, target
    assert not report.journal.warnings


def test_an_unnamed_run_shows_a_short_id_not_its_uuid(tmp_path):
    root = shutil.copytree(TRACKERS / "mlflow-3.17.2-file", tmp_path / "runs")
    tags = next(p for p in root.rglob("mlflow.runName") if p.read_text() == "baseline")
    tags.unlink()
    meta = tags.parent.parent / "meta.yaml"
    meta.write_text(
        "\n".join(line for line in meta.read_text().splitlines() if not line.startswith("run_name"))
    )
    runs, _, _ = load_all(Settings.defaults(Path(root), cache=False))
    (run,) = [r for r in runs if r.info["mlflow.run_id"] == tags.parent.parent.name]
    assert run.name == tags.parent.parent.name[:8]


def test_a_sqlite_store_site_shows_datasets_models_and_histories_with_gaps(tmp_path):
    """Histories left in the store are read when the page is drawn; a NaN point is a gap."""
    from bs4 import BeautifulSoup

    from reporter.site.build import build_site

    from ..conftest import make_project
    from ..sitecharts import page_figures

    store = tmp_path / "store"
    shutil.copytree(TRACKERS / "mlflow-3.17.2-sqlite", store)
    (store / "expected.json").unlink()
    result = build_site(make_project(tmp_path / "project", store))
    by_name = {r.name: r for r in result.report.study.runs}
    page = result.site_dir / "runs" / by_name["baseline"].id / "index.html"
    text = BeautifulSoup(page.read_text(), "lxml").get_text("")  # keys carry <wbr> break points
    assert "dataset.transactions.digest" in text and "1115d0b2" in text and "training" in text
    assert "model.model.id" in text and "m-bc0f388c02484570b2b9170355eefc30" in text
    diverged = result.site_dir / "runs" / by_name["diverged"].id / "index.html"
    (loss,) = [f for f in page_figures(diverged) if f["layout"]["title"]["text"] == "loss"]
    assert loss["data"][0]["y"] == [1.0, 4.0, 64.0, None]


def test_reporter_show_accepts_a_former_id(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from reporter.cli import cli

    monkeypatch.chdir(tmp_path)
    store = shutil.copytree(TRACKERS / "mlflow-3.17.2-file", tmp_path / "runs")
    runs = [r for r in load_all(Settings.defaults(store, cache=False))[0] if r.name == "baseline"]
    (run,) = runs
    for wanted in ("mlruns/fraud/baseline", f"mlruns/fraud/baseline-{run.id[-32:][:8]}"):
        result = CliRunner().invoke(cli, ["show", wanted, "--format", "json", "--runs", str(store)])
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["id"] == run.id and shown["histories"]
