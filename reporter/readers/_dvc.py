"""What a DVC project says about the dvclive run in it: `params.yaml` at the project root, and
the params, metrics and plots its `dvc.yaml` declares (top-level, or outputs of its stages).

    <project>/dvc.yaml       params: [...]   metrics: [...]   plots: [path or {path: {x, y,
                             template, title, x_label, y_label}}]   stages: {<name>: {params,
                             metrics, plots, ...}}
    <project>/params.yaml    the parameters DVC tracks (dvclive never copies them)

A declared file counts for a run when it is inside the run's Live folder, or inside the project
but in no other Live folder; only regular files inside the runs root are read. Plot files
(JSON, YAML, CSV, TSV: rows of fields) become `Plot`s: the dvclive sklearn plots are known by
name (`roc`, `precision_recall`, `det`, `calibration`, `confusion_matrix`), others take the
`x`, `y` and `template` their declaration gives.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import RunReadError
from reporter.model import Plot
from reporter.readers import _parse

DVC_YAML = "dvc.yaml"
PARAMS = "params.yaml"
PLOT_SUFFIXES = (".json", ".yaml", ".yml", ".csv", ".tsv")
# name: (x field, y field, title, x label, y label)
KNOWN_PLOTS = {
    "roc": ("fpr", "tpr", "ROC curve", "False positive rate", "True positive rate"),
    "precision_recall": ("recall", "precision", "Precision-recall curve", "Recall", "Precision"),
    "det": ("fpr", "fnr", "DET curve", "False positive rate", "False negative rate"),
    "calibration": (
        "prob_pred", "prob_true", "Calibration", "Mean predicted probability", "Fraction of positives"
    ),
}  # fmt: skip
CONFUSION_TEMPLATES = ("confusion", "confusion_normalized")
SCATTER_TEMPLATES = ("scatter", "scatter_jitter")


def declared(project: Path, rel: str) -> dict[str, dict[str, dict[str, Any]]]:
    """{"params"|"metrics"|"plots": {path relative to the project: its properties}} from the
    project's dvc.yaml; {} when it has none. A dvc.yaml that cannot be parsed raises."""
    path = project / DVC_YAML
    if not _parse.is_regular(path):
        return {}
    data = _parse.load_yaml(path, rel)
    found: dict[str, dict[str, dict[str, Any]]] = {"params": {}, "metrics": {}, "plots": {}}
    if not isinstance(data, dict):
        return found
    sections = [data]
    stages = data.get("stages")
    if isinstance(stages, dict):
        sections += [s for s in stages.values() if isinstance(s, dict)]
    for section in sections:
        for kind, names in found.items():
            items = section.get(kind)
            for entry in items if isinstance(items, list) else ():
                for name, props in _entries(entry, kind):
                    names.setdefault(name, props)
    return found


def _entries(entry: Any, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """A list item of `params`/`metrics`/`plots`: a path, or {path: properties}. A stage's
    `params` item that is a bare key (not a file) names a key of params.yaml."""
    if isinstance(entry, str):
        if kind == "params" and not Path(entry).suffix:
            return [(PARAMS, {})]
        entry = {entry: {}}
    if not isinstance(entry, dict):
        return []
    found = []
    for name, props in entry.items():
        cleaned = os.path.normpath(name) if isinstance(name, str) and name.strip() else ""
        if cleaned and not os.path.isabs(cleaned) and not cleaned.startswith(".."):
            found.append((cleaned, props if isinstance(props, dict) else {}))
    return found


def owned_file(path: Path, project: Path, live: Path, root: Path, is_live: Callable) -> Path | None:
    """The declared file `path` if it belongs to the run of Live folder `live` (see the module
    docstring) and is a regular file inside the runs root; else None."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not _parse.is_regular(path):
        return None
    if path.is_relative_to(live):
        return path
    folder = path.parent
    while folder != project and folder.is_relative_to(project):
        if is_live(folder):
            return None  # another run's file
        folder = folder.parent
    return path


def read_plot(path: Path, rel: str, props: dict[str, Any]) -> list[Plot]:
    """The plots a file holds (one per `y` field it declares)."""
    name = path.stem
    rows = _rows(path, rel, name)
    template = str(props.get("template") or "")
    if template in CONFUSION_TEMPLATES or name.startswith("confusion_matrix"):
        x = str(props.get("x") or "actual")
        y = str(props.get("y") or "predicted")
        return [_confusion(name, rows, x, y, props)]
    known = KNOWN_PLOTS.get(name, ("", "", "", "", ""))
    x = str(props.get("x") or known[0])
    ys = props.get("y") or known[1]
    if not x or not ys:
        raise RunReadError("a plot without 'x' and 'y' fields (declare them in dvc.yaml)", path=rel)
    fields = [str(y) for y in ys] if isinstance(ys, list) else [str(ys)]
    kind = "scatter" if template in SCATTER_TEMPLATES else "line"
    plots = []
    for field in fields:
        xs, values = _column(rows, x), _column(rows, field)
        keep = np.isfinite(xs) & np.isfinite(values)
        plots.append(
            Plot(
                name=name if len(fields) == 1 else f"{name}:{field}",
                kind=kind,
                title=str(props.get("title") or known[2] or name),
                x_label=str(props.get("x_label") or known[3] or x),
                y_label=str(props.get("y_label") or known[4] or field),
                x=xs[keep],
                y=values[keep],
            )
        )
    return plots


def _rows(path: Path, rel: str, name: str) -> list[dict[str, Any]]:
    """A plot file's rows: a list of records, or a mapping holding one (`{"roc": [...]}`)."""
    if path.suffix in (".csv", ".tsv"):
        text = _parse.read_text(path, rel)
        return list(
            csv.DictReader(text.splitlines(), delimiter="\t" if path.suffix == ".tsv" else ",")
        )
    data = (
        _parse.load_json(path, rel, lenient=True)
        if path.suffix == ".json"
        else _parse.load_yaml(path, rel)
    )
    if isinstance(data, dict):
        data = data.get(name, next((v for v in data.values() if isinstance(v, list)), None))
    if not isinstance(data, list):
        raise RunReadError(f"expected rows of a plot, got {_parse.type_name(data)}", path=rel)
    return [row for row in data if isinstance(row, dict)]


def _column(rows: list[dict[str, Any]], field: str) -> np.ndarray:
    values = [_parse.as_metric(row.get(field)) for row in rows]
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _confusion(name: str, rows: list[dict[str, Any]], x: str, y: str, props: dict) -> Plot:
    """Counts of (actual, predicted) rows: dvclive writes one row per prediction."""
    pairs = [(str(r.get(x)), str(r.get(y))) for r in rows if x in r and y in r]
    labels = tuple(sorted({v for pair in pairs for v in pair}, key=_label_order))
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for actual, predicted in pairs:
        counts[index[actual]][index[predicted]] += 1
    return Plot(
        name=name,
        kind="confusion",
        title=str(props.get("title") or "Confusion matrix"),
        x_label=str(props.get("x_label") or "Actual"),
        y_label=str(props.get("y_label") or "Predicted"),
        labels=labels,
        counts=tuple(tuple(row) for row in counts),
    )


def _label_order(label: str) -> tuple[int, float, str]:
    number = _parse.as_metric(label)
    return (0, number, label) if number is not None else (1, 0.0, label)
