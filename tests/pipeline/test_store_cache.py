"""Tracker stores in the run cache (issue 18): a run of a store is fingerprinted by what the store
records for it, so a change to one run's rows reads that run again and no other, and a database
is never hashed; a file many runs share (a reader without fingerprints) is hashed once."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from reporter.config import Settings
from reporter.model import Run
from reporter.pipeline import cache as run_cache
from reporter.pipeline import load_runs, loading
from reporter.readers.discover import FoundRun

from ..conftest import DATA

STORE = DATA / "trackers" / "mlflow-3.17.2-sqlite"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    shutil.copytree(STORE, tmp_path / "runs", ignore=shutil.ignore_patterns("expected.json"))
    return tmp_path


def settings_for(root: Path) -> Settings:
    return Settings.defaults(root / "runs", cache_dir=root / "cache")


def loaded(settings: Settings) -> tuple[dict[str, Run], tuple[int, int]]:
    """The runs by MLflow run id, and (runs from the cache, runs read)."""
    result = load_runs(settings)
    counts = next(n for n in result.notes if "from the cache" in n).split()
    runs = {r.info["mlflow.run_id"]: result.full_run(r) for r in result.runs}
    return runs, (int(counts[0]), int(counts[5]))


def write(db: Path, sql: str, *args: object) -> None:
    with closing(sqlite3.connect(db)) as con:
        con.execute(sql, args)
        con.commit()


def uuid_named(db: Path, name: str) -> str:
    with closing(sqlite3.connect(db)) as con:
        return con.execute(
            "select run_uuid from tags where key = 'mlflow.runName' and value = ?", (name,)
        ).fetchone()[0]


def test_only_the_run_whose_rows_changed_is_read_again(store):
    settings = settings_for(store)
    db = store / "runs" / "mlflow.db"
    runs, counts = loaded(settings)
    total = len(runs)
    assert counts == (0, total)
    assert loaded(settings)[1] == (total, 0)
    baseline, search = uuid_named(db, "baseline"), uuid_named(db, "search")
    before = {s.name: len(s.y) for s in runs[baseline].histories}

    # a new history point (MLflow leaves latest_metrics alone for an older step)
    write(db, "insert into metrics values ('train/loss', 0.5, 1, ?, 2, 0)", baseline)
    runs, counts = loaded(settings)
    assert counts == (total - 1, 1)
    assert {s.name: len(s.y) for s in runs[baseline].histories}["train/loss"] == (
        before["train/loss"] + 1
    )
    # a status change
    write(db, "update runs set status = 'KILLED' where run_uuid = ?", search)
    runs, counts = loaded(settings)
    assert counts == (total - 1, 1) and runs[search].status == "KILLED"
    # a new tag, then a tag changed to a value of the same length
    write(db, "insert into tags values ('stage', 'prod', ?)", search)
    runs, counts = loaded(settings)
    assert counts == (total - 1, 1) and "stage=prod" in runs[search].tags
    write(db, "update tags set value = 'test' where run_uuid = ? and key = 'stage'", search)
    runs, counts = loaded(settings)
    assert counts == (total - 1, 1) and "stage=test" in runs[search].tags
    assert loaded(settings)[1] == (total, 0)


def test_a_store_database_is_never_hashed(store, monkeypatch):
    hashed: list[Path | None] = []
    real = run_cache._content_files
    monkeypatch.setattr(
        run_cache, "_content_files", lambda target: hashed.append(target) or real(target)
    )
    settings = settings_for(store)
    db = store / "runs" / "mlflow.db"
    total = len(loaded(settings)[0])
    os.utime(db, (1, 1))  # the database changed on disk, no run's rows did
    write(db, "insert into experiment_tags values ('mlflow.note.content', 'x', '0')")
    assert loaded(settings)[1] == (total, 0)
    assert db not in hashed


@dataclass(frozen=True)
class SharedHandle:
    """A plugin store's handle that gives no fingerprint: its runs share one file."""

    file: Path
    key: str

    @property
    def cache_target(self) -> Path:
        return self.file

    @property
    def cache_salt(self) -> str:
        return self.key


class SharedReader:
    name = "shared"
    priority = 1
    reads = 0

    def matches(self, path: Path) -> bool:
        return False

    def list_runs(self, path: Path, *, root: Path) -> list:
        return []

    def read(self, handle: SharedHandle, *, run_id: str, root: Path) -> Run:
        SharedReader.reads += 1
        return Run(id=run_id, name=handle.key, experiment="e", reader=self.name, path=str(root))


def test_a_file_many_runs_share_is_hashed_once_per_build(tmp_path, monkeypatch):
    shared = tmp_path / "runs" / "store.bin"
    shared.parent.mkdir()
    shared.write_bytes(b"x" * 100_000)
    reader = SharedReader()
    found = [
        FoundRun(id=f"s/{i}", path=shared, reader=reader, handle=SharedHandle(shared, str(i)))
        for i in range(60)
    ]
    hashed: list[Path | None] = []
    real = run_cache._content_files
    monkeypatch.setattr(
        run_cache, "_content_files", lambda target: hashed.append(target) or real(target)
    )
    settings = replace_workers(settings_for(tmp_path))
    outcomes, stats = loading.load(found, settings)
    assert (stats.read, len(outcomes)) == (60, 60)
    assert hashed.count(shared) == 1
    hashed.clear()
    os.utime(shared, (1, 1))  # touched, unchanged: hashed once again, nothing read
    _, stats = loading.load(found, settings)
    assert (stats.cached, stats.read) == (60, 0)
    assert hashed.count(shared) == 1


def replace_workers(settings: Settings) -> Settings:
    """One process, so the reader's counter and the hash spy see every call."""
    from dataclasses import replace

    return replace(settings, workers=1)
