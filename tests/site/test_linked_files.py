"""Data files from the cache folder are hard-linked into the site, never written through."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config

from reporter.plugin.data import LinkedFile
from reporter.site.build import build_site

from ..conftest import DATA, make_project


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


def _history(site: Path) -> Path:
    found = sorted(site.glob("runs/**/history.csv"))
    assert found, "no run history in the site"
    return found[0]


def test_a_runs_history_is_linked_from_a_copy_never_from_the_run(tmp_path: Path) -> None:
    """The site links a copy kept in the cache folder: an unchanged history is not copied
    again, and a history written in place (training goes on) reaches the next build only."""
    config = make_project(tmp_path, DATA / "untidy")
    site = build_site(config).site_dir
    shown = _history(site)
    rel = shown.relative_to(site)
    source = next(
        p for p in (tmp_path / "runs").rglob(shown.name) if p.read_bytes() == shown.read_bytes()
    )
    copy = next((tmp_path / ".reporter-cache").rglob(f"data/{rel.as_posix()}"))
    assert os.path.samefile(shown, copy) and not os.path.samefile(shown, source)

    inode = copy.stat().st_ino
    build_site(config)
    assert (site / rel).stat().st_ino == inode  # unchanged: linked again, not copied again

    with source.open("a") as out:  # in place, as a training loop appends
        out.write("999,0.1,0.9\n")
    assert (site / rel).read_bytes() != source.read_bytes()  # the built site is untouched
    build_site(config)
    assert (site / rel).read_bytes() == source.read_bytes()


def test_the_copy_of_a_removed_runs_history_is_dropped(tmp_path: Path) -> None:
    config = make_project(tmp_path, DATA / "untidy")
    site = build_site(config).site_dir
    rel = _history(site).relative_to(site).as_posix()
    copy = next((tmp_path / ".reporter-cache").rglob(f"data/{rel}"))
    run = next(p.parent for p in (tmp_path / "runs").rglob("history.csv"))
    shutil.rmtree(run)
    build_site(config)
    assert not copy.exists()


def test_a_broken_run_leaves_the_cache_folder_in_use(tmp_path: Path) -> None:
    """A run that cannot be read is a warning about that run; it once turned the cache folder
    off for the whole build (chart data kept in memory, nothing linked)."""
    config = make_project(tmp_path, DATA / "untidy")  # holds exp-b/broken-json
    site = build_site(config).site_dir
    assert [p for p in site.rglob("*.js") if p.stat().st_nlink > 1]
