"""The pipeline: discover -> read -> evaluate -> analyse -> render, one call per stage.

`build_report` is what the MkDocs plugin and `reporter render` call; it touches the file system
only through discovery and the readers, and returns pages as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reporter.analyse import Study, analyse
from reporter.compare import Comparison, build_comparison, experiment_specs, parse_spec
from reporter.discover import discover_runs
from reporter.errors import RunReadError
from reporter.journal import Entry
from reporter.journal_resolve import Journal
from reporter.journal_resolve import resolve as resolve_journal
from reporter.loading import evaluate_one, load, read_one  # noqa: F401 - re-exported
from reporter.model import Run
from reporter.page_cache import PageCache
from reporter.readers import load_readers
from reporter.readers._links import link_producing_runs
from reporter.render import Page, render_pages
from reporter.selection import SelectionError, missing_run_message
from reporter.settings import Settings

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    """What one build produced: the study, its pages, and every problem met on the way."""

    study: Study
    problems: tuple[RunReadError, ...]
    notes: tuple[str, ...]
    comparisons: tuple[Comparison, ...] = ()
    warnings: tuple[str, ...] = ()
    journal: Journal | None = None
    bodies: Callable[[Run], Run] | None = None  # the full run behind a light one

    @property
    def skipped(self) -> tuple[RunReadError, ...]:
        return tuple(p for p in self.problems if not p.partial)


def load_runs(
    settings: Settings, progress: Progress | None = None
) -> tuple[list[Run], list[RunReadError], list[str]]:
    """Read (and evaluate) every run; a run that cannot be read is reported, not fatal."""
    runs, problems, notes, _bodies = _load(settings, progress, light=False)
    return runs, problems, notes


def _load(
    settings: Settings, progress: Progress | None, *, light: bool
) -> tuple[list[Run], list[RunReadError], list[str], Callable[[Run], Run]]:
    """`light`: many runs come back as summaries, with a function giving the full run."""
    found, notes = discover_runs(settings.runs, load_readers(list(settings.readers) or None))
    outcomes, stats = load(found, settings, progress, light=light)
    runs = link_producing_runs([run for run, _ in outcomes if run is not None])
    problems = [p for _, run_problems in outcomes for p in run_problems]
    notes.append(
        f"{stats.cached} runs from the cache, {stats.read} read"
        + (f" by {stats.workers} processes" if stats.workers > 1 else "")
    )
    return runs, problems, notes, stats.bodies


def build_report(
    settings: Settings,
    progress: Progress | None = None,
    entries: tuple[Entry, ...] = (),
    line_offsets: dict[str, int] | None = None,
) -> Report:
    runs, problems, notes, bodies = _load(settings, progress, light=True)
    study = analyse(runs, settings)
    skipped = frozenset(p.run_id for p in problems if not p.partial)
    comparisons, warnings = build_comparisons(study, settings, skipped)
    journal = resolve_journal(list(entries), study, comparisons, line_offsets or {}, skipped)
    warnings += journal.warnings
    return Report(
        bodies=bodies,
        journal=journal,
        study=study,
        problems=tuple(problems),
        notes=tuple(notes),
        comparisons=comparisons,
        warnings=tuple(warnings),
    )


def report_pages(
    report: Report, settings: Settings, page_cache: PageCache | None = None
) -> Iterator[Page]:
    """The report's pages, rendered one at a time."""
    backlinks = report.journal.backlinks if report.journal else {}
    return render_pages(
        report.study, settings, report.comparisons, backlinks, page_cache, report.bodies
    )


def build_comparisons(
    study: Study, settings: Settings, skipped: frozenset[str] = frozenset()
) -> tuple[tuple[Comparison, ...], list[str]]:
    """Experiment comparisons plus declared ones; bad declarations are warnings, not fatal."""
    specs, warnings = experiment_specs(study), []
    for where, raw in settings.comparisons:
        try:
            specs.append(parse_spec(raw, where))
        except SelectionError as exc:
            warnings.append(f"Comparison skipped: {exc}")
    missing = missing_run_message([r.id for r in study.runs], skipped)
    seen: set[str] = set()
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
