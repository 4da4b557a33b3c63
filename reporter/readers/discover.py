"""Discovery: walk the runs root and let readers claim runs.

Three ways a reader can claim runs (see the protocols in `reporter.readers`):
- `matches(folder)`: the folder is one run; it is not searched further.
- `matches(folder)` plus `list_runs(folder, root=...)`: the folder is a store holding many runs
  (an MLflow `mlruns/`); it is not searched further.
- `matches_file(file)` plus `list_runs(file, root=...)`: a file is a store (an MLflow `mlflow.db`);
  the folder around it is still searched, except the folders the reader `owns` (its artifacts).
Symbolic links are never followed, so discovery cannot leave the runs root or loop.

The runs root may also be a store file (`mlflow.db`) or a folder inside a store (an experiment
folder `mlruns/1`, or one run folder `mlruns/1/<run id>`): the store is then read from the
folder above it (`Discovery.root`, what run ids are relative to, so a run has the same id
whichever way it is reached), keeping only the runs in the named folder.

Some claims cannot be read at all: a second claim of a run id already claimed (by a reader of
higher priority, or earlier in the walk), or a run folder whose name is not UTF-8. Such a claim
is still returned, with a reader that refuses it, so it is reported like any unreadable run:
one warning naming the run, the path and the reason, and a failure under `--strict`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reporter.errors import ReporterError, RunReadError
from reporter.readers import (
    CacheHandle,
    FileStoreReader,
    Listing,
    OwnsFolders,
    Prescreens,
    PrescreensFiles,
    Reader,
    StoreReader,
    conforms,
    id_problem,
    rel_id,
    safe_run_id,
)
from reporter.text import printable

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


@dataclass(frozen=True, kw_only=True, slots=True)
class Discovery:
    """What discovery found: the claims (sorted by id), notes about what was passed over
    (shown with -v), and warnings (what a user must know: unreadable folders, renamed ids)."""

    found: list[FoundRun]
    notes: list[str]
    warnings: list[str]
    root: Path | None = None  # the folder run ids are relative to (see the module docstring)


def discover_runs(root: Path, readers: list[Reader]) -> Discovery:
    """Every run under `root`, sorted by id, plus notes and warnings about what was passed over."""
    if root.is_file():
        return _store_file(root, readers)
    if not root.is_dir():
        raise ReporterError(
            f"The runs root '{root}' does not exist. Point --runs (or the plugin's 'runs' "
            "option) at the folder holding your runs, or at a store (mlruns/, mlflow.db)."
        )
    inside = _inside_store(root, readers)
    if inside is not None:
        return inside
    found: list[FoundRun] = []
    notes: list[str] = []
    warnings: list[str] = []
    owned: set[Path] = set()

    def unreadable(exc: OSError) -> None:
        where = _shown(rel_id(Path(exc.filename), root)) if exc.filename else str(root)
        warnings.append(
            f"Cannot read the folder '{where}' ({exc.strerror}); runs in it are skipped"
        )

    stores = _file_stores(readers)
    holding: dict[str, frozenset[str]] = {}  # the names in each folder searched further
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=unreadable):
        here = Path(folder)
        listed_files, listed_folders = frozenset(files), frozenset(dirs)
        beside = holding.get(os.path.dirname(folder))
        listing = None if beside is None else Listing(listed_files, listed_folders, beside)
        dirs[:] = _searched(here, dirs, root, owned, notes)
        for name in [d for d in dirs if not _is_text(d)]:
            dirs.remove(name)
            found += _undecodable(here / name, root, readers, notes)
        for name in sorted(f for f in files if _is_text(f)):
            reader = _file_store(stores, here, name, root, warnings) if stores else None
            if reader is not None:
                found += _claim(reader, here / name, root, warnings)
                if conforms(reader, OwnsFolders):
                    owned |= set(_guarded(reader.owns, here / name, [], root, warnings))
                dirs[:] = [d for d in dirs if (here / d) not in owned]
        claimer = _claimer(readers, here, root, warnings, listing)
        if claimer is not None:
            found += _claim(claimer, here, root, warnings)
            dirs[:] = []
        elif dirs:  # its sub-folders are searched: they are told what is beside them
            holding[folder] = listed_files | listed_folders
    return _finished(found, readers, root, notes, warnings)


def _finished(
    found: list[FoundRun], readers: list[Reader], root: Path, notes: list[str], warnings: list[str]
) -> Discovery:
    found = _safe_ids(found, warnings)
    return Discovery(
        found=_refuse_duplicates(sorted(found, key=lambda f: f.id), readers, root),
        notes=notes,
        warnings=warnings,
        root=root,
    )


def _store_file(file: Path, readers: list[Reader]) -> Discovery:
    """A runs root that is a store file: its runs, with ids as from the folder holding it."""
    warnings: list[str] = []
    reader = _file_store(_file_stores(readers), file.parent, file.name, file.parent, warnings)
    if reader is None:
        raise ReporterError(
            f"The runs root '{file}' is a file no reader reads as a store of runs. "
            f"{_looked_for(readers)}"
        )
    return _finished(
        _claim(reader, file, file.parent, warnings), readers, file.parent, [], warnings
    )


def _inside_store(root: Path, readers: list[Reader]) -> Discovery | None:
    """A runs root inside a store (an experiment or run folder of an MLflow file store): the
    store's runs that are in it, read from the folder above the store. None when the root is
    itself a run or a store, or no store above it has runs in it (a folder of runs inside a
    project that a reader also claims is searched as usual)."""
    if _claimer(readers, root, root, []) is not None:
        return None
    store = root
    for _ in range(2):  # an experiment folder, or a run folder in one
        store = store.parent
        for reader in readers:
            if conforms(reader, StoreReader) and _guarded(reader.matches, store, False, root, []):
                warnings: list[str] = []
                listed = _claim(reader, store, store.parent, warnings)
                kept = [item for item in listed if _within(item, root)]
                if kept:
                    return _finished(kept, readers, store.parent, [], warnings)
    return None


def _within(item: FoundRun, folder: Path) -> bool:
    """Whether a store's run has its own files in `folder`."""
    target = item.handle.cache_target if conforms(item.handle, CacheHandle) else None
    return target is not None and target.is_relative_to(folder)


def nothing_found(root: Path, readers: list[Reader], warnings: list[str]) -> str:
    """Why a runs root gave no run: what was looked for, by which readers."""
    hint = f" ({'; '.join(warnings[:3])})" if warnings else ""
    return f"No runs found in '{root}'{hint}. {_looked_for(readers)}"


def _looked_for(readers: list[Reader]) -> str:
    wanted = "; ".join(
        f"{r.name}: {getattr(r, 'looks_for', '') or 'see its documentation'}" for r in readers
    )
    return f"The readers tried look for: {wanted}."


def _searched(
    here: Path, dirs: list[str], root: Path, owned: set[Path], notes: list[str]
) -> list[str]:
    """The sub-folders to search, sorted; links, hidden and owned folders are passed over."""
    kept = []
    for name in sorted(dirs):
        path = here / name
        if path.is_symlink():
            notes.append(f"'{_shown(rel_id(path, root))}' is a symbolic link; not followed")
        elif name.startswith("."):
            notes.append(f"'{_shown(rel_id(path, root))}' is a hidden folder; not searched")
        elif name not in _SKIP_DIRS and path not in owned:
            kept.append(name)
    return kept


def _guarded(call: Any, where: Path, default: Any, root: Path, warnings: list[str]) -> Any:
    """`call(where)`, a reader's look at a folder or file: one it cannot read is a warning
    (naming it), not a crash."""
    try:
        return call(where)
    except OSError as exc:
        shown = _shown(rel_id(where, root))
        warnings.append(f"Cannot read '{shown}' ({exc.strerror or exc}); skipped")
        return default


def _claimer(
    readers: list[Reader],
    here: Path,
    root: Path,
    warnings: list[str],
    listing: Listing | None = None,
) -> Reader | None:
    """The first reader claiming the folder; a reader that cannot look into it only matters
    (as one warning) when no other reader claims it. Readers that rule the folder out from its
    `listing` are not asked (the runs root has none: the folder holding it was not listed)."""
    failed: list[str] = []
    for reader in readers:
        if _ruled_out(reader, here, listing):
            continue
        if _guarded(reader.matches, here, False, root, failed):
            return reader
    warnings += failed[:1]
    return None


def _ruled_out(reader: Reader, here: Path, listing: Listing | None) -> bool:
    if listing is None or not conforms(reader, Prescreens):
        return False
    return not reader.may_match(here, listing)


def _file_store(
    readers: list[Reader], folder: Path, name: str, root: Path, warnings: list[str]
) -> Reader | None:
    file = None
    for reader in readers:
        if conforms(reader, PrescreensFiles) and not reader.may_match_file(name):
            continue
        file = file or folder / name
        if _guarded(reader.matches_file, file, False, root, warnings):
            return reader
    return None


def _file_stores(readers: list[Reader]) -> list[Reader]:
    """The readers that read a file as a store, asked about every file of the runs root."""
    return [reader for reader in readers if conforms(reader, FileStoreReader)]


def _safe_ids(found: list[FoundRun], warnings: list[str]) -> list[FoundRun]:
    """Every claim with an id that can name pages: bad parts made safe, with a warning; an id
    made safe that meets another id gets the first free `-2`, `-3`... (in order of the ids)."""
    taken = {item.id for item in found if id_problem(item.id) is None}
    result = []
    for item in sorted(found, key=lambda f: f.id):
        problem = id_problem(item.id)
        if problem is None or isinstance(item.reader, Refused):  # refused claims say why
            result.append(item)
            continue
        safe = safe_run_id(item.id)
        candidate, n = safe, 1
        while candidate in taken:
            n += 1
            candidate = f"{safe}-{n}"
        taken.add(candidate)
        warnings.append(
            f"The run '{printable(item.id)[:200]}' cannot keep its id ({problem}); it is "
            f"'{candidate}' instead"
        )
        result.append(replace(item, id=candidate))
    return result


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
    return printable(name)


def _claim(reader: Reader, path: Path, root: Path, warnings: list[str]) -> list[FoundRun]:
    if conforms(reader, StoreReader):
        listed = _guarded(functools.partial(reader.list_runs, root=root), path, [], root, warnings)
        return [
            FoundRun(id=run_id, path=path, reader=reader, handle=handle)
            for run_id, handle in listed
        ]
    return [FoundRun(id=rel_id(path, root), path=path, reader=reader, handle=path)]
