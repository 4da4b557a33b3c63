"""Data files from the cache folder are hard-linked into the site, never written through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mkdocs.config import load_config

from reporter.plugin.data import LinkedFile


@pytest.fixture
def config(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins._current_plugin = "reporter"  # as during a build's events
    return config


def _data(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "cache" / "data" / "chart.js"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text)
    return source


def test_a_data_file_is_linked_not_copied(config, tmp_path: Path) -> None:
    source = _data(tmp_path, "chart data")
    file = LinkedFile.generated(config, "assets/chart.js", abs_src_path=str(source))
    file.copy_file()
    target = Path(file.abs_dest_path)
    assert target.read_text() == "chart data"
    assert os.path.samefile(target, source)


def test_a_file_already_at_the_target_is_replaced_not_written_through(
    config, tmp_path: Path
) -> None:
    source = _data(tmp_path, "new data")
    other = tmp_path / "elsewhere.js"  # e.g. a file of an earlier site linked at the target
    other.write_text("old data")
    target = Path(config.site_dir) / "assets" / "chart.js"
    target.parent.mkdir(parents=True)
    os.link(other, target)
    LinkedFile.generated(config, "assets/chart.js", abs_src_path=str(source)).copy_file()
    assert target.read_text() == "new data" and os.path.samefile(target, source)
    assert other.read_text() == "old data"


def test_where_links_fail_the_file_is_copied(config, tmp_path: Path, monkeypatch) -> None:
    source = _data(tmp_path, "chart data")

    def refuse(src: str, dst: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    file = LinkedFile.generated(config, "assets/chart.js", abs_src_path=str(source))
    file.copy_file()
    target = Path(file.abs_dest_path)
    assert target.read_text() == "chart data" and not os.path.samefile(target, source)


def test_the_built_site_links_its_data_files(example_site: Path) -> None:
    linked = [p for p in example_site.rglob("*.js") if p.stat().st_nlink > 1]
    assert linked, "no data file of the example site is a hard link"
