"""Analysis: what the pages show about the set of runs (pure; no I/O).

Leaderboard columns, best run per metric, experiments, tags, newest runs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from reporter.model import Run
from reporter.settings import PRIMARY_CANDIDATES, Settings

_OLDEST = datetime.min.replace(tzinfo=UTC)
MAX_AUTO_COLUMNS = 8


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricColumn:
    """A leaderboard column: a metric, its direction and the best run for it."""

    name: str
    lower_is_better: bool
    best_value: float | None
    best_run: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Experiment:
    """Runs sharing an experiment name, and the best of them by the primary metric."""

    name: str
    runs: tuple[Run, ...]
    best: MetricColumn | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Study:
    """Every run, and what was worked out across them."""

    runs: tuple[Run, ...]
    primary_metric: str | None
    columns: tuple[MetricColumn, ...]
    experiments: tuple[Experiment, ...]
    tags: dict[str, int]
    newest: tuple[Run, ...]

    def column(self, name: str) -> MetricColumn | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def best(self) -> MetricColumn | None:
        return self.column(self.primary_metric) if self.primary_metric else None


def metric_value(run: Run, name: str) -> float | None:
    """A run's value for a metric: as logged, else as computed from its predictions."""
    value = run.metrics.get(name)
    if value is None:
        value = run.computed.get(name)
    return value if value is not None and math.isfinite(value) else None


def is_lower_better(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name.lower(), p.lower()) for p in patterns)


def analyse(runs: list[Run], settings: Settings) -> Study:
    ordered = tuple(sorted(runs, key=lambda r: (r.created or _OLDEST, r.id)))
    names = _metric_names(ordered, settings)
    primary = settings.primary_metric or next(
        (m for m in PRIMARY_CANDIDATES if any(metric_value(r, m) is not None for r in ordered)),
        None,
    )
    if primary and primary not in names:
        names = (primary, *names)
    elif primary:
        names = (primary, *(n for n in names if n != primary))
    columns = tuple(_column(ordered, n, settings) for n in names)
    experiments = tuple(
        Experiment(name=e.name, runs=e.runs, best=_column(e.runs, primary, settings))
        if primary
        else e
        for e in _experiments(ordered)
    )
    return Study(
        runs=ordered,
        primary_metric=primary,
        columns=columns,
        experiments=experiments,
        tags=dict(sorted(Counter(t for r in ordered for t in r.tags).items())),
        newest=tuple(reversed(ordered))[: settings.newest],
    )


def _metric_names(runs: tuple[Run, ...], settings: Settings) -> tuple[str, ...]:
    """Configured columns, or the metrics most runs have (computed ones included)."""
    if settings.metrics:
        return settings.metrics
    counts: Counter[str] = Counter()
    for run in runs:
        names = set(run.metrics) | set(run.computed)
        counts.update(n for n in names if metric_value(run, n) is not None)
    common = [n for n, c in counts.items() if c * 2 >= len(runs)]
    preferred = [n for n in (*PRIMARY_CANDIDATES, "log_loss", "brier") if n in common]
    rest = sorted(n for n in common if n not in preferred)
    return tuple((preferred + rest)[:MAX_AUTO_COLUMNS])


def _column(runs: tuple[Run, ...], name: str, settings: Settings) -> MetricColumn:
    lower = is_lower_better(name, settings.lower_is_better)
    scored = [(v, r.id) for r in runs if (v := metric_value(r, name)) is not None]
    if not scored:
        return MetricColumn(name=name, lower_is_better=lower, best_value=None, best_run=None)
    value, run_id = min(scored, key=lambda s: (s[0] if lower else -s[0], s[1]))
    return MetricColumn(name=name, lower_is_better=lower, best_value=value, best_run=run_id)


def _experiments(runs: tuple[Run, ...]) -> tuple[Experiment, ...]:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.experiment, []).append(run)
    return tuple(Experiment(name=k, runs=tuple(v)) for k, v in sorted(groups.items()))
