"""The files of one dvclive run, every dvclive version (see `reporter.readers.dvclive`), read
part by part: a part that cannot be read is a problem of the run, not the end of it."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries, Plot
from reporter.readers import Parts, _dvc, _parse

METRICS = "metrics.json"
PARAMS = "params.yaml"
HISTORY_FOLDERS = ("plots/metrics", "scalars")  # dvclive 1.x and later; 0.5 - 0.12
PLOT_FOLDERS = ("plots/sklearn", "plots/custom", "plots")  # 0.12 writes plots/*.json
X_COLUMNS = ("step", "timestamp")
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "infinity": math.inf}


@dataclass(kw_only=True, slots=True)
class Live:
    """What a Live folder (and its project) gave."""

    metrics: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    histories: tuple[MetricSeries, ...] = ()
    plots: tuple[Plot, ...] = ()
    created: datetime | None = None
    used: set[str] = field(default_factory=set)  # files of the Live folder read (not artifacts)
    problems: tuple[str, ...] = ()


def dvclive_shape(data: Any) -> bool:
    """dvclive's summary: numbers (or "nan") and mappings of them, `step` an integer."""
    if not isinstance(data, dict) or not data or "slices" in data:
        return False
    step = data.get("step")
    if step is not None and not (isinstance(step, int) and not isinstance(step, bool)):
        return False
    return all(_numbers_only(v) for k, v in data.items() if k != "step")


def _numbers_only(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_numbers_only(v) for v in value.values())
    return _metric(value) is not None


def _metric(value: Any) -> float | None:
    """A number, or the text dvclive writes for a non-finite one ("nan")."""
    if isinstance(value, str) and value.strip().lower() in NON_FINITE:
        return NON_FINITE[value.strip().lower()]
    return float(value) if _parse.is_number(value) else None


def read_live(
    path: Path,
    *,
    run_id: str,
    root: Path,
    summary_0x: Path | None,
    project: Path | None,
    is_live: Callable[[Path], bool],
) -> Live:
    """Every part of the run; paths in problems are relative to the runs root."""
    parts = Parts(run_id)
    where: _Where = partial(_under, root)
    live = Live(used={METRICS, PARAMS, _dvc.DVC_YAML})
    summary_file = path / METRICS if (path / METRICS).is_file() else summary_0x
    summary: Any = {}
    if summary_file is not None:
        summary = parts.read(partial(_parse.load_json, summary_file, where(summary_file)), {})
    live.metrics, live.info = split_summary(summary if isinstance(summary, dict) else {})
    if (path / PARAMS).is_file():
        live.params = parts.read(
            partial(_parse.load_mapping, path / PARAMS, where(path / PARAMS)), {}
        )
    histories, times = _histories(path, where, live.used, parts)
    live.histories = histories
    live.created = _parse.parse_time(min(times)) if times else None
    if summary_file is None and histories:  # no summary (a 0.x Live folder as the runs root)
        live.metrics = {s.name: float(s.y[-1]) for s in histories}
    declared = _declarations(path, project, where, parts)
    live.plots = _plots(path, declared, where, live.used, parts)
    if project is not None:
        _project_files(live, path, project, root, declared, is_live, parts)
    live.problems = parts.check()
    return live


def _under(root: Path, path: Path) -> str:
    """A file's path as problems name it: relative to the runs root."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


_Where = Callable[[Path], str]


def split_summary(summary: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """Numbers (at any depth, named with `/` as dvclive names them) are metrics, NaN included."""
    metrics: dict[str, float] = {}
    info: dict[str, Any] = {}
    for key, value in _flatten_slash(summary).items():
        number = _metric(value)
        if key == "step":
            info["step"] = value
        elif number is not None:
            metrics[key] = number
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


def _history_files(path: Path) -> list[tuple[Path, Path]]:
    """(TSV file, the folder its metric name is relative to), every dvclive version."""
    for sub in HISTORY_FOLDERS:
        folder = path / sub
        if folder.is_dir():
            return [(tsv, folder) for tsv in sorted(folder.rglob("*.tsv"))]
    # dvclive 0.4: TSVs anywhere in the Live folder but its plots
    return [
        (tsv, path)
        for tsv in sorted(path.rglob("*.tsv"))
        if not tsv.relative_to(path).as_posix().startswith("plots/")
    ]


def _histories(
    path: Path, where: _Where, used: set[str], parts: Parts
) -> tuple[tuple[MetricSeries, ...], list[int]]:
    series, times = [], []
    for tsv, base in _history_files(path):
        if not tsv.is_file() or tsv.is_symlink():
            continue
        used.add(tsv.relative_to(path).as_posix())
        name = tsv.relative_to(base).with_suffix("").as_posix()
        read = parts.read(partial(read_tsv, tsv, where(tsv), name), None)
        if read is None:
            continue
        one, stamps = read
        times += stamps
        if len(set(one.x.tolist())) >= 2:  # one step: a value, not a history
            series.append(one)
    return tuple(sorted(series, key=lambda s: s.name)), times


def read_tsv(path: Path, rel: str, name: str) -> tuple[MetricSeries, list[int]]:
    """`step<TAB>value` (older dvclive: `timestamp<TAB>step<TAB>value`); NaN values are kept
    (a diverged run's last loss), and the timestamps are returned."""
    rows = list(csv.reader(_parse.read_text(path, rel).splitlines(), delimiter="\t"))
    header = [h.strip() for h in rows[0]] if rows else []
    value_col = next((i for i, h in reversed(list(enumerate(header))) if h not in X_COLUMNS), None)
    if value_col is None:
        raise RunReadError("expected a header naming a value column", path=rel)
    x_col = header.index("step") if "step" in header else None
    t_col = header.index("timestamp") if "timestamp" in header else None
    xs: list[float] = []
    ys: list[float] = []
    stamps: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            ys.append(float(row[value_col]))
            xs.append(float(row[x_col]) if x_col is not None else float(len(xs)))
            if t_col is not None:
                stamps.append(int(float(row[t_col])))
        except (IndexError, ValueError, OverflowError):
            raise RunReadError(
                f"expected numbers in columns {', '.join(header)}", path=rel, line=number
            ) from None
    x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    keep = np.isfinite(x)
    series = MetricSeries(
        name=name, x=x[keep], y=y[keep], x_name="step" if x_col is not None else "row"
    )
    return series, stamps


def _declarations(
    path: Path, project: Path | None, where: _Where, parts: Parts
) -> dict[str, dict[Path, dict]]:
    """{kind: {path: properties}} from the Live folder's and the project's dvc.yaml."""
    found: dict[str, dict[Path, dict]] = {"params": {}, "metrics": {}, "plots": {}}
    for folder in [path] + ([project] if project is not None else []):
        rel = where(folder / _dvc.DVC_YAML)
        declared = parts.read(partial(_dvc.declared, folder, rel), {})
        for kind, names in declared.items():
            for name, props in names.items():
                found[kind].setdefault(folder / name, props)
    return found


def _plots(
    path: Path, declared: dict[str, dict[Path, dict]], where: _Where, used: set[str], parts: Parts
) -> tuple[Plot, ...]:
    """The Live folder's plot files (sklearn, custom; 0.12's plots/*.json)."""
    plots: list[Plot] = []
    for sub in PLOT_FOLDERS:
        folder = path / sub
        if not folder.is_dir():
            continue
        for file in sorted(p for p in folder.glob("*.json") if p.is_file() and not p.is_symlink()):
            rel = file.relative_to(path).as_posix()
            if rel in used:
                continue
            used.add(rel)
            props = declared["plots"].get(file, {})
            plots += parts.read(partial(_dvc.read_plot, file, where(file), props), [])
    return tuple(plots)


def _project_files(
    live: Live,
    path: Path,
    project: Path,
    root: Path,
    declared: dict[str, dict[Path, dict]],
    is_live: Callable[[Path], bool],
    parts: Parts,
) -> None:
    """The project's params.yaml, and the params, metrics and plots its dvc.yaml declares
    outside the Live folder (the Live folder's own values win a clash)."""
    where: _Where = partial(_under, root)
    params_files = {project / PARAMS: {}, **declared["params"]}
    params: dict[str, Any] = {}
    for file in _outside(params_files, path, project, root, is_live):
        params = _merged(params, parts.read(partial(_parse.load_mapping, file, where(file)), {}))
    for file in _outside(declared["metrics"], path, project, root, is_live):
        data = parts.read(partial(_parse.load_mapping, file, where(file)), {})
        for key, value in split_summary(data)[0].items():
            live.metrics.setdefault(key, value)
    for file in _outside(declared["plots"], path, project, root, is_live):
        if file.suffix in _dvc.PLOT_SUFFIXES:
            props = declared["plots"][file]
            live.plots += tuple(parts.read(partial(_dvc.read_plot, file, where(file), props), []))
    live.params = _merged(params, live.params)
    live.metrics = dict(sorted(live.metrics.items()))


def _outside(
    files: dict[Path, dict], live: Path, project: Path, root: Path, is_live: Callable[[Path], bool]
) -> list[Path]:
    """The declared files of this run that are not in its Live folder."""
    found = []
    for file in files:
        owned = _dvc.owned_file(file, project, live, root, is_live)
        if owned is not None and not owned.is_relative_to(live):
            found.append(owned)
    return found


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` with `over` on top, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged
