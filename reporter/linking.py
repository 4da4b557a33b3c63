"""Hard links into the new site, made by a process beside the build.

A build after one new run at 10,000 runs links about 60,000 files (each run's kept page, its
downloads and its data files) and makes about 10,000 folders: about 3 s of system calls, all
known once the build's files are (`on_files`). Many links are made by a small process on the
other core while MkDocs builds the pages (a thread would not do: it needs the GIL back after
every call, and waits for it); few are made at once, here (a process costs more than they do).

Links are made in the order given; the first failure stops them and `finish` returns it (its
position and the error), before the site is swapped in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from reporter.files import link_or_copy

PROCESS_FROM = 2000  # links; fewer are made here, faster than a process starts
_ROOT = str(Path(__file__).resolve().parents[1])  # the folder holding this `reporter`
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from reporter.linking import child; child(int(sys.argv[2]))"
)

Failure = tuple[int, OSError]  # the position of the link that failed, and why


class Linker:
    """Links `source` to `target` (replacing a target, never writing through it; copied where
    links fail), in order: `add` them, `start`, then `finish` (or `abandon`)."""

    def __init__(self, process_from: int | None = None) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.process_from = PROCESS_FROM if process_from is None else process_from
        self._process: subprocess.Popen[bytes] | None = None
        self._failure: Failure | None = None

    def add(self, source: str, target: str) -> int:
        """Queue one link; its position (which `finish` names if it fails)."""
        self.pairs.append((source, target))
        return len(self.pairs) - 1

    def start(self) -> None:
        """Begin linking: here and now when there are few links (or no process can start)."""
        if len(self.pairs) >= self.process_from and sys.executable:
            try:
                self._process = _started(self.pairs)
                return
            except OSError:  # no process to be had (limits, memory): link here
                pass
        self._failure = link_all(self.pairs)

    def finish(self) -> Failure | None:
        """Wait for the links; the first that failed, if one did."""
        if self._process is not None:
            out, _ = self._process.communicate()
            self._process, self._failure = None, _failure(out, self._process.returncode)
        return self._failure

    def abandon(self) -> None:
        """Stop linking (the build failed: its folder is about to be emptied)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


def _started(pairs: list[tuple[str, str]]) -> subprocess.Popen[bytes]:
    with tempfile.TemporaryFile() as listing:  # not a pipe: the child reads it at its pace
        for source, target in pairs:
            listing.write(os.fsencode(source) + b"\0" + os.fsencode(target) + b"\0")
        listing.seek(0)
        return subprocess.Popen(
            # isolated (-I): nothing of the working folder or the environment shadows a module
            [sys.executable, "-I", "-c", _CHILD, _ROOT, str(os.getpid())],
            stdin=listing,
            stdout=subprocess.PIPE,
        )


def link_all(pairs: list[tuple[str, str]]) -> Failure | None:
    """Each pair linked in order, up to the first failure (returned)."""
    for i, (source, target) in enumerate(pairs):
        try:
            link_or_copy(source, target)
        except OSError as exc:
            return i, exc
    return None


def _failure(out: bytes, returncode: int) -> Failure | None:
    if returncode == 0 and not out:
        return None
    try:
        i, errno, message, filename = json.loads(out)
        return int(i), OSError(errno, message, filename)
    except (ValueError, TypeError):
        return -1, OSError(f"the process linking the site's files ended with {returncode}")


def child(parent: int) -> None:
    """In the linking process: the NUL-separated pairs on stdin, linked; the first failure
    written to stdout as JSON [position, errno, message, file]."""
    from reporter.workers import die_with

    die_with(parent)
    parts = sys.stdin.buffer.read().split(b"\0")[:-1]
    pairs = [(os.fsdecode(a), os.fsdecode(b)) for a, b in zip(parts[::2], parts[1::2], strict=True)]
    failed = link_all(pairs)
    if failed is not None:
        i, exc = failed
        filename = os.fsdecode(exc.filename) if exc.filename is not None else None
        message = exc.strerror or str(exc)
        sys.stdout.write(json.dumps([i, exc.errno, message, filename]))
