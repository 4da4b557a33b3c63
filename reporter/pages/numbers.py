"""One number format per table column: fixed decimals, thousands separators, percentages.

A column of 0.382, 0.3655 and 0.04893 reads as noise; 0.38197, 0.36552 and 0.04893 line up.
The decimals of a column follow its typical value (its median magnitude), so four significant
digits show for a typical row and every row has the same decimals; a metric declared `percent`
is a fraction shown as a percentage, `integer` a count with separators.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

SIGNIFICANT = 4  # digits a typical value of a column shows
MAX_DECIMALS = 5


def _finite(values: Iterable[Any]) -> list[float]:
    """The finite numbers among `values`, as floats (bools are not numbers here)."""
    finite = math.isfinite
    return [
        float(v)
        for v in values
        if (type(v) is float or _number(v)) and finite(v)  # floats first: most values are
    ]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def decimals_for(values: Iterable[Any], significant: int = SIGNIFICANT) -> int:
    """Decimals that give the column's median magnitude `significant` digits (0 for whole
    numbers, at most `MAX_DECIMALS`)."""
    return _decimals(_finite(values), significant)


def _decimals(numbers: list[float], significant: int = SIGNIFICANT) -> int:
    """`decimals_for` of finite numbers."""
    if not numbers or all(v.is_integer() for v in numbers):
        return 0
    sizes = sorted(abs(v) for v in numbers if v != 0)
    if not sizes:
        return 0
    median = sizes[len(sizes) // 2]
    return max(0, min(MAX_DECIMALS, significant - 1 - math.floor(math.log10(median))))


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """How every value of one column is written: `kind` (decimal, percent or integer) and the
    decimals (of the percentage, for percent)."""

    kind: str = "decimal"
    decimals: int = 4

    def __call__(self, value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")
        if self.kind == "integer":
            return f"{round(value):,}"
        if self.kind == "percent":
            return f"{value * 100:,.{self.decimals}f}%"
        return f"{value:,.{self.decimals}f}"

    def to_json(self) -> dict[str, Any]:
        return {"format": self.kind, "decimals": self.decimals}


def number_format(values: Iterable[Any], kind: str = "decimal") -> NumberFormat:
    """The format of a column holding `values` of a metric declared as `kind`."""
    if kind == "integer":
        return NumberFormat("integer", 0)
    numbers = _finite(values)
    if kind == "percent":
        # percentages of small rates keep 3 significant digits: 0.0888%, 1.23% (checked
        # again: v * 100 may overflow)
        return NumberFormat("percent", decimals_for([v * 100 for v in numbers], 3))
    return NumberFormat("decimal", _decimals(numbers))


def column_formats(
    rows: Iterable[Any], columns: Iterable[Any], value: Callable[[Any, str], Any]
) -> dict[str, NumberFormat]:
    """A format per metric column (objects with `.name` and `.type.format`) over `rows`."""
    rows = list(rows)
    return {c.name: number_format((value(r, c.name) for r in rows), c.type.format) for c in columns}


def row_formats(items: Iterable[tuple[str, Any]], types: Any) -> dict[str, NumberFormat]:
    """Formats for a table with one metric per row (name, value): rows of one declared format
    share their decimals, so the value column still reads as one."""
    items = list(items)
    kinds = {name: types.of(name).format for name, _ in items}
    by_kind = {
        kind: number_format([v for n, v in items if kinds[n] == kind], kind)
        for kind in set(kinds.values())
    }
    return {name: by_kind[kind] for name, kind in kinds.items()}


def table_formats(
    rows: Iterable[dict[str, Any]], names: Iterable[str], types: Any
) -> dict[str, NumberFormat]:
    """A format per column of rows that are mappings (logged per-slice metrics)."""
    rows = list(rows)
    return {n: number_format((r.get(n) for r in rows), types.of(n).format) for n in names}


def operating_formats(table: Any) -> dict[str, NumberFormat]:
    """Formats of an operating-point table (`run_page.OperatingTable`): thresholds, rates
    (recall, precision, F1, top-k precision) and alert volumes, each over the whole table."""
    points = [
        p for r in table.runs for t in table.targets if (p := t.point(r.evaluation)) is not None
    ]
    rates = [getattr(p, a) for p in points for a in ("precision", "recall", "f1")]
    rates += [v for r in table.runs for v in r.evaluation.precision_at_k.values()]
    return {
        "threshold": number_format(p.threshold for p in points),
        "rate": number_format(rates),
        "alerts": number_format(p.alerts_per_10k for p in points),
    }
