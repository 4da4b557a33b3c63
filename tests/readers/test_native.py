from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from reporter.errors import RunReadError
from reporter.readers.native import NativeReader

READER = NativeReader()


def read(folder: Path) -> object:
    return READER.read(folder, run_id=folder.name, root=folder.parent)


def test_numbers_are_metrics_and_the_rest_is_information(make_run):
    folder = make_run(
        "r1",
        {
            "metrics.json": {
                "run_name": "Named in metrics",
                "created_at": "2026-10-02T09:30:00Z",
                "roc_auc": 0.91,
                "n_trees": 300,
                "converged": True,
                "confusion_matrix": {"tn": 5, "fp": 1, "fn": 2, "tp": 3},
                "classes": ["legit", "fraud"],
                "slices": {"segment=retail": {"roc_auc": 0.93, "n": 40, "note": "x"}, "bad": 3},
            }
        },
    )
    run = read(folder)
    assert run.metrics == {"n_trees": 300.0, "roc_auc": 0.91}
    assert run.slices == {"segment=retail": {"n": 40.0, "roc_auc": 0.93}}
    assert run.info["converged"] is True
    assert run.info["confusion_matrix"] == {"tn": 5, "fp": 1, "fn": 2, "tp": 3}
    assert run.info["classes"] == ["legit", "fraud"]
    assert run.name == "Named in metrics"
    assert run.created == datetime(2026, 10, 2, 9, 30, tzinfo=UTC)


def test_nested_config_is_flattened_and_kept_nested(make_run):
    config = {"model": {"type": "hgb", "lr": 0.1, "layers": [3, 4]}, "seed": 1, "empty": {}}
    run = read(make_run("r", {"metrics.json": {"a": 1}, "config.yaml": config}))
    assert run.params == {
        "empty": {},
        "model.layers": [3, 4],
        "model.lr": 0.1,
        "model.type": "hgb",
        "seed": 1,
    }
    assert run.config == config


@pytest.mark.parametrize("name", ["config.json", "params.yaml", "config.yml"])
def test_config_file_variants(make_run, name):
    run = read(make_run("r", {"metrics.json": {"a": 1}, name: {"lr": 0.5}}))
    assert run.params == {"lr": 0.5}


def test_run_metadata(make_run):
    meta = {
        "name": "Nice",
        "experiment": "boost",
        "created": "2026-10-05T14:00:00+02:00",
        "author": "Ada",
        "commit": "abc",
        "tags": ["b", "a", "a"],
        "notes": "n",
        "status": "failed",
        "baseline": True,
        "threshold": 0.3,
        "owner": "team-x",
    }
    run = read(make_run("r", {"metrics.json": {"a": 1}, "run.yaml": meta}))
    assert (run.name, run.experiment, run.author, run.git_commit) == ("Nice", "boost", "Ada", "abc")
    assert run.tags == ("a", "b")
    assert run.status == "failed" and run.baseline and run.threshold == 0.3
    assert run.created.isoformat() == "2026-10-05T14:00:00+02:00"
    assert run.info == {"run.owner": "team-x"}


def test_defaults_from_the_path(tmp_path):
    folder = tmp_path / "fraud" / "lgbm-07"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    run = READER.read(folder, run_id="fraud/lgbm-07", root=tmp_path)
    assert (run.id, run.name, run.experiment, run.created) == (
        "fraud/lgbm-07",
        "lgbm-07",
        "fraud",
        None,
    )


def test_bad_metadata_types_are_reported_together(make_run):
    folder = make_run(
        "r",
        {
            "metrics.json": {"auc": 0.9},
            "run.yaml": {"tags": {"a": 1}, "baseline": "yes", "threshold": "high", "name": "ok"},
        },
    )
    run = read(folder)  # the run keeps what is right in run.yaml, and names what is not
    assert run.name == "ok" and run.metrics == {"auc": 0.9}
    assert run.tags == () and run.baseline is False and run.threshold is None
    (message,) = run.problems
    assert "r/run.yaml" in message
    assert "'baseline' must be true or false, got text" in message
    assert "'threshold' must be a number, got text" in message
    assert "'tags' must be a list of words, got a mapping" in message


def test_history_csv_and_jsonl(make_run):
    csv = "step,train_loss,valid_auc,note\n1,0.5,0.6,a\n2,0.4,,b\n3,0.3,0.8,c\n"
    run = read(make_run("a", {"metrics.json": {}, "history.csv": csv}))
    names = {s.name: s for s in run.histories}
    assert sorted(names) == ["train_loss", "valid_auc"]
    assert names["train_loss"].x.tolist() == [1, 2, 3]
    assert names["valid_auc"].x.tolist() == [1, 3]  # the missing value is dropped, not zero
    jsonl = '{"epoch": 1, "loss": 0.5}\n\n{"epoch": 2, "loss": 0.25, "tag": "x"}\n'
    run = read(make_run("b", {"metrics.json": {}, "history.jsonl": jsonl}))
    (loss,) = run.histories
    assert (loss.x_name, loss.x.tolist(), loss.y.tolist()) == ("epoch", [1, 2], [0.5, 0.25])


def test_history_columns_parsed_as_numbers_read_as_pandas_coerces_them(tmp_path):
    """Columns pandas parsed as numbers skip `pd.to_numeric`; every kind of column must give
    what coercing each one gives."""
    import pandas as pd

    from reporter.readers._history import read_history

    csv = (
        "step, ints ,floats,flags,mixed,empty,big,inf, \n"
        "1,1,0.1,True,1.5,,18446744073709551615,inf,7\n"
        "2,2,,False,x,,18446744073709551614,-inf,8\n"
        "3,3,1e-300,True,2,,1,1.0,9\n"
    )
    path = tmp_path / "history.csv"
    path.write_text(csv)
    frame = pd.read_csv(path)
    assert {frame[c].dtype.kind for c in frame.columns} >= {"i", "u", "f", "b", "O"}
    step = frame["step"].to_numpy(dtype=float)
    expected = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(values) & np.isfinite(step)
        if str(column).strip() not in ("", "step") and keep.any():
            expected[str(column).strip()] = (step[keep], values[keep].astype(np.float32))
    got = {s.name: (s.x, s.y) for s in read_history(path, "history.csv")}
    assert sorted(got) == sorted(expected) == ["big", "flags", "floats", "inf", "ints", "mixed"]
    for name, (x, y) in expected.items():
        assert got[name][0].tolist() == x.tolist() and got[name][1].tolist() == y.tolist()


def test_artifacts_are_listed_with_size_and_hash_not_loaded(make_run):
    folder = make_run(
        "r",
        {
            "metrics.json": {},
            "model.pkl": b"\x80\x04not really",
            "plots/roc.png": b"png",
            "card.md": "## Use\nok",
        },
    )
    run = read(folder)
    assert [a.name for a in run.artifacts] == ["model.pkl", "plots/roc.png"]
    import hashlib

    assert run.artifacts[0].sha256 == hashlib.sha256(b"\x80\x04not really").hexdigest()
    assert run.artifacts[0].size == len(b"\x80\x04not really")
    assert run.card.startswith("## Use")


@pytest.mark.parametrize(
    ("files", "where", "reason"),
    [
        ({"metrics.json": '{"a": 1,\n "b": '}, "r/metrics.json, line 2", "invalid JSON"),
        ({"metrics.json": ""}, "r/metrics.json", "empty"),
        (
            {"metrics.json": "[1, 2]"},
            "r/metrics.json",
            "expected a mapping of names to values, got a list",
        ),
        ({"metrics.json": b'{"a": "\xff"}'}, "r/metrics.json, line 1", "not UTF-8"),
    ],
)
def test_broken_files_name_the_file_line_and_reason(make_run, files, where, reason):
    with pytest.raises(RunReadError) as err:
        read(make_run("r", files))
    assert err.value.run_id == "r"
    assert f"({where})" in str(err.value)
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("files", "where", "reason"),
    [
        (
            {"metrics.json": {"auc": 0.9}, "config.yaml": "a: [1,\n"},
            "r/config.yaml, line 2",
            "invalid YAML",
        ),
        (
            {"metrics.json": {"auc": 0.9}, "history.jsonl": '{"step": 1}\n{oops\n'},
            "r/history.jsonl, line 2",
            "invalid JSON line",
        ),
        (
            {"metrics.json": {"auc": 0.9}, "history.csv": b"\x00\x01\xff\xfe garbage"},
            "r/history.csv, line 1",
            "not UTF-8",
        ),
        (
            {"metrics.json": {"auc": 0.9}, "run.yaml": "name: [x\n"},
            "r/run.yaml, line 2",
            "invalid YAML",
        ),
        ({"metrics.json": {"auc": 0.9}, "card.md": b"\xff\xfe"}, "r/card.md, line 1", "not UTF-8"),
        (
            {"metrics.json": '{"a": ', "run.yaml": {"name": "kept"}},
            "r/metrics.json, line 1",
            "invalid JSON",
        ),
    ],
)
def test_a_broken_part_keeps_the_run_and_names_the_part(make_run, files, where, reason):
    run = read(make_run("r", files))
    (problem,) = run.problems
    assert f"({where})" in problem and reason in problem
    assert run.metrics == {"auc": 0.9} or run.name == "kept"


def test_bom_is_accepted(make_run):
    run = read(make_run("r", {"metrics.json": b'\xef\xbb\xbf{"auc": 0.5}'}))
    assert run.metrics == {"auc": 0.5}


def test_matches_needs_a_marker_file(tmp_path):
    assert not READER.matches(tmp_path)
    (tmp_path / "predictions.csv").write_text("y_true,y_score\n")
    assert READER.matches(tmp_path)


@pytest.mark.parametrize("name", ["history.csv", "predictions.csv", "config.yaml", "card.md"])
def test_a_run_file_that_is_a_fifo_is_named_in_a_problem(make_run, name):
    """A history (or predictions, config, card) written to a named pipe is not read, and not
    dropped without a word: the run is read, with a problem naming the file."""
    folder = make_run("r1", {"metrics.json": {"roc_auc": 0.9}})
    os.mkfifo(folder / name)
    run = read(folder)
    assert run.metrics == {"roc_auc": 0.9}
    (problem,) = run.problems
    assert name in problem and "FIFO" in problem and "not read" in problem
    assert not run.histories and run.predictions is None and run.card == ""
