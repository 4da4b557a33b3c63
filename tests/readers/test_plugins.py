"""Reader plugins: the entry-point group, a runs root mixing every format, nothing unpickled."""

from __future__ import annotations

import pickletools
import shutil
import textwrap
from pathlib import Path

from reporter.config import Settings
from reporter.readers import ENTRY_POINT_GROUP, load_readers, reader_versions
from reporter.readers.discover import discover_runs
from tests.conftest import DATA, make_project

from ..conftest import load_all

TRACKER_STORES = ("mlflow_file", "mlflow_sqlite", "dvclive", "modelstore")
MARKER = "reporter-unpickled-marker"
BUILT_IN = {"native", "mlflow", "mlflow-sqlite", "dvclive", "modelstore"}


def mixed_root(dest: Path) -> Path:
    """Every tracker fixture side by side, plus the untidy native runs."""
    for name in (*TRACKER_STORES, "untidy"):
        shutil.copytree(DATA / name, dest / name)
    return dest


def test_built_in_readers_are_registered_in_the_entry_point_group():
    names = {r.name for r in load_readers()}
    assert names >= BUILT_IN
    rows = {name: dist for name, dist, _ in reader_versions()}
    assert all(rows[name] == "reporter" for name in BUILT_IN)
    order = [r.name for r in load_readers()]
    assert order.index("dvclive") < order.index("native")  # dvclive folders have metrics.json


def test_an_installed_plugin_reader_is_used_by_discovery(tmp_path, monkeypatch):
    """A distribution on sys.path declaring a reader in the entry-point group."""
    site = tmp_path / "site-packages"
    (site / "notes_reader-1.2.dist-info").mkdir(parents=True)
    (site / "notes_reader-1.2.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: notes-reader\nVersion: 1.2\n"
    )
    (site / "notes_reader-1.2.dist-info" / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nnotes = notes_reader:NotesReader\n"
    )
    (site / "notes_reader.py").write_text(
        textwrap.dedent(
            """
            from reporter.model import Run

            class NotesReader:
                name = "notes"
                priority = 5

                def matches(self, path):
                    return (path / "NOTES.txt").is_file()

                def read(self, path, *, run_id, root):
                    text = (path / "NOTES.txt").read_text()
                    return Run(id=run_id, name=text.strip(), experiment="notes", reader=self.name,
                               path=str(path), metrics={"lines": float(len(text.splitlines()))})
            """
        )
    )
    monkeypatch.syspath_prepend(str(site))
    runs_root = tmp_path / "runs"
    (runs_root / "jotted").mkdir(parents=True)
    (runs_root / "jotted" / "NOTES.txt").write_text("A run kept as notes\n")
    shutil.copytree(DATA / "dvclive", runs_root / "live")

    assert ("notes", "notes-reader", "1.2") in reader_versions()
    found = discover_runs(runs_root, load_readers()).found
    assert {f.id: f.reader.name for f in found} == {
        "jotted": "notes",
        "live/no-steps": "dvclive",
        "live/with-steps": "dvclive",
    }
    runs, problems, _ = load_all(Settings.defaults(runs_root, cache=False, readers=("notes",)))
    assert [(r.id, r.name, r.reader) for r in runs] == [("jotted", "A run kept as notes", "notes")]


def counts(runs) -> dict[str, int]:
    by_reader: dict[str, int] = {}
    for run in runs:
        by_reader[run.reader] = by_reader.get(run.reader, 0) + 1
    return by_reader


def test_a_mixed_root_reads_every_format_once(tmp_path):
    runs, problems, _ = load_all(Settings.defaults(mixed_root(tmp_path / "runs"), cache=False))
    native, native_problems, _ = load_all(Settings.defaults(DATA / "untidy", cache=False))
    assert counts(runs) == {
        "mlflow": 5, "mlflow-sqlite": 5, "dvclive": 2, "modelstore": 3, "native": len(native),
    }  # fmt: skip
    assert len({r.id for r in runs}) == len(runs)
    assert len(problems) == len(native_problems)


def test_the_fixture_pickles_are_armed():
    """Each model.pkl would call open() if unpickled (checked without unpickling it)."""
    pickles = [p for p in DATA.rglob("model.pkl") if p.relative_to(DATA).parts[0] != "trackers"]
    # tests/data/trackers: armed by make_tracker_versions.py, checked in test_tracker_versions.py
    assert len(pickles) == 3
    for path in pickles:
        ops = [(op.name, arg) for op, arg, _ in pickletools.genops(path.read_bytes())]
        assert ("SHORT_BINUNICODE", MARKER) in ops
        assert any(arg == "open" for _, arg in ops)


def test_nothing_is_unpickled_while_reading_and_building(tmp_path, monkeypatch):
    from reporter.site.build import build_site

    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    config = make_project(tmp_path / "project", mixed_root(tmp_path / "runs"))
    result = build_site(config)
    assert len(result.report.study.runs) == 15 + len(
        load_all(Settings.defaults(DATA / "untidy", cache=False))[0]
    )
    assert not list(tmp_path.rglob(MARKER)) and not (work / MARKER).exists()
