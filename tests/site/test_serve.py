"""`reporter serve`: rebuilds when a run appears under the runs root, takes --runs, and serves the
default site without a config (a real server, loopback)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..conftest import DATA, make_project, write_run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _body(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


@contextlib.contextmanager
def _serving(*args: str, cwd: Path):  # noqa: ANN202
    """`reporter serve ARGS` on a free loopback port, run in `cwd`; yields its base URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "serve", *args, "-a", f"127.0.0.1:{port}"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _page(url: str) -> str:
    """A served page without the server's live-reload call (it names the build's epoch)."""
    return re.sub(r"reload\(\d+, \d+\)", "reload()", _body(url))


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _wait_for(url: str, status: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _get(url) == status:
            return True
        time.sleep(0.3)
    return False


def test_serve_shows_a_new_run(tmp_path):
    """...and renders only that run's page: the others keep their HTML (incremental builds)."""
    config = make_project(tmp_path, DATA / "untidy")
    log = tmp_path / "serve.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reporter.cli",
            "serve",
            "--config",
            str(config),
            "-a",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert _wait_for(f"{base}/leaderboard/", 200, 60), "the server did not come up"
        before = _page(f"{base}/runs/exp-a/good-full/")
        assert _get(f"{base}/runs/exp-c/new-run/") == 404
        time.sleep(1.0)  # let the watcher settle before the change
        write_run(
            tmp_path / "runs", "exp-c/new-run", {"metrics.json": json.dumps({"roc_auc": 0.5})}
        )
        assert _wait_for(f"{base}/runs/exp-c/new-run/", 200, 30), "the new run never appeared"
        assert _page(f"{base}/runs/exp-a/good-full/") == before
        deadline = time.monotonic() + 10
        while "Kept " not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        kept = [line for line in log.read_text().splitlines() if "Kept " in line]
        assert kept and "pages from the previous build" in kept[-1], log.read_text()[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_runs_overrides_the_configs_runs(tmp_path):
    config = make_project(tmp_path / "project", DATA / "untidy")
    other = write_run(tmp_path / "other", "solo/only-run", {"metrics.json": {"roc_auc": 0.7}})
    with _serving(
        "--config", str(config), "--runs", str(other.parent.parent), cwd=tmp_path
    ) as base:
        assert _wait_for(f"{base}/runs/solo/only-run/", 200, 60), "the server did not come up"
        assert _get(f"{base}/runs/exp-a/good-full/") == 404


def test_serve_without_a_config_serves_the_default_site(tmp_path):
    runs = tmp_path / "churn-runs"
    shutil.copytree(DATA / "untidy" / "exp-a", runs)
    here = tmp_path / "work"
    here.mkdir()
    with _serving("--runs", str(runs), cwd=here) as base:
        assert _wait_for(f"{base}/leaderboard/", 200, 60), "the server did not come up"
        home = _body(f"{base}/")
        assert "<title>churn-runs</title>" in home and "No journal entries yet." in home
    assert sorted(p.name for p in here.iterdir()) == [".reporter-cache"]
    assert sorted(p.name for p in runs.iterdir()) == ["good-full", "good-strings"]


def test_a_served_build_whose_kept_pages_are_stale_is_built_again(project, tmp_path, monkeypatch):
    """`reporter serve` builds through MkDocs' server: a build that finds its kept pages stale
    is built again rendering every page (as `reporter build` does), not failed, and the
    next build keeps pages again."""
    from mkdocs.commands import serve as serving
    from mkdocs.config import load_config

    from reporter.commands.serve import kept_pages_retried
    from reporter.plugin.kept import KeptPages, StaleKeptPages

    checked = []

    def stale(self, digest):
        checked.append(digest)
        raise StaleKeptPages("the navigation changed though its inputs did not")

    monkeypatch.setattr(KeptPages, "check_context", stale)
    config = load_config(str(project), site_dir=str(tmp_path / "served"))
    with kept_pages_retried():
        serving.build(config)
    assert len(checked) == 1  # the second build kept no page, so checked nothing
    assert (tmp_path / "served" / "index.html").is_file()
    assert len(list((tmp_path / "served" / "runs").rglob("index.html"))) >= 10
    plugin = next(p for p in config.plugins.values() if hasattr(p, "keep_pages"))
    assert plugin.keep_pages and serving.build.__module__ == "mkdocs.commands.build"
