"""The team's operating point: where a model is used, and so what runs are ranked by (pure).

Written in mkdocs.yml as one of
- `recall@fpr=0.01`: the best recall within a false-positive-rate budget,
- `precision@recall=0.8`: the best precision at a recall target,
- `recall@alerts_per_10k=50`: the best recall within an alert budget (alerts per 10,000 rows),
- `threshold=0.5`: a fixed decision threshold, where runs are ranked by their F1.

The evaluation computes the target even when it is not among the configured targets; what
the value means (higher is better, a rate) comes from the metrics table like any metric's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# family -> (what is ranked, what is held, the ranked metric's family, range of the target)
FAMILIES: dict[str, tuple[str, str, str, tuple[float, float]]] = {
    "recall@fpr": ("recall", "FPR ≤ {}", "recall@fpr", (0.0, 1.0)),
    "precision@recall": ("precision", "recall ≥ {}", "precision@recall", (0.0, 1.0)),
    "recall@alerts_per_10k": (
        "recall",
        "at most {} alerts per 10,000",
        "recall@alerts_per_10k",
        (0.0, 10_000.0),
    ),
    "threshold": ("F1", "threshold {}", "f1@threshold", (-math.inf, math.inf)),
}
FORMS = "recall@fpr=0.01, precision@recall=0.8, recall@alerts_per_10k=50 or threshold=0.5"
_PATTERN = re.compile(r"^\s*([a-z0-9_@]+)\s*(?:=|<=|>=)\s*(\S+)\s*$")


@dataclass(frozen=True, kw_only=True, slots=True)
class OperatingPointSpec:
    """A parsed `operating_point`: its family (`recall@fpr`) and target (0.01)."""

    family: str
    target: float

    @property
    def metric(self) -> str:
        """The metric runs are ranked by, named as the evaluation names it."""
        return f"{FAMILIES[self.family][2]}={self.target:g}"

    @property
    def text(self) -> str:
        return f"{self.family}={self.target:g}"

    @property
    def ranked(self) -> str:
        """What is maximised at the operating point: "recall", "precision" or "F1"."""
        return FAMILIES[self.family][0]

    def describe(self) -> str:
        """For people: "best recall at FPR ≤ 1%", "F1 at threshold 0.5"."""
        ranked, held, _, _ = FAMILIES[self.family]
        if self.family in ("recall@fpr", "precision@recall"):
            return f"best {ranked} at {held.format(f'{self.target * 100:g}%')}"
        if self.family == "threshold":
            return f"{ranked} at {held.format(f'{self.target:g}')}"
        return f"best {ranked} with {held.format(f'{self.target:g}')}"


def parse_operating_point(text: str) -> OperatingPointSpec:
    """Parse `recall@fpr=0.01` and the like; ValueError saying what is accepted otherwise."""
    match = _PATTERN.match(text)
    family = match.group(1) if match else ""
    if not match or family not in FAMILIES:
        raise ValueError(f"expected one of {FORMS}, got {text!r}")
    try:
        target = float(match.group(2))
    except ValueError:
        raise ValueError(f"expected a number after '=', got {match.group(2)!r}") from None
    low, high = FAMILIES[family][3]
    if not math.isfinite(target) or not (low < target <= high or family == "threshold"):
        bounds = f"in ({low:g}, {high:g}]" if family != "threshold" else "finite"
        raise ValueError(f"the target of {family} must be a number {bounds}, got {target:g}")
    return OperatingPointSpec(family=family, target=target)
