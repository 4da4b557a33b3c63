"""Pages framed by the theme in forked processes (`reporter.plugin.framing`): the very site one
process builds, their warnings logged once by the build, and a failed process's pages framed by
the build itself."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import mkdocs.commands.build as mkdocs_build
import pytest
from mkdocs.config import load_config

from reporter.errors import BuildError
from reporter.plugin import framing
from reporter.site.build import build_site
from reporter.workers import can_fork

from .conftest import _project
from .test_incremental import _assert_same_site

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux")


@pytest.fixture(autouse=True)
def _forking_allowed(monkeypatch) -> None:
    """Other tests may leave threads (their servers) in this process. A build forks only
    where no other thread runs (`can_fork`, checked below): here, the platform decides."""
    monkeypatch.setattr(framing, "can_fork", lambda: True)


@pytest.fixture
def two_projects(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """The example project framed by three processes, and framed by one; every page outside
    the navigation may be framed elsewhere (there are fewer than `FRAMED_FROM`)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setattr(framing, "FRAMED_FROM", 1)
    configs = []
    for name, workers in (("shared", 3), ("alone", 1)):
        config = _project(tmp_path / name)
        text = config.read_text()
        assert text.count("      runs: runs\n") == 1
        config.write_text(
            text.replace("      runs: runs\n", f"      runs: runs\n      workers: {workers}\n")
        )
        configs.append(config)
    return configs[0], configs[1]


@pytest.fixture
def framed_elsewhere(monkeypatch) -> list[str]:
    """The pages each build framed in other processes (recorded as it waits for them)."""
    framed: list[str] = []
    finish = framing.Framer.finish

    def recorded(self: framing.Framer) -> None:
        framed.extend(sorted(self.elsewhere))
        finish(self)

    monkeypatch.setattr(framing.Framer, "finish", recorded)
    return framed


def _site(config: Path, **kwargs) -> Path:
    return build_site(config, site_dir=config.parent / "site", **kwargs).site_dir


def test_pages_framed_in_other_processes_are_the_pages_one_process_frames(
    two_projects, framed_elsewhere
):
    shared, alone = two_projects
    site = _site(shared)
    assert len([p for p in framed_elsewhere if p.startswith("runs/")]) >= 8  # 2 of 3 shares
    framed = len(framed_elsewhere)
    _assert_same_site(site, _site(alone))
    assert len(framed_elsewhere) == framed  # one process: nothing framed elsewhere

    # what the other processes framed was kept for the next build, as this process's pages
    again = build_site(shared, site_dir=shared.parent / "site")
    assert again.pages_kept >= framed
    _assert_same_site(again.site_dir, site)


def _framing(pages: str, then: Callable[[str], None]):
    """MkDocs' `get_context`, calling `then(src_uri)` for each page under `pages` where it is
    framed (not where it renders to nothing, framed elsewhere)."""
    get_context = mkdocs_build.get_context

    def context(nav, files, config, page=None, base_url=""):
        framed_here = page is not None and page.meta.get("template") != framing.KEPT_TEMPLATE
        if framed_here and page.file.src_uri.startswith(pages):
            then(page.file.src_uri)
        return get_context(nav, files, config, page, base_url)

    return context


def _logging_context(pages: str):
    def warn(src_uri: str) -> None:
        logging.getLogger("mkdocs.commands.build").warning(f"framing {src_uri}")

    return _framing(pages, warn)


def _failing_context(pages: str, *, in_child: bool = False):
    parent = os.getpid()

    def fail(src_uri: str) -> None:
        if not in_child or os.getpid() != parent:
            raise RuntimeError(f"no frame for {src_uri}")

    return _framing(pages, fail)


def test_warnings_logged_while_framing_elsewhere_are_logged_once_by_the_build(
    two_projects, framed_elsewhere, monkeypatch, caplog
):
    shared, _ = two_projects
    monkeypatch.setattr(mkdocs_build, "get_context", _logging_context("runs/"))
    with caplog.at_level(logging.WARNING):
        _site(shared)
    runs = [p for p in framed_elsewhere if p.startswith("runs/")]
    assert runs
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("framing ")]
    for page in runs:  # logged by the build's process, once: the other's handlers are its
        assert said.count(f"framing {page}") == 1, page
    assert len(said) == len(set(said))

    # MkDocs counts them all: under --strict the build fails, and the previous site stays
    with pytest.raises(BuildError, match=f"Aborted with {len(said)} warnings in strict mode"):
        _site(shared, strict=True)


def test_pages_a_failed_process_could_not_frame_are_framed_by_the_build(
    two_projects, framed_elsewhere, monkeypatch
):
    shared, alone = two_projects
    get_context = mkdocs_build.get_context
    monkeypatch.setattr(mkdocs_build, "get_context", _failing_context("runs/", in_child=True))
    site = _site(shared)
    assert framed_elsewhere
    monkeypatch.setattr(mkdocs_build, "get_context", get_context)
    _assert_same_site(site, _site(alone))


def test_an_error_framing_a_page_fails_the_build_as_in_one_process(
    two_projects, framed_elsewhere, monkeypatch
):
    shared, alone = two_projects
    monkeypatch.setattr(mkdocs_build, "get_context", _failing_context("runs/"))
    for config in (shared, alone):  # the page's error, as MkDocs raises it
        with pytest.raises(RuntimeError, match="no frame for runs/"):
            _site(config)
        assert not (config.parent / "site").exists()
    assert framed_elsewhere == []  # the build failed before waiting: its processes were killed


def test_an_interrupted_build_stops_its_framing_processes_before_its_folder_goes(
    two_projects, framed_elsewhere, monkeypatch
):
    """MkDocs tells plugins of no interruption (KeyboardInterrupt, SIGTERM's SystemExit): the
    build stops the processes itself, before it removes its temporary folder."""
    shared, _ = two_projects
    parent, forked, fork = os.getpid(), [], os.fork

    def recorded_fork() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    def slow_or_interrupted(src_uri: str) -> None:
        if os.getpid() != parent:
            time.sleep(0.2)  # the other process is still writing pages
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", recorded_fork)
    monkeypatch.setattr(mkdocs_build, "get_context", _framing("runs/", slow_or_interrupted))
    with pytest.raises(KeyboardInterrupt):
        _site(shared)
    assert forked
    for pid in forked:  # killed and reaped, not left writing (nor a zombie)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert [p.name for p in shared.parent.iterdir() if p.name.startswith(".site-new-")] == []


def test_no_page_is_framed_elsewhere_beside_another_thread(
    two_projects, framed_elsewhere, monkeypatch
):
    """Fork copies only the calling thread: with another running (`reporter serve`'s server),
    every page is framed in the build's process."""
    shared, alone = two_projects
    monkeypatch.setattr(framing, "can_fork", can_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        site = _site(shared)
    finally:
        stop.set()
        other.join()
    assert framed_elsewhere == []
    _assert_same_site(site, _site(alone))


def test_pages_are_framed_here_when_a_plugin_could_see_them_framed(tmp_path):
    def config_with(name: str, hooks: str, theme: str = "material") -> object:
        (tmp_path / "docs").mkdir(exist_ok=True)
        (tmp_path / f"{name}.py").write_text(hooks)
        plugins = "[search, tags, reporter]" if theme == "material" else "[search, reporter]"
        (tmp_path / "mkdocs.yml").write_text(
            f"site_name: t\ntheme: {theme}\nplugins: {plugins}\nhooks: [{name}.py]\n"
        )
        return load_config(str(tmp_path / "mkdocs.yml"))

    assert framing.no_trace(config_with("none", "").plugins)
    assert framing.material_search_only(config_with("none", "").plugins)
    # MkDocs' own search reads every page's content, excluded or not: it is left to it
    assert framing.no_trace(config_with("none", "", theme="mkdocs").plugins)
    assert not framing.material_search_only(config_with("none", "", theme="mkdocs").plugins)
    seen = "def on_post_page(output, page, config):\n    return output\n"
    assert not framing.no_trace(config_with("post_page", seen).plugins)
    context = "def on_page_context(context, page, config, nav):\n    return context\n"
    assert not framing.no_trace(config_with("page_context", context).plugins)


def test_pages_are_framed_here_by_a_mkdocs_whose_framing_function_differs(
    two_projects, framed_elsewhere, monkeypatch
):
    """MkDocs' `_build_page` is private: a version without it, or taking other arguments,
    frames every page in the build's process, and the site is the same."""
    shared, alone = two_projects
    build_page = mkdocs_build._build_page
    monkeypatch.delattr(mkdocs_build, "_build_page")
    assert framing._mkdocs_framing() is None

    def other(page, config, doc_files, nav, env, dirty=False, excluded=False, extra=None):
        build_page(page, config, doc_files, nav, env, dirty, excluded=excluded)

    monkeypatch.setattr(mkdocs_build, "_build_page", other, raising=False)
    assert framing._mkdocs_framing() is None
    site = _site(shared)  # MkDocs' loop calls it, as it always does
    assert framed_elsewhere == []
    monkeypatch.setattr(mkdocs_build, "_build_page", build_page)
    assert framing._mkdocs_framing() is build_page
    _assert_same_site(site, _site(alone))
