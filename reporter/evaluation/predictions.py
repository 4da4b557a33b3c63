"""Read a run's `predictions.csv|parquet` into validated arrays for the evaluation stage.

This is the I/O edge of evaluation: every check a user can fail (missing columns, labels that are
not binary, NaN scores, bad weights, oversized files) happens here and raises `PredictionsError`
naming the file, so `reporter.evaluate` can stay a pure function of clean arrays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reporter.config import EvalSettings
from reporter.errors import PredictionsError
from reporter.text import size_text

GIB = 1 << 30
MISSING_SLICE_LABEL = "(missing)"
_PREVIEW = 5


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Predictions:
    """One run's scored evaluation set, as clean arrays of equal length.

    `slices` maps a column name to one string label per row. `label_hash` fingerprints the
    labels so later stages can tell whether two runs were scored on the same data.
    """

    y_true: np.ndarray
    y_score: np.ndarray
    weight: np.ndarray | None
    slices: dict[str, np.ndarray]
    n_rows: int
    label_hash: str

    @classmethod
    def from_arrays(
        cls,
        y_true: Any,
        y_score: Any,
        *,
        weight: Any = None,
        slices: dict[str, Any] | None = None,
    ) -> Predictions:
        """Build from array-likes, coercing dtypes and deriving `n_rows` and `label_hash`.

        Readers other than the native one (and tests) use this so the invariants live in one place.
        """
        labels = np.asarray(y_true, dtype=bool)
        scores = np.asarray(y_score, dtype=np.float64)
        weights = None if weight is None else np.asarray(weight, dtype=np.float64)
        named = {name: np.asarray(values).astype(str) for name, values in (slices or {}).items()}
        lengths = {len(labels), len(scores)} | {len(v) for v in named.values()}
        lengths |= set() if weights is None else {len(weights)}
        if len(lengths) != 1:
            raise ValueError(f"arrays of different lengths: {sorted(lengths)}")
        return cls(
            y_true=labels,
            y_score=scores,
            weight=weights,
            slices=named,
            n_rows=len(labels),
            label_hash=label_hash(labels),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class PredictionColumns:
    """Which columns of a predictions file mean what.

    `slices=None` detects slice columns: every string, categorical or boolean column other than
    the named ones with 2 to `max_slice_cardinality` distinct values. `positive_label=None`
    accepts only 0/1, False/True or "0"/"1" labels; otherwise the file holds (at most) two
    distinct labels and this one is the positive class.
    """

    y_true: str
    y_score: str
    weight: str | None
    id: str | None
    slices: tuple[str, ...] | None
    positive_label: str | int | None
    max_slice_cardinality: int = 20

    @classmethod
    def from_settings(cls, ev: EvalSettings) -> PredictionColumns:
        """The columns the evaluation settings name (see `reporter.config.schema`)."""
        return cls(
            y_true=ev.y_true,
            y_score=ev.y_score,
            weight=ev.weight,
            id=ev.id_column,
            slices=ev.slice_columns,
            positive_label=ev.positive_label,
        )

    def named(self) -> frozenset[str]:
        """The columns with a fixed meaning, never taken as slices."""
        return frozenset(c for c in (self.y_true, self.y_score, self.weight, self.id) if c)


def label_hash(y_true: np.ndarray) -> str:
    """sha256 of the boolean label vector: equal hashes mean the same labels in the same order."""
    return hashlib.sha256(np.ascontiguousarray(y_true, dtype=bool).tobytes()).hexdigest()


def read_predictions(
    path: Path,
    columns: PredictionColumns,
    *,
    run_id: str = "",
    rel_path: str = "",
    max_bytes: int = GIB,
) -> Predictions:
    """Read and validate a predictions file; raise `PredictionsError` naming it on any problem."""
    where = _Where(run_id=run_id, path=rel_path or path.name)
    frame = _read_frame(path, where, max_bytes)
    if frame.empty:
        raise where.error("the file has a header but no rows")
    _require_columns(frame, (columns.y_true, columns.y_score), where)
    weight = _weights(frame, columns.weight, where)
    return Predictions.from_arrays(
        _labels(frame[columns.y_true], columns, where),
        _scores(frame[columns.y_score], columns.y_score, where),
        weight=weight,
        slices=_slices(frame, columns, where),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Where:
    """The file being read, so every error names it the same way."""

    run_id: str
    path: str

    def error(self, reason: str) -> PredictionsError:
        return PredictionsError(reason, run_id=self.run_id, path=self.path)


def _read_frame(path: Path, where: _Where, max_bytes: int) -> pd.DataFrame:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise where.error(f"cannot open the file ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise where.error(
            f"the file is {size_text(size)}, over the {size_text(max_bytes)} limit; evaluate a sample "
            "of it, or raise the limit (max_bytes) if this machine has the memory"
        )
    if path.name.endswith((".csv", ".csv.gz")):
        return _read_csv(path, where, size)
    if path.name.endswith(".parquet"):
        return _read_parquet(path, where)
    raise where.error("unsupported format; expected predictions.csv or predictions.parquet")


def _read_csv(path: Path, where: _Where, size: int) -> pd.DataFrame:
    if size == 0:
        raise where.error("the file is empty")
    try:
        return pd.read_csv(path, low_memory=False)
    except pd.errors.EmptyDataError as exc:
        raise where.error("the file is empty") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise where.error(f"not a readable CSV file ({exc})") from exc


def _read_parquet(path: Path, where: _Where) -> pd.DataFrame:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise where.error(
            "reading Parquet needs pyarrow; install it with: pip install 'reporter[parquet]'"
        ) from exc
    try:
        return pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises several unrelated types for a corrupt file
        raise where.error(f"not a readable Parquet file ({exc})") from exc


def _require_columns(frame: pd.DataFrame, names: tuple[str, ...], where: _Where) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns)
        raise where.error(
            f"missing column{'s' if len(missing) > 1 else ''} {_quoted(missing)} "
            f"(columns found: {found}); rename the column or map it in the predictions "
            "column options"
        )


def _labels(series: pd.Series, columns: PredictionColumns, where: _Where) -> np.ndarray:
    missing = series.isna().to_numpy()
    if missing.any():
        raise where.error(
            f"column '{columns.y_true}' has {missing.sum()} rows without a label "
            f"(first at row {_first(missing)})"
        )
    distinct = pd.unique(series)
    if columns.positive_label is None:
        return _default_labels(series, distinct, columns.y_true, where)
    return _positive_labels(series, distinct, columns, where)


def _default_labels(series: pd.Series, distinct: Any, name: str, where: _Where) -> np.ndarray:
    """Accept the unambiguous encodings only: 0/1, False/True, "0"/"1"."""
    if series.dtype.kind in "biuf" and set(distinct.tolist()) <= {0, 1}:
        return series.to_numpy() == 1
    if all(isinstance(v, str) for v in distinct) and set(distinct.tolist()) <= {"0", "1"}:
        return series.to_numpy() == "1"
    raise where.error(
        f"labels in column '{name}' are not binary 0/1, False/True or '0'/'1': found "
        f"{_preview(distinct)}; set positive_label to name the positive class"
    )


def _positive_labels(
    series: pd.Series, distinct: Any, columns: PredictionColumns, where: _Where
) -> np.ndarray:
    if len(distinct) > 2:
        raise where.error(
            f"column '{columns.y_true}' has {len(distinct)} distinct labels, expected two: "
            f"{_preview(distinct)}"
        )
    positive = _matches(series, columns.positive_label)
    if len(distinct) == 2 and not positive.any():
        raise where.error(
            f"positive_label {columns.positive_label!r} is not one of the labels in column "
            f"'{columns.y_true}': {_preview(distinct)}"
        )
    return positive


def _matches(series: pd.Series, label: str | int | None) -> np.ndarray:
    """Compare by value for numeric columns and numeric labels, else by text ("1" matches 1)."""
    if series.dtype.kind in "biuf" and not isinstance(label, str):
        return (series == label).to_numpy()
    return (series.astype(str) == str(label)).to_numpy()


def _scores(series: pd.Series, name: str, where: _Where) -> np.ndarray:
    values = _numeric(series, name, "scores", where)
    bad = ~np.isfinite(values)
    if bad.any():
        raise where.error(
            f"column '{name}' has {bad.sum()} rows with NaN or infinite scores "
            f"(first at row {_first(bad)}); every row needs a finite score"
        )
    return values


def _weights(frame: pd.DataFrame, name: str | None, where: _Where) -> np.ndarray | None:
    if name is None or name not in frame.columns:
        return None
    values = _numeric(frame[name], name, "weights", where)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise where.error(
            f"column '{name}' has {bad.sum()} negative or non-finite weights "
            f"(first at row {_first(bad)}); weights must be finite and >= 0"
        )
    if not values.any():
        raise where.error(f"every weight in column '{name}' is zero; nothing to evaluate")
    return values


def _numeric(series: pd.Series, name: str, what: str, where: _Where) -> np.ndarray:
    if series.dtype.kind in "biuf":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    coerced = pd.to_numeric(series, errors="coerce")
    bad = (coerced.isna() & series.notna()).to_numpy()
    if bad.any():
        row = _first(bad)
        raise where.error(
            f"column '{name}' holds non-numeric {what}: {series.iloc[row - 1]!r} "
            f"at row {row} ({bad.sum()} rows in all)"
        )
    return coerced.to_numpy(dtype=np.float64, na_value=np.nan)


def _slices(
    frame: pd.DataFrame, columns: PredictionColumns, where: _Where
) -> dict[str, np.ndarray]:
    names = columns.slices
    if names is None:
        names = _auto_slice_columns(frame, columns)
    else:
        _require_columns(frame, tuple(names), where)
        _check_cardinality(frame, names, columns.max_slice_cardinality, where)
    return {name: _slice_labels(frame[name]) for name in names}


def _auto_slice_columns(frame: pd.DataFrame, columns: PredictionColumns) -> tuple[str, ...]:
    """Text-like columns with a few values; numbers are never guessed to be slices."""
    named = columns.named()
    candidates = [name for name in frame.columns if name not in named and _textual(frame[name])]
    limit = columns.max_slice_cardinality
    return tuple(
        str(name) for name in candidates if 2 <= frame[name].nunique(dropna=False) <= limit
    )


def _textual(series: pd.Series) -> bool:
    kind_ok = series.dtype.kind in "bOU"
    return kind_ok or isinstance(series.dtype, pd.CategoricalDtype | pd.StringDtype)


def _check_cardinality(
    frame: pd.DataFrame, names: tuple[str, ...], limit: int, where: _Where
) -> None:
    for name in names:
        count = frame[name].nunique(dropna=False)
        if count > limit:
            raise where.error(
                f"slice column '{name}' has {count} distinct values, over "
                f"max_slice_cardinality={limit}; choose a coarser column or raise the limit"
            )


def _slice_labels(series: pd.Series) -> np.ndarray:
    values = series.astype(object)
    return values.where(series.notna(), MISSING_SLICE_LABEL).astype(str).to_numpy(dtype=str)


def _first(mask: np.ndarray) -> int:
    """1-based data row of the first flagged row (row 1 is the first row after the header)."""
    return int(np.argmax(mask)) + 1


def _preview(values: Any) -> str:
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:_PREVIEW])
    more = len(values) - _PREVIEW
    return shown + (f" and {more} more" if more > 0 else "")


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
