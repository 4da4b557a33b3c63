"""Data files from the cache folder are hard-linked into the site, never written through."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config

from reporter.linking import Linker
from reporter.pipeline.site_files import SiteFile
from reporter.plugin.data import DataFolder
from reporter.site.build import build_site

from ..conftest import DATA, make_project


def _folder(tmp_path: Path, text: str) -> tuple[DataFolder, Path]:
    """A data folder holding one written data file, `assets/chart.js`."""
    folder = DataFolder(tmp_path / "cache" / "data")
    assert folder.file(None, SiteFile(src_uri="assets/chart.js", text=text)) is None
    return folder, tmp_path / "cache" / "data" / "assets" / "chart.js"


def _link_into(folder: DataFolder, site: Path) -> None:
    linker = Linker()
    folder.link_into(str(site), linker)
    linker.start()
    assert linker.finish() is None


def test_a_data_file_is_linked_not_copied(tmp_path: Path) -> None:
    folder, source = _folder(tmp_path, "chart data")
    _link_into(folder, tmp_path / "site")
    target = tmp_path / "site" / "assets" / "chart.js"
    assert target.read_text() == "chart data"
    assert os.path.samefile(target, source)


def test_a_file_already_at_the_target_is_replaced_not_written_through(tmp_path: Path) -> None:
    folder, source = _folder(tmp_path, "new data")
    other = tmp_path / "elsewhere.js"  # e.g. a file of an earlier site linked at the target
    other.write_text("old data")
    target = tmp_path / "site" / "assets" / "chart.js"
    target.parent.mkdir(parents=True)
    os.link(other, target)
    _link_into(folder, tmp_path / "site")
    assert target.read_text() == "new data" and os.path.samefile(target, source)
    assert other.read_text() == "old data"


def test_where_links_fail_the_file_is_copied(tmp_path: Path, monkeypatch) -> None:
    folder, source = _folder(tmp_path, "chart data")

    def refuse(src: str, dst: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    _link_into(folder, tmp_path / "site")
    target = tmp_path / "site" / "assets" / "chart.js"
    assert target.read_text() == "chart data" and not os.path.samefile(target, source)


@pytest.mark.parametrize("process_from", [0, 10**9], ids=["linking process", "in process"])
def test_links_are_made_in_order_and_stop_at_the_first_failure(
    tmp_path: Path, process_from: int
) -> None:
    """Names that are not UTF-8 (kept by Python as surrogates) cross to the linking process
    and back; the first failure is named by its position and error, and no link after it
    is made."""
    odd = os.fsdecode(b"caf\xe9-\xff")
    (tmp_path / "a").write_text("a")
    (tmp_path / odd).write_text("odd")
    site = tmp_path / "site"
    linker = Linker(process_from)
    linker.add(str(tmp_path / "a"), str(site / "first"))
    linker.add(str(tmp_path / odd), str(site / "x" / odd))
    assert linker.add(str(tmp_path / "missing" / odd), str(site / "third")) == 2
    linker.add(str(tmp_path / "a"), str(site / "fourth"))
    linker.start()
    position, error = linker.finish()
    assert position == 2 and isinstance(error, FileNotFoundError)
    assert error.filename == str(tmp_path / "missing" / odd)
    assert sorted(p.name for p in site.rglob("*")) == sorted(["first", "x", odd])
    assert (site / "x" / odd).read_text() == "odd"


def test_where_no_process_starts_the_links_are_made_here(tmp_path: Path, monkeypatch) -> None:
    import subprocess

    def refuse(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    (tmp_path / "a").write_text("a")
    linker = Linker(0)
    linker.add(str(tmp_path / "a"), str(tmp_path / "site" / "b"))
    linker.start()
    assert linker.finish() is None and os.path.samefile(tmp_path / "a", tmp_path / "site" / "b")


def test_an_abandoned_linking_process_is_stopped(tmp_path: Path) -> None:
    """A failed build abandons its links (its folder is emptied next): the process is killed
    (50,000 links take it seconds) and gone when `abandon` returns."""
    import signal

    (tmp_path / "a").write_text("a")
    linker = Linker(0)
    for n in range(50_000):
        linker.add(str(tmp_path / "a"), str(tmp_path / "site" / str(n)))
    linker.start()
    process = linker._process
    linker.abandon()
    assert process is not None and process.returncode == -signal.SIGKILL
    site = tmp_path / "site"
    assert len(list(site.iterdir()) if site.exists() else []) < 50_000
    assert linker.finish() is None  # nothing left to wait for


def test_without_a_usable_folder_mkdocs_gets_the_file_from_memory(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "data", failure="The cache folder cannot be written")
    config = load_config(str(_yml(tmp_path)), site_dir=str(tmp_path / "site"))
    config.plugins._current_plugin = "reporter"  # as during a build's events
    file = folder.file(config, SiteFile(src_uri="assets/chart.js", text="chart data"))
    assert file is not None and file.content_string == "chart data" and not folder.linked


def _yml(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    return tmp_path / "mkdocs.yml"


def test_mkdocs_lists_no_data_file(tmp_path: Path) -> None:
    """MkDocs makes no object per data file (thousands at scale): its file list holds pages
    and assets only, and the data files still reach the site."""
    config = make_project(tmp_path, DATA / "untidy")
    (tmp_path / "hook.py").write_text(
        "import json, pathlib\n"
        "def on_files(files, config):\n"
        "    pathlib.Path(config.config_file_path).with_name('files.json').write_text(\n"
        "        json.dumps(sorted(f.src_uri for f in files)))\n"
    )
    config.write_text(config.read_text() + "hooks: [hook.py]\n")
    site = build_site(config).site_dir
    listed = json.loads((tmp_path / "files.json").read_text())
    assert [u for u in listed if u.startswith("runs/") and u.endswith(".md")]
    data = [p.relative_to(site).as_posix() for p in site.glob("runs/**/*") if p.is_file()]
    data = [u for u in data if not u.endswith(".html")]
    assert data, "no data file in the site"
    assert not set(data) & set(listed)


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


def test_a_pages_data_files_are_written_before_the_next_page_is_made(
    tmp_path: Path, monkeypatch
) -> None:
    """Data files are written as they come, not held until every page is made: at 10,000 runs
    the chart data of every page together is gigabytes. (A run page's come written: where the
    page was made.)"""
    import reporter.plugin as plugin

    made = plugin.site_files
    checks: list[bool] = []

    def watched(*args, **kwargs):
        last = None
        for item in made(*args, **kwargs):
            if item.page and last is not None:
                checks.append(any((tmp_path / ".reporter-cache").glob(f"sites/*/data/{last}")))
            if not item.page and item.source is None:
                last = item.src_uri
            yield item

    monkeypatch.setattr(plugin, "site_files", watched)
    build_site(make_project(tmp_path, DATA / "untidy"))
    assert len(checks) >= 3 and all(checks), checks
