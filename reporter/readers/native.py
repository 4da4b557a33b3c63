"""The native run layout: the contract with teams that log without a tracker.

    <run>/metrics.json            scalar metrics; optional "slices": {name: {metric: value}}
    <run>/config.yaml|yml|json    hyperparameters, any nesting (or params.yaml)
    <run>/history.csv|jsonl       per-step metrics: step (or epoch, time) plus one column each
    <run>/predictions.csv|parquet y_true, y_score, optional slice columns, weight, id
    <run>/run.yaml|yml|json       metadata: name, experiment, created, author, git commit, tags,
                                  notes, status, threshold, baseline
    <run>/card.md                 model-card prose
    anything else                 listed as an artifact with size and sha256, never loaded

Real files are untidy: numbers in metrics.json are metrics (so are numbers written as text,
"0.93"; booleans are not), everything else is kept as information for the page, never an error.
NaN and infinities are kept as logged (shown as such, never ranked). A file that cannot be parsed,
holds the wrong kind of data, or is a symbolic link out of the run folder makes the run
unreadable: it is skipped with a warning naming the file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reporter.errors import RunReadError
from reporter.files import special_kind
from reporter.model import Run
from reporter.readers import Listing, Parts, _parse, parent_experiment, run_errors
from reporter.readers._history import read_history

METRICS = "metrics.json"
CONFIGS = ("config.yaml", "config.yml", "config.json", "params.yaml", "params.yml")
HISTORIES = ("history.csv", "history.jsonl")
PREDICTIONS = ("predictions.csv", "predictions.parquet")
METADATA = ("run.yaml", "run.yml", "run.json")
CARD = "card.md"
MARKERS = (METRICS, *PREDICTIONS, *METADATA)

# Keys some scripts write into metrics.json that are metadata, not metrics.
_NAME_KEYS = ("run_name", "name")
_TIME_KEYS = ("created_at", "created", "timestamp", "start_time")


class NativeReader:
    """Reads the native layout (see the module docstring)."""

    name = "native"
    priority = 0
    looks_for = "a folder with metrics.json, predictions.csv|parquet or run.yaml|yml|json"

    def matches(self, path: Path) -> bool:
        return any((path / marker).is_file() for marker in MARKERS)

    def may_match(self, path: Path, listing: Listing) -> bool:
        return not listing.files.isdisjoint(MARKERS)

    def read(self, path: Path, *, run_id: str, root: Path) -> Run:
        with run_errors(run_id, folder=run_id):
            return _read(path, run_id=run_id)


def _first(path: Path, names: tuple[str, ...]) -> Path | None:
    """The first of `names` present in the run folder (and inside it, links resolved). One of
    them that is a FIFO, socket or device, with none regular, is a problem naming it (a
    history written to a pipe would otherwise vanish from the page without a word)."""
    found = next((path / n for n in names if (path / n).is_file()), None)
    if found is not None:
        return _parse.own_file(found, path, found.name)
    for name in names:
        kind = special_kind(path / name)
        if kind:
            raise RunReadError(f"not a regular file ({kind}); not read", path=name)
    return None


def _read(path: Path, *, run_id: str) -> Run:
    parts = Parts(run_id, folder=run_id)
    metrics, slices, info = parts.read(lambda: _read_metrics(path), ({}, {}, {}))
    meta = parts.read(lambda: _read_metadata(path, parts), {})
    config_file = parts.read(lambda: _first(path, CONFIGS), None)
    config = parts.read(lambda: _mapping(config_file), {})
    history_file = parts.read(lambda: _first(path, HISTORIES), None)
    histories = parts.read(lambda: _history(history_file), None)
    predictions = parts.read(lambda: _first(path, PREDICTIONS), None)
    card_file = parts.read(lambda: _first(path, (CARD,)), None)
    card = parts.read(lambda: _parse.read_text(card_file, CARD) if card_file else None, "")
    problems = parts.check()
    used = {p.name for p in (config_file, history_file, predictions) if p is not None}
    used |= {n for n in (METRICS, CARD, *METADATA) if _parse.is_regular(path / n)}
    artifacts, unlisted = _parse.list_artifacts(path, used)
    return Run(
        id=run_id,
        name=str(meta.pop("name", None) or _text_of(info, _NAME_KEYS) or path.name),
        experiment=str(meta.pop("experiment", None) or parent_experiment(run_id)),
        reader=NativeReader.name,
        path=str(path),
        created=_parse.parse_time(meta.pop("created", None) or _time_of(info)),
        status=str(meta.pop("status", "") or ""),
        author=str(meta.pop("author", "") or ""),
        git_commit=str(meta.pop("git_commit", "") or ""),
        tags=meta.pop("tags", ()),
        notes=str(meta.pop("notes", "") or ""),
        baseline=bool(meta.pop("baseline", False)),
        threshold=meta.pop("threshold", None),
        params=_parse.flatten(config),
        config=config,
        metrics=metrics,
        slices=slices,
        info={**info, **{f"run.{k}": v for k, v in sorted(meta.items())}},
        histories=histories or (),
        artifacts=artifacts,
        card=card,
        predictions=str(predictions) if predictions else None,
        history_file=str(history_file) if histories is not None else None,
        problems=problems + _parse.unlisted_problems(run_id, unlisted),
    )


def _mapping(config_file: Path | None) -> dict[str, Any] | None:
    return _parse.load_mapping(config_file, config_file.name) if config_file else None


def _history(history_file: Path | None) -> tuple | None:
    return read_history(history_file, history_file.name) if history_file else None  # None: absent


def _text_of(info: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((str(info[k]) for k in keys if isinstance(info.get(k), str) and info[k]), None)


def _time_of(info: dict[str, Any]) -> Any:
    return next((info[k] for k in _TIME_KEYS if info.get(k) not in (None, "", False)), None)


def _read_metrics(path: Path) -> tuple[dict[str, float], dict[str, dict[str, float]], dict] | None:
    """Numbers are metrics; `slices` are per-slice metrics; everything else is information."""
    metrics_file = _first(path, (METRICS,))
    if metrics_file is None:
        return None
    data = _parse.load_mapping(metrics_file, METRICS)
    metrics: dict[str, float] = {}
    info: dict[str, Any] = {}
    slices: dict[str, dict[str, float]] = {}
    for key, value in data.items():
        number = None if key in (*_NAME_KEYS, *_TIME_KEYS) else _parse.as_metric(value)
        if key == "slices" and isinstance(value, dict):
            slices = _read_slices(value)
        elif number is not None:
            metrics[key] = number
        else:
            info[key] = value
    return dict(sorted(metrics.items())), slices, dict(sorted(info.items()))


def _read_slices(value: dict[str, Any]) -> dict[str, dict[str, float]]:
    slices = {}
    for name, entry in value.items():
        if isinstance(entry, dict):
            found = {str(k): _parse.as_metric(v) for k, v in entry.items()}
            numbers = {k: v for k, v in found.items() if v is not None}
            if numbers:
                slices[str(name)] = dict(sorted(numbers.items()))
    return dict(sorted(slices.items()))


_META_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str, int, float),
    "experiment": (str, int),
    "author": (str,),
    "git_commit": (str,),
    "notes": (str,),
    "status": (str,),
    "baseline": (bool,),
    "threshold": (int, float),
}


def _read_metadata(path: Path, parts: Parts) -> dict[str, Any] | None:
    """run.yaml|json, validated: keys of the wrong type are left out and named, all at once;
    the others are used."""
    meta_file = _first(path, METADATA)
    if meta_file is None:
        return None
    meta = _parse.load_mapping(meta_file, meta_file.name)
    if "commit" in meta and "git_commit" not in meta:
        meta["git_commit"] = meta.pop("commit")
    wrong = {
        key: f"'{key}' must be {' or '.join(dict.fromkeys(_type_word(t) for t in types))}, "
        f"got {_parse.type_name(meta[key])}"
        for key, types in _META_TYPES.items()
        if meta.get(key) is not None
        and (
            not isinstance(meta[key], types) or (bool not in types and isinstance(meta[key], bool))
        )
    }
    problems = list(wrong.values())
    tags = meta.get("tags")
    if isinstance(tags, str):
        meta["tags"] = tuple(t.strip() for t in tags.split(",") if t.strip())
    elif isinstance(tags, list) and all(isinstance(t, str | int | float) for t in tags):
        meta["tags"] = tuple(sorted({str(t) for t in tags}))
    elif tags is not None:
        problems.append(f"'tags' must be a list of words, got {_parse.type_name(tags)}")
        wrong["tags"] = ""
    threshold = meta.get("threshold")
    if _parse.is_number(threshold) and not math.isfinite(threshold):
        problems.append("'threshold' must be a finite number")
        wrong["threshold"] = ""
    created = meta.get("created")
    if created is not None and _parse.parse_time(created) is None:
        problems.append(
            "'created' must be a date and time such as 2026-10-05T14:00:00Z (or epoch "
            f"seconds), got {_parse.type_name(created)} {_shown(created)}"
        )
        wrong["created"] = ""
    if problems:
        parts.note(RunReadError("; ".join(problems) + "; left out", path=meta_file.name))
    return {k: v for k, v in meta.items() if k not in wrong}


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _type_word(kind: type) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true or false"}[kind]
