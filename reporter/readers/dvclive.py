"""dvclive `Live` folders, read without dvclive: one run per Live folder.

dvclive 1.x and later:

    <live>/metrics.json              latest values, nested by the `/` in metric names
                                     (`{"train": {"loss": 0.2}, "step": 5}`)
    <live>/params.yaml               parameters, any nesting
    <live>/plots/metrics/**.tsv      one file per metric: `step` (older: `timestamp`) + value
    <live>/plots/sklearn/*.json      roc, precision_recall, det, calibration, confusion_matrix
                                     (ROC thresholds hold a bare `Infinity`, not strict JSON)
    <live>/plots/custom/*.json       `Live.log_plot` data (x, y and template in dvc.yaml)
    <live>/plots/images/, others     listed as artifacts, never loaded
    <live>/dvc.yaml or <project>/dvc.yaml   what it declares (`reporter.readers._dvc`)

dvclive 0.x (up to 0.12) writes its summary beside the Live folder:

    <project>/<live>.json            latest values (the summary; `dvclive.json` by default)
    <live>/**.tsv (0.4) or <live>/scalars/**.tsv (0.5 - 0.12)
                                     `timestamp  step  value`: the run's creation time is the
                                     first timestamp
    <live>/params.yaml, <live>/plots/*.json   (0.12)

The project is the folder holding the Live folder when it holds a `dvc.yaml`, or when the Live
folder has dvclive's default name `dvclive`, or beside a 0.x summary: its `params.yaml` and what
its `dvc.yaml` declares are read too (the Live folder's own params win a clash).

Names: a Live folder named `dvclive` (dvclive's default) is named after its project and belongs
to the experiment of the folder above the project (`fraud/baseline/dvclive` is run `baseline`
of experiment `fraud`); any other Live folder is named after itself and belongs to its parent
folder's experiment. dvclive records no status, so runs have none.

Which folders are dvclive's (the native layout also has a metrics.json, so this reader goes
first and must not take native runs):
1. it has `plots/metrics/` or `plots/sklearn/` (dvclive's own layout), or
2. it has `metrics.json` and a `dvc.yaml` in it or in its parent lists that metrics.json, or
3. it has `metrics.json` and `params.yaml`, no file only the native layout uses (run.yaml,
   config.*, history.*, predictions.*, card.md), and metrics.json has dvclive's shape: only
   numbers and mappings of numbers, no `slices`, `step` (if any) an integer, or
4. a 0.x summary `<name>.json` of that shape sits beside it, and it holds TSV histories,
   `scalars/`, `plots/` or `params.yaml`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.errors import RunReadError
from reporter.model import Run
from reporter.readers import Listing, _dvc, _parse, parent_experiment, rel_id, run_errors
from reporter.readers._dvclive_files import (
    METRICS,
    PARAMS,
    Live,
    dvclive_shape,
    read_live,
)

DVC_YAML = "dvc.yaml"
PLOTS = "plots"
PLOTS_METRICS = f"{PLOTS}/metrics"
PLOTS_SKLEARN = f"{PLOTS}/sklearn"
DEFAULT_NAME = "dvclive"
NATIVE_ONLY = (
    "run.yaml", "run.yml", "run.json", "config.yaml", "config.yml", "config.json",
    "history.csv", "history.jsonl", "predictions.csv", "predictions.parquet", "card.md",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class LiveRun:
    """A Live folder, its project folder (or None) and the project's files it is read with."""

    folder: Path
    project: Path | None
    outside: tuple[tuple[str, int, int], ...]  # (path, size, mtime) of files read beside it

    @property
    def cache_target(self) -> Path:
        return self.folder

    @property
    def cache_salt(self) -> str:
        """The project's files (params.yaml, dvc.yaml, a 0.x summary) as they were listed."""
        return repr(self.outside)


class DvcliveReader:
    """One run per dvclive `Live` folder; see the module docstring for the matching rule."""

    name = "dvclive"
    priority = 20
    looks_for = (
        "a dvclive folder (plots/metrics/, plots/sklearn/, or metrics.json with params.yaml "
        "or a dvc.yaml listing it; 0.x: a <folder>.json summary beside it)"
    )

    def matches(self, path: Path) -> bool:
        return is_live(path)

    def may_match(self, path: Path, listing: Listing) -> bool:
        """`is_live`'s rules on names alone: a plots folder, a metrics.json with a params.yaml
        or a dvc.yaml (here or beside) that may list it, or a 0.x summary beside."""
        files = listing.files
        return (
            PLOTS in listing.folders
            or (METRICS in files and bool({PARAMS, DVC_YAML} & files or DVC_YAML in listing.beside))
            or f"{path.name}.json" in listing.beside
        )

    def list_runs(self, path: Path, *, root: Path) -> list[tuple[str, LiveRun]]:
        """The Live folder as one run, with the files beside it that its fingerprint covers."""
        project = _project(path, root)
        outside = [_summary_0x(path, root)] if _summary_0x(path, root) else []
        if project is not None:
            outside += [project / DVC_YAML, project / PARAMS]
            outside += _declared_outside(project, path, root)
        return [
            (rel_id(path, root), LiveRun(folder=path, project=project, outside=_stats(outside)))
        ]

    def read(self, handle: LiveRun | Path, *, run_id: str, root: Path) -> Run:
        handle = handle if isinstance(handle, LiveRun) else self.list_runs(handle, root=root)[0][1]
        with run_errors(run_id):
            return _read(handle, run_id=run_id, root=root)


def is_live(path: Path) -> bool:
    plots = path / PLOTS  # one look for folders without plots (most are not dvclive's)
    if plots.is_dir() and ((path / PLOTS_METRICS).is_dir() or (path / PLOTS_SKLEARN).is_dir()):
        return True
    if (path / METRICS).is_file():
        if _listed_in_dvc_yaml(path):
            return True
        if not (path / PARAMS).is_file() or _has_native_files(path):
            return False
        try:
            return dvclive_shape(_parse.load_json(path / METRICS, METRICS))
        except RunReadError:
            return False
    return _is_live_0x(path)


def _has_native_files(path: Path) -> bool:
    return any((path / n).exists() for n in NATIVE_ONLY)


def _is_live_0x(path: Path) -> bool:
    """dvclive 0.x: a summary `<name>.json` beside the folder, and its files inside."""
    summary = path.parent / f"{path.name}.json"
    if not summary.is_file() or _has_native_files(path):
        return False
    try:
        entries = {e.name: e for e in os.scandir(path)}
    except OSError:
        return False
    holds = {"scalars", "plots", PARAMS} & set(entries) or any(n.endswith(".tsv") for n in entries)
    if not holds and not any(e.is_dir() and _has_tsv(Path(e.path)) for e in entries.values()):
        return False
    try:
        return dvclive_shape(_parse.load_json(summary, summary.name))
    except RunReadError:
        return False


def _has_tsv(folder: Path) -> bool:
    return any(p.suffix == ".tsv" for p in folder.rglob("*.tsv"))


def _summary_0x(path: Path, root: Path) -> Path | None:
    summary = path.parent / f"{path.name}.json"
    if path == root or not _parse.is_regular(summary) or (path / METRICS).is_file():
        return None
    return summary


def _project(path: Path, root: Path) -> Path | None:
    """The DVC project holding the Live folder (see the module docstring), inside the root."""
    if path == root or not path.parent.is_relative_to(root):
        return None
    parent = path.parent
    if (parent / DVC_YAML).is_file() or path.name == DEFAULT_NAME or _summary_0x(path, root):
        return parent
    return None


def _declared_outside(project: Path, live: Path, root: Path) -> list[Path]:
    """Files the project's dvc.yaml declares for this run that are not in its Live folder."""
    try:
        declared = _dvc.declared(project, DVC_YAML)
    except RunReadError:
        return []
    files = []
    for names in declared.values():
        for name in names:
            path = _dvc.owned_file(project / name, project, live, root, is_live)
            if path is not None and not path.is_relative_to(live):
                files.append(path)
    return files


def _stats(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in dict.fromkeys(paths):
        try:
            st = path.stat()
        except OSError:
            continue
        found.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(found)


def _listed_in_dvc_yaml(path: Path) -> bool:
    for folder, entry in ((path, METRICS), (path.parent, f"{path.name}/{METRICS}")):
        dvc_yaml = folder / DVC_YAML
        if not dvc_yaml.is_file():
            continue
        try:
            data = _parse.load_yaml(dvc_yaml, DVC_YAML)
        except RunReadError:
            continue
        metrics = data.get("metrics") if isinstance(data, dict) else None
        if isinstance(metrics, list) and entry in metrics:
            return True
    return False


def _read(handle: LiveRun, *, run_id: str, root: Path) -> Run:
    path = handle.folder
    live: Live = read_live(
        path,
        run_id=run_id,
        root=root,
        summary_0x=_summary_0x(path, root),
        project=handle.project,
        is_live=is_live,
    )
    name, experiment = _names(path, run_id, root)
    artifacts, unlisted = _parse.list_artifacts(path, live.used)
    return Run(
        id=run_id,
        name=name,
        experiment=experiment,
        reader=DvcliveReader.name,
        path=str(path),
        created=live.created,
        params=_parse.flatten(live.params),
        config=live.params,
        metrics=live.metrics,
        info=live.info,
        histories=live.histories,
        plots=live.plots,
        artifacts=artifacts,
        problems=live.problems + _parse.unlisted_problems(run_id, unlisted),
    )


def _names(path: Path, run_id: str, root: Path) -> tuple[str, str]:
    """(run name, experiment): see the module docstring."""
    if path.name != DEFAULT_NAME:
        return path.name, parent_experiment(run_id)
    if path == root:
        return path.resolve().name, "default"
    project = path.parent
    name = project.resolve().name if project == root else project.name
    return name, parent_experiment(run_id.rpartition("/")[0]) if project != root else "default"


def load_lenient_json(path: Path, rel: str) -> Any:
    """JSON that may hold bare `Infinity`, `-Infinity` or `NaN` (Python's json writes them),
    with the size, depth and value limits of every file reporter reads."""
    return _parse.load_json(path, rel, lenient=True)
