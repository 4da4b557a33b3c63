"""What decides cached results besides their inputs: reporter's own code."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from reporter import __version__

PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def code_stamp() -> str:
    """A digest of reporter's version, modules, templates and assets (once per process)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".js", ".css"}:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
