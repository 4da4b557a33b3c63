"""MLflow readers against stores MLflow itself wrote (tests/data/mlflow_*, see TRACKER_FIXTURES.md).

`expected.json` beside each store is what `MlflowClient` returned when the fixtures were made;
these tests never import mlflow.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reporter.config import Settings
from reporter.model import Run
from reporter.readers import load_readers
from reporter.readers._mlflow import aliases, relocate, run_ids, slug
from reporter.readers.discover import discover_runs
from reporter.readers.mlflow import MlflowFileReader
from reporter.readers.mlflow_sqlite import MlflowSqliteReader
from reporter.study.analyse import aliases as aliases_of
from reporter.study.analyse import resolve_alias
from tests.conftest import DATA, make_project

from ..conftest import load_all

STORES = {"mlflow_file": "mlflow", "mlflow_sqlite": "mlflow-sqlite"}


def expected(store: str) -> dict:
    return json.loads((DATA / store / "expected.json").read_text())


@pytest.fixture(scope="module", params=sorted(STORES))
def loaded(request):
    store = request.param
    runs, problems, notes = load_all(Settings.defaults(DATA / store, cache=False))
    return store, {r.info["mlflow.run_id"]: r for r in runs}, problems, notes


def test_every_active_run_is_read_and_nothing_else(loaded):
    store, runs, problems, notes = loaded
    assert problems == []
    assert set(runs) == set(expected(store)["runs"])
    assert all(r.reader == STORES[store] for r in runs.values())


def test_params_metrics_statuses_match_the_client(loaded):
    store, runs, _, _ = loaded
    for uuid, want in expected(store)["runs"].items():
        run = runs[uuid]
        assert run.name == want["name"]
        assert run.status == want["status"]
        assert run.params == want["params"]
        assert run.metrics == pytest.approx(want["metrics"], rel=0, abs=0)
        assert run.created is not None
        assert int(run.created.timestamp() * 1000) == want["start_time"]


def test_histories_match_the_client(loaded):
    """Metrics logged at two or more steps are histories, with every point the client returns."""
    store, runs, _, _ = loaded
    for uuid, want in expected(store)["runs"].items():
        series = {s.name: s for s in runs[uuid].histories}
        wanted = {k for k, steps in want["history_steps"].items() if steps >= 2}
        assert set(series) == wanted
        for name in wanted:
            assert len(series[name].x) == want["history_lengths"][name]
            assert list(series[name].x) == sorted(series[name].x)
            assert series[name].x_name == "step"


def test_deleted_runs_and_deleted_experiments_are_skipped(loaded):
    store, runs, _, _ = loaded
    skipped = expected(store)["skipped"]
    assert len(skipped) == 2
    assert not set(skipped) & set(runs)
    assert "scratch" not in {r.experiment for r in runs.values()}


def test_failed_and_running_runs_are_kept_with_their_status(loaded):
    _, runs, _, _ = loaded
    statuses = {r.name: r.status for r in runs.values()}
    assert statuses["diverged"] == "FAILED"
    assert statuses["still-running"] == "RUNNING"


def test_nested_runs_know_their_parent_and_children(loaded):
    store, runs, _, _ = loaded
    parent = next(r for r in runs.values() if r.name == "search")
    children = [r for uuid, r in runs.items() if expected(store)["runs"][uuid]["parent"]]
    assert len(children) == 2
    assert all(c.info["parent"] == parent.id for c in children)
    assert parent.info["children"] == sorted(c.id for c in children)


def test_tags_notes_commit_and_card(loaded):
    store, runs, _, _ = loaded
    run = next(r for r in runs.values() if r.name == "search")
    tags = expected(store)["runs"][run.info["mlflow.run_id"]]["tags"]
    assert run.notes == tags["mlflow.note.content"] == "Grid over C."
    assert run.git_commit == tags["mlflow.source.git.commit"]
    assert run.author == tags["mlflow.user"]
    assert run.tags == ("owner=ana",)
    assert run.info["experiment.tags"] == {"team": "risk"}
    assert run.card.startswith("# Fraud screen")
    assert run.predictions and Path(run.predictions).name == "predictions.csv"
    assert run.evaluation is not None  # the predictions artifact was evaluated


def test_artifacts_match_the_client_and_the_logged_model_is_listed(loaded):
    store, runs, _, _ = loaded
    for uuid, want in expected(store)["runs"].items():
        names = [a.name for a in runs[uuid].artifacts if not a.name.startswith("models/")]
        assert names == want["artifacts"]
    run = next(r for r in runs.values() if r.name == "search")
    (model_id,) = expected(store)["logged_models"]
    assert run.info["model.model.id"] == model_id
    assert run.info["model.model.flavour"].startswith("sklearn ")
    assert run.info["model.model.size_bytes"] > 0
    assert run.info["model.model.signature.inputs"] == "tensor float64 [-1, 3]"
    assert run.info["model.model.status"] == "READY"
    assert f"models/{model_id}/MLmodel" in {a.name for a in run.artifacts}
    assert run.info["registered_models"] == ["fraud-screen v1"]


def test_run_ids_are_mlflow_ids_and_the_former_ids_are_aliases(loaded):
    """`<store>/<experiment id>/<run id>`: what MLflow never changes, so a renamed run keeps
    its page; the name-based ids of earlier versions still name it (aliases)."""
    store, runs, _, _ = loaded
    prefix = "mlruns" if store == "mlflow_file" else "mlflow.db"
    exact, patterns = aliases_of(tuple(runs.values()))
    for uuid, run in runs.items():
        assert run.id == f"{prefix}/{run.info['mlflow.experiment_id']}/{uuid}"
        former = f"{prefix}/fraud/{slug(run.name)}-{uuid[:8]}"
        assert resolve_alias(former, exact, patterns) == run.id
        assert resolve_alias(f"{prefix}/fraud/{uuid}", exact, patterns) == run.id
    for name in ("search", "C-0.1"):
        (run,) = [r for r in runs.values() if slug(r.name) == name]
        assert resolve_alias(f"{prefix}/fraud/{name}", exact, patterns) == run.id


def test_an_alias_names_a_run_only_when_one_run_has_it():
    ids = run_ids("s", [("abcdef12aaaa", "1"), ("abcdef12bbbb", "1")])
    assert ids == {"abcdef12aaaa": "s/1/abcdef12aaaa", "abcdef12bbbb": "s/1/abcdef12bbbb"}
    found = aliases(
        "s", [("abcdef12aaaa", "e", "x"), ("abcdef12bbbb", "e", "x"), ("c" * 12, "e", "y")]
    )
    runs = tuple(
        Run(id=ids.get(u, f"s/1/{u}"), name="", experiment="e", reader="r", path="", aliases=a)
        for u, a in found.items()
    )
    exact, patterns = aliases_of(runs)
    assert resolve_alias("s/e/x-abcdef12", exact, patterns) == "s/e/x-abcdef12"  # two runs
    assert resolve_alias("s/e/x", exact, patterns) == "s/e/x"  # two runs named x
    assert resolve_alias("s/e/y", exact, patterns) == "s/1/" + "c" * 12
    assert resolve_alias("s/old-name/y-cccccccc", exact, patterns) == "s/1/" + "c" * 12
    assert resolve_alias("s/e/abcdef12aaaa", exact, patterns) == "s/1/abcdef12aaaa"


def test_the_sqlite_artifact_folder_is_owned_not_read_as_a_store():
    reader = MlflowSqliteReader()
    db = DATA / "mlflow_sqlite" / "mlflow.db"
    assert reader.matches_file(db)
    assert DATA / "mlflow_sqlite" / "mlruns" in reader.owns(db)
    assert not MlflowFileReader().matches(DATA / "mlflow_sqlite" / "mlruns")
    found = discover_runs(DATA / "mlflow_sqlite", load_readers()).found
    assert {f.reader.name for f in found} == {"mlflow-sqlite"}


def test_a_file_store_beside_a_database_is_still_read(tmp_path):
    """After `mlflow migrate-filestore` both stores sit side by side: both are read."""
    root = shutil.copytree(DATA / "mlflow_sqlite", tmp_path / "both")
    shutil.rmtree(root / "mlruns")
    shutil.copytree(DATA / "mlflow_file" / "mlruns", root / "mlruns")
    runs, problems, _ = load_all(Settings.defaults(root, cache=False))
    assert not problems
    assert sorted({r.reader for r in runs}) == ["mlflow", "mlflow-sqlite"]
    assert len(runs) == len(expected("mlflow_file")["runs"]) + len(
        expected("mlflow_sqlite")["runs"]
    )


def test_the_database_is_opened_read_only(tmp_path):
    store = shutil.copytree(DATA / "mlflow_sqlite", tmp_path / "store")
    before = hashlib.sha256((store / "mlflow.db").read_bytes()).hexdigest()
    (store / "mlflow.db").chmod(0o444)
    runs, problems, _ = load_all(Settings.defaults(store, cache=False))
    assert runs and not problems
    assert hashlib.sha256((store / "mlflow.db").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in store.iterdir()) == ["expected.json", "mlflow.db", "mlruns"]


def test_a_damaged_database_is_reported_not_ignored(tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    data = (DATA / "mlflow_sqlite" / "mlflow.db").read_bytes()
    (root / "mlflow.db").write_bytes(data[:100] + b"\xff" * 4000)
    (root / "notes.db").write_bytes(b"not sqlite at all")
    runs, problems, _ = load_all(Settings.defaults(root, cache=False))
    assert runs == []
    (problem,) = problems
    assert problem.run_id == "mlflow.db" and problem.path == "mlflow.db"
    assert "cannot query the database" in problem.reason


def test_a_moved_store_finds_its_artifacts_by_path_tail(tmp_path):
    (tmp_path / "mlruns" / "1" / "abc" / "artifacts").mkdir(parents=True)
    found = relocate("file:///elsewhere/proj/mlruns/1/abc/artifacts", tmp_path, tmp_path)
    assert found == tmp_path / "mlruns" / "1" / "abc" / "artifacts"
    assert relocate("s3://bucket/1/abc/artifacts", tmp_path, tmp_path) is None
    assert relocate("/elsewhere/zzz/artifacts", tmp_path, tmp_path) is None


def test_metric_lines_with_extra_fields_and_bad_lines(tmp_path):
    store = shutil.copytree(DATA / "mlflow_file" / "mlruns", tmp_path / "mlruns")
    reader = MlflowFileReader()
    (run_id, handle), *_ = [
        h for h in reader.list_runs(store, root=tmp_path) if "mlruns/fraud/diverged" in h[1].aliases
    ]
    metric = handle.run_dir / "metrics" / "train" / "loss"
    metric.write_text("1000 1.5 0 eval-set 0a1b\n2000 0.5 1 eval-set 0a1b\n3000 0.7\n")
    run = reader.read(handle, run_id=run_id, root=tmp_path)
    assert run.metrics["train/loss"] == 0.5
    assert len(run.histories[0].x) == 3
    metric.write_text("1000 1.5 0\nnot a number\n")  # a line cut while the run logs
    run = reader.read(handle, run_id=run_id, root=tmp_path)
    assert run.metrics["train/loss"] == 1.5  # the run is kept, without the bad line
    (problem,) = run.problems
    assert "metrics/train/loss, line 2" in problem and "not a number" in problem


def test_an_unreadable_run_is_one_skipped_run_naming_the_file(tmp_path):
    store = shutil.copytree(DATA / "mlflow_file" / "mlruns", tmp_path / "mlruns")
    meta = next(p for p in store.glob("*/*/meta.yaml") if "diverged" in p.read_text())
    meta.write_text("run_id: [unclosed\n")
    runs, problems, _ = load_all(Settings.defaults(tmp_path, cache=False))
    assert len(runs) == len(expected("mlflow_file")["runs"]) - 1
    (problem,) = problems
    assert problem.path.endswith("meta.yaml") and problem.line is not None
    assert problem.run_id == f"mlruns/{meta.parent.parent.name}/{meta.parent.name}"


@pytest.mark.parametrize("store", sorted(STORES))
def test_a_site_builds_with_one_page_per_run(tmp_path, store):
    from reporter.site.build import build_site

    config = make_project(tmp_path / "project", DATA / store)
    result = build_site(config)
    ids = [r.id for r in result.report.study.runs]
    assert len(ids) == len(expected(store)["runs"])
    for run_id in ids:
        page = result.site_dir / "runs" / run_id / "index.html"
        assert page.is_file(), run_id
    parent = next(r for r in result.report.study.runs if r.name == "search")
    soup = BeautifulSoup((result.site_dir / "runs" / parent.id / "index.html").read_text(), "lxml")
    text = soup.get_text(" ")
    assert "FINISHED" in text and "Grid over C." in text and "sklearn" in text
    assert f"{STORES[store]} reader" in text
