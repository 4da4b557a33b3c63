"""Readers turn what some tool wrote into `Run`s; discovery finds what they claim.

A reader is a small protocol (`Reader`): a `name`, a `priority` (higher claims a folder first),
`matches(folder)` and `read(handle, run_id=..., root=...)`. Two optional capabilities, each a
protocol of its own:
- `StoreReader` adds `list_runs(path, root=...) -> [(run_id, handle), ...]`: the folder it
  matches is a store of many runs (an MLflow `mlruns/`); the handles are what `read` needs.
- `FileStoreReader` adds `matches_file(file)`: a file is a store (an MLflow `mlflow.db`); with
  `owns(file) -> [folders]` (`OwnsFolders`) the folders it owns (its artifacts) are not searched
  for runs.
A handle of a store's run may say what the run cache fingerprints (`CacheHandle`); for one-run
folders the handle is the folder itself. See `reporter.readers.discover`.

Readers are found through the `reporter.readers` entry-point group, the built-in ones included,
so a team can add a format without touching `reporter`. A reader never executes or unpickles
what it reads, and opens databases read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from reporter.errors import ConfigError, RunReadError
from reporter.model import Run

ENTRY_POINT_GROUP = "reporter.readers"


@runtime_checkable
class Reader(Protocol):
    """What every reader provides."""

    name: str
    priority: int

    def matches(self, path: Path) -> bool: ...

    def read(self, handle: Any, *, run_id: str, root: Path) -> Run: ...


@runtime_checkable
class StoreReader(Reader, Protocol):
    """A reader whose matched folder (or file) holds many runs."""

    def list_runs(self, path: Path, *, root: Path) -> list[tuple[str, Any]]: ...


@runtime_checkable
class FileStoreReader(StoreReader, Protocol):
    """A reader of stores that are one file (a database)."""

    def matches_file(self, file: Path) -> bool: ...


@runtime_checkable
class OwnsFolders(Protocol):
    """A file store reader whose store owns folders beside it (not runs of their own)."""

    def owns(self, file: Path) -> list[Path]: ...


@runtime_checkable
class CacheHandle(Protocol):
    """A store run's handle: the files its cache entry fingerprints, and store-wide facts its
    page shows that those files do not hold (parent, children, states)."""

    @property
    def cache_target(self) -> Path: ...

    @property
    def cache_salt(self) -> str: ...


def load_readers(names: list[str] | None = None) -> list[Reader]:
    """Installed readers, highest priority first (ties by name, so the order is stable)."""
    found: dict[str, Reader] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.load()()
    if names:
        unknown = sorted(set(names) - set(found))
        if unknown:
            raise ConfigError(
                f"Unknown reader(s) {', '.join(unknown)}; installed: {', '.join(sorted(found))}"
            )
        found = {k: v for k, v in found.items() if k in names}
    return sorted(found.values(), key=lambda r: (-r.priority, r.name))


def reader_versions() -> list[tuple[str, str, str]]:
    """(reader name, distribution, version) of every installed reader, for `reporter readers`."""
    rows = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        rows.append((ep.name, dist.name if dist else "?", dist.version if dist else "?"))
    return sorted(rows)


@contextmanager
def run_errors(run_id: str, folder: str = "") -> Iterator[None]:
    """Read errors name their run, and paths relative to `folder` become relative to the root."""
    try:
        yield
    except RunReadError as exc:
        exc.run_id = exc.run_id or run_id
        if folder and exc.path and not exc.path.startswith(f"{folder}/"):
            exc.path = f"{folder}/{exc.path}"
        raise


def rel_id(path: Path, root: Path) -> str:
    """A path's id under the runs root; the root itself is named by its folder name."""
    rel = path.relative_to(root).as_posix()
    return rel if rel != "." else root.resolve().name


def parent_experiment(run_id: str) -> str:
    """The experiment of a run in a folder layout: its parent folder, else `default`."""
    parent, _, _ = run_id.rpartition("/")
    return parent or "default"
