"""Readers turn what some tool wrote into `Run`s; discovery finds what they claim.

A reader is a small protocol (`Reader`): a `name`, a `priority` (higher claims a folder first),
`matches(folder)` and `read(handle, run_id=..., root=...)`. Optional capabilities, each a
protocol of its own:
- `StoreReader` adds `list_runs(path, root=...) -> [(run_id, handle), ...]`: the folder it
  matches is a store of many runs (an MLflow `mlruns/`); the handles are what `read` needs.
- `FileStoreReader` adds `matches_file(file)`: a file is a store (an MLflow `mlflow.db`); with
  `owns(file) -> [folders]` (`OwnsFolders`) the folders it owns (its artifacts) are not searched
  for runs.
- `HistoryReader` adds `read_histories(handle, run_id=..., root=...)`: `read` leaves a run's
  histories out (marking the run `histories_pending`), and they are read when a page draws them.
- `Prescreens` adds `may_match(folder, listing)`: whether `matches(folder)` can be true, told
  from the names discovery listed (`Listing`) without a look into the folder; a reader
  that says False is not asked `matches`. `PrescreensFiles` adds `may_match_file(name)`, the
  same for `matches_file` from a file's name. Discovery asks every reader about every folder
  (and file stores about every file), so at 10,000 runs this spares tens of thousands of
  `stat` calls and paths.

The run cache and store readers (`CacheHandle`). A run is read again only when its fingerprint
changes. For a one-run folder the handle is the folder and the fingerprint covers its files
(sizes and times, then contents). A store run's handle says what its fingerprint covers:
- `cache_target`: the files the run is read from, and `cache_salt`: store-wide facts its page
  shows that those files do not hold (parent, children, states).
- `fingerprint` (optional, `Fingerprinted`): what the store records for this run alone (row
  counts, latest timestamps, values), worked out for all runs at listing time in a few
  set-based queries. With it, `cache_target` names only the run's own files (its artifact
  folder), or None, and the shared store file is never hashed. Without it, a shared
  `cache_target` (a database) is hashed at most once per build, but any change to it reads
  every run in it again. The rule for a reader of a store of many runs: give a `fingerprint`
  that costs O(that run's data) and changes whenever anything its page shows changes.

Readers are found through the `reporter.readers` entry-point group, the built-in ones included,
so a team can add a format without touching `reporter`. A reader never executes or unpickles
what it reads, and opens databases read-only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from reporter.errors import ConfigError, RunReadError
from reporter.model import MetricSeries, Run

ENTRY_POINT_GROUP = "reporter.readers"
T = TypeVar("T")


def conforms(obj: object, protocol: type) -> bool:
    """`isinstance(obj, protocol)` for the runtime protocols below, decided once per class
    (from its first instance): a protocol check inspects every member on each call, and a
    build makes several per run."""
    key = (type(obj), protocol)
    found = _CONFORMS.get(key)
    if found is None:
        found = _CONFORMS[key] = isinstance(obj, protocol)
    return found


_CONFORMS: dict[tuple[type, type], bool] = {}


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
    def cache_target(self) -> Path | None: ...

    @property
    def cache_salt(self) -> str: ...


@runtime_checkable
class Fingerprinted(CacheHandle, Protocol):
    """A store run's handle that knows what the store records for the run (see the module
    docstring): the run cache uses it instead of hashing the store."""

    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Listing:
    """What discovery listed of a folder, names only (nothing followed or looked into): a name
    in none of these sets is certainly not there. A name in one may still be a broken link or
    a FIFO, so a listing can rule a folder out, never in."""

    files: frozenset[str]  # entries that are not folders: files, links to files, FIFOs...
    folders: frozenset[str]  # folders and links to folders
    beside: frozenset[str]  # every entry of the folder holding this one


@runtime_checkable
class Prescreens(Protocol):
    """A reader that can rule a folder out from its listing (see the module docstring)."""

    def may_match(self, path: Path, listing: Listing) -> bool: ...


@runtime_checkable
class PrescreensFiles(Protocol):
    """A file store reader that can rule a file out from its name (see the module docstring)."""

    def may_match_file(self, name: str) -> bool: ...


@runtime_checkable
class HistoryReader(Protocol):
    """A reader whose `read` leaves histories in the store, to be read one run at a time."""

    def read_histories(
        self, handle: Any, *, run_id: str, root: Path
    ) -> tuple[MetricSeries, ...]: ...


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
        raise _located(exc, run_id, folder) from None


def _located(exc: RunReadError, run_id: str, folder: str) -> RunReadError:
    exc.run_id = exc.run_id or run_id
    if folder and exc.path and not exc.path.startswith(f"{folder}/"):
        exc.path = f"{folder}/{exc.path}"
    return exc


class Parts:
    """The parts of one run (its metrics, metadata, config, history, card...), read one by one.

    A part that cannot be read is a problem of the run, named on its page and in the log; the
    run is skipped only when none of its parts could be read (`check`). A part that is absent
    (its reader returns None) is neither read nor a problem.
    """

    def __init__(self, run_id: str, folder: str = "") -> None:
        self.run_id = run_id
        self.folder = folder
        self.problems: list[RunReadError] = []
        self.read_any = False

    def read(self, part: Callable[[], T | None], default: T) -> T:
        try:
            value = part()
        except RunReadError as exc:
            self.problems.append(_located(exc, self.run_id, self.folder))
            return default
        except OSError as exc:
            where = Path(exc.filename).name if exc.filename else ""
            error = RunReadError(f"cannot read it: {exc.strerror or exc}", path=where)
            self.problems.append(_located(error, self.run_id, self.folder))
            return default
        if value is None:
            return default
        self.read_any = True
        return value

    def note(self, problem: RunReadError) -> None:
        """A problem found while a part was read (the part itself was kept)."""
        self.problems.append(_located(problem, self.run_id, self.folder))

    def check(self) -> tuple[str, ...]:
        """The problems as the page words them; raises the first when nothing could be read."""
        if not self.read_any and self.problems:
            raise self.problems[0]
        return tuple(str(p) for p in self.problems)


def rel_id(path: Path, root: Path) -> str:
    """A path's id under the runs root; the root itself is named by its folder name."""
    rel = path.relative_to(root).as_posix()
    return rel if rel != "." else root.resolve().name


def parent_experiment(run_id: str) -> str:
    """The experiment of a run in a folder layout: its parent folder, else `default`."""
    parent, _, _ = run_id.rpartition("/")
    return parent or "default"


MAX_SEGMENT_BYTES = 120  # a run id segment names a folder of the site; its files must fit NAME_MAX
MAX_ID_BYTES = 1000


# an id every rule below accepts (ASCII parts of at most MAX_SEGMENT_BYTES, none starting
# with '.'): most ids are, and checking them character by character costs every run, every build
_PLAIN_ID = re.compile(
    r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119})*"
)


def id_problem(run_id: str) -> str | None:
    """Why `run_id` cannot name a run (its page folder, its files), or None when it can."""
    if len(run_id) <= MAX_ID_BYTES and _PLAIN_ID.fullmatch(run_id):
        return None
    return _id_problem(run_id)


def _id_problem(run_id: str) -> str | None:
    if not run_id:
        return "the id is empty"
    if len(run_id.encode("utf-8", "surrogateescape")) > MAX_ID_BYTES:
        return f"the id is longer than {MAX_ID_BYTES} bytes"
    for segment in run_id.split("/"):
        problem = _segment_problem(segment)
        if problem:
            return problem
    return None


def _segment_problem(segment: str) -> str | None:
    if segment in ("", ".", ".."):
        return f"the id has a '{segment}' part, which would name another folder"
    if segment.startswith("."):
        return "a part of the id starts with '.', which web servers hide"
    if "\\" in segment:
        return "the id holds a backslash"
    if any(_control(c) for c in segment):
        return "the id holds control characters"
    try:
        size = len(segment.encode("utf-8"))
    except UnicodeEncodeError:
        return "the id is not UTF-8 text"
    if size > MAX_SEGMENT_BYTES:
        return f"a part of the id is longer than {MAX_SEGMENT_BYTES} bytes"
    return None


def _control(c: str) -> bool:
    code = ord(c)
    return code < 32 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029)


def safe_segment(text: str) -> str:
    """A part of a run id made from data (a name, a folder, a tracker's id): the same readable
    text where it is safe; separators and control characters become `-`, `.` and `..` become
    `unnamed`, and a part too long is cut and given a digest of the whole, so it stays unique."""
    cleaned = "".join("-" if c in "/\\" or _control(c) else c for c in text)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8").strip().lstrip(".").strip()
    if not cleaned:
        cleaned = "unnamed"
    if len(cleaned.encode("utf-8")) > MAX_SEGMENT_BYTES:
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:10]
        cut = cleaned.encode("utf-8")[: MAX_SEGMENT_BYTES - 11].decode("utf-8", "ignore")
        cleaned = f"{cut.rstrip()}-{digest}"
    return cleaned


def safe_run_id(run_id: str) -> str:
    """`run_id` if it can name a run, else the same id with every bad part made safe."""
    if id_problem(run_id) is None:
        return run_id
    parts = [safe_segment(p) for p in run_id.split("/") if p.strip(".")][:8]
    return "/".join(parts or ["unnamed"])
