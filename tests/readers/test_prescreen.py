"""Readers that rule folders out from discovery's listing (`Prescreens.may_match`).

A prescreen may only spare work: discovery with it must find exactly what discovery without
it finds, on any folder, whatever its entries are (files, folders, broken links, FIFOs, links
to folders, summaries and dvc.yaml files beside it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.readers import Prescreens, PrescreensFiles, conforms, load_readers
from reporter.readers import discover as discover_module
from reporter.readers.discover import discover_runs

from ..conftest import DATA, write_run

SUMMARY = '{"auc": 0.91, "step": 3}'  # dvclive's shape
NOT_SUMMARY = '{"slices": {"a": 1}}'
EXPERIMENT_META = "experiment_id: '3'\nname: e\nartifact_location: x\nlifecycle_stage: active\n"
RUN_META = "run_id: r1\nexperiment_id: '3'\nstatus: 3\nlifecycle_stage: active\n"

# name -> the shapes it may take inside the folder under test
INSIDE = {
    "metrics.json": ["summary", "not-summary", "broken-link", "fifo", "folder", "file-link"],
    "params.yaml": ["yaml", "folder", "broken-link"],
    "dvc.yaml": ["lists-metrics", "yaml", "folder"],
    "plots": ["plots-metrics", "plots-sklearn", "empty-folder", "yaml", "folder-link"],
    "run.yaml": ["yaml", "fifo", "broken-link"],
    "predictions.csv": ["csv"],
    "scalars": ["tsv-folder"],
    "0": ["experiment", "empty-folder"],
    "models": ["empty-folder"],
    ".hidden": ["experiment"],
    "a.tsv": ["csv"],
}
# name -> shapes beside the folder under test (in the folder holding it)
BESIDE = {
    "x.json": ["summary", "not-summary", "broken-link", "fifo", "folder"],
    "dvc.yaml": ["lists-x", "yaml", "folder"],
}


def _make(path: Path, shape: str, elsewhere: Path) -> None:
    text = {
        "summary": SUMMARY,
        "not-summary": NOT_SUMMARY,
        "yaml": "lr: 0.1\n",
        "lists-metrics": "metrics:\n- metrics.json\n",
        "lists-x": "metrics:\n- x/metrics.json\n",
        "csv": "label,score\n1,0.9\n0,0.1\n",
    }
    if shape in text:
        path.write_text(text[shape])
    elif shape == "broken-link":
        path.symlink_to(elsewhere / "missing")
    elif shape == "fifo":
        os.mkfifo(path)
    elif shape in ("folder", "empty-folder"):
        path.mkdir()
    elif shape == "file-link":
        (elsewhere / "target.json").write_text(SUMMARY)
        path.symlink_to(elsewhere / "target.json")
    elif shape == "folder-link":
        (elsewhere / "plots" / "metrics").mkdir(parents=True, exist_ok=True)
        path.symlink_to(elsewhere / "plots")
    elif shape in ("plots-metrics", "plots-sklearn"):
        (path / shape.removeprefix("plots-")).mkdir(parents=True)
        (path / shape.removeprefix("plots-") / "auc.tsv").write_text("step\tauc\n0\t0.5\n")
    elif shape == "tsv-folder":
        path.mkdir()
        (path / "auc.tsv").write_text("step\tauc\n0\t0.5\n")
    elif shape == "experiment":
        write_run(path.parent, path.name, {"meta.yaml": EXPERIMENT_META})
        write_run(path, "r1", {"meta.yaml": RUN_META, "metrics/auc": "1 0.9 0\n"})
    else:  # pragma: no cover - a shape the table above names but this function does not make
        raise AssertionError(shape)


def _layout(table: dict[str, list[str]]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {}, optional={name: st.sampled_from(shapes) for name, shapes in table.items()}
    )


def _found(root: Path) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    discovery = discover_runs(root, load_readers())
    found = [(item.id, item.reader.name) for item in discovery.found]
    return found, discovery.notes, discovery.warnings


@settings(max_examples=150, deadline=None)
@given(inside=_layout(INSIDE), beside=_layout(BESIDE), siblings=st.booleans())
def test_a_prescreen_never_changes_what_discovery_finds(inside, beside, siblings):
    with tempfile.TemporaryDirectory() as tmp:
        root, elsewhere = Path(tmp) / "runs", Path(tmp) / "elsewhere"
        folder = root / "p" / "x"
        folder.mkdir(parents=True)
        elsewhere.mkdir()
        for name, shape in inside.items():
            _make(folder / name, shape, elsewhere)
        for name, shape in beside.items():
            _make(folder.parent / name, shape, elsewhere)
        if siblings:  # a native run beside it: the folder holding it is listed with both
            write_run(root / "p", "y", {"metrics.json": {"auc": 0.5}})
        screened = _found(root)
        with mock.patch.object(discover_module, "_ruled_out", lambda *args: False):
            unscreened = _found(root)
    assert screened == unscreened


def _asking(readers) -> list[tuple[str, str]]:
    """Record (reader, folder name) for every `matches` call."""
    asked: list[tuple[str, str]] = []
    for reader in readers:
        original = reader.matches

        def matches(path, _original=original, _name=reader.name):
            asked.append((_name, path.name))
            return _original(path)

        object.__setattr__(reader, "matches", matches)
    return asked


def test_native_run_folders_are_not_looked_into_by_other_readers(make_run, tmp_path):
    for i in range(20):
        make_run(f"exp/run-{i:02d}", {"metrics.json": {"auc": 0.5}, "config.yaml": {"lr": 0.1}})
    readers = load_readers()
    assert {r.name for r in readers if conforms(r, Prescreens)} >= {"dvclive", "mlflow", "native"}
    asked = _asking(readers)
    found = discover_runs(tmp_path / "runs", readers).found
    assert len(found) == 20 and {item.reader.name for item in found} == {"native"}
    of_runs = sorted({reader for reader, name in asked if name.startswith("run-")})
    # modelstore's own `matches` is a name check; the others would look into every run folder
    assert of_runs == ["mlflow-sqlite", "modelstore", "native"]
    assert ("dvclive", "exp") not in asked  # exp/ is ruled out too (no plots, no metrics.json)


def test_a_file_store_is_never_ruled_out_by_its_name(tmp_path):
    """A real MLflow database under many names: the name rules it out only where the reader
    would not claim it anyway; a name it cannot be is ruled out."""
    store = next((DATA / "mlflow_sqlite").rglob("*.db"))
    reader = next(r for r in load_readers() if conforms(r, PrescreensFiles))
    names = ["mlflow.db", "a.DB", "x.sqlite", "x.Sqlite3", ".db", "a.db.bak", "db", "a.sqlite3x"]
    claimed, screened = [], []
    for name in names:
        shutil.copyfile(store, tmp_path / name)
        claimed.append(reader.matches_file(tmp_path / name))
        screened.append(reader.may_match_file(name))
    assert all(s for c, s in zip(claimed, screened, strict=True) if c)
    assert claimed[:4] == [True] * 4 and screened[-3:] == [False] * 3


_DISCOVER_BOTH_WAYS = """
import json, sys
from pathlib import Path
from unittest import mock
from reporter.readers import load_readers
from reporter.readers import discover as d
def seen():
    found = d.discover_runs(Path(sys.argv[1]), load_readers())
    return [f.id for f in found.found], found.warnings
screened = seen()
with mock.patch.object(d, "_ruled_out", lambda *args: False):
    print(json.dumps([screened, seen()]))
"""


def test_a_run_that_cannot_be_read_is_still_reported_as_a_normal_user(make_run, tmp_path):
    """Folders listed but not searchable (mode r--): one whose names could make a run is still
    a warning; one whose names cannot is passed over (before, it was a warning too)."""
    make_run("ok", {"metrics.json": {"auc": 0.5}})
    make_run("locked", {"metrics.json": {"auc": 0.5}})
    make_run("plain", {"notes.txt": "not a run"})
    for name in ("locked", "plain"):
        (tmp_path / "runs" / name).chmod(0o444)
    command = [sys.executable, "-c", _DISCOVER_BOTH_WAYS, str(tmp_path / "runs")]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        for name in ("locked", "plain"):
            (tmp_path / "runs" / name).chmod(0o755)
    (screened_ids, screened), (unscreened_ids, unscreened) = json.loads(done.stdout)
    assert screened_ids == unscreened_ids == ["ok"]
    assert screened == ["Cannot read 'locked' (Permission denied); skipped"]
    assert unscreened == [*screened, "Cannot read 'plain' (Permission denied); skipped"]
