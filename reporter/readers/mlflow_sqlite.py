"""MLflow SQLite backend (`mlflow.db`), read with the standard library, read-only.

Tables used: `experiments`, `experiment_tags`, `runs`, `params`, `tags`, `metrics` (histories),
`latest_metrics` (the values MLflow reports), and when present `logged_models` (MLflow 3),
`model_versions` (the registry) and `datasets` + `inputs` + `input_tags` (`mlflow.log_input`).
A file is a store when it starts with SQLite's header and has the tracking tables; it is opened
with `mode=ro`, never written.

The store is read in linear time: listing it reads every run, parameter, tag, latest metric
and the number of history points per run in one transaction of set-based queries (one per
table, not one per run). What the store records for a run is its cache `fingerprint`, taken
from the same rows the run is made from; so a build hashes no database, and a run whose rows
did not change is not read again. Histories (the one large table) are read one run at a time,
when a page draws them (`read_histories`).

Its artifacts live apart (by default `./mlruns/<experiment id>/<run id>/artifacts`, folders with
no `meta.yaml`). MLflow records them as absolute paths, so they are found again under the
database's folder (see `_mlflow.relocate`), and `owns()` hands those folders to discovery so
nothing in them is read as a run of its own.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries, Run
from reporter.readers import _mlflow, _parse
from reporter.readers._mlflow_tables import Snapshot, read_snapshot
from reporter.readers.mlflow import MlflowFileReader

SUFFIXES = (".db", ".sqlite", ".sqlite3")
HEADER = b"SQLite format 3\x00"
TABLES = {"experiments", "runs", "params", "tags", "metrics", "latest_metrics"}
ARTIFACT_ROOTS = ("mlruns", "mlartifacts")


@dataclass(frozen=True, kw_only=True, slots=True)
class DbRun:
    """One run of a SQLite store: what the store holds for it (histories aside), read when the
    store was listed; `problem` is set when the store itself cannot be listed."""

    db: Path
    uuid: str
    record: _mlflow.RunRecord | None = None
    family: _mlflow.Family = _mlflow.Family()
    aliases: tuple[str, ...] = ()
    digest: str = ""
    problem: str = ""

    @property
    def cache_target(self) -> Path | None:
        """The run's own files: its artifact folder (the database is covered by `fingerprint`)."""
        return self.record.artifacts if self.record is not None else self.db

    @property
    def cache_salt(self) -> str:
        return repr((self.uuid, self.family, self.aliases))

    @property
    def fingerprint(self) -> str:
        """What the store records for this run (its rows, and its history's size and time)."""
        return self.digest


class MlflowSqliteReader:
    """Runs of an MLflow SQLite database; see the module docstring."""

    name = "mlflow-sqlite"
    priority = 30
    looks_for = "an MLflow SQLite database (*.db, *.sqlite: SQLite with MLflow's tables)"

    def matches(self, path: Path) -> bool:
        return False  # the store is a file: see matches_file

    def may_match_file(self, name: str) -> bool:
        return name.lower().endswith(SUFFIXES)

    def matches_file(self, file: Path) -> bool:
        """A SQLite file with MLflow's tables; one SQLite cannot open is claimed too, so the
        problem is reported (as a run that cannot be read) instead of the store vanishing."""
        if file.suffix.lower() not in SUFFIXES or file.is_symlink():
            return False
        try:
            with _parse.open_regular(file, file.name) as fh:  # never a FIFO: it would block
                if fh.read(len(HEADER)) != HEADER:
                    return False
        except (OSError, RunReadError):
            return False
        try:
            with closing(connect(file)) as db:
                return tables(db) >= TABLES
        except sqlite3.Error:
            return True

    def owns(self, file: Path) -> list[Path]:
        """The artifact folders beside the database: not runs of their own."""
        file_store = MlflowFileReader()
        owned = {
            file.parent / name
            for name in ARTIFACT_ROOTS
            if (file.parent / name).is_dir() and not file_store.matches(file.parent / name)
        }
        try:
            with closing(connect(file)) as db:
                locations = [
                    row[0] for row in db.execute("select artifact_location from experiments")
                ]
        except sqlite3.Error:
            locations = []
        for location in locations:
            found = _mlflow.relocate(str(location or ""), file.parent, file.parent)
            if found is not None and not any(found.is_relative_to(p) for p in owned):
                owned.add(found)
        return sorted(owned)

    def list_runs(self, file: Path, *, root: Path) -> list[tuple[str, DbRun]]:
        prefix = file.relative_to(root).as_posix()
        try:
            with closing(connect(file)) as db:
                snapshot = read_snapshot(db, tables(db))
        except sqlite3.Error as exc:
            # one entry that fails when read, so the problem is reported, not swallowed
            return [(prefix, DbRun(db=file, uuid="", problem=f"cannot query the database: {exc}"))]
        return sorted(_handles(snapshot, file, prefix, root), key=lambda h: h[0])

    def read(self, handle: DbRun, *, run_id: str, root: Path) -> Run:
        rel = handle.db.relative_to(root).as_posix()
        if handle.problem or handle.record is None:
            raise RunReadError(handle.problem or "run not listed", run_id=run_id, path=rel)
        return _mlflow.to_run(
            handle.record,
            run_id=run_id,
            reader=self.name,
            path=handle.db,
            family=handle.family,
            store=rel,
            aliases=handle.aliases,
            lazy=True,
        )

    def read_histories(self, handle: DbRun, *, run_id: str, root: Path) -> tuple[MetricSeries, ...]:
        """The run's metric histories (MLflow indexes `metrics` by run: O(this run's points))."""
        try:
            return _histories(_reading(handle.db), handle.uuid)
        except sqlite3.Error as exc:
            rel = handle.db.relative_to(root).as_posix()
            raise RunReadError(
                f"cannot read its histories from the database: {exc}", run_id=run_id, path=rel
            ) from exc


def connect(path: Path) -> sqlite3.Connection:
    """Read-only: SQLite refuses every write on this connection. No implicit transactions, so
    a listing's explicit one sees one state of the store."""
    return sqlite3.connect(
        f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None
    )


_OPEN: dict[tuple[Path, int], tuple[tuple[int, int], sqlite3.Connection]] = {}


def _reading(path: Path) -> sqlite3.Connection:
    """A read-only connection kept open for histories, one per database and thread: opening one
    costs more than reading a run's history (SQLite parses MLflow's ~70-table schema on each).
    A database replaced by another file gets a new connection."""
    key = (path, threading.get_ident())
    st = path.stat()
    identity = (st.st_dev, st.st_ino)
    kept = _OPEN.get(key)
    if kept is not None and kept[0] == identity:
        return kept[1]
    if kept is not None:
        kept[1].close()
    db = connect(path)
    _OPEN[key] = (identity, db)
    return db


def tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}


def _handles(snapshot: Snapshot, file: Path, prefix: str, root: Path) -> list[tuple[str, DbRun]]:
    """A handle per run, holding its record and the digest of the rows it was made from."""
    rows = snapshot.runs
    ids = _mlflow.run_ids(prefix, [(uuid, str(row.experiment_id)) for uuid, row in rows.items()])
    names = [
        (uuid, row.experiment, _mlflow.display_name(snapshot.tags.get(uuid, {}), row.name, ""))
        for uuid, row in rows.items()
    ]
    aliases = _mlflow.aliases(prefix, names)
    parents = {uuid: snapshot.tags.get(uuid, {}).get(_mlflow.PARENT) for uuid in rows}
    family = _mlflow.families(parents, ids)
    handles = []
    for uuid in rows:
        record, facts = snapshot.record(uuid, file.parent, root)
        digest = hashlib.sha256(repr(facts).encode("utf-8", "surrogateescape")).hexdigest()
        handles.append(
            (
                ids[uuid],
                DbRun(
                    db=file,
                    uuid=uuid,
                    record=record,
                    family=family[uuid],
                    aliases=aliases[uuid],
                    digest=digest,
                ),
            )
        )
    return handles


def _histories(db: sqlite3.Connection, uuid: str) -> tuple[MetricSeries, ...]:
    """Metrics logged at two or more steps, ordered by step then time (as `_mlflow.histories`),
    built column-wise: a run may have hundreds of thousands of points."""
    rows = db.execute(
        "select key, step, timestamp, value, is_nan from metrics where run_uuid = ?", (uuid,)
    ).fetchall()
    if not rows:
        return ()
    keys, steps, times, values, nan = zip(*rows, strict=True)
    names = sorted(set(keys))
    codes = {name: i for i, name in enumerate(names)}
    key = np.fromiter((codes[k] for k in keys), dtype=np.int64, count=len(rows))
    x = np.array([s or 0 for s in steps], dtype=float)
    y = np.array(values, dtype=float)
    y[np.array(nan, dtype=bool)] = np.nan
    order = np.lexsort((np.array(times, dtype=float), x, key))
    key, x, y = key[order], x[order], y[order]
    bounds = np.searchsorted(key, np.arange(len(names) + 1))
    series = []
    for i, name in enumerate(names):
        xs = x[bounds[i] : bounds[i + 1]]
        if len(xs) >= 2 and xs[0] != xs[-1]:  # one step: a final value, not a history
            series.append(MetricSeries(name=str(name), x=xs, y=y[bounds[i] : bounds[i + 1]]))
    return tuple(series)
