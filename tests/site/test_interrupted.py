"""Interrupted builds and data safety (issue 8).

Killing `reporter build` at any moment leaves the previous site complete; a swap cut in half is
repaired by the next build; `runs/` and the docs folder are never written; concurrent builds of
one site take turns and leave a complete site.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reporter.errors import BuildError
from reporter.site import build as site_module
from reporter.site.build import build_site, site_lock

from ..conftest import MKDOCS_YML, write_run

EPOCH = "1790000000"
RUNS_OPTIONS = "runs: runs\n      workers: 1"
HISTORY = "step,loss,auc\n" + "".join(f"{i},{1 / (i + 1):.5f},{i / 60:.5f}\n" for i in range(60))


def make_runs(root: Path, count: int, *, first: int = 0) -> None:
    for i in range(first, first + count):
        write_run(
            root,
            f"exp{i % 4}/run-{i:03d}",
            {
                "metrics.json": {"pr_auc": round(i / 400, 4), "roc_auc": round(0.5 + i / 800, 4)},
                "config.yaml": {"lr": 0.1, "depth": i % 7},
                "run.yaml": {"created": f"2026-01-01T{i // 60:02d}:{i % 60:02d}:00Z"},
                "history.csv": HISTORY,
            },
        )


def new_project(tmp_path: Path, runs: int) -> Path:
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Test reports\n\n<!-- reporter:home -->\n")
    (tmp_path / "docs" / "about.md").write_text("# About\n\nHand-written.\n")
    # one process: a killed build leaves no orphaned pool workers behind
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.replace("runs: runs", RUNS_OPTIONS))
    make_runs(tmp_path / "runs", runs)
    return tmp_path / "mkdocs.yml"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path, with its sha256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def listing(*folders: Path) -> dict[Path, tuple[int, int, int, str]]:
    """Every entry with its mode, size, mtime and (for files) content hash."""
    found = {}
    for folder in folders:
        for path in [folder, *sorted(folder.rglob("*"))]:
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            found[path] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    return found


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.glob(f".{target.name}-*"))


def settled(target: Path, seconds: float = 60) -> list[str]:
    """`leftovers` once the previous site, deleted after the swap by a detached process, is
    gone (or the time is up)."""
    deadline = time.monotonic() + seconds
    while any(n.startswith(f".{target.name}-trash-") for n in leftovers(target)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return leftovers(target)


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reporter.cli", "build", "--config", str(config), "-q", *args]


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_killing_a_build_at_any_moment_leaves_a_complete_site(tmp_path):
    config = new_project(tmp_path, 200)
    site = tmp_path / "site"
    build_site(config)
    old = snapshot(site)
    make_runs(tmp_path / "runs", 3, first=200)  # the next build has more to show
    new = snapshot(build_site(config, site_dir=tmp_path / "reference").site_dir)
    assert new != old and len(old) > 500

    states, half_built = [], []
    # Killed at once, and at moments after the new site started to be written (timed from
    # that moment, so a slow machine still kills while pages are being written).
    for delay in (None, 0.0, 0.3, 1.0, 2.0):
        process = subprocess.Popen(command(config), stdout=subprocess.DEVNULL)
        if delay is not None:
            deadline = time.monotonic() + 60
            while not any(n.startswith(".site-new-") for n in leftovers(site)):
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(delay)
        process.kill()
        process.wait()
        now = snapshot(site)
        assert now in (old, new), f"killed after {delay} s: a mixed or partial site"
        states.append("old" if now == old else "new")
        half_built += [name for name in leftovers(site) if name.startswith(".site-new-")]
    assert states[0] == "old"
    assert half_built, "no kill came while a new site was being written"

    finished = subprocess.run(command(config), capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert snapshot(site) == new
    assert settled(site) == []  # killed builds' temporary folders are cleared


def test_an_interrupted_swap_is_repaired_by_the_next_build(tmp_path, monkeypatch):
    """Where the atomic exchange is unavailable, the swap is two renames; a crash between them
    leaves no `site/`, and the next build puts the previous site back first."""
    config = new_project(tmp_path, 3)
    site = tmp_path / "site"
    build_site(config)
    old = snapshot(site)
    monkeypatch.setattr(site_module, "_renameat2", lambda: None)
    real_replace = os.replace

    def crash_on_second_rename(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if Path(src).name.startswith(".site-new-"):
            raise OSError("killed between the two renames")
        real_replace(src, dst)

    monkeypatch.setattr(site_module.os, "replace", crash_on_second_rename)
    write_run(tmp_path / "runs", "late", {"metrics.json": {"pr_auc": 0.9}})
    with pytest.raises(BuildError, match="between the two renames"):
        build_site(config)
    assert not site.exists() and (tmp_path / ".site-old").is_dir()
    monkeypatch.setattr(site_module.os, "replace", real_replace)

    write_run(tmp_path / "runs", "broken", {"metrics.json": "{"})
    with pytest.raises(BuildError):  # even a build that fails repairs the site first
        build_site(config, strict=True)
    assert snapshot(site) == old
    assert leftovers(site) == []


def test_the_swap_is_one_atomic_exchange_on_linux(tmp_path, monkeypatch):
    if site_module._renameat2() is None:
        pytest.skip("renameat2 is not available here")
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "name").write_text(folder.name)
    assert site_module._exchange(one, two)
    assert (one / "name").read_text() == "two" and (two / "name").read_text() == "one"

    config = new_project(tmp_path / "project", 2)
    build_site(config)
    exchanged = []
    real = site_module._exchange
    monkeypatch.setattr(site_module, "_exchange", lambda a, b: exchanged.append(b) or real(a, b))
    real_swap = site_module._swap

    def swap_without_renames(new, target):  # the build itself may rename its own files
        real_replace = os.replace

        def replace(src, dst):  # the previous site may be moved aside once it is out
            if target in (Path(src), Path(dst)):
                pytest.fail("renamed")
            real_replace(src, dst)

        with pytest.MonkeyPatch.context() as swapping:
            swapping.setattr(site_module.os, "replace", replace)
            real_swap(new, target)

    monkeypatch.setattr(site_module, "_swap", swap_without_renames)
    build_site(config)
    assert exchanged == [tmp_path / "project" / "site"]
    assert settled(tmp_path / "project" / "site") == []


def test_runs_and_docs_stay_untouched_even_read_only(tmp_path):
    """Read-only folders build; and since tests may run as root (which ignores permissions),
    the folders are also compared entry by entry: nothing was created, changed or touched."""
    config = new_project(tmp_path, 5)
    (tmp_path / "runs" / "exp0" / "run-000" / "card.md").write_text("## Intended use\n\nTests.\n")
    folders = (tmp_path / "runs", tmp_path / "docs")
    before = listing(*folders)
    modes = {path: path.stat().st_mode for path in before}
    for path in before:
        os.chmod(path, stat.S_IMODE(modes[path]) & ~0o222)
    try:
        result = build_site(config, strict=True)
        again = build_site(config, strict=True)  # with the cache warm, too
    finally:
        for path, mode in modes.items():
            os.chmod(path, stat.S_IMODE(mode))
    assert len(result.report.study.runs) == 5 and len(again.report.study.runs) == 5
    assert listing(*folders) == before


def test_concurrent_builds_of_one_site_leave_a_complete_site(tmp_path):
    config = new_project(tmp_path, 0)
    make_runs(tmp_path / "runs-a", 40)
    make_runs(tmp_path / "runs-b", 30, first=100)
    expected = [
        snapshot(build_site(config, runs=tmp_path / f"runs-{v}", site_dir=tmp_path / v).site_dir)
        for v in ("a", "b")
    ]
    site = tmp_path / "site"
    processes = [
        subprocess.Popen(
            command(config, "--runs", str(tmp_path / f"runs-{v}")),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for v in ("a", "b")
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    assert snapshot(site) in expected
    assert settled(site) == []


def test_a_build_waits_for_the_site_lock(tmp_path):
    config = new_project(tmp_path, 2)
    site = tmp_path / "site"
    done = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build_site(config)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            done.set()

    with site_lock(site):
        worker = threading.Thread(target=run)
        worker.start()
        assert not done.wait(1.5), "the build did not wait for the lock"
        assert not site.exists()
    assert done.wait(60) and not errors, errors
    worker.join()
    assert (site / "index.html").is_file()
    assert (tmp_path / ".site.lock").read_text().strip() == str(os.getpid())


def test_the_previous_site_is_deleted_after_the_swap_without_the_build_waiting(
    tmp_path, monkeypatch
):
    """The build returns once the new site is in; the previous one, renamed out of the way,
    is deleted by a detached `rm -rf` (or at once where there is none), and a deletion cut
    short is finished by the next build."""
    config = new_project(tmp_path, 3)
    site = tmp_path / "site"
    build_site(config)
    first = snapshot(site)
    started = []
    real_popen = site_module.subprocess.Popen

    def popen(args, **kwargs):
        if "-rf" in args:  # not ctypes looking for the C library
            started.append(list(args))
        return real_popen(args, **kwargs)

    monkeypatch.setattr(site_module.subprocess, "Popen", popen)
    write_run(tmp_path / "runs", "late", {"metrics.json": {"pr_auc": 0.9}})
    build_site(config)
    assert snapshot(site) != first
    assert len(started) == 1 and started[0][1:3] == ["-rf", "--"]
    assert Path(started[0][3]).name.startswith(".site-trash-")
    assert Path(started[0][3]).parent == tmp_path
    assert settled(site) == []

    monkeypatch.setattr(site_module.shutil, "which", lambda name: None)  # no `rm`: at once
    write_run(tmp_path / "runs", "later", {"metrics.json": {"pr_auc": 0.8}})
    build_site(config)
    assert len(started) == 1 and leftovers(site) == []

    stale = tmp_path / ".site-trash-killed"  # a deletion cut short
    (stale / "runs").mkdir(parents=True)
    (stale / "runs" / "index.html").write_text("old")
    build_site(config)
    assert not stale.exists()

    monkeypatch.undo()  # `rm` again: the next build hands a stale deletion to a detached one
    monkeypatch.setattr(site_module.subprocess, "Popen", popen)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (stale / "runs").mkdir(parents=True)
    (stale / "runs" / "index.html").write_text("old")
    build_site(config)
    assert len(started) == 3 and started[1][3] == str(stale)  # then the previous site's
    assert settled(site) == [] and not stale.exists()


def test_a_site_name_with_no_room_for_the_trash_name_still_swaps(tmp_path):
    """A 241-byte site folder name leaves room for `.<name>-new-` and mkdtemp's 8 random
    characters (255 bytes) but not for `-trash-`: the previous site is then deleted in place,
    and the build succeeds."""
    config = new_project(tmp_path, 2)
    site = tmp_path / ("s" * 241)
    build_site(config, site_dir=site)
    write_run(tmp_path / "runs", "late", {"metrics.json": {"pr_auc": 0.9}})
    result = build_site(config, site_dir=site)
    assert result.site_dir == site and (site / "index.html").is_file()
    assert settled(site) == []
