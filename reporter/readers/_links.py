"""Links between runs that different readers read: the run that produced a stored model.

A modelstore version may name the run that trained it (`info["source_run"]`: an MLflow run id,
a reporter run id or a run name). Once every run is read, `link_producing_runs` resolves that
name to the producing run's id (`info["produced_by"]`) and lists the models on the producer
(`info["produced_models"]`). Pure: runs in, runs out.
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
