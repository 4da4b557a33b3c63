"""Stores written by several versions of MLflow and dvclive, read through the `reporter` CLI.

Each folder in tests/data/trackers was made by `scripts/make_tracker_versions.py` with one real
library version; its `expected.json` is what that library's own client returned (README.md there
says how). These tests run `reporter list --format json` and `reporter show RUN --format json` on
a copy of each store and compare field by field. Every version is read in full: there is no
known gap left (the strict xfails that marked them were removed as each gap was closed).
"""

from __future__ import annotations

import csv
import json
import pickletools
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import DATA

TRACKERS = DATA / "trackers"
EXPECTED = {
    p.name: json.loads((p / "expected.json").read_text())
    for p in sorted(TRACKERS.iterdir())
    if (p / "expected.json").is_file()
}
FOLDERS = sorted(EXPECTED)
MLFLOW = [f for f in FOLDERS if EXPECTED[f]["library"] == "mlflow"]
DVCLIVE = [f for f in FOLDERS if EXPECTED[f]["library"] == "dvclive"]


def stores(folders: list[str]):
    """Parametrise `reported` over `folders`."""
    return pytest.mark.parametrize("reported", folders, indirect=True)


# ---------------------------------------------------------------------------------------------
# The CLI, once per store


def invoke(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


class Reported:
    """`reporter list`, and `reporter show` for every listed run, on a copy of one store."""

    def __init__(self, folder: str, workdir: Path) -> None:
        self.folder = folder
        self.workdir = workdir
        self.expected = EXPECTED[folder]
        self.library = self.expected["library"]
        store = workdir / "store"
        shutil.copytree(TRACKERS / folder, store, ignore=shutil.ignore_patterns("expected.json"))
        self.listed = invoke("list", "--format", "json", "--runs", str(store))
        self.shown = {
            r["id"]: invoke("show", r["id"], "--format", "json", "--runs", str(store))
            for r in self.listed
        }

    def key(self, shown: dict) -> str:
        """The tracker's own run key: MLflow's run id; for dvclive the project folder."""
        if self.library == "mlflow":
            return shown["info"]["mlflow.run_id"]
        for key, want in self.expected["runs"].items():
            if shown["id"] == f"{key}/{want['live_dir']}":
                return key
        return shown["id"]

    @property
    def by_key(self) -> dict[str, dict]:
        return {self.key(shown): shown for shown in self.shown.values()}

    def reporter_id(self, key: str) -> str:
        return self.by_key[key]["id"]

    def pairs(self) -> Iterator[tuple[dict, dict, dict]]:
        """(expected, listed, shown) for every run the library returned; a missing run fails."""
        listed = {r["id"]: r for r in self.listed}
        runs = self.by_key
        missing = sorted(set(self.expected["runs"]) - set(runs))
        assert not missing, f"runs not found by reporter: {missing}"
        for key, want in sorted(self.expected["runs"].items()):
            yield want, listed[runs[key]["id"]], runs[key]


_reported: dict[str, Reported] = {}


@pytest.fixture
def reported(request, tmp_path_factory) -> Reported:
    folder = request.param
    if folder not in _reported:
        workdir = tmp_path_factory.mktemp(folder)
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(workdir)  # reporter's run cache goes to the working directory
            _reported[folder] = Reported(folder, workdir)
    return _reported[folder]


# ---------------------------------------------------------------------------------------------
# What the library returned, in reporter's terms


def flatten(tree: dict, sep: str, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, sep, name))
        else:
            flat[name] = value
    return flat


def latest_metrics(want: dict, library: str) -> dict[str, float | None]:
    """Latest value per metric (None for NaN)."""
    if library == "mlflow":
        return want["metrics"]
    summary = flatten({k: v for k, v in want["summary"].items() if k != "step"}, "/")
    # dvclive 2.x-3.x `log_metric` turns NaN into the string "nan" (metrics.json and the TSV);
    # 0.x writes Python's bare NaN, which expected.json holds as null
    return {k: None if isinstance(v, str) and v.lower() == "nan" else v for k, v in summary.items()}


def histories(want: dict) -> dict[str, list[list[float | None]]]:
    """Metric -> [step, value] points, for metrics logged at two or more steps."""
    return {
        name: sorted(points, key=lambda p: p[0])
        for name, points in want["histories"].items()
        if len({step for step, _ in points}) >= 2
    }


def as_text(value: object) -> str:
    """A parameter value as text: MLflow's str() of the Python value, YAML scalars likewise."""
    return value if isinstance(value, str) else str(value)


def has_nan(folder: str, where: str) -> bool:
    expected = EXPECTED[folder]
    for want in expected["runs"].values():
        if where == "metrics" and None in latest_metrics(want, expected["library"]).values():
            return True
        if where == "histories" and any(
            v is None for points in histories(want).values() for _, v in points
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Every tracker


@stores(FOLDERS)
def test_every_run_is_found_once(reported):
    runs = reported.by_key
    assert set(runs) == set(reported.expected["runs"])
    assert len(reported.listed) == len(reported.expected["runs"])
    assert {s["reader"] for s in runs.values()} <= {reported.library, f"{reported.library}-sqlite"}


@stores(FOLDERS)
def test_run_names(reported):
    for want, listed, shown in reported.pairs():
        assert listed["name"] == shown["name"] == want["name"], listed["id"]


@stores(FOLDERS)
def test_experiments(reported):
    for want, listed, _ in reported.pairs():
        assert listed["experiment"] == want["experiment"], listed["id"]


@stores(FOLDERS)
def test_latest_metrics(reported):
    """Every finite latest value, exactly; nothing the client did not return."""
    for want, listed, _ in reported.pairs():
        wanted = latest_metrics(want, reported.library)
        finite = {k: v for k, v in wanted.items() if v is not None}
        assert {k: v for k, v in listed["metrics"].items() if k not in wanted} == {}, listed["id"]
        assert {k: v for k, v in listed["metrics"].items() if k in finite} == finite, listed["id"]


@stores([f for f in FOLDERS if has_nan(f, "metrics")])
def test_a_nan_latest_metric_is_null(reported):
    for want, listed, _ in reported.pairs():
        for key, value in latest_metrics(want, reported.library).items():
            if value is None:
                assert key in listed["metrics"], (listed["id"], key)
                assert listed["metrics"][key] is None, (listed["id"], key)


@stores(FOLDERS)
def test_history_lengths_and_last_values(reported):
    """Metrics logged at two or more steps are histories: every point counted, last value."""
    for want, _, shown in reported.pairs():
        got = {h["name"]: h for h in shown["histories"]}
        wanted = histories(want)
        assert set(got) == set(wanted), shown["id"]
        for name, points in wanted.items():
            last = points[-1][1]
            assert got[name]["x"] == "step", (shown["id"], name)
            assert got[name]["points"] == len(points), (shown["id"], name)
            if last is not None:
                assert got[name]["last"] == pytest.approx(last, rel=1e-6), (shown["id"], name)


@stores([f for f in FOLDERS if has_nan(f, "histories")])
def test_nan_points_are_kept_in_histories(reported):
    for want, _, shown in reported.pairs():
        got = {h["name"]: h for h in shown["histories"]}
        for name, points in histories(want).items():
            if any(v is None for _, v in points):
                assert got[name]["points"] == len(points), (shown["id"], name)
                assert got[name]["last"] is None, (shown["id"], name)


# ---------------------------------------------------------------------------------------------
# MLflow


@stores(MLFLOW)
def test_mlflow_status_and_start_time(reported):
    for want, listed, _ in reported.pairs():
        assert listed["status"] == want["status"], listed["id"]
        created = datetime.fromisoformat(listed["created"])
        assert round(created.timestamp() * 1000) == want["start_time"], listed["id"]


@stores(MLFLOW)
def test_mlflow_params_as_text(reported):
    for want, listed, _ in reported.pairs():
        assert listed["params"] == want["params"], listed["id"]


@stores(MLFLOW)
def test_mlflow_notes_and_tags(reported):
    for want, listed, shown in reported.pairs():
        assert (shown["notes"] or None) == want["tags"].get("mlflow.note.content"), listed["id"]
        users = sorted(f"{k}={v}" for k, v in want["tags"].items() if not k.startswith("mlflow."))
        assert sorted(listed["tags"]) == users, listed["id"]


@stores(MLFLOW)
def test_mlflow_nested_runs_know_their_parent(reported):
    children = 0
    for want, _, shown in reported.pairs():
        parent = want["tags"].get("mlflow.parentRunId")
        if parent:
            children += 1
            assert shown["info"]["parent"] == reported.reporter_id(parent)
            assert shown["id"] in reported.by_key[parent]["info"]["children"]
        else:
            assert "parent" not in shown["info"], shown["id"]
    assert children == 1


@stores([f for f in MLFLOW if any(r.get("datasets") for r in EXPECTED[f]["runs"].values())])
def test_mlflow_dataset_inputs_are_shown(reported):
    """Name, digest and context of every `mlflow.log_input`, as `dataset.<name>.*`."""
    for want, _, shown in reported.pairs():
        datasets = want.get("datasets") or ()
        for dataset in datasets:
            key = f"dataset.{dataset['name']}"
            assert shown["info"][f"{key}.digest"] == dataset["digest"], shown["id"]
            assert shown["info"][f"{key}.context"] == dataset["context"], shown["id"]
        if not datasets:
            assert not any(k.startswith("dataset.") for k in shown["info"]), shown["id"]


@stores([f for f in MLFLOW if EXPECTED[f].get("logged_models")])
def test_mlflow_logged_models(reported):
    for model_id, model in reported.expected["logged_models"].items():
        shown = reported.by_key[model["source_run_id"]]
        assert shown["info"][f"model.{model['name']}.id"] == model_id
        assert any(a["name"].startswith(f"models/{model_id}/") for a in shown["artifacts"])


# ---------------------------------------------------------------------------------------------
# dvclive


@stores(DVCLIVE)
def test_dvclive_logged_params(reported):
    """What Live.log_params wrote (the Live folder's params.yaml), flattened with dots, as text."""
    for want, listed, _ in reported.pairs():
        logged = {k: as_text(v) for k, v in flatten(want["params"] or {}, ".").items()}
        got = {k: as_text(v) for k, v in listed["params"].items() if k in logged}
        assert got == logged, listed["id"]


@stores(DVCLIVE)
def test_dvclive_project_params(reported):
    for want, listed, _ in reported.pairs():
        project = {k: as_text(v) for k, v in flatten(want["project_params"], ".").items()}
        got = {k: as_text(v) for k, v in listed["params"].items() if k in project}
        assert got == project, listed["id"]


@stores([f for f in DVCLIVE if any(r["plots"] for r in EXPECTED[f]["runs"].values())])
def test_dvclive_sklearn_plots(reported):
    """Every plot dvclive logged is a plot of the run (drawn on its page), with its points."""
    for want, _, shown in reported.pairs():
        plots = {p["name"]: p for p in shown["plots"]}
        assert set(plots) == set(want["plots"]), shown["id"]
        for name, plot in plots.items():
            assert plot["kind"] == ("confusion" if name == "confusion_matrix" else "line")
            assert plot["points"] > 0, (shown["id"], name)


@stores([f for f in DVCLIVE if f.startswith("dvclive-0.")])
def test_dvclive_0x_runs_were_created_at_their_first_logged_time(reported):
    """dvclive 0.x TSVs hold a timestamp per point: the run was created at the first one."""
    for _, listed, _ in reported.pairs():
        live = TRACKERS / reported.folder / listed["id"]
        stamps = [
            int(row["timestamp"])
            for tsv in live.rglob("*.tsv")
            for row in csv.DictReader(tsv.read_text().splitlines(), delimiter="\t")
        ]
        if not stamps:
            assert listed["created"] is None, listed["id"]
            continue
        created = datetime.fromisoformat(listed["created"])
        assert round(created.timestamp() * 1000) == min(stamps), listed["id"]


# ---------------------------------------------------------------------------------------------
# Model pickles


MARKER = "reporter-unpickled-marker"
PICKLED = [f for f in FOLDERS if any((TRACKERS / f).rglob("*.pkl"))]


@stores(PICKLED)
def test_model_pickles_are_listed_never_unpickled(reported):
    """The generator armed every *.pkl: unpickling one would create MARKER in the working dir."""
    pickles = sorted((TRACKERS / reported.folder).rglob("*.pkl"))
    for path in pickles:
        ops = [(op.name, arg) for op, arg, _ in pickletools.genops(path.read_bytes())]
        assert ("SHORT_BINUNICODE", MARKER) in ops and any(arg == "open" for _, arg in ops)
    listed = {a["name"].rsplit("/", 1)[-1] for s in reported.shown.values() for a in s["artifacts"]}
    assert {p.name for p in pickles} <= listed
    assert not list(reported.workdir.rglob(MARKER))
