"""Readers turn what some tool wrote into `Run`s.

A reader is a small protocol: a `name`, a `priority`, `matches(folder)` and
`read(handle, run_id=..., root=...)`. Readers of stores holding many runs add
`list_runs(path, root=...) -> [(run_id, handle), ...]`; readers of stores that are a file add
`matches_file(file)` and may add `owns(file) -> [folders]` (e.g. the artifact folder beside an
MLflow database) so discovery does not read those folders as runs. For one-run folders the
handle is the folder itself. See `reporter.discover`.

Readers are found through the `reporter.readers` entry-point group, the built-in ones included,
so a team can add a format without touching `reporter`. A reader never executes or unpickles
what it reads, and opens databases read-only.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from reporter.errors import ConfigError
from reporter.model import Run

ENTRY_POINT_GROUP = "reporter.readers"


@runtime_checkable
class Reader(Protocol):
    """What every reader provides. `priority`: higher claims a folder first."""

    name: str
    priority: int

    def matches(self, path: Path) -> bool: ...

    def read(self, handle: Any, *, run_id: str, root: Path) -> Run: ...


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
