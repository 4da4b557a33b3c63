from __future__ import annotations

import os

import pytest

from reporter.errors import ReporterError
from reporter.readers import MAX_SEGMENT_BYTES, id_problem, load_readers, safe_run_id
from reporter.readers.discover import discover_runs


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
