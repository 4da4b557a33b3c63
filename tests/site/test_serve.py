"""`reporter serve` rebuilds when a run appears under the runs root (a real server, loopback)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from ..conftest import DATA, make_project, write_run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    config = make_project(tmp_path, DATA / "untidy")
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
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(f"{base}/leaderboard/", 200, 60), "the server did not come up"
        assert _get(f"{base}/runs/exp-c/new-run/") == 404
        time.sleep(1.0)  # let the watcher settle before the change
        write_run(
            tmp_path / "runs", "exp-c/new-run", {"metrics.json": json.dumps({"roc_auc": 0.5})}
        )
        assert _wait_for(f"{base}/runs/exp-c/new-run/", 200, 30), "the new run never appeared"
    finally:
        server.terminate()
        server.wait(timeout=10)
