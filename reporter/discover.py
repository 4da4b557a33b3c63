"""Discovery: walk the runs root and let readers claim runs.

Three ways a reader can claim runs (see `reporter.readers.Reader`):
- `matches(folder)`: the folder is one run; it is not searched further.
- `matches(folder)` plus `list_runs(folder, root=...)`: the folder is a store holding many runs
  (an MLflow `mlruns/`); it is not searched further.
- `matches_file(file)` plus `list_runs(file, root=...)`: a file is a store (an MLflow `mlflow.db`);
  the folder around it is still searched, except the folders the reader `owns` (its artifacts).
Symbolic links are never followed, so discovery cannot leave the runs root or loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.errors import ReporterError
from reporter.readers import Reader

_SKIP_DIRS = {"__pycache__", "node_modules"}


@dataclass(frozen=True, kw_only=True, slots=True)
class FoundRun:
    """A run, the reader that claimed it and what the reader needs to read it (`handle`)."""

    id: str
    path: Path
    reader: Reader
    handle: Any = None


def discover_runs(root: Path, readers: list[Reader]) -> tuple[list[FoundRun], list[str]]:
    """Every run under `root`, sorted by id, plus notes about what was passed over."""
    if not root.is_dir():
        raise ReporterError(
            f"The runs root '{root}' does not exist or is not a folder. "
            "Point --runs (or the plugin's 'runs' option) at the folder holding your runs."
        )
    found: list[FoundRun] = []
    notes: list[str] = []
    owned: set[Path] = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(d for d in dirs if (here / d).is_symlink()):
            notes.append(f"'{_rel(here / name, root)}' is a symbolic link; not followed")
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not (here / d).is_symlink()
            and (here / d) not in owned
        )
        for name in sorted(files):
            for reader in readers:
                if hasattr(reader, "matches_file") and reader.matches_file(here / name):
                    found += _claim(reader, here / name, root)
                    owned |= set(getattr(reader, "owns", lambda p: [])(here / name))
                    dirs[:] = [d for d in dirs if (here / d) not in owned]
                    break
        reader = next((r for r in readers if r.matches(here)), None)
        if reader is not None:
            found += _claim(reader, here, root)
            dirs[:] = []
    return sorted(found, key=lambda f: f.id), notes


def _claim(reader: Reader, path: Path, root: Path) -> list[FoundRun]:
    if hasattr(reader, "list_runs"):
        return [
            FoundRun(id=run_id, path=path, reader=reader, handle=handle)
            for run_id, handle in reader.list_runs(path, root=root)
        ]
    return [FoundRun(id=_rel(path, root), path=path, reader=reader, handle=path)]


def _rel(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return rel if rel != "." else root.resolve().name
