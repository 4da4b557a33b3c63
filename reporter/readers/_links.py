"""What is known only once every run is read, whatever reader read it. Pure: runs in, runs out.

- The run that produced a stored model: a modelstore version may name the run that trained it
  (`info["source_run"]`: an MLflow run id, a reporter run id or a run name);
  `link_producing_runs` resolves that name to the producing run's id (`info["produced_by"]`)
  and lists the models on the producer (`info["produced_models"]`).
- Experiments of several stores: MLflow names every first experiment `Default`, so four
  stores' `Default` would be one page of all their runs. `experiments_per_store` names an
  experiment that more than one store holds after its store: `Default (team-a/mlruns)`. Runs
  not read from a store (run folders) keep the plain name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from reporter.model import Run

SOURCE = "source_run"


def link_producing_runs(runs: list[Run]) -> list[Run]:
    """The same runs, with `produced_by` / `produced_models` where a source name resolves."""
    by_key = _index(runs)
    produced: dict[str, list[str]] = defaultdict(list)
    linked: dict[str, str] = {}
    for run in runs:
        source = run.info.get(SOURCE)
        target = by_key.get(str(source)) if source else None
        if target and target != run.id:
            linked[run.id] = target
            produced[target].append(run.id)
    if not linked:
        return runs
    return [_with_links(run, linked.get(run.id), sorted(produced.get(run.id, ()))) for run in runs]


def _index(runs: list[Run]) -> dict[str, str]:
    """Reporter id, MLflow run id, then unique run name -> reporter id (first match wins)."""
    index: dict[str, str] = {}
    names: dict[str, list[str]] = defaultdict(list)
    for run in runs:
        index.setdefault(run.id, run.id)
        mlflow_id = run.info.get("mlflow.run_id")
        if mlflow_id:
            index.setdefault(str(mlflow_id), run.id)
        names[run.name].append(run.id)
    for name, ids in names.items():
        if len(ids) == 1:
            index.setdefault(name, ids[0])
    return index


def _with_links(run: Run, producer: str | None, models: list[str]) -> Run:
    if producer is None and not models:
        return run
    info = dict(run.info)
    if producer:
        info["produced_by"] = producer
    if models:
        info["produced_models"] = models
    return replace(run, info=dict(sorted(info.items())))


def experiments_per_store(runs: list[Run]) -> list[Run]:
    """The same runs, an experiment that several stores hold split into one per store."""
    stores: dict[str, set[str]] = defaultdict(set)
    for run in runs:
        stores[run.experiment].add(run.store)
    shared = {name for name, held in stores.items() if len(held) > 1}
    if not shared:
        return runs
    return [
        replace(run, experiment=f"{run.experiment} ({run.store})")
        if run.experiment in shared and run.store
        else run
        for run in runs
    ]
