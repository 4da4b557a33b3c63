"""Hostile and broken runs for the trust tests (`tests/test_trust.py`), written by code.

Every fixture is generated, never copied: each function writes one case into a folder it is
given and returns what a test needs to check it (run ids, paths). Nothing here imports
`reporter`; the fixtures are plain files as trackers and scripts write them.

    python tests/hostile_corpus.py OUT

writes every case as its own MkDocs project, `OUT/<case>/` (mkdocs.yml, docs/, runs/), to build
by hand (`cd OUT/<case> && reporter build`) or open in a browser. Some cases are harmful to
build with today's code: `traversal-*` write to /tmp/x, `fifo` hangs, `yaml-bomb` eats memory
(build it with `ulimit -v 2000000`), `unreadable` needs a normal user (or `setpriv
--bounding-set -dac_override,-dac_read_search` as root). `OUT/README.md` lists the cases.
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

import yaml

GOOD = {"pr_auc": 0.8123, "roc_auc": 0.9345}
HISTORY = "step,loss,auc\n" + "".join(f"{i},{1 / (i + 1):.5f},{i / 60:.5f}\n" for i in range(40))
EPOCH_MS = 1_790_000_000_000  # 2026-09-21, in MLflow's epoch milliseconds

MKDOCS_YML = """\
site_name: Trust tests
docs_dir: docs
site_dir: site
theme:
  name: material
  font: false
  features: [navigation.instant]
plugins:
  - reporter:
      runs: runs
{options}  - search
  - tags
{blog}markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""

BLOG = """\
  - blog:
      blog_dir: journal
      authors: false
"""


# -- projects and plain runs ------------------------------------------------------------------


def write_project(dest: Path, *, blog: bool = False, options: dict[str, Any] | None = None) -> Path:
    """An MkDocs project in `dest` (mkdocs.yml, docs/index.md, an empty runs/); returns the
    config. `options` are extra reporter plugin options; `blog` adds the journal."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "docs").mkdir(exist_ok=True)
    (dest / "docs" / "index.md").write_text("# Trust tests\n\n<!-- reporter:home -->\n")
    (dest / "runs").mkdir(exist_ok=True)
    extra = "".join(f"      {key}: {json.dumps(value)}\n" for key, value in (options or {}).items())
    if blog:
        journal = dest / "docs" / "journal"
        (journal / "posts").mkdir(parents=True, exist_ok=True)
        (journal / "index.md").write_text("# Journal\n")
    text = MKDOCS_YML.format(options=extra, blog=BLOG if blog else "")
    (dest / "mkdocs.yml").write_text(text)
    return dest / "mkdocs.yml"


def write_run(root: Path, run_id: str, files: dict[str, Any]) -> Path:
    """A native run folder: dicts become JSON or YAML by extension, str/bytes are written as
    they are."""
    folder = root / run_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith((".yaml", ".yml")):
            path.write_text(yaml.safe_dump(content), encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
    return folder


def good_run(runs: Path, run_id: str = "good/baseline", **meta: Any) -> str:
    """A complete, well-formed run (metrics, config, history, metadata)."""
    write_run(
        runs,
        run_id,
        {
            "metrics.json": GOOD,
            "config.yaml": {"lr": 0.1, "depth": 6},
            "history.csv": HISTORY,
            "run.yaml": {"created": "2026-01-02T10:00:00Z", **meta},
        },
    )
    return run_id


def many_runs(
    runs: Path, count: int, *, history_rows: int = 400, prefix: str = "bulk"
) -> list[str]:
    """`count` ordinary runs over four experiments, each with a history (so reading takes a
    moment and run pages have chart data)."""
    rng = random.Random(count)
    ids = []
    for i in range(count):
        rows = "".join(f"{s},{rng.random():.6f},{rng.random():.6f}\n" for s in range(history_rows))
        run_id = f"{prefix}{i % 4}/run-{i:04d}"
        write_run(
            runs,
            run_id,
            {
                "metrics.json": {
                    "pr_auc": round(rng.random(), 4),
                    "roc_auc": round(rng.random(), 4),
                },
                "config.yaml": {"lr": 0.1, "depth": i % 7},
                "history.csv": "step,loss,auc\n" + rows,
                "run.yaml": {
                    "created": f"2026-01-{1 + i % 28:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z"
                },
            },
        )
        ids.append(run_id)
    return ids


# -- 1. run ids that are paths --------------------------------------------------------------


def traversal_id(target: Path, depth: int = 40) -> str:
    """An id climbing out of any folder (more `..` than any site is deep) down to `target`."""
    return "../" * depth + str(target.resolve()).lstrip("/")


def _mlflow_experiment(store: Path, experiment_id: str, name: str) -> Path:
    folder = store / experiment_id
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "artifact_location": f"file://{folder}",
        "experiment_id": experiment_id,
        "lifecycle_stage": "active",
        "name": name,
        "creation_time": EPOCH_MS,
        "last_update_time": EPOCH_MS,
    }
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta))
    return folder


def mlflow_file_run(
    experiment: Path,
    folder_name: str,
    *,
    run_id: str | None = None,
    name: str | None = None,
    metrics: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> Path:
    """One run of an MLflow file store, as MLflow writes it. `run_id` is what meta.yaml says
    (default: the folder name); `name` None means no run name at all (no tag, no run_name);
    `metrics` maps a key to the raw text of its metric file."""
    folder = experiment / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    uuid = run_id if run_id is not None else folder_name
    meta = {
        "artifact_uri": f"file://{folder}/artifacts",
        "end_time": EPOCH_MS + 60_000,
        "entry_point_name": "",
        "experiment_id": experiment.name,
        "lifecycle_stage": "active",
        "run_id": uuid,
        "run_uuid": uuid,
        "source_name": "",
        "source_type": 4,
        "source_version": "",
        "start_time": EPOCH_MS,
        "status": 3,
        "tags": [],
        "user_id": "ada",
    }
    if name is not None:
        meta["run_name"] = name
        (folder / "tags").mkdir(exist_ok=True)
        (folder / "tags" / "mlflow.runName").write_text(name)
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta))
    default = {"roc_auc": f"{EPOCH_MS} 0.91 0\n{EPOCH_MS + 1000} 0.93 1\n"}
    for key, text in (default if metrics is None else metrics).items():
        path = folder / "metrics" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for key, value in (params or {"lr": "0.1"}).items():
        path = folder / "params" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    (folder / "artifacts").mkdir(exist_ok=True)
    return folder


def mlflow_file_traversal(runs: Path, target: Path) -> Path:
    """An MLflow file store whose run has no name and a meta.yaml `run_id` climbing out to
    `target` (issue item 1). Returns the run's folder."""
    experiment = _mlflow_experiment(runs / "mlruns", "1", "escape")
    return mlflow_file_run(
        experiment, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", run_id=traversal_id(target), name=None
    )


SQLITE_TABLES = """
create table experiments (experiment_id integer primary key, name varchar(256) not null,
    artifact_location varchar(256), lifecycle_stage varchar(32), creation_time bigint,
    last_update_time bigint);
create table experiment_tags (key varchar(250), value varchar(5000), experiment_id integer);
create table runs (run_uuid varchar(32) primary key, name varchar(250), source_type varchar(20),
    source_name varchar(500), entry_point_name varchar(50), user_id varchar(256),
    status varchar(9), start_time bigint, end_time bigint, source_version varchar(50),
    lifecycle_stage varchar(20), artifact_uri varchar(200), experiment_id integer,
    deleted_time bigint);
create table params (key varchar(250), value varchar(8000), run_uuid varchar(32));
create table tags (key varchar(250), value varchar(8000), run_uuid varchar(32));
create table metrics (key varchar(250), value float, timestamp bigint, run_uuid varchar(32),
    step bigint, is_nan boolean);
create table latest_metrics (key varchar(250), value float, timestamp bigint, step bigint,
    is_nan boolean, run_uuid varchar(32));
"""


def mlflow_sqlite_store(path: Path, runs: list[dict[str, Any]]) -> Path:
    """An MLflow SQLite backend (`mlflow.db`) with the tables and columns MLflow creates that
    reporter's reader queries. Each run: uuid, name (None: no name), experiment, metrics
    ({key: [values]}), params."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SQLITE_TABLES)
        experiments: dict[str, int] = {}
        for run in runs:
            exp = run.get("experiment", "Default")
            if exp not in experiments:
                experiments[exp] = len(experiments) + 1
                db.execute(
                    "insert into experiments values (?, ?, '', 'active', ?, ?)",
                    (experiments[exp], exp, EPOCH_MS, EPOCH_MS),
                )
            uuid = run["uuid"]
            db.execute(
                "insert into runs values (?, ?, 'LOCAL', '', '', 'ada', 'FINISHED', ?, ?, '',"
                " 'active', '', ?, null)",
                (uuid, run.get("name"), EPOCH_MS, EPOCH_MS + 60_000, experiments[exp]),
            )
            if run.get("name") is not None:
                db.execute("insert into tags values ('mlflow.runName', ?, ?)", (run["name"], uuid))
            for key, value in (run.get("params") or {"lr": "0.1"}).items():
                db.execute("insert into params values (?, ?, ?)", (key, value, uuid))
            for key, values in (run.get("metrics") or {"roc_auc": [0.91, 0.93]}).items():
                for step, value in enumerate(values):
                    nan = isinstance(value, float) and math.isnan(value)
                    db.execute(
                        "insert into metrics values (?, ?, ?, ?, ?, ?)",
                        (key, 0.0 if nan else value, EPOCH_MS + step, uuid, step, nan),
                    )
                last = values[-1]
                nan = isinstance(last, float) and math.isnan(last)
                db.execute(
                    "insert into latest_metrics values (?, ?, ?, ?, ?, ?)",
                    (key, 0.0 if nan else last, EPOCH_MS + len(values), len(values) - 1, nan, uuid),
                )
        db.commit()
    finally:
        db.close()
    return path


def mlflow_sqlite_traversal(runs: Path, target: Path) -> Path:
    """An MLflow SQLite store whose one run has no name and a `runs.run_uuid` climbing out to
    `target` (issue item 1)."""
    return mlflow_sqlite_store(
        runs / "tracking" / "mlflow.db",
        [{"uuid": traversal_id(target), "name": None, "experiment": "escape"}],
    )


# -- 3. text that must stay text ------------------------------------------------------------

MARKDOWN_EXPERIMENT = "[x](javascript:alert(1)) ![x](http://203.0.113.9/p.png)"
HTML_RUN_NAME = "<img src=x onerror=alert(1)>"
# ids whose links a journal entry must get right: space, parentheses, '#', '>', '"', and plain
AWKWARD_IDS = ("links/a b", "links/p(1)", "links/h#1", "links/gt>1", 'links/q"1', "links/plain")


def markdown_experiment(runs: Path) -> tuple[str, str]:
    """Two runs whose experiment name is Markdown: a javascript: link and a remote image (two,
    so the experiment also gets a comparison page)."""
    return (
        good_run(runs, "md/one", experiment=MARKDOWN_EXPERIMENT),
        good_run(runs, "md/two", experiment=MARKDOWN_EXPERIMENT),
    )


def html_run_name(runs: Path) -> str:
    """A run named with an HTML tag that runs script when rendered raw."""
    return good_run(runs, "html/one", name=HTML_RUN_NAME)


def awkward_ids(runs: Path) -> tuple[str, ...]:
    """Runs whose folder names need escaping in a Markdown link (each named after its id)."""
    for i, run_id in enumerate(AWKWARD_IDS):
        write_run(
            runs,
            run_id,
            {
                "metrics.json": GOOD,
                "run.yaml": {"created": f"2026-03-0{i + 1}T10:00:00Z", "name": f"awkward {i}"},
            },
        )
    return AWKWARD_IDS


# -- 4. one run that kills or hangs the build -----------------------------------------------


def long_run_folder(runs: Path, length: int = 240) -> str:
    """A run folder name of `length` bytes (NAME_MAX is 255): its chart data file name, the
    folder name plus a digest, is longer than any file name may be."""
    run_id = "long/" + "r" * length
    write_run(runs, run_id, {"metrics.json": GOOD, "history.csv": HISTORY})
    return run_id


def long_experiment_name(runs: Path, length: int = 230) -> tuple[str, str]:
    """Two runs of an experiment named with `length` characters (its comparison's chart data
    file name is too long). Returns (experiment name, one run id)."""
    name = "e" * length
    for i in range(2):
        write_run(
            runs,
            f"longexp/run-{i}",
            {
                "metrics.json": {"pr_auc": 0.5 + i / 10, "roc_auc": 0.7},
                "history.csv": HISTORY,
                "run.yaml": {"experiment": name},
            },
        )
    return name, "longexp/run-0"


def unreadable_subfolder(runs: Path) -> tuple[str, Path]:
    """A run with a subfolder no one may read (mode 000; root reads it anyway)."""
    run_id = "locked/run"
    folder = write_run(runs, run_id, {"metrics.json": GOOD, "private/weights.bin": b"\0" * 64})
    (folder / "private").chmod(0)
    return run_id, folder / "private"


def deep_dvclive_plot(runs: Path, depth: int = 100_000) -> tuple[str, str]:
    """A dvclive run whose sklearn plot JSON is nested `depth` levels deep."""
    run_id = "dvc/deep"
    write_run(
        runs,
        run_id,
        {
            "metrics.json": {"acc": 0.9},
            "params.yaml": {"lr": 0.1},
            "plots/metrics/acc.tsv": "step\tacc\n0\t0.8\n1\t0.9\n",
            "plots/sklearn/roc.json": "[" * depth + "]" * depth,
        },
    )
    return run_id, "plots/sklearn/roc.json"


def yaml_bomb_entry(docs: Path, compare: list[str]) -> Path:
    """A journal entry whose ```reporter block is a billion-laughs YAML (aliases of aliases)."""
    laughs = ["    - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"    - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    body = "\n".join(laughs)
    text = (
        "---\ndate: 2026-02-01\ntitle: Bomb\n---\n\n# Bomb\n\nA comparison.\n\n"
        f"```reporter\ncompare: {json.dumps(compare)}\nshow:\n{body}\n```\n"
    )
    path = docs / "journal" / "posts" / "2026-02-01-bomb.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def fifo_in_run(runs: Path) -> tuple[str, Path]:
    """A run folder holding a named pipe (opening it for reading blocks until a writer comes)."""
    run_id = "pipe/run"
    folder = write_run(runs, run_id, {"metrics.json": GOOD})
    os.mkfifo(folder / "stream.fifo")
    return run_id, folder / "stream.fifo"


# -- 5. a run rewritten while it is read ----------------------------------------------------


def racing_run(runs: Path, artifact_mb: int = 256) -> tuple[str, Path, Path]:
    """A run with a large artifact: hashing it takes long enough for a writer to rewrite
    metrics.json between the read of the metrics and the end of the read. Returns (run id,
    metrics.json, the artifact)."""
    run_id = "race/run"
    folder = write_run(
        runs, run_id, {"metrics.json": {"pr_auc": 0.1111}, "run.yaml": {"name": "race"}}
    )
    with (folder / "weights.bin").open("wb") as fh:
        fh.write(b"weights")
        fh.truncate(artifact_mb << 20)  # sparse: no disk used, but hashing reads every byte
    return run_id, folder / "metrics.json", folder / "weights.bin"


# -- 6. half-broken runs --------------------------------------------------------------------

# run id -> (broken file, what is broken)
HALF_BROKEN: dict[str, tuple[str, str]] = {
    "half/config-unparsable": ("config.yaml", "YAML that does not parse"),
    "half/history-text": ("history.csv", "prose instead of a table"),
    "half/history-binary": ("history.csv", "binary garbage"),
    "half/history-too-big": ("history.csv", "over the 100 MB history limit"),
    "half/run-yaml-bad": ("run.yaml", "YAML that does not parse"),
    "half/run-yaml-types": ("run.yaml", "values of the wrong type"),
}


def half_broken_runs(runs: Path) -> dict[str, tuple[str, str]]:
    """Runs whose metrics.json is fine but one auxiliary file is not (see HALF_BROKEN); plus
    an MLflow run still logging (its last metric line is cut), see `mlflow_cut_metric`."""
    good = {"metrics.json": GOOD}
    write_run(runs, "half/config-unparsable", {**good, "config.yaml": "lr: [0.1, 0.2\ndepth: {\n"})
    prose = "".join(f"Epoch {i}: loss went down, all good, see the notebook.\n" for i in range(20))
    write_run(runs, "half/history-text", {**good, "history.csv": '"unclosed quote\n' + prose})
    noise = bytes(random.Random(6).randrange(256) for _ in range(4096))
    write_run(runs, "half/history-binary", {**good, "history.csv": b"\x89PNG\r\n\x1a\n" + noise})
    big = write_run(runs, "half/history-too-big", good)
    with (big / "history.csv").open("wb") as fh:
        fh.write(b"step,loss\n")
        fh.truncate(101 << 20)  # sparse: instant to make; over the documented 100 MB limit
    write_run(runs, "half/run-yaml-bad", {**good, "run.yaml": "name: [unclosed\nnotes: x\n"})
    write_run(
        runs, "half/run-yaml-types", {**good, "run.yaml": {"name": ["a", "b"], "baseline": "yes"}}
    )
    return dict(HALF_BROKEN)


def mlflow_cut_metric(runs: Path) -> tuple[str, str]:
    """An MLflow file store run still logging: its loss file's last line is cut mid-write.
    Returns (run name, the metric file relative to the runs root)."""
    experiment = _mlflow_experiment(runs / "mlruns", "7", "live")
    mlflow_file_run(
        experiment,
        "5d41402abc4b2a76b9719d911017c592",
        name="still-logging",
        metrics={
            "roc_auc": f"{EPOCH_MS} 0.91 0\n",
            "loss": f"{EPOCH_MS} 0.5 0\n{EPOCH_MS + 1000} 0.4 1\n{str(EPOCH_MS + 2000)[:7]}",
        },
    )
    return "still-logging", "mlruns/7/5d41402abc4b2a76b9719d911017c592/metrics/loss"


def unreadable_run(runs: Path) -> str:
    """A run of which nothing can be read: only a truncated metrics.json."""
    return str(
        write_run(runs, "half/nothing", {"metrics.json": '{"pr_auc": 0.9, "roc_a'}).relative_to(
            runs
        )
    )


# -- 9. page names that collide -------------------------------------------------------------

COLLIDING_EXPERIMENTS = ("index", "exp a", "exp-a", "Exp", "exp")


def colliding_names(runs: Path) -> dict[str, Any]:
    """Experiments whose page names collide (`index` with the experiments index, `exp a` with
    `exp-a`, `Exp` with `exp`), two runs whose ids differ only in case, and a run in a folder
    starting with a dot. Every run is named after its experiment or id, so a page shows whose
    it is."""
    experiments = {}
    for i, name in enumerate(COLLIDING_EXPERIMENTS):
        for k in range(2):  # two runs: the experiment also gets a comparison page
            write_run(
                runs,
                f"clash/e{i}-{k}",
                {
                    "metrics.json": {"pr_auc": 0.5 + i / 20 + k / 100, "roc_auc": 0.6 + i / 20},
                    "run.yaml": {"experiment": name, "name": f"run of {name} #{k}"},
                },
            )
        experiments[name] = (f"clash/e{i}-0", f"clash/e{i}-1")
    cases = ("case/Model", "case/model")
    for i, run_id in enumerate(cases):
        write_run(
            runs,
            run_id,
            {"metrics.json": {"pr_auc": 0.3 + i / 10}, "run.yaml": {"name": f"case {run_id}"}},
        )
    write_run(runs, "dotted/.hidden-run", {"metrics.json": GOOD})
    return {"experiments": experiments, "case_ids": cases, "dot_folder": ".hidden-run"}


# -- 10. documented limits and values --------------------------------------------------------


def big_metrics(runs: Path, keys: int = 500_000, size: int = 15_900_000) -> tuple[str, int]:
    """A flat metrics.json of `keys` numbers, `size` bytes (15.9 MB: under the 16 MB the
    README documents for metrics files)."""
    run_id = "big/metrics"
    folder = runs / run_id
    folder.mkdir(parents=True, exist_ok=True)
    body = "{" + ", ".join(f'"metric_{i:06d}": {i / keys:.10f}' for i in range(keys))
    path = folder / "metrics.json"
    path.write_text(body + " " * max(0, size - len(body) - 2) + "}\n")
    return run_id, path.stat().st_size


def mlflow_nonfinite(runs: Path) -> dict[str, str]:
    """An MLflow file store run and an SQLite run whose latest values are NaN, inf and -inf.
    Returns {store: run name}."""
    experiment = _mlflow_experiment(runs / "mlruns", "3", "nonfinite")
    lines = {
        "loss_nan": f"{EPOCH_MS} 0.5 0\n{EPOCH_MS + 1} nan 1\n",
        "loss_inf": f"{EPOCH_MS} 0.5 0\n{EPOCH_MS + 1} inf 1\n",
        "loss_ninf": f"{EPOCH_MS} 0.5 0\n{EPOCH_MS + 1} -inf 1\n",
        "roc_auc": f"{EPOCH_MS} 0.9 0\n",
    }
    mlflow_file_run(
        experiment, "9e107d9d372bb6826bd81d3542a419d6", name="nonfinite-file", metrics=lines
    )
    mlflow_sqlite_store(
        runs / "sql" / "mlflow.db",
        [
            {
                "uuid": "e4d909c290d0fb1ca068ffaddf22cbd0",
                "name": "nonfinite-sqlite",
                "experiment": "nonfinite",
                "metrics": {
                    "loss_nan": [0.5, float("nan")],
                    "loss_inf": [0.5, float("inf")],
                    "loss_ninf": [0.5, float("-inf")],
                    "roc_auc": [0.9],
                },
            }
        ],
    )
    return {"file": "nonfinite-file", "sqlite": "nonfinite-sqlite"}


# -- the whole corpus ------------------------------------------------------------------------


def _case(out: Path, name: str, blog: bool = False) -> tuple[Path, Path]:
    config = write_project(out / name, blog=blog)
    good_run(config.parent / "runs")
    return config.parent, config.parent / "runs"


def write_corpus(out: Path) -> dict[str, str]:
    """Every case as its own project under `out`; returns {case: what it is}."""
    cases: dict[str, str] = {}
    project, runs = _case(out, "traversal-file")
    mlflow_file_traversal(runs, Path("/tmp/x"))
    cases["traversal-file"] = "MLflow file store, nameless run, meta.yaml run_id '../…/tmp/x'"
    project, runs = _case(out, "traversal-sqlite")
    mlflow_sqlite_traversal(runs, Path("/tmp/x"))
    cases["traversal-sqlite"] = "MLflow SQLite store, nameless run, runs.run_uuid '../…/tmp/x'"
    project, runs = _case(out, "escaping", blog=True)
    markdown_experiment(runs)
    html_run_name(runs)
    awkward_ids(runs)
    cases["escaping"] = "Markdown experiment name, HTML run name, ids needing escapes in links"
    project, runs = _case(out, "long-names")
    long_run_folder(runs)
    long_experiment_name(runs)
    cases["long-names"] = "a 240-byte run folder, a 230-character experiment name"
    project, runs = _case(out, "unreadable")
    unreadable_subfolder(runs)
    cases["unreadable"] = "a run with a mode-000 subfolder (build as a normal user)"
    project, runs = _case(out, "deep-plot")
    deep_dvclive_plot(runs)
    cases["deep-plot"] = "a dvclive sklearn plot nested 100,000 levels"
    project, runs = _case(out, "yaml-bomb", blog=True)
    yaml_bomb_entry(project / "docs", ["good/baseline"])
    cases["yaml-bomb"] = "a journal entry whose reporter block is a billion-laughs YAML"
    project, runs = _case(out, "fifo")
    fifo_in_run(runs)
    cases["fifo"] = "a named pipe inside a run folder (a build blocks on it)"
    project, runs = _case(out, "race")
    racing_run(runs)
    cases["race"] = "a run with a 256 MB (sparse) artifact: rewrite metrics.json while it is hashed"
    project, runs = _case(out, "half-broken")
    half_broken_runs(runs)
    mlflow_cut_metric(runs)
    unreadable_run(runs)
    cases["half-broken"] = "runs with one bad auxiliary file; one run with nothing readable"
    project, runs = _case(out, "collisions")
    colliding_names(runs)
    cases["collisions"] = "experiments index / exp a / exp-a / Exp / exp, case-only run ids, .dot"
    project, runs = _case(out, "big-metrics")
    big_metrics(runs)
    cases["big-metrics"] = "a 15.9 MB metrics.json with 500,000 keys"
    project, runs = _case(out, "nonfinite")
    mlflow_nonfinite(runs)
    cases["nonfinite"] = "MLflow runs (file and SQLite) whose latest values are NaN, inf, -inf"
    project, runs = _case(out, "many-runs")
    many_runs(runs, 120)
    cases["many-runs"] = "120 runs: reading uses worker processes (kill tests)"
    lines = ["# Hostile corpus", "", "Each folder is a project: `cd <case> && reporter build`.", ""]
    lines += [f"- `{name}/`: {what}" for name, what in cases.items()]
    (out / "README.md").write_text("\n".join(lines) + "\n")
    return cases


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python tests/hostile_corpus.py OUT", file=sys.stderr)
        return 2
    out = Path(args[0])
    if out.exists() and any(out.iterdir()):
        print(f"'{out}' is not empty; pick a new folder", file=sys.stderr)
        return 2
    cases = write_corpus(out)
    print(f"Wrote {len(cases)} cases to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
