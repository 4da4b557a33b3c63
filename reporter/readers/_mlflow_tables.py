"""An MLflow SQLite store read whole, in one transaction of set-based queries (one per table).

`read_snapshot` gives every active run with its parameters, tags, latest metrics (each with its
step and time), logged models, registered versions, dataset inputs and experiment tags, plus
the number of its history points and the last row written (the histories themselves stay in
the store). `Snapshot.record`
makes a run's `RunRecord` and the facts it was made from, whose digest is the run's cache
fingerprint: any change to the run's rows (a new metric point, a status, a tag) changes it, and
no other run's.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.readers import _mlflow

_RUNS = """
select r.run_uuid, r.name, r.status, r.start_time, r.end_time, r.user_id, r.artifact_uri,
       r.experiment_id, e.name
from runs r
join experiments e on e.experiment_id = r.experiment_id
where coalesce(r.lifecycle_stage, 'active') != 'deleted'
  and coalesce(e.lifecycle_stage, 'active') != 'deleted'
"""
_DATASETS = """
select i.destination_id, d.name, d.digest, d.dataset_source_type, d.dataset_source,
       d.dataset_schema, d.dataset_profile, t.value
from inputs i
join datasets d on d.dataset_uuid = i.source_id
left join input_tags t on t.input_uuid = i.input_uuid and t.name = 'mlflow.data.context'
where i.source_type = 'DATASET' and i.destination_type = 'RUN'
"""


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRow:
    name: str
    status: str
    start_time: int | None
    end_time: int | None
    user: str
    artifact_uri: str
    experiment_id: str
    experiment: str


def _nested() -> defaultdict[str, dict[str, str]]:
    return defaultdict(dict)


def _listed() -> defaultdict[str, list[Any]]:
    return defaultdict(list)


@dataclass(kw_only=True, slots=True)
class Snapshot:
    """Every active run of a store and what the store holds for it, by MLflow run id."""

    runs: dict[str, RunRow]
    params: defaultdict[str, dict[str, str]] = field(default_factory=_nested)
    tags: defaultdict[str, dict[str, str]] = field(default_factory=_nested)
    latest: defaultdict[str, list[tuple[Any, ...]]] = field(default_factory=_listed)
    points: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    experiment_tags: defaultdict[str, dict[str, str]] = field(default_factory=_nested)
    models: defaultdict[str, list[tuple[Any, ...]]] = field(default_factory=_listed)
    registered: defaultdict[str, list[str]] = field(default_factory=_listed)
    datasets: defaultdict[str, list[_mlflow.Dataset]] = field(default_factory=_listed)

    def record(self, uuid: str, base: Path, root: Path) -> tuple[_mlflow.RunRecord, tuple]:
        """The run's record, and the facts it was made from (for its fingerprint)."""
        row = self.runs[uuid]
        latest = sorted(self.latest.get(uuid, ()))
        models = tuple(
            _mlflow.LoggedModel(
                model_id=str(model_id),
                name=str(name or model_id),
                artifacts=_mlflow.relocate(str(location or ""), base, root),
                status=_mlflow.model_status(status),
            )
            for model_id, name, location, status in sorted(self.models.get(uuid, ()), key=str)
        )
        artifacts = _mlflow.relocate(row.artifact_uri, base, root)
        record = _mlflow.RunRecord(
            uuid=uuid,
            experiment=row.experiment,
            experiment_id=row.experiment_id,
            name=row.name,
            status=_mlflow.status_text(row.status),
            start_time=row.start_time,
            end_time=row.end_time,
            user=row.user,
            artifact_uri=row.artifact_uri,
            params=dict(sorted(self.params.get(uuid, {}).items())),
            tags=dict(sorted(self.tags.get(uuid, {}).items())),
            latest={
                key: float("nan") if is_nan else float(value) for key, value, is_nan, *_ in latest
            },
            history={},
            artifacts=artifacts,
            models=models,
            registered=tuple(sorted(self.registered.get(uuid, ()))),
            experiment_tags=dict(sorted(self.experiment_tags.get(row.experiment_id, {}).items())),
            datasets=tuple(self.datasets.get(uuid, ())),
        )
        model_files = tuple(_stat_lines(m.artifacts) for m in models)
        return record, (record, latest, self.points.get(uuid), model_files)


def read_snapshot(db: sqlite3.Connection, tables: set[str]) -> Snapshot:
    """The whole store at one point in time (one read transaction)."""
    db.execute("begin")
    try:
        return _read(db, tables)
    finally:
        db.execute("commit")


def _read(db: sqlite3.Connection, tables: set[str]) -> Snapshot:
    runs = {
        str(uuid): RunRow(
            name=str(name or ""),
            status=str(status or ""),
            start_time=start,
            end_time=end,
            user=str(user or ""),
            artifact_uri=str(uri or ""),
            experiment_id=str(experiment_id),
            experiment=str(experiment),
        )
        for uuid, name, status, start, end, user, uri, experiment_id, experiment in db.execute(
            _RUNS
        )
    }
    snap = Snapshot(runs=runs)
    for uuid, key, value in db.execute("select run_uuid, key, value from params"):
        if uuid in runs:
            snap.params[uuid][str(key)] = "" if value is None else str(value)
    for uuid, key, value in db.execute("select run_uuid, key, value from tags"):
        if uuid in runs:
            snap.tags[uuid][str(key)] = "" if value is None else str(value)
    latest = "select run_uuid, key, value, is_nan, step, timestamp from latest_metrics"
    for uuid, *row in db.execute(latest):
        if uuid in runs:
            snap.latest[uuid].append((str(row[0]), *row[1:]))
    snap.points = {uuid: (n, last) for uuid, n, last in _points(db) if uuid in runs}
    if "experiment_tags" in tables:
        for experiment_id, key, value in db.execute(
            "select experiment_id, key, value from experiment_tags"
        ):
            if not str(key).startswith("mlflow."):
                snap.experiment_tags[str(experiment_id)][str(key)] = str(value or "")
    _optional(db, tables, snap)
    return snap


def _points(db: sqlite3.Connection) -> list[tuple[str, int, int | None]]:
    """(run, number of history points, the last row written) from MLflow's index on the run
    alone (the table itself is not read: that is the histories' bulk). MLflow only ever adds
    points, so a new one changes both; `latest_metrics` holds the latest times per metric."""
    try:
        return db.execute(
            "select run_uuid, count(*), max(rowid) from metrics group by run_uuid"
        ).fetchall()
    except sqlite3.OperationalError:  # a table without rowid: the count alone
        return db.execute(
            "select run_uuid, count(*), null from metrics group by run_uuid"
        ).fetchall()


def _optional(db: sqlite3.Connection, tables: set[str], snap: Snapshot) -> None:
    """Logged models (MLflow 3), the registry and dataset inputs, where the store has them."""
    runs = snap.runs
    if "logged_models" in tables:
        for run_uuid, *model in db.execute(
            "select source_run_id, model_id, name, artifact_location, status from logged_models"
            " where coalesce(lifecycle_stage, 'active') != 'deleted'"
        ):
            if run_uuid in runs:
                snap.models[run_uuid].append(tuple(model))
    if "model_versions" in tables:
        for run_uuid, name, version, stage in db.execute(
            "select run_id, name, version, current_stage from model_versions"
        ):
            if run_uuid in runs:
                label = f"{name} v{version}"
                snap.registered[run_uuid].append(
                    f"{label} ({stage})" if stage and stage != "None" else label
                )
    if {"inputs", "datasets"} <= tables:
        query = (
            _DATASETS
            if "input_tags" in tables
            else _DATASETS.replace(
                "left join input_tags t on t.input_uuid = i.input_uuid and t.name = 'mlflow.data.context'",
                "left join (select null as value) t",
            )
        )
        for run_uuid, name, digest, kind, source, schema, profile, context in db.execute(query):
            if run_uuid in runs:
                snap.datasets[run_uuid].append(
                    _mlflow.Dataset(
                        name=str(name),
                        digest=str(digest),
                        context=str(context or ""),
                        source_type=str(kind or ""),
                        source=str(source or ""),
                        schema=str(schema or ""),
                        profile=str(profile or ""),
                    )
                )


def _stat_lines(folder: Path | None) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of a folder's files: what a logged model's listing depends on."""
    if folder is None:
        return ()
    lines = []
    for where, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            try:
                st = os.lstat(os.path.join(where, name))
            except OSError:
                continue
            lines.append((os.path.join(where, name), st.st_size, st.st_mtime_ns))
    return tuple(lines)
