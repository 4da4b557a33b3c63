"""What both MLflow readers share: a neutral run record, run ids, and the record -> `Run` step.

The file store (`reporter.readers.mlflow`) and the SQLite backend
(`reporter.readers.mlflow_sqlite`) each fill a `RunRecord`; everything about MLflow's
conventions (system tags, statuses, nested runs, logged models, artifact folders) lives here so
both stores give the same page for the same run.

Run ids: `<store>/<experiment id>/<MLflow run id>`, where `<store>` is the store's path under
the runs root (`mlruns`, `team/mlflow.db`): what MLflow itself never changes, so renaming a run
or an experiment keeps its page and the journal links to it. The name is shown everywhere else
(MLflow's generated name for a run started without one, else the first 8 hex of its id).
Journal links may also use the former form `<store>/<experiment>/<name>-<8 hex>` (whatever the
name and experiment are now: the 8 hex of the MLflow id decide) and `<store>/<experiment>/<name>`
while that name is unique in its experiment (`aliases`; `*` in an alias stands for any text).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries, Run
from reporter.readers import _parse, id_problem, safe_segment
from reporter.readers._mlflow_models import (  # noqa: F401 - the MLflow readers' names
    Dataset,
    LoggedModel,
    artifacts_of,
    dataset_info,
    model_status,
    models_info,
    signature_text,
)

STATUS_CODES = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
RUN_NAME = "mlflow.runName"
NOTE = "mlflow.note.content"
PARENT = "mlflow.parentRunId"
GIT_COMMIT = "mlflow.source.git.commit"
USER = "mlflow.user"
CARD = "card.md"
PREDICTIONS = ("predictions.csv", "predictions.parquet")
SHORT_TAG = 40  # longer tag values are shown as information, not as tags

Point = tuple[int, int, float]  # (step, timestamp in ms, value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Family:
    """Reporter ids of a run's parent (or its MLflow id when not in the store) and children."""

    parent: str | None = None
    children: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One MLflow run as either store holds it, before it becomes a `Run`."""

    uuid: str
    experiment: str
    experiment_id: str
    name: str
    status: str
    start_time: int | None
    end_time: int | None
    user: str
    artifact_uri: str
    params: dict[str, str]
    tags: dict[str, str]
    latest: dict[str, float]
    history: dict[str, list[Point]]
    artifacts: Path | None
    models: tuple[LoggedModel, ...] = ()
    registered: tuple[str, ...] = ()
    experiment_tags: dict[str, str] = field(default_factory=dict)
    datasets: tuple[Dataset, ...] = ()
    problems: tuple[str, ...] = ()  # parts that could not be read (a cut metric line...)


def slug(text: str) -> str:
    """A path-safe, readable piece of a run id (bounded, see `readers.safe_segment`)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip())
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    cleaned = cleaned.strip("-.")
    return safe_segment(cleaned) if cleaned else ""


def run_ids(prefix: str, entries: list[tuple[str, str]]) -> dict[str, str]:
    """(run uuid, experiment id) -> reporter run id; see the module docstring."""
    return {
        uuid: f"{prefix}/{safe_segment(str(experiment_id))}/{safe_segment(uuid)}"
        for uuid, experiment_id in entries
    }


def aliases(prefix: str, entries: list[tuple[str, str, str]]) -> dict[str, tuple[str, ...]]:
    """(run uuid, experiment name, run name) -> the other ids journal links may use: the former
    ids `<store>/<experiment>/<name>-<8 hex>` and `<store>/<experiment>/<run id>` (as patterns:
    they keep naming the run after a rename) and `<store>/<experiment>/<name>` when no other
    run of the experiment has that name."""
    named: dict[str, list[str]] = defaultdict(list)
    found: dict[str, list[str]] = {}
    for uuid, experiment, name in entries:
        found[uuid] = [f"{prefix}/*/*-{slug(uuid)[:8]}", f"{prefix}/*/{slug(uuid)}"]
        if slug(name):
            named[f"{prefix}/{slug(experiment) or 'experiment'}/{slug(name)}"].append(uuid)
    for alias, uuids in named.items():
        if len(uuids) == 1:
            found[uuids[0]].append(alias)
    return {
        uuid: tuple(a for a in dict.fromkeys(ids) if id_problem(a) is None)
        for uuid, ids in found.items()
    }


def display_name(tags: dict[str, str], name: str, uuid: str) -> str:
    """The run's name: the `mlflow.runName` tag (a rename sets it), the stored name, else a
    short id (never the 32 hex of the id in a table)."""
    return tags.get(RUN_NAME) or name or uuid[:8] or "unnamed"


def families(parents: dict[str, str | None], ids: dict[str, str]) -> dict[str, Family]:
    """Parent and children of every run, as reporter ids (children sorted)."""
    children: dict[str, list[str]] = defaultdict(list)
    for uuid, parent in parents.items():
        if parent in ids:
            children[parent].append(ids[uuid])
    return {
        uuid: Family(
            parent=ids.get(parent, parent) if parent else None,
            children=tuple(sorted(children.get(uuid, ()))),
        )
        for uuid, parent in parents.items()
    }


def status_text(value: object) -> str:
    """File stores write the status as a number, the SQLite backend as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return STATUS_CODES.get(value, str(value))
    return str(value or "").upper()


def latest_value(points: list[Point]) -> float:
    """The value MLflow reports as a run's metric: the largest (step, timestamp, value)."""
    return max(points, key=lambda p: (p[0], p[1], -math.inf if math.isnan(p[2]) else p[2]))[2]


def local_path(uri: str) -> Path | None:
    """A `file:` URI or plain path as a local path; None for remote URIs (s3:, mlflow-artifacts:)."""
    parsed = urlparse(uri or "")
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if uri and (parsed.scheme == "" or len(parsed.scheme) == 1):  # a path, or C:\ on Windows
        return Path(uri)
    return None


def relocate(uri: str, base: Path, root: Path) -> Path | None:
    """Find a recorded artifact location under `base` when the store was moved or copied.

    MLflow records absolute paths (`/home/ana/proj/mlruns/1/<run>/artifacts`): the path itself
    if it still exists, else the longest tail of at least two parts (`mlruns/1/<run>/artifacts`
    ... `<run>/artifacts`) that exists under `base`. Only folders inside `root` count.
    """
    recorded = local_path(uri)
    if recorded is None:
        return None
    root = root.resolve()
    parts = recorded.parts[1:] if recorded.is_absolute() else recorded.parts
    tails = [base.joinpath(*parts[i:]) for i in range(len(parts) - 1)]
    for candidate in [recorded if recorded.is_absolute() else base / recorded, *tails]:
        if candidate.is_dir() and candidate.resolve().is_relative_to(root):
            return candidate
    return None


def to_run(
    record: RunRecord,
    *,
    run_id: str,
    reader: str,
    path: Path,
    family: Family,
    store: str,
    aliases: tuple[str, ...] = (),
    lazy: bool = False,
) -> Run:
    """The run page's run; with `lazy`, its histories are left in the store (`HistoryReader`)."""
    tags = record.tags
    model_info, model_artifacts = models_info(record.models)
    card, problems = _card(record.artifacts, run_id)
    return Run(
        id=run_id,
        name=display_name(tags, record.name, record.uuid),
        experiment=record.experiment,
        reader=reader,
        path=str(path),
        store=store,
        created=_parse.parse_time(record.start_time),
        status=record.status,
        author=tags.get(USER) or record.user,
        git_commit=tags.get(GIT_COMMIT, ""),
        tags=_word_tags(tags),
        notes=tags.get(NOTE, ""),
        params=dict(sorted(record.params.items())),
        config=dict(sorted(record.params.items())),
        metrics=dict(sorted(record.latest.items())),  # NaN and infinities as logged
        info=_info(record, family, model_info),
        histories=() if lazy else histories(record.history),
        histories_pending=lazy,
        aliases=aliases,
        artifacts=artifacts_of(record.artifacts) + model_artifacts,
        card=card,
        predictions=_predictions(record.artifacts),
        problems=record.problems + problems,
    )


def _info(record: RunRecord, family: Family, model_info: dict[str, object]) -> dict[str, object]:
    """What the page lists under "Other logged values", sorted by key."""
    info: dict[str, object] = {
        "mlflow.run_id": record.uuid,
        "mlflow.experiment_id": record.experiment_id,
        **_times(record),
        **model_info,
        **dataset_info(record.datasets),
        **_info_tags(record.tags),
    }
    if family.parent:
        info["parent"] = family.parent
    if family.children:
        info["children"] = list(family.children)
    if record.registered:
        info["registered_models"] = list(record.registered)
    if record.experiment_tags:
        info["experiment.tags"] = record.experiment_tags
    if record.artifacts is None and record.artifact_uri:
        info["artifact_uri"] = record.artifact_uri  # remote, or not found under the runs root
    return dict(sorted(info.items()))


def _card(artifacts: Path | None, run_id: str) -> tuple[str, tuple[str, ...]]:
    """A `card.md` artifact is the run's model card; an unreadable one is a problem, not fatal."""
    if artifacts is None or not (artifacts / CARD).is_file():
        return "", ()
    try:
        return _parse.read_text(artifacts / CARD, f"{run_id}/artifacts/{CARD}"), ()
    except RunReadError as exc:
        return "", (str(exc),)


def _predictions(artifacts: Path | None) -> str | None:
    """A `predictions.csv|parquet` artifact is evaluated like a native run's predictions."""
    if artifacts is None:
        return None
    return next((str(artifacts / p) for p in PREDICTIONS if (artifacts / p).is_file()), None)


def _times(record: RunRecord) -> dict[str, object]:
    end = _parse.parse_time(record.end_time)
    start = _parse.parse_time(record.start_time)
    times: dict[str, object] = {}
    if end:
        times["end_time"] = end.isoformat()
    if end and start:
        times["duration_seconds"] = round((end - start).total_seconds(), 3)
    return times


def _word_tags(tags: dict[str, str]) -> tuple[str, ...]:
    """User tags with short one-line values become `key=value` words (or `key` when empty)."""
    words = set()
    for key, value in tags.items():
        if _is_word_tag(key, value):
            words.add(f"{key}={value}" if value else key)
    return tuple(sorted(words))


def _is_word_tag(key: str, value: str) -> bool:
    return not key.startswith("mlflow.") and len(value) <= SHORT_TAG and "\n" not in value


def _info_tags(tags: dict[str, str]) -> dict[str, str]:
    used = {RUN_NAME, NOTE, PARENT, GIT_COMMIT, USER}
    return {
        f"tag.{k}": v for k, v in sorted(tags.items()) if k not in used and not _is_word_tag(k, v)
    }


def histories(history: dict[str, list[Point]]) -> tuple[MetricSeries, ...]:
    """Metrics logged at two or more steps, every point ordered by step (then time).

    A metric logged once (or only at one step) is a final value, not a history. NaN points are
    kept, as MLflow's client returns them: charts draw them as gaps.
    """
    series = []
    for name in sorted(history):
        points = sorted(history[name], key=lambda p: (p[0], p[1]))
        if len({p[0] for p in points}) < 2:
            continue
        x = np.array([p[0] for p in points], dtype=float)
        y = np.array([p[2] for p in points], dtype=float)
        series.append(MetricSeries(name=name, x=x, y=y, x_name="step"))
    return tuple(series)
