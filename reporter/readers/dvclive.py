"""dvclive `Live` folders, read without dvclive.

    <live>/metrics.json              latest values, nested by the `/` in metric names
                                     (`{"train": {"loss": 0.2}, "step": 5}`)
    <live>/params.yaml               parameters, any nesting
    <live>/plots/metrics/**.tsv      one file per metric: `step` (older: `timestamp`) + value
    <live>/plots/sklearn/*.json      roc, precision_recall, confusion_matrix, calibration
                                     (ROC thresholds hold a bare `Infinity`, not strict JSON)
    <live>/plots/images/, others     listed as artifacts, never loaded
    dvc.yaml (in <live> or above)    optional

Which folders are dvclive's (the native layout also has a metrics.json, so this reader goes
first and must not take native runs):
1. it has `plots/metrics/` or `plots/sklearn/` (dvclive's own layout), or
2. it has `metrics.json` and a `dvc.yaml` in it or in its parent lists that metrics.json, or
3. it has `metrics.json` and `params.yaml`, no file only the native layout uses (run.yaml,
   config.*, history.*, predictions.*, card.md), and metrics.json has dvclive's shape: only
   numbers and mappings of numbers, no `slices`, `step` (if any) an integer.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries, Run
from reporter.readers import _parse, parent_experiment, run_errors

METRICS = "metrics.json"
PARAMS = "params.yaml"
DVC_YAML = "dvc.yaml"
PLOTS_METRICS = "plots/metrics"
PLOTS_SKLEARN = "plots/sklearn"
NATIVE_ONLY = (
    "run.yaml", "run.yml", "run.json", "config.yaml", "config.yml", "config.json",
    "history.csv", "history.jsonl", "predictions.csv", "predictions.parquet", "card.md",
)  # fmt: skip
X_COLUMNS = ("step", "timestamp")


class DvcliveReader:
    """One run per dvclive `Live` folder; see the module docstring for the matching rule."""

    name = "dvclive"
    priority = 20

    def matches(self, path: Path) -> bool:
        if (path / PLOTS_METRICS).is_dir() or (path / PLOTS_SKLEARN).is_dir():
            return True
        if not (path / METRICS).is_file():
            return False
        if _listed_in_dvc_yaml(path):
            return True
        if not (path / PARAMS).is_file() or any((path / n).exists() for n in NATIVE_ONLY):
            return False
        try:
            return _dvclive_shape(_parse.load_json(path / METRICS, METRICS))
        except RunReadError:
            return False

    def read(self, path: Path, *, run_id: str, root: Path) -> Run:
        with run_errors(run_id, folder=run_id):
            return _read(path, run_id=run_id, root=root)


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


def _dvclive_shape(data: Any) -> bool:
    if not isinstance(data, dict) or not data or "slices" in data:
        return False
    step = data.get("step")
    if step is not None and not (isinstance(step, int) and not isinstance(step, bool)):
        return False
    return all(_numbers_only(v) for k, v in data.items() if k != "step")


def _numbers_only(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_numbers_only(v) for v in value.values())
    return _parse.is_number(value)


def _read(path: Path, *, run_id: str, root: Path) -> Run:
    used = {METRICS, PARAMS, DVC_YAML}
    summary = _parse.load_mapping(path / METRICS, METRICS) if (path / METRICS).is_file() else {}
    params = _parse.load_mapping(path / PARAMS, PARAMS) if (path / PARAMS).is_file() else {}
    metrics, info = _split_summary(summary)
    histories, history_files = _histories(path)
    plots, plot_files = _sklearn_plots(path)
    used |= history_files | plot_files
    artifacts, unlisted = _parse.list_artifacts(path, used)
    name = path.name
    if name == "dvclive" and path.parent != root:
        name = path.parent.name  # dvclive's default folder name says nothing about the run
    return Run(
        id=run_id,
        name=name,
        experiment=parent_experiment(run_id),
        reader=DvcliveReader.name,
        path=str(path),
        params=_parse.flatten(params),
        config=params,
        metrics=metrics,
        info=dict(sorted({**info, **plots}.items())),
        histories=histories,
        artifacts=artifacts,
        problems=_parse.unlisted_problems(run_id, unlisted),
    )


def _split_summary(summary: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Numbers (at any depth, named with `/` as dvclive names them) are metrics."""
    metrics: dict[str, float] = {}
    info: dict[str, Any] = {}
    for key, value in _flatten_slash(summary).items():
        if key == "step":
            info["step"] = value
        elif _parse.is_number(value) and math.isfinite(value):
            metrics[key] = float(value)
        else:
            info[key] = value
    return dict(sorted(metrics.items())), info


def _flatten_slash(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten_slash(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _histories(path: Path) -> tuple[tuple[MetricSeries, ...], set[str]]:
    folder = path / PLOTS_METRICS
    if not folder.is_dir():
        return (), set()
    series = []
    used = set()
    for tsv in sorted(p for p in folder.rglob("*.tsv") if p.is_file() and not p.is_symlink()):
        rel = tsv.relative_to(path).as_posix()
        used.add(rel)
        one = _read_tsv(tsv, rel, tsv.relative_to(folder).with_suffix("").as_posix())
        if one is not None and len(set(one.x.tolist())) >= 2:  # one step: a value, not a history
            series.append(one)
    return tuple(sorted(series, key=lambda s: s.name)), used


def _read_tsv(path: Path, rel: str, name: str) -> MetricSeries | None:
    """`step<TAB>value` (older dvclive: `timestamp<TAB>step<TAB>value`)."""
    rows = list(csv.reader(_parse.read_text(path, rel).splitlines(), delimiter="\t"))
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    value_col = next((i for i, h in reversed(list(enumerate(header))) if h not in X_COLUMNS), None)
    if value_col is None:
        return None
    x_col = header.index("step") if "step" in header else None
    xs: list[float] = []
    ys: list[float] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            ys.append(float(row[value_col]))
            xs.append(float(row[x_col]) if x_col is not None else float(len(xs)))
        except (IndexError, ValueError):
            raise RunReadError(
                f"expected numbers in columns {', '.join(header)}", path=rel, line=number
            ) from None
    x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    return MetricSeries(
        name=name, x=x[keep], y=y[keep], x_name="step" if x_col is not None else "row"
    )


def _sklearn_plots(path: Path) -> tuple[dict[str, Any], set[str]]:
    """What each sklearn plot holds, for the page: point counts and the confusion matrix."""
    folder = path / PLOTS_SKLEARN
    if not folder.is_dir():
        return {}, set()
    info: dict[str, Any] = {}
    used = set()
    for plot in sorted(p for p in folder.glob("*.json") if p.is_file() and not p.is_symlink()):
        rel = plot.relative_to(path).as_posix()
        used.add(rel)
        data = load_lenient_json(plot, rel)
        info[f"plots.{plot.stem}"] = _describe_plot(plot.stem, data)
    return info, used


def load_lenient_json(path: Path, rel: str) -> Any:
    """JSON that may hold bare `Infinity`, `-Infinity` or `NaN` (Python's json writes them),
    with the size, depth and value limits of every file reporter reads."""
    return _parse.load_json(path, rel, lenient=True)


def _describe_plot(kind: str, data: Any) -> Any:
    points = data.get(kind) if isinstance(data, dict) else data
    if kind == "confusion_matrix" and isinstance(points, list):
        counts: dict[str, dict[str, int]] = {}
        for row in points:
            if isinstance(row, dict) and "actual" in row and "predicted" in row:
                cell = counts.setdefault(f"actual {row['actual']}", {})
                key = f"predicted {row['predicted']}"
                cell[key] = cell.get(key, 0) + 1
        return {a: dict(sorted(p.items())) for a, p in sorted(counts.items())}
    if isinstance(points, list):
        return f"{len(points)} points"
    return _parse.type_name(data)
