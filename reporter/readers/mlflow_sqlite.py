"""MLflow SQLite backend (`mlflow.db`), read with the standard library, read-only.

Tables used: `experiments`, `experiment_tags`, `runs`, `params`, `tags`, `metrics` (histories),
`latest_metrics` (the values MLflow reports), and when present `logged_models` (MLflow 3) and
`model_versions` (the registry). A file is a store when it starts with SQLite's header and has
the tracking tables; it is opened with `mode=ro`, never written.

Its artifacts live apart (by default `./mlruns/<experiment id>/<run id>/artifacts`, folders with
no `meta.yaml`). MLflow records them as absolute paths, so they are found again under the
database's folder (see `_mlflow.relocate`), and `owns()` hands those folders to discovery so
nothing in them is read as a run of its own.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from reporter.errors import RunReadError
from reporter.model import Run
from reporter.readers import _mlflow, _parse
from reporter.readers.mlflow import MlflowFileReader

SUFFIXES = (".db", ".sqlite", ".sqlite3")
HEADER = b"SQLite format 3\x00"
TABLES = {"experiments", "runs", "params", "tags", "metrics", "latest_metrics"}
ARTIFACT_ROOTS = ("mlruns", "mlartifacts")

_RUNS = """
select r.run_uuid, e.name, coalesce(t.value, r.name, ''), p.value
from runs r
join experiments e on e.experiment_id = r.experiment_id
left join tags t on t.run_uuid = r.run_uuid and t.key = 'mlflow.runName'
left join tags p on p.run_uuid = r.run_uuid and p.key = 'mlflow.parentRunId'
where coalesce(r.lifecycle_stage, 'active') != 'deleted'
  and coalesce(e.lifecycle_stage, 'active') != 'deleted'
"""


@dataclass(frozen=True, kw_only=True, slots=True)
class DbRun:
    """One run of a SQLite store; `problem` is set when the store itself cannot be listed."""

    db: Path
    uuid: str
    family: _mlflow.Family = _mlflow.Family()
    problem: str = ""

    @property
    def cache_target(self) -> Path:
        """The file this run is read from (for a per-run cache fingerprint)."""
        return self.db

    @property
    def cache_salt(self) -> str:
        return repr((self.uuid, self.family))


class MlflowSqliteReader:
    """Runs of an MLflow SQLite database; see the module docstring."""

    name = "mlflow-sqlite"
    priority = 30

    def matches(self, path: Path) -> bool:
        return False  # the store is a file: see matches_file

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
                return _tables(db) >= TABLES
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
                rows = db.execute(_RUNS).fetchall()
        except sqlite3.Error as exc:
            # one entry that fails when read, so the problem is reported, not swallowed
            return [(prefix, DbRun(db=file, uuid="", problem=f"cannot query the database: {exc}"))]
        ids = _mlflow.run_ids(prefix, [(uuid, exp, name) for uuid, exp, name, _ in rows])
        fam = _mlflow.families({uuid: parent for uuid, _, _, parent in rows}, ids)
        handles = [(ids[uuid], DbRun(db=file, uuid=uuid, family=fam[uuid])) for uuid, *_ in rows]
        return sorted(handles, key=lambda h: h[0])

    def read(self, handle: DbRun, *, run_id: str, root: Path) -> Run:
        rel = handle.db.relative_to(root).as_posix()
        if handle.problem:
            raise RunReadError(handle.problem, run_id=run_id, path=rel)
        try:
            with closing(connect(handle.db)) as db:
                record = _record(db, handle, root)
        except sqlite3.Error as exc:
            raise RunReadError(
                f"cannot query the database: {exc}", run_id=run_id, path=rel
            ) from exc
        if record is None:
            raise RunReadError(
                f"run {handle.uuid} is no longer in the database", run_id=run_id, path=rel
            )
        return _mlflow.to_run(
            record, run_id=run_id, reader=self.name, path=handle.db, family=handle.family
        )


def connect(path: Path) -> sqlite3.Connection:
    """Read-only: SQLite refuses every write on this connection."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}


def _record(db: sqlite3.Connection, handle: DbRun, root: Path) -> _mlflow.RunRecord | None:
    uuid = handle.uuid
    row = db.execute(
        "select r.name, r.status, r.start_time, r.end_time, r.user_id, r.artifact_uri,"
        " r.experiment_id, e.name from runs r"
        " join experiments e on e.experiment_id = r.experiment_id where r.run_uuid = ?",
        (uuid,),
    ).fetchone()
    if row is None:
        return None
    name, status, start, end, user, artifact_uri, experiment_id, experiment = row
    tables = _tables(db)
    history = _history(db, uuid)
    base = handle.db.parent
    return _mlflow.RunRecord(
        uuid=uuid,
        experiment=str(experiment),
        experiment_id=str(experiment_id),
        name=str(name or ""),
        status=_mlflow.status_text(status),
        start_time=start,
        end_time=end,
        user=str(user or ""),
        artifact_uri=str(artifact_uri or ""),
        params=_pairs(db, "select key, value from params where run_uuid = ?", uuid),
        tags=_pairs(db, "select key, value from tags where run_uuid = ?", uuid),
        latest={
            key: float("nan") if is_nan else float(value)
            for key, value, is_nan in db.execute(
                "select key, value, is_nan from latest_metrics where run_uuid = ?", (uuid,)
            )
        },
        history=history,
        artifacts=_mlflow.relocate(str(artifact_uri or ""), base, root),
        models=_logged_models(db, uuid, base, root) if "logged_models" in tables else (),
        registered=_registered(db, uuid) if "model_versions" in tables else (),
        experiment_tags=_experiment_tags(db, experiment_id) if "experiment_tags" in tables else {},
    )


def _pairs(db: sqlite3.Connection, query: str, uuid: str) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in db.execute(query, (uuid,))}


def _history(db: sqlite3.Connection, uuid: str) -> dict[str, list[_mlflow.Point]]:
    history: dict[str, list[_mlflow.Point]] = {}
    rows = db.execute(
        "select key, step, timestamp, value, is_nan from metrics where run_uuid = ?"
        " order by key, step, timestamp",
        (uuid,),
    )
    for key, step, timestamp, value, is_nan in rows:
        point = (int(step or 0), int(timestamp or 0), float("nan") if is_nan else float(value))
        history.setdefault(str(key), []).append(point)
    return history


def _experiment_tags(db: sqlite3.Connection, experiment_id: object) -> dict[str, str]:
    rows = db.execute(
        "select key, value from experiment_tags where experiment_id = ?", (experiment_id,)
    )
    return {str(k): str(v or "") for k, v in sorted(rows) if not str(k).startswith("mlflow.")}


def _logged_models(
    db: sqlite3.Connection, uuid: str, base: Path, root: Path
) -> tuple[_mlflow.LoggedModel, ...]:
    rows = db.execute(
        "select model_id, name, artifact_location, status from logged_models"
        " where source_run_id = ? and coalesce(lifecycle_stage, 'active') != 'deleted'",
        (uuid,),
    )
    return tuple(
        _mlflow.LoggedModel(
            model_id=str(model_id),
            name=str(name or model_id),
            artifacts=_mlflow.relocate(str(location or ""), base, root),
            status=_mlflow.model_status(status),
        )
        for model_id, name, location, status in rows
    )


def _registered(db: sqlite3.Connection, uuid: str) -> tuple[str, ...]:
    rows = db.execute(
        "select name, version, current_stage from model_versions where run_id = ?"
        " order by name, version",
        (uuid,),
    )
    return tuple(
        f"{name} v{version}" + (f" ({stage})" if stage and stage != "None" else "")
        for name, version, stage in rows
    )
