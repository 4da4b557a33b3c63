"""Analysis: what the pages show about the set of runs (pure; no I/O).

Leaderboard columns, best run per metric, experiments, tags, newest runs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from reporter.config import Settings
from reporter.evaluation.metrics import DEFAULT_COLUMNS, PRIMARY_CANDIDATES
from reporter.model import Run
from reporter.study.pages import PageNames, page_names

_OLDEST = datetime.min.replace(tzinfo=UTC)
MAX_VISIBLE = 7  # columns shown by default; the rest are a click away in the leaderboard
MAX_COLUMNS = 40


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricColumn:
    """A leaderboard column: a metric, its direction and the best run for it."""

    name: str
    lower_is_better: bool
    best_value: float | None
    best_run: str | None
    visible: bool = True


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
    pages: PageNames = field(default_factory=PageNames)
    aliases: dict[str, str] = field(default_factory=dict)  # another id -> the run's id
    alias_patterns: tuple[tuple[str, str], ...] = ()  # (an alias with `*`, the run's id)

    def run_id(self, wanted: str) -> str:
        """The id of the run `wanted` names: its id, or an alias (a former id) of one run."""
        return resolve_alias(wanted, self.aliases, self.alias_patterns)

    def column(self, name: str) -> MetricColumn | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def visible_columns(self) -> tuple[MetricColumn, ...]:
        return tuple(c for c in self.columns if c.visible)

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
    primary = settings.primary_metric or next(
        (m for m in PRIMARY_CANDIDATES if any(metric_value(r, m) is not None for r in ordered)),
        None,
    )
    visible = _visible_names(ordered, settings, primary)
    names = (*visible, *(n for n in _all_names(ordered) if n not in visible))[:MAX_COLUMNS]
    columns = tuple(metric_column(ordered, n, settings, n in visible) for n in names)
    exact, patterns = aliases(ordered)
    experiments = tuple(
        Experiment(name=e.name, runs=e.runs, best=metric_column(e.runs, primary, settings, True))
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
        pages=page_names(ordered),
        aliases=exact,
        alias_patterns=patterns,
    )


def aliases(runs: tuple[Run, ...]) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Every alias naming exactly one run that is no run's id, and the aliases with `*`."""
    ids = {r.id for r in runs}
    named: dict[str, set[str]] = {}
    for run in runs:
        for alias in run.aliases:
            named.setdefault(alias, set()).add(run.id)
    exact = {
        a: next(iter(o))
        for a, o in sorted(named.items())
        if len(o) == 1 and a not in ids and "*" not in a
    }
    patterns = tuple((a, r) for a, o in sorted(named.items()) if "*" in a for r in sorted(o))
    return exact, patterns


def resolve_alias(wanted: str, exact: dict[str, str], patterns: tuple[tuple[str, str], ...]) -> str:
    """The run id an alias names (one run only), else `wanted` as it is."""
    if wanted in exact:
        return exact[wanted]
    matched = {run_id for pattern, run_id in patterns if fnmatchcase(wanted, pattern)}
    return matched.pop() if len(matched) == 1 else wanted


def _all_names(runs: tuple[Run, ...]) -> list[str]:
    """Every metric any run has, logged ones first, each group sorted."""
    logged = sorted({n for r in runs for n in r.metrics})
    computed = sorted({n for r in runs for n in r.computed} - set(logged))
    return logged + computed


def _visible_names(
    runs: tuple[Run, ...], settings: Settings, primary: str | None
) -> tuple[str, ...]:
    """Configured columns, else the primary metric, the usual headline metrics most runs have,
    then other logged metrics most runs have; computed extras stay selectable in the browser."""
    if settings.metrics:
        names = list(settings.metrics)
    else:
        counts: Counter[str] = Counter()
        for run in runs:
            counts.update(
                n for n in {*run.metrics, *run.computed} if metric_value(run, n) is not None
            )
        common = {n for n, c in counts.items() if c * 2 >= len(runs)}
        logged = {n for r in runs for n in r.metrics}
        headline = [n for n in DEFAULT_COLUMNS if n in common]
        names = headline + sorted(n for n in common & logged if n not in headline)
    if primary:
        names = [primary, *(n for n in names if n != primary)]
    return tuple(names[: MAX_VISIBLE if not settings.metrics else None])


def metric_column(
    runs: tuple[Run, ...], name: str, settings: Settings, visible: bool = True
) -> MetricColumn:
    """A metric over `runs`: its direction and the best run (none for counts and sizes)."""
    lower = is_lower_better(name, settings.lower_is_better)
    scored = [(v, r.id) for r in runs if (v := metric_value(r, name)) is not None]
    neutral = is_lower_better(name, settings.neutral)  # same glob matching
    best = (
        min(scored, key=lambda s: (s[0] if lower else -s[0], s[1]))
        if scored and not neutral
        else (None, None)
    )
    return MetricColumn(
        name=name, lower_is_better=lower, best_value=best[0], best_run=best[1], visible=visible
    )


def _experiments(runs: tuple[Run, ...]) -> tuple[Experiment, ...]:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.experiment, []).append(run)
    return tuple(Experiment(name=k, runs=tuple(v)) for k, v in sorted(groups.items()))
