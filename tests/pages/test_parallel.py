"""Run pages rendered by forked workers are the pages one process renders, in the same order."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from reporter import workers
from reporter.config import Settings
from reporter.pages import parallel
from reporter.pages.cache import PageCache
from reporter.pages.renderer import Renderer
from reporter.pipeline import build_report, report_pages

from ..conftest import REPO

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="forked workers need Linux")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(REPO / "runs", tmp_path / "runs")
    return Settings.defaults(tmp_path / "runs", cache_dir=tmp_path / ".cache", workers=2)


def _pages(settings: Settings) -> list[tuple[str, str, tuple]]:
    report = build_report(settings)
    return [(p.src_uri, p.markdown, p.assets) for p in report_pages(report, settings)]


REAL_RUN_PAGE = Renderer.run_page


@pytest.fixture
def alone(monkeypatch) -> None:
    """The build sees itself as the only thread, whatever earlier tests left running (fsspec's
    IO thread lives as long as the process): the tests that need workers get them."""
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)


def _recording(where: Path):
    """Renderer.run_page that also writes which process rendered each page (the workers are
    forked, so they inherit the patched class)."""
    real = REAL_RUN_PAGE

    def run_page(self, run):
        with where.open("a") as out:
            out.write(f"{os.getpid()} {run.id}\n")
        return real(self, run)

    return run_page


def test_workers_render_the_same_pages_in_the_same_order(
    settings, monkeypatch, tmp_path: Path, alone
) -> None:
    alone_log, together_log = tmp_path / "alone", tmp_path / "together"
    monkeypatch.setattr(Renderer, "run_page", _recording(alone_log))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    alone = _pages(settings)
    shutil.rmtree(tmp_path / ".cache")  # the second build renders every page again

    monkeypatch.setattr(Renderer, "run_page", _recording(together_log))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    together = _pages(settings)

    assert {line.split()[0] for line in alone_log.read_text().splitlines()} == {str(os.getpid())}
    workers = [line.split() for line in together_log.read_text().splitlines()]
    assert workers and str(os.getpid()) not in {pid for pid, _ in workers}
    assert 1 <= len({pid for pid, _ in workers}) <= 2
    assert sorted(run for _, run in workers) == sorted(
        line.split()[1] for line in alone_log.read_text().splitlines()
    )
    assert len([p for p in together if p[0].startswith("runs/")]) >= 13
    assert together == alone


def test_a_worker_failure_reaches_the_build(settings, monkeypatch, alone) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)

    def broken(self, run):
        raise RuntimeError(f"run page {run.id} failed")

    monkeypatch.setattr(Renderer, "run_page", broken)
    with pytest.raises(RuntimeError, match="run page .* failed"):
        _pages(settings)
    assert parallel._shared is None


def test_with_another_thread_running_pages_render_in_process(settings, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    real, parent = Renderer.run_page, os.getpid()

    def here_only(self, run):
        assert os.getpid() == parent, "forked with a thread running"
        return real(self, run)

    monkeypatch.setattr(Renderer, "run_page", here_only)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
        assert any(p[0].startswith("runs/") for p in _pages(settings))
    finally:
        stop.set()
        thread.join()


def test_pages_in_the_page_cache_start_no_workers(
    settings, monkeypatch, tmp_path: Path, alone
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    cache = PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="test")

    def pages() -> list[tuple[str, str]]:
        report = build_report(settings)
        return [(p.src_uri, p.markdown) for p in report_pages(report, settings, cache)]

    first, log = pages(), tmp_path / "second"
    assert any(cache.folder.iterdir())  # the workers filled the cache
    cache.save()  # the build keeps what its workers asked for: none of their entries is dropped
    indexed = json.loads((cache.folder / "index.json").read_text())
    report = build_report(settings)
    keys = {
        parallel.run_page_key(Renderer(report.study, settings, page_cache=cache), r)
        for r in report.study.runs
    }
    assert keys <= set(indexed)  # and what they learnt: every run page is in the index
    cache = PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="test")
    monkeypatch.setattr(Renderer, "run_page", _recording(log))
    # every run page has an entry (used or, its data files not being written here, rendered)
    assert pages() == first
    assert {line.split()[0] for line in log.read_text().splitlines()} == {str(os.getpid())}


def test_workers_write_run_pages_data_files_where_they_render(
    settings, monkeypatch, tmp_path: Path, alone
) -> None:
    """With `finish` (the plugin's `DataFolder.write_page`), a worker writes its pages' data
    files into the folder and hands back the pages without their text, as cached pages come;
    the files hold what one process renders, and the page cache records each file's digest;
    it copies the runs' own files (histories) there too."""
    from reporter.pages.cache import text_digest
    from reporter.plugin.data import DataFolder

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    alone = {p.src_uri: p.assets for p in report_pages(build_report(settings), settings)}
    shutil.rmtree(tmp_path / ".cache")

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    report = build_report(settings)
    cache = PageCache(tmp_path / "state", tmp_path / "state" / "data", "salt")
    data = DataFolder(tmp_path / "state" / "data", cache=cache)
    pages = list(report_pages(report, settings, cache, finish=data.write_page))
    run_pages = [p for p in pages if p.src_uri.startswith("runs/")]
    assert len(run_pages) >= 13
    for page in run_pages:
        assert page.assets and all(text is None for _, text in page.assets), page.src_uri
        for (src, _), (same, text) in zip(page.assets, alone[page.src_uri], strict=True):
            assert src == same and (data.folder / src).read_text(encoding="utf-8") == text
            size, _mtime, _inode, digest = cache.record()[2][src]
            assert (size, digest) == ((data.folder / src).stat().st_size, text_digest(text))
    # and copied each run's own files (its history), as the build's `copy_of` would
    copied = [(src, source) for p in run_pages for src, source in p.copies]
    assert len(copied) >= 8
    for src, source in copied:
        copy, original = (data.folder / src).stat(), Path(source).stat()
        assert (data.folder / src).read_bytes() == Path(source).read_bytes()
        assert (copy.st_size, copy.st_mtime_ns) == (original.st_size, original.st_mtime_ns)
        assert copy.st_ino != original.st_ino  # a copy: the run's file is never linked


def test_a_data_file_a_worker_cannot_write_stays_in_its_page(
    settings, monkeypatch, tmp_path: Path, alone
) -> None:
    """Where the data folder cannot be written, pages keep their data files' text, for the
    build to hand to MkDocs from memory."""
    from reporter.plugin.data import DataFolder

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    data = DataFolder(blocked / "data")
    pages = list(report_pages(build_report(settings), settings, None, finish=data.write_page))
    run_pages = [p for p in pages if p.src_uri.startswith("runs/")]
    assert run_pages and all(p.assets for p in run_pages)
    assert all(text for p in run_pages for _, text in p.assets)
