"""Metric histories: `history.csv` or `history.jsonl`, one row per step."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries
from reporter.readers import _parse

X_AXES = ("step", "epoch", "iteration", "iter", "time", "timestamp")


def read_history(path: Path, rel: str) -> tuple[MetricSeries, ...]:
    """One `MetricSeries` per numeric column; the x axis is the first of `X_AXES` present."""
    columns = _read_jsonl(path, rel) if path.suffix == ".jsonl" else _read_csv(path, rel)
    x_name = next((c for c in X_AXES if c in columns), None)
    length = max((len(v) for v in columns.values()), default=0)
    x = columns.pop(x_name) if x_name else np.arange(length, dtype=float)
    series = []
    for name in sorted(columns):
        y = columns[name]
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.any():
            series.append(MetricSeries(name=name, x=x[keep], y=y[keep], x_name=x_name or "row"))
    return tuple(series)


def _read_csv(path: Path, rel: str) -> dict[str, np.ndarray]:
    import pandas as pd

    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise RunReadError("the file is empty (still being written?)", path=rel) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise RunReadError(f"invalid CSV: {_first_line(exc)}", path=rel) from exc
    numeric = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.notna().any():
            numeric[str(column).strip()] = values.to_numpy(dtype=float)
    return numeric


def _read_jsonl(path: Path, rel: str) -> dict[str, np.ndarray]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(_parse.read_text(path, rel).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RunReadError(f"invalid JSON line: {exc.msg}", path=rel, line=number) from exc
        if not isinstance(row, dict):
            raise RunReadError(
                f"expected an object per line, got {_parse.type_name(row)}", path=rel, line=number
            )
        rows.append(row)
    names = sorted({k for row in rows for k, v in row.items() if _parse.is_number(v)})
    return {name: np.array([_number(row.get(name)) for row in rows], dtype=float) for name in names}


def _number(value: Any) -> float:
    return float(value) if _parse.is_number(value) and not math.isinf(value) else math.nan


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
