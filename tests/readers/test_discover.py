from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.cli import cli
from reporter.errors import ReporterError
from reporter.readers import (
    MAX_SEGMENT_BYTES,
    _id_problem,
    id_problem,
    load_readers,
    safe_run_id,
)
from reporter.readers.discover import discover_runs

from ..conftest import DATA, write_run


def test_nested_runs_get_their_relative_path_as_id(make_run, tmp_path):
    for run_id in ["fraud/lgbm-07", "fraud/2026/deep/run", "top"]:
        make_run(run_id, {"metrics.json": {}})
    (tmp_path / "runs" / "fraud" / "notes.txt").write_text("not a run")
    discovery = discover_runs(tmp_path / "runs", load_readers())
    found, notes = discovery.found, discovery.notes
    assert [f.id for f in found] == ["fraud/2026/deep/run", "fraud/lgbm-07", "top"]
    assert notes == []


def test_a_run_folder_is_not_searched_further(make_run, tmp_path):
    make_run("outer", {"metrics.json": {}})
    make_run("outer/inner", {"metrics.json": {}})
    found = discover_runs(tmp_path / "runs", load_readers()).found
    assert [f.id for f in found] == ["outer"]


def test_symbolic_links_are_not_followed(make_run, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "metrics.json").write_text("{}")
    make_run("real", {"metrics.json": {}})
    os.symlink(outside, tmp_path / "runs" / "escape")
    os.symlink(tmp_path / "runs", tmp_path / "runs" / "loop")
    discovery = discover_runs(tmp_path / "runs", load_readers())
    found, notes = discovery.found, discovery.notes
    assert [f.id for f in found] == ["real"]
    assert sorted(notes) == [
        "'escape' is a symbolic link; not followed",
        "'loop' is a symbolic link; not followed",
    ]


def test_missing_root_is_a_clear_error(tmp_path):
    with pytest.raises(ReporterError, match="does not exist"):
        discover_runs(tmp_path / "nope", load_readers())


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../../../tmp/x", "tmp/x"),
        ("a/../b", "a/b"),
        ("exp/new\nline", "exp/new-line"),
        ("a\\b/c", "a-b/c"),
        (".hidden/x", "hidden/x"),
        ("", "unnamed"),
        ("fraud/ok", "fraud/ok"),
    ],
)
def test_ids_from_data_are_made_safe(raw, safe):
    assert safe_run_id(raw) == safe
    assert id_problem(safe) is None
    assert (id_problem(raw) is None) == (raw == safe)


def test_a_long_part_is_cut_with_a_digest_and_stays_unique():
    one, two = safe_run_id("a/" + "x" * 300), safe_run_id("a/" + "x" * 299 + "y")
    assert one != two and id_problem(one) is None and id_problem(two) is None
    assert all(len(part.encode()) <= MAX_SEGMENT_BYTES for part in one.split("/"))


def test_unsafe_ids_are_renamed_with_a_warning_and_clashes_get_a_suffix(make_run, tmp_path):
    make_run("exp/new-line", {"metrics.json": {"auc": 0.5}})
    make_run("exp/new\nline", {"metrics.json": {"auc": 0.6}})
    discovery = discover_runs(tmp_path / "runs", load_readers())
    assert [f.id for f in discovery.found] == ["exp/new-line", "exp/new-line-2"]
    (warning,) = discovery.warnings
    assert "'exp/new\\nline' cannot keep its id" in warning and "'exp/new-line-2'" in warning


# ---------------------------------------------------------------------------------------------
# What --runs may name: a folder of runs, one run, a store, a store file, a folder inside a store

TRACKERS = DATA / "trackers"


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    """The CLI's cache goes to the working directory: keep it out of the repository."""
    monkeypatch.chdir(tmp_path)


def listed(runs: Path) -> list[dict]:
    result = CliRunner().invoke(cli, ["list", "--format", "json", "--runs", str(runs)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def mlflow_file(tmp_path_factory) -> Path:
    return shutil.copytree(TRACKERS / "mlflow-3.17.2-file", tmp_path_factory.mktemp("f") / "s")


def test_a_store_file_gives_the_ids_its_folder_gives(tmp_path):
    store = shutil.copytree(TRACKERS / "mlflow-2.9.2-sqlite", tmp_path / "s")
    from_folder = {r["id"]: r["name"] for r in listed(store)}
    assert len(from_folder) == 6
    assert {r["id"]: r["name"] for r in listed(store / "mlflow.db")} == from_folder


def test_an_experiment_folder_of_a_file_store_gives_its_runs(mlflow_file):
    every = listed(mlflow_file)
    experiment = next(
        p
        for p in (mlflow_file / "mlruns").iterdir()
        if (p / "meta.yaml").is_file() and "name: fraud" in (p / "meta.yaml").read_text()
    )
    fraud = [r for r in every if r["experiment"] == "fraud"]
    assert 0 < len(fraud) < len(every)
    assert listed(experiment) == fraud


def test_one_run_folder_of_a_file_store_gives_that_run(mlflow_file):
    (run,) = [r for r in listed(mlflow_file) if r["name"] == "baseline"]
    assert listed(mlflow_file / run["id"]) == [run]


def test_one_native_run_folder_is_the_run(make_run, tmp_path):
    folder = make_run("exp/lr-0.1", {"metrics.json": {"auc": 0.9}})
    (run,) = listed(folder)
    assert (run["id"], run["metrics"]) == ("lr-0.1", {"auc": 0.9})


def test_a_dvc_project_and_its_live_folder(tmp_path):
    project = shutil.copytree(
        TRACKERS / "dvclive-3.49.1-project" / "fraud" / "baseline", tmp_path / "p"
    )
    (run,) = listed(project)
    assert (run["id"], run["name"]) == ("dvclive", "p")
    assert run["params"]["train.lr"] == 0.1 and run["params"]["seed"] == 1  # project + Live params
    (live,) = listed(project / "dvclive")
    assert live["metrics"] == run["metrics"]


@pytest.mark.parametrize("kind", ["empty folder", "folder of other files", "other file"])
def test_a_path_without_runs_exits_1_naming_what_each_reader_looks_for(tmp_path, kind):
    root = tmp_path / "root"
    root.mkdir()
    if kind == "folder of other files":
        (root / "notes.txt").write_text("no run here")
        (root / "data").mkdir()
    elif kind == "other file":
        root = root / "notes.db"
        root.write_text("not a database")
    result = CliRunner().invoke(cli, ["list", "--runs", str(root)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and str(root) in line
    for reader in load_readers():
        assert f"{reader.name}: {reader.looks_for}" in line


def test_a_runs_folder_inside_a_project_a_reader_claims_is_searched_as_usual(tmp_path):
    """A DVC project whose dvc.yaml lists its metrics.json is a dvclive run; its runs/ folder
    is still a folder of runs, not a folder inside that run."""
    project = tmp_path / "project"
    write_run(
        project, ".", {"metrics.json": {"auc": 0.5}, "dvc.yaml": "metrics:\n- metrics.json\n"}
    )
    write_run(project / "runs", "exp/a", {"metrics.json": {"auc": 0.7}})
    assert [r["id"] for r in listed(project / "runs")] == ["exp/a"]


_ID_CHARS = st.sampled_from(list("ab_-.Z9/\\ \x00\x7fé\u2028") + ["a" * 119, "b" * 120])


@settings(max_examples=800, deadline=None)
@given(st.lists(_ID_CHARS, max_size=12).map("".join))
def test_the_fast_path_for_plain_ids_agrees_with_every_rule(run_id: str) -> None:
    """Plain ASCII ids skip the character-by-character checks; they must get the same answer."""
    assert id_problem(run_id) == _id_problem(run_id)
    for plain in ("a", "exp/run-1", "a_b.c/d-e", "x" * 120, "/".join(["y" * 120] * 8)):
        assert id_problem(plain) == _id_problem(plain)
