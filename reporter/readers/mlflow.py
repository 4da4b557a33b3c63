"""MLflow file store (`mlruns/`), read from disk without MLflow.

    mlruns/<experiment id>/meta.yaml              name, lifecycle_stage, artifact_location
    mlruns/<experiment id>/tags/<key>             experiment tags
    mlruns/<experiment id>/<run id>/meta.yaml     run id, name, status (a number), times,
                                                  lifecycle_stage, artifact_uri
    .../<run id>/params/<key>, tags/<key>         one file per value (a `/` in a key: subfolders)
    .../<run id>/metrics/<key>                    one line per point: `timestamp value step`
                                                  (older: no step; newer: dataset name, digest)
    .../<run id>/artifacts/                       listed with size and sha256, never loaded
    .../<run id>/inputs/<id>/meta.yaml            dataset inputs: the dataset and its context
    mlruns/<experiment id>/datasets/<id>/meta.yaml  the datasets runs used (name, digest, source)
    mlruns/<experiment id>/models/m-<id>/         MLflow 3 logged models (meta.yaml: source run)
    mlruns/<experiment id>/{tags,traces}          not runs
    mlruns/models/<name>/version-<n>/meta.yaml    the model registry (not an experiment)
    mlruns/.trash/                                deleted experiments (skipped)

A folder is a file store when one of its sub-folders holds an experiment's `meta.yaml` (one with
an `experiment_id` and no run id). The artifact folder of a SQLite store has no `meta.yaml`
files, so it never looks like one. Deleted runs and runs of deleted experiments are skipped.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.errors import RunReadError
from reporter.model import Run
from reporter.readers import Listing, Parts, _mlflow, _parse, rel_id, run_errors

META = "meta.yaml"
NOT_RUNS = {"tags", "datasets", "traces", "models", "inputs", "outputs"}
REGISTRY = "models"


@dataclass(frozen=True, kw_only=True, slots=True)
class Experiment:
    folder: Path
    id: str
    name: str
    tags: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class FileRun:
    """Where one run of a file store lives, and what `list_runs` learnt about its neighbours."""

    store: Path
    run_dir: Path
    experiment: Experiment
    family: _mlflow.Family
    models: tuple[_mlflow.LoggedModel, ...]
    registered: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def cache_target(self) -> Path:
        """The files this run is read from (for a per-run cache fingerprint)."""
        return self.run_dir

    @property
    def cache_salt(self) -> str:
        """What else decides the run: its experiment, family, models and registrations."""
        return repr((self.experiment, self.family, self.models, self.registered, self.aliases))


class MlflowFileReader:
    """Runs of an MLflow file store; see the module docstring."""

    name = "mlflow"
    priority = 30
    looks_for = (
        "an MLflow file store (mlruns/: experiment folders with a meta.yaml), one of its "
        "experiment folders or one of its run folders"
    )

    def may_match(self, path: Path, listing: Listing) -> bool:
        """A store has experiment folders (`matches` looks into each for a meta.yaml)."""
        return any(_may_be_experiment(name) for name in listing.folders)

    def matches(self, path: Path) -> bool:
        for child in _subfolders(path):
            kind = _meta_kind(_meta(child))
            if kind:
                return kind == "experiment"  # a run's meta.yaml: `path` is an experiment
        return False

    def list_runs(self, path: Path, *, root: Path) -> list[tuple[str, FileRun]]:
        """Every active run; never raises (an unreadable run fails later, when read)."""
        experiments = _experiments(path)
        found = [(exp, folder, *about) for exp in experiments for folder, about in _runs(exp)]
        prefix = rel_id(path, root)
        ids = _mlflow.run_ids(prefix, [(uuid, exp.id) for exp, _, uuid, _, _ in found])
        aliases = _mlflow.aliases(
            prefix, [(uuid, exp.name, name) for exp, _, uuid, name, _ in found]
        )
        family = _mlflow.families({uuid: parent for *_, uuid, _, parent in found}, ids)
        models = _logged_models(path, experiments, root)
        registered = _registered(path)
        handles = [
            (
                ids[uuid],
                FileRun(
                    store=path,
                    run_dir=folder,
                    experiment=exp,
                    family=family[uuid],
                    models=tuple(models.get(uuid, ())),
                    registered=tuple(registered.get(uuid, ())),
                    aliases=aliases[uuid],
                ),
            )
            for exp, folder, uuid, _, _ in found
        ]
        return sorted(handles, key=lambda h: h[0])

    def read(self, handle: FileRun, *, run_id: str, root: Path) -> Run:
        with run_errors(run_id):
            record = _record(handle, root, run_id)
        return _mlflow.to_run(
            record,
            run_id=run_id,
            reader=self.name,
            path=handle.run_dir,
            family=handle.family,
            store=rel_id(handle.store, root),
            aliases=handle.aliases,
        )


def _subfolders(path: Path) -> list[Path]:
    try:
        with os.scandir(path) as entries:
            folders = [
                e for e in entries if _may_be_experiment(e.name) and e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return []
    return [Path(e.path) for e in sorted(folders, key=lambda e: e.name)]


def _may_be_experiment(name: str) -> bool:
    """A store's sub-folder that may be an experiment: not hidden, not the model registry."""
    return not name.startswith(".") and name != REGISTRY


def _meta(folder: Path) -> dict[str, Any] | None:
    """A folder's meta.yaml as a mapping; None when missing or unreadable."""
    meta_file = folder / META
    try:
        if not meta_file.is_file():
            return None
    except OSError:  # a folder it may not look into is not a store of its own
        return None
    try:
        meta = _parse.load_yaml(meta_file, META)
    except RunReadError:
        return None
    return meta if isinstance(meta, dict) else None


def _meta_kind(meta: dict[str, Any] | None) -> str | None:
    """Whether a meta.yaml describes an experiment, a run or neither."""
    if meta is None:
        return None
    if "run_id" in meta or "run_uuid" in meta:
        return "run"
    return "experiment" if "experiment_id" in meta else None


def _experiments(store: Path) -> list[Experiment]:
    """Active experiments, with their user tags."""
    found = []
    for folder in _subfolders(store):
        meta = _meta(folder)
        if meta is None or _meta_kind(meta) != "experiment":
            continue
        if meta.get("lifecycle_stage") == "deleted":
            continue
        try:
            tags = _values(folder / "tags", f"{store.name}/{folder.name}/tags")
        except RunReadError:
            tags = {}
        found.append(
            Experiment(
                folder=folder,
                id=str(meta["experiment_id"]),
                name=str(meta.get("name") or folder.name),
                tags=tuple(sorted((k, v) for k, v in tags.items() if not k.startswith("mlflow."))),
            )
        )
    return found


def _runs(experiment: Experiment) -> list[tuple[Path, tuple[str, str, str | None]]]:
    """Active runs of an experiment: (folder, (run uuid, name, parent uuid)).

    A run whose meta.yaml cannot be parsed is still listed (by its folder name), so reading it
    reports the file and line instead of the run silently missing.
    """
    runs = []
    for folder in _subfolders(experiment.folder):
        if folder.name in NOT_RUNS or not (folder / META).is_file():
            continue
        meta = _meta(folder) or {}
        if meta.get("lifecycle_stage") == "deleted":
            continue
        uuid = str(meta.get("run_id") or meta.get("run_uuid") or folder.name)
        name = _tag(folder, _mlflow.RUN_NAME) or str(meta.get("run_name") or "")
        runs.append((folder, (uuid, name, _tag(folder, _mlflow.PARENT))))
    return runs


def _tag(run_dir: Path, key: str) -> str | None:
    path = run_dir / "tags" / key
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if _parse.is_regular(p) and not p.is_symlink())


def _values(folder: Path, rel: str, parts: Parts | None = None) -> dict[str, str]:
    """params/ or tags/: one file per key, keys with `/` as sub-folders. With `parts`, a file
    that cannot be read is a problem of the run and its key is left out."""
    values: dict[str, str] = {}
    for path in _files(folder):
        key = path.relative_to(folder).as_posix()
        try:
            values[key] = _parse.read_text(path, f"{rel}/{key}")
        except RunReadError as exc:
            if parts is None:
                raise
            parts.note(exc)
    return values


def _metrics(folder: Path, rel: str, parts: Parts) -> dict[str, list[_mlflow.Point]]:
    """Metric histories; a line that cannot be read (the last one of a run still logging is
    often cut) is left out and named."""
    history: dict[str, list[_mlflow.Point]] = {}
    for path in _files(folder):
        key = path.relative_to(folder).as_posix()
        try:
            text = _parse.read_text(path, f"{rel}/{key}")
        except RunReadError as exc:
            parts.note(exc)
            continue
        points = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    points.append(_point(line, f"{rel}/{key}", number))
                except RunReadError as exc:
                    parts.note(exc)
        if points:
            history[key] = points
    return history


def _point(line: str, rel: str, number: int) -> _mlflow.Point:
    """`timestamp value [step [dataset name, digest ...]]`: extra fields are tolerated."""
    parts = line.split()
    try:
        if len(parts) < 2:
            raise ValueError
        return (int(parts[2]) if len(parts) > 2 else 0, int(parts[0]), float(parts[1]))
    except ValueError:
        raise RunReadError(
            f"expected 'timestamp value step', got {line.strip()[:60]!r}", path=rel, line=number
        ) from None


def _record(handle: FileRun, root: Path, run_id: str) -> _mlflow.RunRecord:
    rel = handle.run_dir.relative_to(root).as_posix()
    meta = _parse.load_mapping(handle.run_dir / META, f"{rel}/{META}")
    parts = Parts(run_id)
    history = _metrics(handle.run_dir / "metrics", f"{rel}/metrics", parts)
    params = _values(handle.run_dir / "params", f"{rel}/params", parts)
    tags = _values(handle.run_dir / "tags", f"{rel}/tags", parts)
    artifacts = handle.run_dir / "artifacts"
    return _mlflow.RunRecord(
        uuid=str(meta.get("run_id") or meta.get("run_uuid") or handle.run_dir.name),
        experiment=handle.experiment.name,
        experiment_id=handle.experiment.id,
        name=str(meta.get("run_name") or ""),
        status=_mlflow.status_text(meta.get("status")),
        start_time=_number(meta.get("start_time")),
        end_time=_number(meta.get("end_time")),
        user=str(meta.get("user_id") or ""),
        artifact_uri=str(meta.get("artifact_uri") or ""),
        params=params,
        tags=tags,
        latest={k: _mlflow.latest_value(v) for k, v in history.items()},
        history=history,
        artifacts=artifacts if artifacts.is_dir() else None,
        models=handle.models,
        registered=handle.registered,
        experiment_tags=dict(handle.experiment.tags),
        datasets=_datasets(handle, parts),
        problems=tuple(str(p) for p in parts.problems),
    )


def _datasets(handle: FileRun, parts: Parts) -> tuple[_mlflow.Dataset, ...]:
    """`inputs/<id>/meta.yaml` name a dataset of the experiment (`datasets/<id>/meta.yaml`)."""
    found = []
    for folder in _subfolders(handle.run_dir / "inputs"):
        link = _meta(folder) or {}
        if link.get("source_type") != "DATASET" or link.get("destination_type") != "RUN":
            continue
        source = str(link.get("source_id") or "")
        if not source or "/" in source or "\\" in source or source.startswith("."):
            continue
        meta = _meta(handle.experiment.folder / "datasets" / source)
        if meta is None:
            where = f"{handle.experiment.folder.name}/datasets/{source}/{META}"
            parts.note(RunReadError("the dataset input is not in the store", path=where))
            continue
        tags = link.get("tags") if isinstance(link.get("tags"), dict) else {}
        found.append(
            _mlflow.Dataset(
                name=str(meta.get("name") or source),
                digest=str(meta.get("digest") or ""),
                context=str(tags.get("mlflow.data.context") or ""),
                source_type=str(meta.get("source_type") or ""),
                source=str(meta.get("source") or ""),
                schema=str(meta.get("schema") or ""),
                profile=str(meta.get("profile") or ""),
            )
        )
    return tuple(found)


def _number(value: Any) -> int | None:
    return int(value) if _parse.is_number(value) and math.isfinite(value) else None


def _logged_models(
    store: Path, experiments: list[Experiment], root: Path
) -> dict[str, list[_mlflow.LoggedModel]]:
    """MLflow 3 logged models by the run that produced them (`source_run_id`)."""
    by_run: dict[str, list[_mlflow.LoggedModel]] = {}
    for experiment in experiments:
        for folder in _subfolders(experiment.folder / "models"):
            meta = _meta(folder)
            if not meta or not meta.get("source_run_id"):
                continue
            if meta.get("lifecycle_stage") == "deleted":
                continue
            artifacts: Path | None = folder / "artifacts"
            if artifacts is None or not artifacts.is_dir():
                artifacts = _mlflow.relocate(str(meta.get("artifact_location") or ""), store, root)
            model = _mlflow.LoggedModel(
                model_id=str(meta.get("model_id") or folder.name),
                name=str(meta.get("name") or folder.name),
                artifacts=artifacts,
                status=_mlflow.model_status(meta.get("status")),
            )
            by_run.setdefault(str(meta["source_run_id"]), []).append(model)
    return by_run


def _registered(store: Path) -> dict[str, list[str]]:
    """Registered model versions by run: `name vN` (plus the stage when one is set)."""
    by_run: dict[str, list[str]] = {}
    registry = store / REGISTRY
    if not registry.is_dir():
        return by_run
    for meta_file in sorted(registry.glob(f"*/version-*/{META}")):
        try:
            meta = _parse.load_yaml(meta_file, META)
        except RunReadError:
            continue
        if not isinstance(meta, dict) or not meta.get("run_id"):
            continue
        label = f"{meta.get('name') or meta_file.parent.parent.name} v{meta.get('version', '?')}"
        stage = str(meta.get("current_stage") or "")
        by_run.setdefault(str(meta["run_id"]), []).append(
            f"{label} ({stage})" if stage and stage != "None" else label
        )
    return by_run
