"""How the `reporter` command leaves: exit handlers run and output is flushed, but the heap is
not torn down object by object (seconds at thousands of runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import atexit, sys
from pathlib import Path
out = Path(sys.argv[1])

class Heap:  # stands for the build's objects: freed one by one only at a full teardown
    def __init__(self, path):
        self.path, self.write = path, open

    def __del__(self):
        with self.write(self.path, "w") as fh:
            fh.write("torn down")

held = Heap(str(out.with_suffix(".torn")))
atexit.register(lambda: out.with_suffix(".atexit").write_text("ran"))
sys.argv = ["reporter", *sys.argv[2:]]
from reporter.cli import main
main()
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "mark"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_runs_exit_handlers_and_flushes_but_skips_the_teardown(tmp_path):
    done = run(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    assert "searchable, static experiment-report site" in done.stdout  # flushed from a pipe
    assert (tmp_path / "mark.atexit").read_text() == "ran"
    assert not (tmp_path / "mark.torn").exists()


def test_a_failed_command_exits_normally_with_its_status(tmp_path):
    """Failed or interrupted commands take Python's own exit, which winds worker pools down in
    order (a terminated build must not wait for its workers to finish)."""
    done = run(tmp_path, "no-such-command")
    assert done.returncode == 2
    assert "No such command" in done.stderr
    assert (tmp_path / "mark.torn").read_text() == "torn down"
    done = run(tmp_path, "show", "no/such/run", "--runs", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip()


def test_under_a_profiler_the_exit_is_the_normal_one(tmp_path):
    """A profiler (or coverage) writes its data at a normal exit: `python -m cProfile`."""
    out = tmp_path / "profile.out"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "reporter.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "searchable, static experiment-report site" in done.stdout
    assert out.stat().st_size > 0
