"""One small logging study with ONE tracker version, read back with that library's own API.

`scripts/make_tracker_versions.py` runs this file inside a throwaway virtual environment that holds
one version of MLflow or dvclive (old ones included), so it avoids syntax newer than Python 3.8 and
probes the library for what its version supports instead of assuming the newest API:

    python tracker_study.py mlflow file   OUT      # OUT/mlruns + OUT/expected.json
    python tracker_study.py mlflow sqlite OUT      # OUT/mlflow.db + OUT/mlruns + OUT/expected.json
    python tracker_study.py dvclive project OUT    # OUT/<experiment>/<run>/{params.yaml,dvclive...}

`expected.json` holds what the library's client returned (MLflow: `MlflowClient`; dvclive: the
`Live` object and dvclive's own file readers), never what this script meant to log. NaN becomes null.
"""

from __future__ import annotations

import contextlib
import csv
import inspect
import json
import math
import os
import platform
import sqlite3
import sys
from pathlib import Path

for _key, _value in {
    "MLFLOW_ALLOW_FILE_STORE": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "DO_NOT_TRACK": "1",
    "DVC_NO_ANALYTICS": "1",
    "ITERATIVE_DO_NOT_TRACK": "1",
    "GIT_PYTHON_REFRESH": "quiet",
    "DVCLIVE_OPEN": "false",
}.items():
    os.environ.setdefault(_key, _value)

import numpy as np  # noqa: E402

FEATURES = ["amount", "velocity", "age_days"]


def data(seed=0, n=24):
    rs = np.random.RandomState(seed)
    x = rs.rand(n, 3)
    y = (x[:, 0] + 0.8 * rs.rand(n) > 0.9).astype(int)
    return x, y


def clean(value):
    """JSON-safe: NaN and infinities become null (expected.json is strict JSON)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        return clean(value.item())
    return value


def write_json(path, payload):
    text = json.dumps(clean(payload), indent=2, sort_keys=True, allow_nan=False)
    Path(path).write_text(text + "\n")


def environment(library):
    from importlib.metadata import version

    found = {}
    for name in (library, "numpy", "pandas", "scikit-learn", "protobuf", "sqlalchemy", "dvc"):
        with contextlib.suppress(Exception):  # not installed in this venv
            found[name] = version(name)
    return {
        "library": library,
        "version": found[library],
        "python": platform.python_version(),
        "packages": found,
    }


# ---------------------------------------------------------------------------------------------
# MLflow


def mlflow_study(store):
    """Six runs in two experiments (tests/data/trackers/README.md describes them)."""
    import mlflow
    from mlflow.tracking import MlflowClient
    from sklearn.linear_model import LogisticRegression

    client = MlflowClient()
    major = int(mlflow.__version__.split(".")[0])
    x, y = data()
    params = {
        "C": 0.5,  # float
        "max_iter": 200,  # int
        "fit_intercept": True,  # bool
        "solver": "lbfgs",  # string
        "features": FEATURES,  # list
    }

    mlflow.set_experiment("fraud")
    with mlflow.start_run(
        run_name="baseline", tags={"owner": "ana", "mlflow.note.content": "First honest baseline."}
    ):
        mlflow.log_params(params)
        for step in range(5):
            mlflow.log_metric("train/loss", round(0.9 / (step + 1), 6), step=step)
            mlflow.log_metric("val/roc_auc", round(0.6 + 0.04 * step, 6), step=step)
        model = LogisticRegression(C=0.5, max_iter=200).fit(x, y)
        mlflow.log_metric("accuracy", float(model.score(x, y)))
        if hasattr(mlflow, "log_input") and hasattr(mlflow, "data"):
            import pandas as pd

            frame = pd.DataFrame(x, columns=FEATURES)
            frame["is_fraud"] = y
            dataset = mlflow.data.from_pandas(frame, name="transactions", targets="is_fraud")
            mlflow.log_input(dataset, context="training")
        if major >= 3:
            mlflow.sklearn.log_model(model, name="model")

    with mlflow.start_run(run_name="search", tags={"owner": "ben"}):
        mlflow.log_param("search.space", "C in [0.1, 1, 10]")
        mlflow.log_metric("best_roc_auc", 0.81)
        with mlflow.start_run(run_name="search-C10", nested=True):
            mlflow.log_params({"C": 10.0, "max_iter": 50})
            for step in range(3):
                mlflow.log_metric("val/loss", round(0.5 - 0.1 * step, 6), step=step)

    with mlflow.start_run():  # no run name: the library picks one (or none)
        mlflow.log_param("seed", 7)
        mlflow.log_metric("accuracy", 0.55)

    with mlflow.start_run(run_name="diverged"):
        mlflow.log_params({"lr": 3.0, "warm_start": False})
        for step, loss in enumerate([1.0, 4.0, 64.0, float("nan")]):
            mlflow.log_metric("train/loss", loss, step=step)
        mlflow.end_run(status="FAILED")

    mlflow.set_experiment("churn")
    with mlflow.start_run(run_name="draft") as run:
        mlflow.log_params({"depth": 4, "balanced": True})
        for step in range(3):
            mlflow.log_metric("val/f1", round(0.4 + 0.1 * step, 6), step=step)
        mlflow.set_tag("stage", "review")
    client.set_tag(run.info.run_id, "mlflow.runName", "gbm-depth4")  # renamed afterwards


def mlflow_expected():
    import mlflow
    from mlflow.entities import ViewType
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    experiments = {}
    for name in ("Default", "fraud", "churn"):
        exp = client.get_experiment_by_name(name)
        if exp is not None:
            experiments[exp.experiment_id] = {
                "name": exp.name,
                "lifecycle_stage": exp.lifecycle_stage,
            }
    runs = client.search_runs(list(experiments), run_view_type=ViewType.ALL, max_results=1000)
    out = {"experiments": experiments, "runs": {}}
    for run in runs:
        info, rdata = run.info, run.data
        histories = {}
        for key in sorted(rdata.metrics):
            points = client.get_metric_history(info.run_id, key)
            points = sorted(points, key=lambda m: (m.step, m.timestamp))
            histories[key] = [[m.step, m.value] for m in points]
        entry = {
            "run_id": info.run_id,
            "name": getattr(info, "run_name", None),
            "experiment_id": info.experiment_id,
            "experiment": experiments[info.experiment_id]["name"],
            "status": info.status,
            "lifecycle_stage": info.lifecycle_stage,
            "start_time": info.start_time,
            "end_time": info.end_time,
            "params": dict(sorted(rdata.params.items())),
            "metrics": dict(sorted(rdata.metrics.items())),
            "histories": histories,
            "tags": {
                k: v
                for k, v in sorted(rdata.tags.items())
                if k in ("mlflow.runName", "mlflow.note.content", "mlflow.parentRunId")
                or not k.startswith("mlflow.")
            },
        }
        inputs = getattr(run, "inputs", None)
        if inputs is not None:
            entry["datasets"] = [
                {
                    "name": d.dataset.name,
                    "digest": d.dataset.digest,
                    "context": {t.key: t.value for t in d.tags}.get("mlflow.data.context"),
                }
                for d in inputs.dataset_inputs
            ]
        out["runs"][info.run_id] = entry
    if hasattr(client, "search_logged_models"):
        out["logged_models"] = {
            m.model_id: {"name": m.name, "source_run_id": m.source_run_id}
            for m in client.search_logged_models(experiment_ids=list(experiments))
        }
    out["tracking_uri"] = mlflow.get_tracking_uri()
    return out


def make_mlflow(kind, store):
    import mlflow

    store.mkdir(parents=True)
    os.chdir(store)  # the SQLite backend puts artifacts in ./mlruns (or ./mlartifacts)
    uri = (store / "mlruns").as_uri() if kind == "file" else "sqlite:///" + str(store / "mlflow.db")
    mlflow.set_tracking_uri(uri)
    mlflow_study(store)
    if kind == "sqlite":
        mlflow.set_tracking_uri((store / "nowhere").as_uri())  # let go of the database
        shrink_sqlite(store / "mlflow.db")
        mlflow.set_tracking_uri(uri)
    return mlflow_expected()  # read after the vacuum: the client reads what is committed


def shrink_sqlite(path):
    """Same content, smallest pages: MLflow's many tables and indexes take a page each."""
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA page_size = 512")
    db.execute("VACUUM")
    assert db.execute("PRAGMA page_size").fetchone() == (512,)
    db.close()


# ---------------------------------------------------------------------------------------------
# dvclive: one DVC-style project folder per run, grouped in two experiment folders


DVCLIVE_RUNS = [
    # experiment, run, project params.yaml, logged params, loss history, extra summary metrics
    (
        "fraud",
        "baseline",
        {
            "train": {
                "lr": 0.1,
                "epochs": 5,
                "balanced": True,
                "solver": "lbfgs",
                "features": FEATURES,
            }
        },
        {"seed": 1, "model": {"kind": "logreg"}},
        [0.9, 0.5, 0.31, 0.22, 0.2],
        {"test/roc_auc": 0.81},
    ),
    (
        "fraud",
        "deep",
        {
            "train": {
                "lr": 0.01,
                "epochs": 4,
                "balanced": False,
                "solver": "saga",
                "features": FEATURES[:2],
            }
        },
        {"seed": 2, "model": {"kind": "mlp", "layers": [16, 8]}},
        [1.1, 0.7, 0.5, 0.45],
        {},
    ),
    (
        "fraud",
        "diverged",
        {"train": {"lr": 5.0, "epochs": 4, "balanced": True, "solver": "sgd", "features": []}},
        {"seed": 3},
        [1.0, 8.0, 512.0, float("nan")],
        {},
    ),
    (
        "churn",
        "small",
        {
            "train": {
                "lr": 0.2,
                "epochs": 3,
                "balanced": False,
                "solver": "lbfgs",
                "features": ["tenure"],
            }
        },
        {"seed": 4},
        [0.8, 0.6, 0.55],
        {"test/f1": 0.61},
    ),
    (
        "churn",
        "no-steps",
        {
            "train": {
                "lr": 0.3,
                "epochs": 1,
                "balanced": False,
                "solver": "lbfgs",
                "features": ["tenure"],
            }
        },
        {"seed": 5},
        [],
        {"roc_auc": 0.74, "test/f1": 0.58},
    ),
]


def dvclive_run(project, logged_params, losses, extra):
    """One training script run inside `project` (the working directory), dvclive's way."""
    import dvclive
    from dvclive import Live

    os.chdir(project)
    accepted = inspect.signature(Live.__init__).parameters
    kwargs = {}
    if "report" in accepted:
        kwargs["report"] = None
    if "save_dvc_exp" in accepted:
        kwargs["save_dvc_exp"] = False
    live = Live(**kwargs)
    log_metric = getattr(live, "log_metric", None) or live.log
    if hasattr(live, "log_params"):
        live.log_params(logged_params)
    for step, loss in enumerate(losses):
        log_metric("train/loss", loss)
        log_metric("val/roc_auc", round(0.55 + 0.07 * step, 6))
        if step < len(losses) - 1:
            live.next_step()
    for name, value in extra.items():
        if "plot" in inspect.signature(log_metric).parameters:
            log_metric(name, value, plot=False)
        else:
            log_metric(name, value)
    plots = []
    if not any(math.isnan(v) for v in losses):
        x, y = data(len(losses), 30)
        score = np.clip(x[:, 0] + 0.2 * x[:, 1] - 0.1, 0, 1)
        log_plot = getattr(live, "log_sklearn_plot", None) or getattr(live, "log_plot", None)
        if log_plot is not None:
            for kind, values in (
                ("roc", score),
                ("precision_recall", score),
                ("confusion_matrix", (score > 0.5).astype(int)),
            ):
                try:
                    log_plot(kind, y, values)
                except NotImplementedError:  # 0.x: "plots can only be used in no-step mode"
                    break
                plots.append(kind)
    if hasattr(live, "end"):
        live.end()
    return live, plots, dvclive


def dvclive_read_back(live, project, dvclive):
    """What dvclive itself reads back: its summary, its params file, its metric files."""
    import yaml

    live_dir = Path(project) / live.dir
    # 0.x: dvclive.json beside the Live folder; from 1.x: <live>/metrics.json
    summary_file = Path(getattr(live, "metrics_file", None) or live.summary_path)
    if hasattr(live, "read_latest"):
        summary = live.read_latest()
    else:
        summary = json.loads(summary_file.read_text())
    histories = {}
    utils = sys.modules.get("dvclive.utils") or __import__("dvclive.utils").utils
    if hasattr(utils, "parse_metrics"):  # 1.x and later
        raw, _ = utils.parse_metrics(live)
        metrics_root = Path(live.plots_dir) / "metrics"
    elif hasattr(utils, "parse_scalars"):  # late 0.x
        raw, _ = utils.parse_scalars(live)
        metrics_root = Path(live.dir) / "scalars"
    else:  # early 0.x has no reader: the same TSV read with the csv module
        raw = {}
        for path in Path(live.dir).rglob("*.tsv"):
            with open(path, encoding="utf-8") as handle:
                raw[str(path)] = list(csv.DictReader(handle, delimiter="\t"))
        metrics_root = Path(live.dir)
    for path, rows in raw.items():
        name = Path(path).resolve().relative_to(metrics_root.resolve()).with_suffix("").as_posix()
        column = name if rows and name in rows[0] else name.rsplit("/", 1)[-1]
        histories[name] = [[int(row["step"]), float(row[column])] for row in rows]
    params_file = live_dir / "params.yaml"
    params = None
    if params_file.exists():
        loader = getattr(__import__("dvclive.serialize").serialize, "load_yaml", None)
        params = loader(str(params_file)) if loader else yaml.safe_load(params_file.read_text())
    project_params = yaml.safe_load((Path(project) / "params.yaml").read_text())
    files = sorted(
        p.relative_to(project).as_posix() for p in Path(project).rglob("*") if p.is_file()
    )
    return {
        "live_dir": Path(live.dir).as_posix(),
        "summary_file": summary_file.resolve().relative_to(Path(project).resolve()).as_posix(),
        "summary": summary,
        "params": params,
        "project_params": project_params,
        "histories": dict(sorted(histories.items())),
        "dvc_yaml": (Path(project) / "dvc.yaml").exists() or (live_dir / "dvc.yaml").exists(),
        "files": files,
    }


def make_dvclive(store):
    import yaml

    store.mkdir(parents=True)
    runs = {}
    for experiment, name, project_params, logged, losses, extra in DVCLIVE_RUNS:
        project = store / experiment / name
        project.mkdir(parents=True)
        (project / "params.yaml").write_text(yaml.safe_dump(project_params, sort_keys=False))
        live, plots, dvclive = dvclive_run(project, logged, losses, extra)
        entry = dvclive_read_back(live, project, dvclive)
        entry.update(
            {
                "experiment": experiment,
                "name": name,
                "plots": plots,
                "logged_params": logged if hasattr(live, "log_params") else None,
            }
        )
        runs[experiment + "/" + name] = entry
    os.chdir(store)
    return {"runs": runs}


def main():
    library, kind, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]).resolve()
    if library == "mlflow":
        expected = make_mlflow(kind, out)
    elif library == "dvclive":
        expected = make_dvclive(out)
    else:
        raise SystemExit("unknown library " + library)
    expected.update(environment(library))
    expected["kind"] = kind
    write_json(out / "expected.json", expected)
    print("wrote", out)


if __name__ == "__main__":
    main()
