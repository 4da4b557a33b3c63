"""Labels of an evaluation set, validated the same way on every path into evaluation.

A label is positive or not: 0/1, False/True, '0'/'1' or 'true'/'false' (any case), or one of two
labels named by `positive_label`. Anything else (-1/1, 0.5, NaN, 'yes'/'no' without a positive
label) is a `PredictionsError` naming the file, never a silent guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from reporter.errors import PredictionsError

if TYPE_CHECKING:
    import pandas as pd

_PREVIEW = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class Where:
    """The file being read, so every error names it the same way."""

    run_id: str
    path: str

    def error(self, reason: str) -> PredictionsError:
        return PredictionsError(reason, run_id=self.run_id, path=self.path)


def binary_labels(
    series: pd.Series, positive_label: str | int | None, name: str, where: Where
) -> np.ndarray:
    """Labels as booleans, or `PredictionsError`: every path into evaluation comes here."""
    missing = series.isna().to_numpy()
    if missing.any():
        raise where.error(
            f"column '{name}' has {missing.sum()} rows without a label "
            f"(first at row {first_row(missing)})"
        )
    distinct = series.unique()
    if positive_label is None:
        return _default_labels(series, distinct, name, where)
    return _positive_labels(series, distinct, positive_label, name, where)


_LABEL_TEXT = {"1": True, "0": False, "true": True, "false": False}


def _label_value(value: Any) -> bool | None:
    """What an unambiguous label means: 0/1, False/True, '0'/'1', 'true'/'false' (any case)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        return _LABEL_TEXT.get(value.strip().lower())
    return None


def _default_labels(series: pd.Series, distinct: Any, name: str, where: Where) -> np.ndarray:
    """Accept the unambiguous encodings only: 0/1, False/True, '0'/'1', 'true'/'false'."""
    if series.dtype.kind in "biuf" and set(distinct.tolist()) <= {0, 1}:
        return series.to_numpy() == 1
    meanings = {value: _label_value(value) for value in distinct.tolist()}
    if all(m is not None for m in meanings.values()):
        return series.map(meanings).to_numpy(dtype=bool)
    raise where.error(
        f"labels in column '{name}' are not binary 0/1, False/True or 'true'/'false': found "
        f"{_preview(distinct)}; set positive_label to name the positive class"
    )


def _positive_labels(
    series: pd.Series, distinct: Any, positive_label: str | int, name: str, where: Where
) -> np.ndarray:
    if len(distinct) > 2:
        raise where.error(
            f"column '{name}' has {len(distinct)} distinct labels, expected two: "
            f"{_preview(distinct)}"
        )
    positive = _matches(series, positive_label)
    if len(distinct) == 2 and not positive.any():
        raise where.error(
            f"positive_label {positive_label!r} is not one of the labels in column "
            f"'{name}': {_preview(distinct)}"
        )
    return positive


def _matches(series: pd.Series, label: str | int | None) -> np.ndarray:
    """Compare by value for numeric columns and numeric labels, else by text ("1" matches 1)."""
    if series.dtype.kind in "biuf" and not isinstance(label, str):
        return (series == label).to_numpy()
    return (series.astype(str) == str(label)).to_numpy()


def first_row(mask: np.ndarray) -> int:
    """1-based data row of the first flagged row (row 1 is the first row after the header)."""
    return int(np.argmax(mask)) + 1


def _preview(values: Any) -> str:
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:_PREVIEW])
    more = len(values) - _PREVIEW
    return shown + (f" and {more} more" if more > 0 else "")
