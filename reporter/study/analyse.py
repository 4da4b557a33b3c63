"""Analysis: what the pages show about the set of runs (pure; no I/O).

Leaderboard columns, best run per metric, experiments, tags, newest runs. What a metric means
(which way is better, whether it is ranked at all) comes from `MetricTypes`; which runs may be
ranked best from `Ranking` (failed and killed runs are shown, never best).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

from reporter.config import Settings
from reporter.config.operating import OperatingPointSpec
from reporter.evaluation.metrics import DEFAULT_COLUMNS, PRIMARY_CANDIDATES, MetricTypes
from reporter.evaluation.names import MetricType
from reporter.model import Run
from reporter.study.pages import PageNames, page_names

_OLDEST = datetime.min.replace(tzinfo=UTC)
MAX_VISIBLE = 7  # columns shown by default; the rest are a click away in the leaderboard
MAX_COLUMNS = 40


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricColumn:
    """A leaderboard column: a metric, what it means and the best (ranked) run for it."""

    name: str
    type: MetricType
    best_value: float | None
    best_run: str | None
    visible: bool = True

    @property
    def lower_is_better(self) -> bool:
        return self.type.lower_is_better

    @property
    def neutral(self) -> bool:
        return self.type.neutral

    def to_json(self) -> dict[str, Any]:
        """The leaderboard's column: key, direction, kind, format, tooltip, best value."""
        return {
            "key": self.name,
            "lower": self.lower_is_better,
            **self.type.to_json(),
            "title": self.type.title(),
            "best": None if self.best_value is None else float(f"{self.best_value:.6g}"),
            "visible": self.visible,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Ranking:
    """How runs are ranked: what each metric means, and the statuses never ranked best."""

    types: MetricTypes
    unranked: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Ranking:
        return cls(types=MetricTypes.from_settings(settings), unranked=settings.unranked_status)

    def ranked(self, run: Run) -> bool:
        """Whether the run may be ranked best: its status is not failed, killed... (any case)."""
        return run.status.strip().lower() not in self.unranked

    def best(
        self,
        runs: tuple[Run, ...] | list[Run],
        name: str,
        values: list[float | None] | None = None,
        ranked: list[bool] | None = None,
    ) -> tuple[float | None, str | None]:
        """The best value of a metric and its run, among ranked runs; none for neutral ones.
        `values` (`column_values`) and `ranked` (`self.ranked` of each run), when known."""
        kind = self.types.of(name)
        if kind.neutral:
            return None, None
        values = column_values(runs, name) if values is None else values
        ranked = [self.ranked(r) for r in runs] if ranked is None else ranked
        sign = 1 if kind.lower_is_better else -1
        top = min(  # `order`'s first: ranked runs with a value, best value, then id
            (
                (sign * v, run.id, v)
                for run, v, rank in zip(runs, values, ranked, strict=True)
                if rank and v is not None
            ),
            default=None,
        )
        return (top[2], top[1]) if top is not None else (None, None)

    def order(self, runs: tuple[Run, ...] | list[Run], name: str, value: Any = None) -> list[Run]:
        """Best first: ranked runs with a value, then unranked runs with one (failed...), then
        runs without it; ties by id. `value(run, name)` reads a run's value (default:
        `metric_value`). A neutral metric sorts from the largest value."""
        return sorted(runs, key=self._key(name, value or metric_value))

    def _key(self, name: str, read: Any) -> Any:
        sign = 1 if self.types.of(name).lower_is_better else -1

        def key(run: Run) -> tuple[int, float, str]:
            v = read(run, name)
            if v is None:
                return (2, 0.0, run.id)
            return (0 if self.ranked(run) else 1, sign * v, run.id)

        return key


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
    ranking: Ranking
    pages: PageNames = field(default_factory=PageNames)
    operating_point: OperatingPointSpec | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # another id -> the run's id
    alias_patterns: tuple[tuple[str, str], ...] = ()  # (an alias with `*`, the run's id)
    by_id: dict[str, Run] = field(init=False, repr=False, compare=False)  # from `runs`
    # column name -> each run's value (`column_values`), in the order of `runs`
    values: dict[str, list[float | None]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {r.id: r for r in self.runs})
        table = {c.name: self.values.get(c.name) for c in self.columns}
        for name, found in table.items():
            if found is None or len(found) != len(self.runs):  # not given, or of other runs
                table[name] = column_values(self.runs, name)
        object.__setattr__(self, "values", table)

    @property
    def types(self) -> MetricTypes:
        return self.ranking.types

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


def column_values(runs: tuple[Run, ...] | list[Run], name: str) -> list[float | None]:
    """`metric_value` of each run, in order (one loop: tables of 10,000 runs read each value
    several times, and the calls cost more than the reads)."""
    finite = math.isfinite
    out: list[float | None] = []
    for run in runs:
        value = run.metrics.get(name)
        if value is None:
            value = run.computed.get(name)
        out.append(value if value is not None and finite(value) else None)
    return out


def primary_metric(runs: tuple[Run, ...], settings: Settings) -> str | None:
    """What runs are ranked by: `primary_metric` when set, else the operating point's metric
    (when any run has it), else the first of `PRIMARY_CANDIDATES` that runs have."""
    op = settings.operating_point
    candidates = ((op.metric,) if op else ()) + PRIMARY_CANDIDATES
    return settings.primary_metric or next(
        (m for m in candidates if any(metric_value(r, m) is not None for r in runs)), None
    )


def analyse(runs: list[Run], settings: Settings) -> Study:
    ordered = tuple(sorted(runs, key=lambda r: (r.created or _OLDEST, r.id)))
    ranking = Ranking.from_settings(settings)
    primary = primary_metric(ordered, settings)
    visible = _visible_names(ordered, settings, primary)
    names = (*visible, *(n for n in _all_names(ordered) if n not in visible))[:MAX_COLUMNS]
    table = {n: column_values(ordered, n) for n in names}
    ranked = [ranking.ranked(r) for r in ordered]
    columns = tuple(
        metric_column(ordered, n, ranking, n in visible, table[n], ranked) for n in names
    )
    exact, patterns = aliases(ordered)
    experiments = tuple(
        Experiment(name=e.name, runs=e.runs, best=metric_column(e.runs, primary, ranking))
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
        ranking=ranking,
        operating_point=settings.operating_point,
        aliases=exact,
        alias_patterns=patterns,
        values=table,
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
            counts.update(_valued(run))
        common = {n for n, c in counts.items() if c * 2 >= len(runs)}
        logged = {n for r in runs for n in r.metrics}
        headline = [n for n in DEFAULT_COLUMNS if n in common]
        names = headline + sorted(n for n in common & logged if n not in headline)
    if primary:
        names = [primary, *(n for n in names if n != primary)]
    return tuple(names[: MAX_VISIBLE if not settings.metrics else None])


def _valued(run: Run) -> list[str]:
    """The metrics a run has a value for (`metric_value` not None), in one pass."""
    finite = math.isfinite
    names = []
    for name, value in run.metrics.items():
        if value is None:
            value = run.computed.get(name)
        if value is not None and finite(value):
            names.append(name)
    for name, value in run.computed.items():
        if name not in run.metrics and value is not None and finite(value):
            names.append(name)
    return names


def metric_column(
    runs: tuple[Run, ...],
    name: str,
    ranking: Ranking,
    visible: bool = True,
    values: list[float | None] | None = None,
    ranked: list[bool] | None = None,
) -> MetricColumn:
    """A metric over `runs` (their `values` and `ranked` flags, when known): what it means
    and the best ranked run (none for neutral ones)."""
    best_value, best_run = ranking.best(runs, name, values, ranked)
    return MetricColumn(
        name=name,
        type=ranking.types.of(name),
        best_value=best_value,
        best_run=best_run,
        visible=visible,
    )


def _experiments(runs: tuple[Run, ...]) -> tuple[Experiment, ...]:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.experiment, []).append(run)
    return tuple(Experiment(name=k, runs=tuple(v)) for k, v in sorted(groups.items()))
