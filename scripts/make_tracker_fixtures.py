"""Make the tracker fixtures in tests/data with the REAL tracker libraries.

The readers in `reporter.readers` never import mlflow, dvclive or modelstore; these fixtures are
what those libraries actually write, and `expected.json` beside each store is what the library's
own client returned for it at generation time. The tests compare the readers against that.

Run in a throwaway virtual environment (the project itself never depends on these libraries):

    python -m venv /tmp/trackers
    /tmp/trackers/bin/pip install mlflow dvclive modelstore scikit-learn
    /tmp/trackers/bin/python scripts/make_tracker_fixtures.py            # writes tests/data/...

Everything is generated offline in a temporary folder, read back with each library's client,
then copied into tests/data/{mlflow_file,mlflow_sqlite,dvclive,modelstore}. Models are tiny; the
`model.pkl` files are booby-trapped pickles (unpickling creates a file named
`reporter-unpickled-marker` in the working directory) so tests can prove nothing is unpickled.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

for _key, _value in {
    "MLFLOW_ALLOW_FILE_STORE": "true",  # MLflow 3 keeps the file store in maintenance mode
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "DVC_NO_ANALYTICS": "1",
    "ITERATIVE_DO_NOT_TRACK": "1",
    "GIT_PYTHON_REFRESH": "quiet",
}.items():
    os.environ.setdefault(_key, _value)

import numpy as np  # noqa: E402

MARKER = "reporter-unpickled-marker"
LIBRARIES = ("mlflow", "dvclive", "modelstore", "scikit-learn", "numpy")
CARD = """\
# Fraud screen (logistic regression)

## Intended use
Rank card transactions for manual review. Not for automatic blocking.

## Training data
20 synthetic transactions, 3 numeric features.

## Limitations
Tiny synthetic sample: the metrics say nothing about real traffic.

## Ethical considerations
Reviewers see the score only after their own decision.
"""


class BoobyTrap:
    """Unpickling this creates MARKER in the working directory (and nothing else)."""

    def __reduce__(self):
        return (open, (MARKER, "w"))


def trap_bytes() -> bytes:
    return pickle.dumps(BoobyTrap(), protocol=4)


def data(seed: int = 0, n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(seed)
    x = rs.rand(n, 3)
    y = (x[:, 0] + 0.8 * rs.rand(n) > 0.9).astype(int)
    return x, y


# ---------------------------------------------------------------------------------------------
# MLflow: the same runs into a file store and into a SQLite store


def log_mlflow_runs(work: Path) -> None:
    import mlflow
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score

    client = MlflowClient()
    x, y = data()
    experiment_id = mlflow.set_experiment("fraud").experiment_id
    client.set_experiment_tag(experiment_id, "team", "risk")
    client.set_experiment_tag(experiment_id, "mlflow.note.content", "Screening models for fraud.")
    (work / "card.md").write_text(CARD)
    (work / "model.pkl").write_bytes(trap_bytes())

    with mlflow.start_run(
        run_name="search", tags={"mlflow.note.content": "Grid over C.", "owner": "ana"}
    ):
        mlflow.log_params({"model": "logistic_regression", "features": 3, "cv.folds": 3})
        for step in range(5):
            mlflow.log_metric("train/loss", round(0.7 / (step + 1), 6), step=step)
            mlflow.log_metric("val/roc_auc", round(0.6 + 0.05 * step, 6), step=step)
        for c in (0.1, 10.0):
            with mlflow.start_run(run_name=f"C={c:g}", nested=True):
                mlflow.log_param("C", c)
                model = LogisticRegression(C=c).fit(x, y)
                score = model.predict_proba(x)[:, 1]
                mlflow.log_metric("roc_auc", float(roc_auc_score(y, score)))
                for step in range(3):
                    mlflow.log_metric("val/loss", round(0.5 - 0.1 * step + c / 100, 6), step=step)
        model = LogisticRegression(C=1.0).fit(x, y)
        score = model.predict_proba(x)[:, 1]
        mlflow.log_metric("roc_auc", float(roc_auc_score(y, score)))
        mlflow.log_metric("average_precision", float(average_precision_score(y, score)))
        info = mlflow.sklearn.log_model(model, name="model", input_example=x[:2])
        mlflow.log_artifact(str(work / "card.md"))
        mlflow.log_artifact(str(work / "model.pkl"), artifact_path="extra")
        predictions = "y_true,y_score\n" + "".join(
            f"{t},{s:.6f}\n" for t, s in zip(y, score, strict=True)
        )
        mlflow.log_text(predictions, "predictions.csv")
    mlflow.register_model(info.model_uri, "fraud-screen")

    with mlflow.start_run(run_name="diverged"):
        mlflow.log_param("lr", 10)
        for step in range(4):
            mlflow.log_metric("train/loss", 1.0 * 3**step, step=step)
        mlflow.end_run(status="FAILED")

    running = client.create_run(experiment_id, run_name="still-running")
    client.log_param(running.info.run_id, "lr", "0.01")
    client.log_metric(running.info.run_id, "train/loss", 0.9, step=0)

    with mlflow.start_run(run_name="mistake") as deleted:
        mlflow.log_metric("roc_auc", 0.1)
    client.delete_run(deleted.info.run_id)

    scratch = mlflow.set_experiment("scratch").experiment_id
    with mlflow.start_run(run_name="scratch-run"):
        mlflow.log_metric("roc_auc", 0.2)
    client.delete_experiment(scratch)


def mlflow_expected() -> dict:
    """What MlflowClient returns for every run, deleted ones listed apart."""
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    client = MlflowClient()
    experiments = client.search_experiments(view_type=ViewType.ALL)
    ids = [e.experiment_id for e in experiments]
    runs = client.search_runs(ids, run_view_type=ViewType.ACTIVE_ONLY, max_results=1000)
    deleted = client.search_runs(ids, run_view_type=ViewType.ALL, max_results=1000)
    active_experiments = {e.experiment_id for e in experiments if e.lifecycle_stage == "active"}
    return {
        "experiments": {
            e.experiment_id: {"name": e.name, "lifecycle_stage": e.lifecycle_stage, "tags": e.tags}
            for e in experiments
        },
        "runs": {
            r.info.run_id: run_expected(client, r)
            for r in runs
            if r.info.experiment_id in active_experiments
        },
        "skipped": sorted(
            r.info.run_id
            for r in deleted
            if r.info.lifecycle_stage == "deleted" or r.info.experiment_id not in active_experiments
        ),
        "logged_models": {
            m.model_id: {"name": m.name, "source_run_id": m.source_run_id}
            for m in client.search_logged_models(experiment_ids=ids)
        },
        "model_versions": [
            {"name": v.name, "version": int(v.version), "run_id": v.run_id}
            for v in client.search_model_versions()
        ],
    }


def run_expected(client, run) -> dict:
    histories = {key: client.get_metric_history(run.info.run_id, key) for key in run.data.metrics}
    return {
        "name": run.info.run_name,
        "experiment_id": run.info.experiment_id,
        "status": run.info.status,
        "start_time": run.info.start_time,
        "params": dict(sorted(run.data.params.items())),
        "metrics": dict(sorted(run.data.metrics.items())),
        "history_lengths": {key: len(points) for key, points in sorted(histories.items())},
        "history_steps": {
            key: len({p.step for p in points}) for key, points in sorted(histories.items())
        },
        "tags": dict(sorted(run.data.tags.items())),
        "parent": run.data.tags.get("mlflow.parentRunId"),
        "artifacts": list_artifacts(client, run.info.run_id),
    }


def list_artifacts(client, run_id: str, path: str | None = None) -> list[str]:
    found = []
    for item in client.list_artifacts(run_id, path):
        found += list_artifacts(client, run_id, item.path) if item.is_dir else [item.path]
    return sorted(found)


def make_mlflow_file(work: Path) -> Path:
    import mlflow

    store = work / "mlflow_file"
    store.mkdir()
    mlflow.set_tracking_uri((store / "mlruns").as_uri())
    mlflow.set_registry_uri((store / "mlruns").as_uri())
    log_mlflow_runs(work)
    expected = mlflow_expected()
    write_json(store / "expected.json", expected)
    return store


def make_mlflow_sqlite(work: Path) -> Path:
    import mlflow

    store = work / "mlflow_sqlite"
    store.mkdir()
    os.chdir(store)  # the SQLite backend puts artifacts in ./mlruns
    uri = f"sqlite:///{store / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    log_mlflow_runs(work)
    mlflow.set_tracking_uri("file:///nonexistent")  # let go of the database before shrinking it
    shrink_sqlite(store / "mlflow.db")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    write_json(store / "expected.json", mlflow_expected())
    return store


def shrink_sqlite(path: Path) -> None:
    """Same content, smallest pages: MLflow's ~200 tables and indexes take a page each."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA page_size = 512")
    db.execute("VACUUM")
    assert db.execute("PRAGMA page_size").fetchone() == (512,)
    db.close()


# ---------------------------------------------------------------------------------------------
# dvclive: one Live folder with steps, plots and an image; one without steps


def make_dvclive(work: Path) -> Path:
    from dvclive import Live

    store = work / "dvclive"
    store.mkdir()
    os.chdir(store)
    x, y = data(1, 40)
    score = np.clip(x[:, 0] + 0.2 * x[:, 1] - 0.1, 0, 1)
    history: dict[str, dict[str, int]] = {"with-steps": {}, "no-steps": {}}
    with Live("with-steps", report=None) as live:
        live.log_params({"model": {"kind": "gbm", "depth": 3, "lr": 0.1}, "seed": 1})
        for step in range(6):
            live.log_metric("train/loss", round(0.8 / (step + 1), 6))
            live.log_metric("val/roc_auc", round(0.55 + 0.06 * step, 6))
            live.next_step()
        for name in ("train/loss", "val/roc_auc"):
            history["with-steps"][name] = 6
        live.log_metric("test/roc_auc", 0.81, plot=False)
        live.log_sklearn_plot("roc", y, score)
        live.log_sklearn_plot("precision_recall", y, score)
        live.log_sklearn_plot("confusion_matrix", y, (score > 0.5).astype(int))
        live.log_sklearn_plot("calibration", y, score)
        live.log_image("sample.png", np.zeros((8, 8, 3), dtype=np.uint8))
        steps = {"summary": dict(live.summary), "params": dict(live._params), "step": live.step}
    # Live.log_artifact needs a DVC repository; a model file copied in by hand is listed the same
    (store / "with-steps" / "model.pkl").write_bytes(trap_bytes())
    with Live("no-steps", dvcyaml=None, report=None) as live:
        live.log_param("lr", 0.2)
        live.log_metric("roc_auc", 0.74, plot=False)
        live.log_metric("test/f1", 0.61, plot=False)
        nosteps = {"summary": dict(live.summary), "params": dict(live._params), "step": None}
    expected = {
        "with-steps": {**steps, "history_lengths": history["with-steps"]},
        "no-steps": {**nosteps, "history_lengths": {}},
    }
    write_json(store / "expected.json", expected)
    return store


# ---------------------------------------------------------------------------------------------
# modelstore: two domains, three versions, two states


def make_modelstore(work: Path, producing_run: dict[str, str]) -> Path:
    from modelstore import ModelStore
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    store = work / "modelstore"
    store.mkdir()
    os.chdir(work)  # no git repository here: modelstore records code.git as null
    ms = ModelStore.from_file_system(root_directory=str(store), create_directory=True)
    import pandas as pd

    x, y = data(2, 30)
    frame = pd.DataFrame(x, columns=["amount", "velocity", "age_days"])
    labels = pd.Series(y, name="is_fraud")
    (work / "model.pkl").write_bytes(trap_bytes())
    first = ms.upload(
        "fraud-detection",
        model=LogisticRegression(C=1.0).fit(x, y),
        X_train=frame,
        y_train=labels,
        extra_files=str(work / "model.pkl"),
        extra_metadata={
            "mlflow_run_id": producing_run["id"],
            "run_name": producing_run["name"],
            "metrics": {"roc_auc": 0.91},
        },
    )
    second = ms.upload(
        "fraud-detection",
        model=DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y),
        extra_metadata={"run_name": "tree-trial"},
    )
    ms.upload("churn", model=LogisticRegression(C=0.5).fit(x, y))
    for state in ("production", "staging"):
        ms.create_model_state(state)
    ms.set_model_state("fraud-detection", first["model"]["model_id"], "production")
    ms.set_model_state("fraud-detection", second["model"]["model_id"], "staging")
    expected = {
        "states": sorted(ms.list_model_states()),
        "domains": {
            domain: {
                "versions": {
                    model_id: ms.get_model_info(domain, model_id)
                    for model_id in ms.list_versions(domain)
                },
                "states": {
                    state: sorted(ms.list_versions(domain, state_name=state))
                    for state in ms.list_model_states()
                },
            }
            for domain in sorted(ms.list_domains())
        },
    }
    write_json(store / "expected.json", expected)
    return store


# ---------------------------------------------------------------------------------------------


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def write_versions(out: Path, sizes: dict[str, int]) -> None:
    rows = "\n".join(f"| {name} | {version(name)} |" for name in LIBRARIES)
    size_rows = "\n".join(f"| `{name}/` | {size / 1024:.0f} KB |" for name, size in sizes.items())
    (out / "TRACKER_FIXTURES.md").write_text(
        f"""# Tracker fixtures

Generated by `scripts/make_tracker_fixtures.py` on {datetime.now(UTC):%Y-%m-%d} with Python
{platform.python_version()}, in a throwaway virtual environment, offline. The tests never import
these libraries: `expected.json` in each folder holds what the library's own client returned.

| Library | Version |
|---|---|
{rows}

| Fixture | Size |
|---|---|
{size_rows}

- `mlflow_file/mlruns`: MLflow file store (`MLFLOW_ALLOW_FILE_STORE=true`; MLflow 3 keeps it in
  maintenance mode). `mlflow_sqlite/mlflow.db` + `mlruns/`: the same runs in the SQLite backend
  (artifacts in `mlruns/`, which has no `meta.yaml`). The database was vacuumed with 512-byte
  pages to keep it small; the client read it after that. Both hold: a parent run with two nested
  runs, metric histories (names with `/`), an MLflow 3 logged model with a signature, a
  registered model version, a FAILED run, a RUNNING run, a deleted run and a deleted experiment.
  In the file store, logging the model appends each metric's first point once more to its
  metric file, so the parent run's `history_lengths` there are one longer than in the SQLite
  store: that is what MLflow's own client returns for each.
- `dvclive/`: `with-steps/` (steps, params, sklearn plots with a bare `Infinity`, an image, and
  a `model.pkl` the script copies in, as `Live.log_artifact` needs a DVC repository) and
  `no-steps/` (summary metrics only, no plots, no `dvc.yaml` entry).
- `modelstore/operatorai-model-store/`: two domains, three versions, states `production` and
  `staging`, dataset statistics, `extra` metadata naming the MLflow run that produced a model.
- Every `model.pkl` is a booby-trapped pickle: unpickling creates `{MARKER}`
  in the working directory. Absolute paths inside the stores point at the generation folder, not here.
"""
    )


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "tests/data")
    out = parser.parse_args().out.resolve()
    with tempfile.TemporaryDirectory(prefix="tracker-fixtures-") as tmp:
        work = Path(tmp)
        made = [make_mlflow_file(work), make_mlflow_sqlite(work), make_dvclive(work)]
        file_expected = json.loads((made[0] / "expected.json").read_text())
        parent = next(
            (uuid, r["name"]) for uuid, r in file_expected["runs"].items() if r["name"] == "search"
        )
        made.append(make_modelstore(work, {"id": parent[0], "name": parent[1]}))
        os.chdir(out)
        sizes = {}
        for store in made:
            target = out / store.name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(store, target, ignore=shutil.ignore_patterns(".operator-ai"))
            sizes[store.name] = folder_size(target)
            print(f"{target.relative_to(out.parent.parent)}: {sizes[store.name] / 1024:.0f} KB")
    write_versions(out, sizes)


if __name__ == "__main__":
    main()
