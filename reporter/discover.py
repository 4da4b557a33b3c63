"""Discovery: walk the runs root and let readers claim run folders.

A folder claimed by a reader is a run and is not searched further. Symbolic links are never
followed, so discovery cannot leave the runs root or loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import ReporterError
from reporter.readers import Reader

_SKIP_DIRS = {"__pycache__", "node_modules"}


@dataclass(frozen=True, kw_only=True, slots=True)
class FoundRun:
    """A run folder and the reader that claimed it. `id` is the path relative to the root."""

    id: str
    path: Path
    reader: Reader


def discover_runs(root: Path, readers: list[Reader]) -> tuple[list[FoundRun], list[str]]:
    """Every run under `root`, sorted by id, plus notes about what was passed over."""
    if not root.is_dir():
        raise ReporterError(
            f"The runs root '{root}' does not exist or is not a folder. "
            "Point --runs (or the plugin's 'runs' option) at the folder holding your runs."
        )
    found: list[FoundRun] = []
    notes: list[str] = []
    for folder, dirs, _files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(d for d in dirs if (here / d).is_symlink()):
            notes.append(f"'{_rel(here / name, root)}' is a symbolic link; not followed")
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIP_DIRS and not (here / d).is_symlink()
        )
        reader = next((r for r in readers if r.matches(here)), None)
        if reader is not None:
            found.append(FoundRun(id=_rel(here, root), path=here, reader=reader))
            dirs[:] = []
    return sorted(found, key=lambda f: f.id), notes


def _rel(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return rel if rel != "." else root.resolve().name
