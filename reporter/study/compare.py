"""Comparisons of a set of runs: what differs, what groups, what is comparable (pure).

The same `Comparison` feeds the comparison pages and the journal's embeds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from reporter.config import Settings
from reporter.evaluation.paired import PAIRED_METRICS, Difference
from reporter.model import Run, param_value, typed_params
from reporter.study.analyse import MetricColumn, Study, metric_column, metric_value
from reporter.study.selection import (
    Selection,
    SelectionError,
    missing_run_message,
    parse_selection,
    select_runs,
)
from reporter.text import slug

SPEC_KEYS = ("title", "slug", "select", "metrics", "show", "baseline", "description")
SEED_KEYS = ("seed", "*.seed", "random_state", "*.random_state", "*_seed", "seed_*")
MIN_RUNS_FOR_PARAMS_CHARTS = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class ComparisonSpec:
    """A comparison as declared (config, comparisons.yaml) or implied (an experiment)."""

    slug: str
    title: str
    selection: Selection
    metrics: tuple[str, ...] = ()
    show: tuple[str, ...] = ()  # parts, see `reporter.pages.parts`
    baseline: str | None = None
    description: str = ""
    source: str = "config"
    experiment: str | None = None  # the experiment an implied comparison is about


@dataclass(frozen=True, kw_only=True, slots=True)
class SeedGroup:
    """Runs identical but for their seed: one summary row with mean and standard deviation."""

    key: str
    runs: tuple[Run, ...]
    mean: dict[str, float]
    sd: dict[str, float]


@dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    spec: ComparisonSpec
    runs: tuple[Run, ...]
    baseline: Run | None
    columns: tuple[MetricColumn, ...]
    diff_params: tuple[str, ...]
    all_params: tuple[str, ...]
    groups: tuple[SeedGroup, ...]
    eval_groups: tuple[tuple[str, tuple[Run, ...]], ...]
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    # run id -> its paired difference to the baseline; None: not tested (implied comparisons)
    differences: dict[str, Difference] | None = None
    tested: tuple[str, ...] = PAIRED_METRICS  # the metrics a paired interval is computed for

    @property
    def comparable(self) -> bool:
        return len(self.eval_groups) <= 1

    def value(self, run: Run, metric: str) -> float | None:
        return metric_value(run, metric)

    def delta(self, run: Run, metric: str) -> float | None:
        if self.baseline is None or run is self.baseline:
            return None
        mine, base = metric_value(run, metric), metric_value(self.baseline, metric)
        return None if mine is None or base is None else mine - base

    def delta_verdict(self, run: Run, column: MetricColumn) -> DeltaVerdict | None:
        """How to show `run`'s delta on `column`: "better"/"worse" only when a paired interval
        of the difference excludes 0; "unclear" when it holds 0; "untested" (with why) for a
        metric a paired interval exists for but this pair has none; "plain" for other metrics
        (coloured by sign, as before: nothing to test them with). None without a delta."""
        if self.delta(run, column.name) is None:
            return None
        if column.neutral:
            return DeltaVerdict(kind="neutral")
        if column.name not in self.tested:
            return DeltaVerdict(kind="plain")
        if self.differences is None:
            why = "not tested: paired intervals are computed for declared comparisons"
            return DeltaVerdict(kind="untested", why=why)
        difference = self.differences.get(run.id)
        if difference is None or column.name not in difference.intervals:
            why = "no paired result"
            if difference is not None:
                why = difference.reason or difference.untested.get(column.name, why)
            return DeltaVerdict(kind="untested", why=f"not tested: {why}")
        iv = difference.intervals[column.name]
        kind = difference.verdict(column.name, column.lower_is_better)
        return DeltaVerdict(kind=kind, low=iv.low, high=iv.high, rows=difference.rows)

    def eval_group_of(self, run: Run) -> str:
        if len(self.eval_groups) <= 1:
            return ""
        return next((label for label, runs in self.eval_groups if run in runs), "")

    def group_of(self, run: Run) -> SeedGroup | None:
        return next((g for g in self.groups if run in g.runs), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeltaVerdict:
    """What a comparison table says about one delta (see `Comparison.delta_verdict`); `low`
    and `high` bound the paired 95% interval of the difference when there is one."""

    kind: str  # better, worse, unclear, untested, neutral, plain
    why: str = ""
    low: float | None = None
    high: float | None = None
    rows: int = 0

    @property
    def tested(self) -> bool:
        return self.low is not None


def parse_spec(raw: Any, where: str, parts: tuple[str, ...]) -> ComparisonSpec:
    """A declared comparison; problems are reported together, naming where it was declared.
    `parts` are the parts a comparison may show (the default: all of them)."""
    if not isinstance(raw, dict):
        raise SelectionError(
            f"{where}: a comparison must be a mapping with a title and a selection"
        )
    problems = []
    unknown = sorted(set(map(str, raw)) - set(SPEC_KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(SPEC_KEYS)}")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("'title' is required")
    show = tuple(raw.get("show") or parts)
    bad_parts = [p for p in show if str(p).split(":", 1)[0] not in parts]
    if bad_parts:
        problems.append(
            f"unknown part(s) {', '.join(map(str, bad_parts))}; valid parts: {', '.join(parts)}"
        )
    try:
        selection = parse_selection(raw.get("select", {}))
    except SelectionError as exc:
        problems.append(str(exc))
        selection = Selection()
    if problems:
        raise SelectionError(f"{where}: " + "; ".join(problems))
    return ComparisonSpec(
        slug=slug(str(raw.get("slug") or title)).lower(),
        title=str(title),
        selection=selection,
        metrics=tuple(map(str, raw.get("metrics") or ())),
        show=tuple(map(str, show)),
        baseline=str(raw["baseline"]) if raw.get("baseline") else None,
        description=str(raw.get("description") or ""),
    )


MAX_EXPERIMENT_COMPARISON = (
    50  # overlaid curves of more runs are unreadable; the leaderboard has all
)


def experiment_specs(study: Study, parts: tuple[str, ...]) -> list[ComparisonSpec]:
    """One comparison per experiment with two or more runs: all of them, or the best 50 by the
    primary metric for a bigger experiment."""
    specs = []
    for e in study.experiments:
        if len(e.runs) < 2:
            continue
        top = MAX_EXPERIMENT_COMPARISON if len(e.runs) > MAX_EXPERIMENT_COMPARISON else None
        title = f"Experiment {e.name}"
        if top:
            title += f" (best {top} of {len(e.runs):,} by {study.primary_metric})"
        specs.append(
            ComparisonSpec(
                slug=f"experiment-{study.pages.experiment(e.name).lower()}",
                experiment=e.name,
                title=title,
                source="experiment",
                show=parts,
                selection=Selection(
                    experiment=e.name, top=top, by=study.primary_metric if top else None
                ),
            )
        )
    return specs


def build_comparison(spec: ComparisonSpec, study: Study, settings: Settings) -> Comparison:
    runs, missing = select_runs(study, spec.selection)
    runs_t = tuple(runs)
    names = spec.metrics or tuple(c.name for c in study.visible_columns)
    if study.operating_point is not None:  # the operating point's metric comes first
        first = study.operating_point.metric
        names = (first, *(n for n in names if n != first))
    columns = tuple(metric_column(runs_t, n, study.ranking) for n in names)
    params = sorted({k for r in runs_t for k in r.params})
    return Comparison(
        spec=spec,
        runs=runs_t,
        baseline=_baseline(runs_t, study.run_id(spec.baseline) if spec.baseline else None),
        columns=columns,
        diff_params=tuple(k for k in params if _differs(runs_t, k)),
        all_params=tuple(params),
        groups=_seed_groups(runs_t, names),
        eval_groups=_eval_groups(runs_t),
        missing=tuple(missing),
    )


def _baseline(runs: tuple[Run, ...], wanted: str | None) -> Run | None:
    if not runs:
        return None
    if wanted:
        return next((r for r in runs if r.id == wanted), None)
    return next((r for r in runs if r.baseline), runs[0])


def _differs(runs: tuple[Run, ...], key: str) -> bool:
    """Whether runs set `key` differently, by value ("10" as logged by a tracker equals 10)."""
    values = {_comparable(param_value(r.params.get(key, _MISSING))) for r in runs}
    return len(values) > 1


def _comparable(value: Any) -> Any:
    """Numbers compare by value (10 == 10.0), anything else by its repr."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return repr(value)


_MISSING = object()


def is_seed_key(key: str) -> bool:
    return any(fnmatchcase(key.lower(), p) for p in SEED_KEYS)


def _seed_groups(runs: tuple[Run, ...], metrics: tuple[str, ...]) -> tuple[SeedGroup, ...]:
    buckets: dict[str, list[Run]] = {}
    for run in runs:
        rest = {k: v for k, v in typed_params(run).items() if not is_seed_key(k)}
        if len(rest) == len(run.params):
            continue  # no seed parameter: not part of a seed study
        buckets.setdefault(f"{run.experiment}|{sorted(rest.items(), key=str)!r}", []).append(run)
    groups = []
    for key, members in buckets.items():
        if len(members) < 2:
            continue
        mean, sd = {}, {}
        for m in metrics:
            values = [v for r in members if (v := metric_value(r, m)) is not None]
            if values:
                mean[m] = statistics.fmean(values)
                sd[m] = statistics.stdev(values) if len(values) > 1 else 0.0
        groups.append(SeedGroup(key=key, runs=tuple(members), mean=mean, sd=sd))
    return tuple(sorted(groups, key=lambda g: g.runs[0].id))


def _eval_groups(runs: tuple[Run, ...]) -> tuple[tuple[str, tuple[Run, ...]], ...]:
    """Runs grouped by what they were evaluated on (rows and labels, or a declared dataset)."""
    by_data: dict[str, list[Run]] = {}
    for run in runs:
        declared = run.info.get("run.eval_dataset")
        key = f"dataset {declared}" if declared else run.eval_fingerprint
        if key:
            by_data.setdefault(key, []).append(run)
    ordered = sorted(by_data.values(), key=lambda rs: rs[0].id)
    return tuple(
        (chr(ord("A") + i) if i < 26 else str(i), tuple(rs)) for i, rs in enumerate(ordered)
    )


def sd_text(mean: float | None, sd: float | None) -> str:
    if mean is None or sd is None or not math.isfinite(mean):
        return "—"
    return f"{mean:.4g} ± {sd:.2g}"


@dataclass(frozen=True, kw_only=True, slots=True)
class SummaryRow:
    """A row of a comparison's summary table: a run, a seed group, or a member of one."""

    kind: str  # "run", "group" or "member"
    run: Run | None = None
    group: SeedGroup | None = None
    group_index: int = 0


def summary_rows(cmp: Comparison) -> list[SummaryRow]:
    """Runs in selection order; a seed group's row comes where its first member would be."""
    rows: list[SummaryRow] = []
    placed: set[int] = set()
    for run in cmp.runs:
        group = cmp.group_of(run)
        if group is None:
            rows.append(SummaryRow(kind="run", run=run))
            continue
        index = cmp.groups.index(group)
        if index in placed:
            continue
        placed.add(index)
        rows.append(SummaryRow(kind="group", group=group, group_index=index))
        rows += [SummaryRow(kind="member", run=m, group_index=index) for m in group.runs]
    return rows


def with_full_runs(cmp: Comparison, full: Callable[[Run], Run]) -> Comparison:
    """The comparison with every summarised run replaced by its full run (one object per run,
    so identity checks such as seed-group membership still hold)."""
    memo: dict[str, Run] = {}

    def one(run: Run) -> Run:
        if run.id not in memo:
            memo[run.id] = full(run)
        return memo[run.id]

    if not any(r.summarised for r in cmp.runs):
        return cmp
    return replace(
        cmp,
        runs=tuple(map(one, cmp.runs)),
        baseline=one(cmp.baseline) if cmp.baseline else None,
        groups=tuple(replace(g, runs=tuple(map(one, g.runs))) for g in cmp.groups),
        eval_groups=tuple((label, tuple(map(one, rs))) for label, rs in cmp.eval_groups),
    )


def build_comparisons(
    study: Study,
    settings: Settings,
    parts: tuple[str, ...],
    skipped: frozenset[str] = frozenset(),
) -> tuple[tuple[Comparison, ...], list[str]]:
    """Experiment comparisons plus declared ones; bad declarations are warnings, not fatal."""
    specs, warnings = experiment_specs(study, parts), []
    for where, raw in settings.comparisons:
        try:
            specs.append(parse_spec(raw, where, parts))
        except SelectionError as exc:
            warnings.append(f"Comparison skipped: {exc}")
    missing = missing_run_message([r.id for r in study.runs], skipped)
    seen: set[str] = {"index"}  # compare/index.md lists the comparisons
    comparisons = []
    for spec in specs:
        if spec.slug in seen:
            warnings.append(f"Comparison '{spec.title}' skipped: the slug '{spec.slug}' is taken")
            continue
        seen.add(spec.slug)
        cmp = build_comparison(spec, study, settings)
        warnings += [f"Comparison '{spec.title}': {missing(m)}" for m in cmp.missing]
        if not cmp.runs:
            warnings.append(
                f"Comparison '{spec.title}' matches no run ({spec.selection.describe()})"
            )
        comparisons.append(cmp)
    return tuple(comparisons), warnings
