"""The data model: what a run is, independent of where it came from and how it is shown.

Nothing here knows about Jinja, Plotly or MkDocs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from reporter.evaluation.results import Evaluation


@dataclass(frozen=True, kw_only=True, slots=True)
class Artifact:
    """A file of a run, reported by name, size and content hash; never loaded."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class MetricSeries:
    """One metric over training: `x` is the step (or epoch, or time) axis named `x_name`."""

    name: str
    x: np.ndarray
    y: np.ndarray
    x_name: str = "step"


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Plot:
    """A plot a tracker logged (a ROC or PR curve, a confusion matrix, a custom x-y plot), in a
    form no reader owns: `kind` is "line" or "scatter" (points `x`, `y`) or "confusion"
    (`counts[i][j]`: actual `labels[i]` predicted as `labels[j]`)."""

    name: str
    kind: str
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    labels: tuple[str, ...] = ()
    counts: tuple[tuple[int, ...], ...] = ()

    @property
    def size(self) -> int:
        """Points (or cells) it holds."""
        if self.kind == "confusion":
            return sum(len(row) for row in self.counts)
        return 0 if self.y is None else len(self.y)


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Run:
    """One training run, as read by a reader and later enriched by evaluation."""

    id: str
    name: str
    experiment: str
    reader: str
    path: str
    store: str = ""  # the store it was read from, under the runs root ("" for a run folder)
    created: datetime | None = None
    status: str = ""
    author: str = ""
    git_commit: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""
    baseline: bool = False
    threshold: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    slices: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    histories: tuple[MetricSeries, ...] = ()
    histories_pending: bool = False  # left in the store by its reader (`readers.HistoryReader`)
    plots: tuple[Plot, ...] = ()
    aliases: tuple[str, ...] = ()  # other ids journal links may use (a run's former id form)
    artifacts: tuple[Artifact, ...] = ()
    card: str = ""
    predictions: str | None = None
    history_file: str | None = None
    evaluation: Evaluation | None = None
    computed: dict[str, float] = field(default_factory=dict)
    eval_fingerprint: str = ""
    problems: tuple[str, ...] = ()
    files_fingerprint: str = ""  # digest of the run's files when read; "" when not known
    summarised: bool = False  # histories and evaluation left in the run cache (`reporter.pipeline`)


_INTEGER = re.compile(r"[+-]?\d+")


def param_value(value: Any) -> Any:
    """A parameter as the type it stands for: trackers log every value as text (MLflow's
    `max_depth` is "10"), so numeric text compares as a number and 'true'/'False' as a boolean.
    Anything else (and non-finite numbers) stays as logged; pages show the logged text."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def typed_params(run: Run) -> dict[str, Any]:
    """The run's parameters with `param_value` applied: what charts, sorting and diffs compare."""
    return {key: param_value(value) for key, value in run.params.items()}
