"""`reporter build` and `reporter list` on an MLflow SQLite store, against the same runs in the
native layout.

    python bench/bench_stores.py                       # N = 1000
    python bench/bench_stores.py --sizes 1000 10000    # per-run time should stay flat
    python bench/bench_stores.py --sizes 1000 --skip-native

The store has the real client's schema: every table and index is created from a store the
MLflow client wrote (`--template`; by default tests/data/trackers/mlflow-3.17.2-sqlite/mlflow.db,
written by MLflow 3.17.2 in a throwaway virtual environment by scripts/make_tracker_versions.py,
which regenerates it). Its `baseline` run is then replicated with SQL: N runs in three
experiments, each with the template's parameters and tags, and `--metrics` histories of
`--steps` points (generated in SQL from one curve plus a per-run offset). The native layout gets
the same runs (same names, times, statuses, tags, parameters, latest values and histories).

Each command runs in a fresh process with a fresh cache (cold), then again (warm). Printed:
seconds cold and warm for `build` and `list`, milliseconds per run (cold build), the ratio of
per-run time to the first size, the ratio of the store to the native layout, and the load
average before and after (the machine may be shared: read the figures with it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "tests" / "data" / "trackers" / "mlflow-3.17.2-sqlite" / "mlflow.db"
EXPERIMENTS = ("fraud", "churn", "credit")
MKDOCS_YML = """\
site_name: Bench
docs_dir: docs
theme: {name: material, font: false, features: [navigation.instant]}
plugins:
  - reporter: {runs: runs}
  - search
  - tags
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""
START_MS = 1_780_000_000_000


def make_store(db: Path, template: Path, n: int, metrics: int, steps: int) -> None:
    """The template's schema, its experiments, and its baseline run replicated `n` times."""
    with closing(sqlite3.connect(template)) as src:
        schema = [
            sql
            for (sql,) in src.execute(
                "select sql from sqlite_master where sql is not null and name not like 'sqlite_%'"
                " order by case type when 'table' then 0 when 'index' then 1 else 2 end, rowid"
            )
        ]
        base = src.execute(
            "select run_uuid from runs r join tags t using (run_uuid)"
            " where t.key = 'mlflow.runName' and t.value = 'baseline'"
        ).fetchone()[0]
    with closing(sqlite3.connect(db)) as out:
        for sql in schema:
            out.execute(sql)
        out.execute("attach database ? as tpl", (f"file:{template}?mode=ro",))
        _replicate(out, base, n, metrics, steps)
        out.commit()


def _replicate(db: sqlite3.Connection, base: str, n: int, metrics: int, steps: int) -> None:
    columns = [row[1] for row in db.execute("pragma table_info(runs)")]
    db.execute("create temp table ids (i integer primary key, uuid text, exp integer)")
    db.executemany(
        "insert into temp.ids values (?, ?, ?)",
        ((i, f"{i + 1:032x}", 1 + i % len(EXPERIMENTS)) for i in range(n)),
    )
    db.executemany(
        "insert into experiments (experiment_id, name, artifact_location, lifecycle_stage)"
        " values (?, ?, ?, 'active')",
        [(i + 1, name, f"mlruns/{i + 1}") for i, name in enumerate(EXPERIMENTS)],
    )
    fresh = {
        "run_uuid": "ids.uuid",
        "name": "printf('run-%05d', ids.i)",
        "experiment_id": "ids.exp",
        "start_time": f"{START_MS} + ids.i * 60000",
        "end_time": f"{START_MS} + ids.i * 60000 + 30000",
        "status": "case when ids.i % 20 = 7 then 'FAILED' else 'FINISHED' end",
        "artifact_uri": "printf('mlruns/%d/%s/artifacts', ids.exp, ids.uuid)",
        "lifecycle_stage": "'active'",
    }
    picked = ", ".join(fresh.get(c, f"r.{c}") for c in columns)
    db.execute(
        f"insert into runs ({', '.join(columns)}) select {picked}"
        " from temp.ids ids, tpl.runs r where r.run_uuid = ?",
        (base,),
    )
    db.execute(
        "insert into params (key, value, run_uuid) select p.key,"
        " case when p.key = 'C' then printf('%g', 0.1 + ids.i % 10) else p.value end, ids.uuid"
        " from temp.ids ids, tpl.params p where p.run_uuid = ?",
        (base,),
    )
    db.execute(
        "insert into tags (key, value, run_uuid) select t.key,"
        " case when t.key = 'mlflow.runName' then printf('run-%05d', ids.i) else t.value end,"
        " ids.uuid from temp.ids ids, tpl.tags t where t.run_uuid = ?",
        (base,),
    )
    db.execute("create temp table curve (key text, step integer, value real)")
    db.executemany(
        "insert into temp.curve values (?, ?, ?)",
        ((name, step, value) for name, step, value in curve_points(metrics, steps)),
    )
    offset = "(ids.i % 97) / 1000.0"
    db.execute(
        "insert into metrics (key, value, timestamp, run_uuid, step, is_nan)"
        f" select c.key, c.value + {offset}, {START_MS} + ids.i * 60000 + c.step, ids.uuid,"
        " c.step, 0 from temp.ids ids, temp.curve c"
    )
    db.execute(
        "insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid)"
        f" select c.key, c.value + {offset}, {START_MS} + ids.i * 60000 + c.step, c.step, 0,"
        f" ids.uuid from temp.ids ids, temp.curve c where c.step = {steps - 1}"
    )


def curve_points(metrics: int, steps: int) -> list[tuple[str, int, float]]:
    """One curve per metric (the same for every run but for an offset)."""
    names = ["train/loss", "val/loss", "val/roc_auc", "val/average_precision"][:metrics]
    points = []
    for k, name in enumerate(names):
        for step in range(steps):
            decay = 2.0 ** (-step / max(steps / 4, 1))
            value = 0.3 * decay + 0.02 if "loss" in name else 0.9 - 0.4 * decay - 0.01 * k
            points.append((name, step, round(value, 6)))
    return points


def write_native(db: Path, root: Path, metrics: int, steps: int) -> None:
    """The store's runs in the native layout (read back from the store, so they are the same)."""
    curve = curve_points(metrics, steps)
    with closing(sqlite3.connect(db)) as src:
        runs = src.execute(
            "select r.run_uuid, r.name, e.name, r.start_time, r.status from runs r"
            " join experiments e using (experiment_id)"
        ).fetchall()
        params: dict[str, dict[str, str]] = {}
        for uuid, key, value in src.execute("select run_uuid, key, value from params"):
            params.setdefault(uuid, {})[key] = value
        tags: dict[str, list[str]] = {}
        for uuid, key, value in src.execute("select run_uuid, key, value from tags"):
            if not key.startswith("mlflow."):
                tags.setdefault(uuid, []).append(f"{key}={value}")
    for i, (uuid, name, experiment, start, status) in enumerate(sorted(runs)):
        folder = root / experiment / name
        folder.mkdir(parents=True)
        offset = (i % 97) / 1000.0
        latest = {k: round(v + offset, 9) for k, s, v in curve if s == steps - 1}
        (folder / "metrics.json").write_text(json.dumps(latest))
        (folder / "config.json").write_text(json.dumps(params.get(uuid, {})))
        meta = {
            "name": name,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start / 1000)),
            "status": status,
            "tags": sorted(tags.get(uuid, [])),
        }
        (folder / "run.json").write_text(json.dumps(meta))
        columns = sorted({k for k, _, _ in curve})
        by_step = {(k, s): v + offset for k, s, v in curve}
        lines = ["step," + ",".join(columns)]
        lines += [
            f"{s}," + ",".join(f"{by_step[(k, s)]:.6g}" for k in columns) for s in range(steps)
        ]
        (folder / "history.csv").write_text("\n".join(lines) + "\n")


def project(workdir: Path, name: str) -> Path:
    folder = workdir / name
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
    (folder / "mkdocs.yml").write_text(MKDOCS_YML)
    (folder / "runs").mkdir()
    return folder


def timed(folder: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reporter.cli", *args, "--config", str(folder / "mkdocs.yml")],
        check=True,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "NO_MKDOCS_2_WARNING": "1"},
    )
    return time.perf_counter() - started


def measure(folder: Path, n: int, kind: str, build: bool) -> dict[str, object]:
    row: dict[str, object] = {"kind": kind, "n": n}
    for verb in ("list", "build") if build else ("list",):
        args = ("build", "-q") if verb == "build" else ("list", "--format", "json")
        shutil.rmtree(folder / ".reporter-cache", ignore_errors=True)
        row[f"{verb}_cold"] = timed(folder, *args)
        row[f"{verb}_warm"] = timed(folder, *args)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--steps", type=int, default=200, help="points per history")
    parser.add_argument("--metrics", type=int, default=3, help="histories per run (1-4)")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--skip-native", action="store_true")
    parser.add_argument("--list-only", action="store_true", help="time `reporter list` only")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(_header(), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="reporter-bench-stores-") as tmp:
        for n in args.sizes:
            store = project(Path(tmp), f"sqlite-{n}")
            started = time.perf_counter()
            make_store(store / "runs" / "mlflow.db", args.template, n, args.metrics, args.steps)
            made = time.perf_counter() - started
            print(f"# store of {n} runs written in {made:.1f} s", flush=True)
            rows.append(measure(store, n, "mlflow-sqlite", not args.list_only))
            print(_row(rows[-1], rows), flush=True)
            if not args.skip_native:
                native = project(Path(tmp), f"native-{n}")
                write_native(
                    store / "runs" / "mlflow.db", native / "runs", args.metrics, args.steps
                )
                rows.append(measure(native, n, "native", not args.list_only))
                print(_row(rows[-1], rows), flush=True)
                shutil.rmtree(native)
            shutil.rmtree(store)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _header() -> str:
    return (
        f"{'layout':<14} {'N':>6} {'list cold':>10} {'list warm':>10} {'build cold':>11} "
        f"{'build warm':>11} {'ms/run':>7} {'vs first N':>11} {'vs native':>10}"
    )


def _row(row: dict, rows: list[dict]) -> str:
    key = "build_cold" if "build_cold" in row else "list_cold"
    per_run = 1000 * row[key] / row["n"]
    first = next(r for r in rows if r["kind"] == row["kind"])
    ratio = per_run / (1000 * first[key] / first["n"])
    other = next((r for r in rows if r["n"] == row["n"] and r["kind"] == "mlflow-sqlite"), None)
    versus = f"{other[key] / row[key]:.2f}x" if row["kind"] == "native" and other else ""

    def cell(name: str) -> str:
        return f"{row[name]:.1f}" if name in row else "-"

    return (
        f"{row['kind']:<14} {row['n']:>6} {cell('list_cold'):>10} {cell('list_warm'):>10} "
        f"{cell('build_cold'):>11} {cell('build_warm'):>11} {per_run:>7.1f} {ratio:>10.2f}x "
        f"{versus:>10}"
    )


if __name__ == "__main__":
    main()
