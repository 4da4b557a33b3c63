"""What a run page's Performance section shows, worked out from its evaluation (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reporter.evaluate import Evaluation
from reporter.model import Run

HEADLINE = ("roc_auc", "average_precision", "log_loss", "brier", "ece")
# Logged names that mean the same as a computed metric.
ALIASES = {
    "average_precision": ("average_precision", "pr_auc", "ap"),
    "roc_auc": ("roc_auc", "auc"),
}
TOLERANCE = 1e-3


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricRow:
    """One headline metric: computed from predictions, as logged, interval, and why undefined."""

    name: str
    computed: float | None
    logged: float | None
    logged_as: str
    ci: tuple[float, float] | None
    undefined: str

    @property
    def disagrees(self) -> bool:
        if self.computed is None or self.logged is None:
            return False
        return not math.isclose(self.computed, self.logged, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def headline_rows(run: Run) -> list[MetricRow]:
    e = run.evaluation
    if e is None:
        return []
    rows = []
    for name in HEADLINE:
        computed = run.computed.get(name)
        logged_as = next((a for a in ALIASES.get(name, (name,)) if a in run.metrics), "")
        rows.append(
            MetricRow(
                name=name,
                computed=computed,
                logged=run.metrics.get(logged_as) if logged_as else None,
                logged_as=logged_as,
                ci=e.ci.get(name),
                undefined="" if computed is not None else _reason(e, name),
            )
        )
    return rows


def _reason(e: Evaluation, name: str) -> str:
    key = "log_loss" if name == "ece" else name
    return e.undefined.get(name) or e.undefined.get(key) or "not computed"


def slice_rows(e: Evaluation) -> list[tuple[str, str, Evaluation]]:
    """(column, value, evaluation) for every slice, sorted by column then value."""
    return [
        (col, val, sub)
        for col, values in sorted(e.slices.items())
        for val, sub in sorted(values.items())
    ]
