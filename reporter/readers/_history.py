"""Metric histories: `history.csv` or `history.jsonl`, one row per step.

Histories are the one run file that grows large, so reading is bounded: a file over the size
limit (100 MB by default, `REPORTER_HISTORY_MAX_MB` to change it) is not read, and at most
`MAX_SERIES` metric columns are kept.
"""

from __future__ import annotations

import io
import json
import math
import os
from array import array
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import RunReadError
from reporter.model import MetricSeries
from reporter.readers import _parse
from reporter.text import size_text

X_AXES = ("step", "epoch", "iteration", "iter", "time", "timestamp")
DEFAULT_MAX_MB = 100
MAX_SERIES = 1000
LIMIT_ENV = "REPORTER_HISTORY_MAX_MB"


def max_bytes() -> int:
    """The history size limit: `REPORTER_HISTORY_MAX_MB` megabytes, else 100 MB."""
    raw = os.environ.get(LIMIT_ENV, "").strip()
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * (1 << 20)) if megabytes > 0 else int(DEFAULT_MAX_MB * (1 << 20))


def read_history(path: Path, rel: str) -> tuple[MetricSeries, ...]:
    """One `MetricSeries` per numeric column; the x axis is the first of `X_AXES` present."""
    data = _read_bounded(path, rel)
    read = _read_jsonl if path.suffix == ".jsonl" else _read_csv
    length, columns = read(data, rel)
    x_name = next((c for c in X_AXES if c in columns), None)
    x = np.arange(length, dtype=float)
    if x_name:
        where, values = columns.pop(x_name)
        x = np.full(length, np.nan)
        x[where] = values
    series = []
    for name in sorted(columns):
        where, y = columns[name]
        xs = x[where]  # a view when every row has the metric: series then share one x array
        keep = np.isfinite(xs) & np.isfinite(y)
        # float32 values: charts show six digits, and 10,000 runs' histories must fit in memory
        if keep.all():
            series.append(
                MetricSeries(name=name, x=xs, y=y.astype(np.float32), x_name=x_name or "row")
            )
        elif keep.any():
            series.append(
                MetricSeries(
                    name=name, x=xs[keep], y=y[keep].astype(np.float32), x_name=x_name or "row"
                )
            )
    return tuple(series)


def _read_bounded(path: Path, rel: str) -> bytes:
    limit = max_bytes()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RunReadError(f"cannot open the file: {exc.strerror or exc}", path=rel) from exc
    if size > limit:
        raise RunReadError(
            f"the history is {size_text(size)}, over the {size_text(limit)} "
            f"limit; not read (set {LIMIT_ENV} to raise the limit, or log fewer steps)",
            path=rel,
        )
    data = _parse.read_bytes(path, rel, limit)  # bounded even if the file grows meanwhile
    if not data.strip():
        raise RunReadError("the file is empty (still being written?)", path=rel)
    return data


# (rows in the file, {column: (row numbers where it has a value, those values)})
Columns = tuple[int, dict[str, tuple[np.ndarray | slice, np.ndarray]]]


def _read_csv(data: bytes, rel: str) -> Columns:
    import pandas as pd

    text = _parse.decode(data, rel)
    try:
        frame = pd.read_csv(io.StringIO(text))
    except pd.errors.EmptyDataError as exc:
        raise RunReadError("the file is empty (still being written?)", path=rel) from exc
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        raise RunReadError(f"invalid CSV: {_first_line(exc)}", path=rel) from exc
    if len(frame.columns) > MAX_SERIES + 1:
        raise RunReadError(
            f"{len(frame.columns):,} columns, more than the {MAX_SERIES:,} a history may have",
            path=rel,
        )
    numeric = {}
    rows = slice(None)  # every row: indexing with it gives views, not copies
    for column, cells in frame.items():
        if not str(column).strip():
            continue
        if cells.dtype.kind in "fiu":  # parsed as numbers already: pandas' checks cost more
            values = cells.to_numpy(dtype=float)
        else:
            values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
        if not np.isnan(values).all():
            numeric[str(column).strip()] = (rows, values)
    return len(frame), numeric


def _read_jsonl(data: bytes, rel: str) -> Columns:
    """Columns from JSON lines, built from the values present (rows may log different keys)."""
    text = _parse.decode(data, rel)
    rows = 0
    cells: dict[str, tuple[array[int], array[float]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = _json_line(line, rel, number)
        for key, value in row.items():
            metric = _parse.as_metric(value)
            if metric is None:
                continue
            if not str(key).strip():
                continue
            where, values = cells.setdefault(str(key).strip(), (array("q"), array("d")))
            where.append(rows)
            values.append(metric if not math.isinf(metric) else math.nan)
        if len(cells) > MAX_SERIES + 1:
            raise RunReadError(
                f"more than {MAX_SERIES:,} metric names; a history may have at most that many",
                path=rel,
                line=number,
            )
        rows += 1
    return rows, {
        name: (np.frombuffer(where, dtype=np.int64), np.frombuffer(values, dtype=float))
        for name, (where, values) in cells.items()
    }


def _json_line(line: str, rel: str, number: int) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except RecursionError as exc:
        raise RunReadError("nested too deeply", path=rel, line=number) from exc
    except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise RunReadError(f"invalid JSON line: {reason}", path=rel, line=number) from exc
    if not isinstance(row, dict):
        raise RunReadError(
            f"expected an object per line, got {_parse.type_name(row)}", path=rel, line=number
        )
    return row


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
