"""`reporter.files.replace_file`: a file replaced through a rename, its folder made if missing."""

from __future__ import annotations

import os
from pathlib import Path

from reporter.files import replace_file


def test_a_file_in_a_missing_folder_is_written_and_its_folder_made(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "pages" / "entry.json"
    replace_file(target, "{}")
    assert target.read_text() == "{}" and sorted(os.listdir(target.parent)) == ["entry.json"]


def test_a_replaced_file_is_never_written_through(tmp_path: Path) -> None:
    """A hard link to the old file (a site built from the cache) keeps the old bytes."""
    target = tmp_path / "entry.html"
    replace_file(target, b"old")
    os.link(target, tmp_path / "linked.html")
    replace_file(target, "new")
    assert target.read_text() == "new" and (tmp_path / "linked.html").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["entry.html", "linked.html"]
