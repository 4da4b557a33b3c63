"""Discovery: walk the runs root and let readers claim runs.

Three ways a reader can claim runs (see the protocols in `reporter.readers`):
- `matches(folder)`: the folder is one run; it is not searched further.
- `matches(folder)` plus `list_runs(folder, root=...)`: the folder is a store holding many runs
  (an MLflow `mlruns/`); it is not searched further.
- `matches_file(file)` plus `list_runs(file, root=...)`: a file is a store (an MLflow `mlflow.db`);
  the folder around it is still searched, except the folders the reader `owns` (its artifacts).
Symbolic links are never followed, so discovery cannot leave the runs root or loop.

Some claims cannot be read at all: a second claim of a run id already claimed (by a reader of
higher priority, or earlier in the walk), or a run folder whose name is not UTF-8. Such a claim
is still returned, with a reader that refuses it, so it is reported like any unreadable run:
one warning naming the run, the path and the reason, and a failure under `--strict`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reporter.errors import ReporterError, RunReadError
from reporter.readers import FileStoreReader, OwnsFolders, Reader, StoreReader, rel_id

_SKIP_DIRS = {"__pycache__", "node_modules"}


@dataclass(kw_only=True, slots=True)
class Refused:
    """Stands in for the reader of a claim that cannot be read; reading it raises why."""

    reason: str
    where: str
    name: str = "(refused)"
    priority: int = -1

    def matches(self, path: Path) -> bool:
        return False

    def read(self, handle: Any, *, run_id: str, root: Path) -> Any:
        raise RunReadError(self.reason, run_id=run_id, path=self.where)


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
            notes.append(f"'{_shown(rel_id(here / name, root))}' is a symbolic link; not followed")
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not (here / d).is_symlink()
            and (here / d) not in owned
        )
        for name in [d for d in dirs if not _is_text(d)]:
            dirs.remove(name)
            found += _undecodable(here / name, root, readers, notes)
        for name in sorted(f for f in files if _is_text(f)):
            for reader in readers:
                if isinstance(reader, FileStoreReader) and reader.matches_file(here / name):
                    found += _claim(reader, here / name, root)
                    if isinstance(reader, OwnsFolders):
                        owned |= set(reader.owns(here / name))
                    dirs[:] = [d for d in dirs if (here / d) not in owned]
                    break
        claimer = next((r for r in readers if r.matches(here)), None)
        if claimer is not None:
            found += _claim(claimer, here, root)
            dirs[:] = []
    return _refuse_duplicates(sorted(found, key=lambda f: f.id), readers, root), notes


def _refuse_duplicates(found: list[FoundRun], readers: list[Reader], root: Path) -> list[FoundRun]:
    """Keep the first claim of each id by reader priority; refuse the others."""
    rank = {id(r): i for i, r in enumerate(readers)}
    first: dict[str, FoundRun] = {}
    result = []
    for item in sorted(found, key=lambda f: (f.id, rank.get(id(f.reader), len(rank)))):
        kept = first.setdefault(item.id, item)
        if kept is not item and not isinstance(item.reader, Refused):
            where = rel_id(item.path, root)
            reason = (
                f"the id is also claimed by the {kept.reader.name} reader "
                f"({rel_id(kept.path, root)}), which is read instead; this claim by the "
                f"{item.reader.name} reader is ignored. Rename one of them"
            )
            item = replace(item, reader=Refused(reason=reason, where=where), handle=None)
        result.append(item)
    return result


def _undecodable(path: Path, root: Path, readers: list[Reader], notes: list[str]) -> list[FoundRun]:
    """A folder whose name is not UTF-8 cannot give a run id or a page: refuse it if a run."""
    rel = _shown(rel_id(path, root))
    if not any(r.matches(path) for r in readers):
        notes.append(f"'{rel}': the folder name is not UTF-8 text; not searched")
        return []
    reason = "the folder name is not UTF-8 text, so it cannot name a page; rename the folder"
    return [FoundRun(id=rel, path=path, reader=Refused(reason=reason, where=rel))]


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as lone surrogates
        return False
    return True


def _shown(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _claim(reader: Reader, path: Path, root: Path) -> list[FoundRun]:
    if isinstance(reader, StoreReader):
        return [
            FoundRun(id=run_id, path=path, reader=reader, handle=handle)
            for run_id, handle in reader.list_runs(path, root=root)
        ]
    return [FoundRun(id=rel_id(path, root), path=path, reader=reader, handle=path)]
