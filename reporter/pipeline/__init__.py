"""The pipeline: discover -> read -> evaluate -> analyse -> render, one call per stage.

`build_report` is what the MkDocs plugin and `reporter render` call; it touches the file system
only through discovery, the readers and the run cache (`reporter.pipeline.loading`), and
`report_pages` returns pages as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from reporter.config import Settings
from reporter.errors import ReporterError, RunReadError
from reporter.journal.entries import Entry
from reporter.journal.resolve import Journal, PartNames
from reporter.journal.resolve import resolve as resolve_journal
from reporter.model import Run
from reporter.pages.cache import PageCache
from reporter.pages.parts import COMPARISON, RUN, part_names
from reporter.pages.renderer import Page, Renderer
from reporter.pipeline.loading import load
from reporter.pipeline.paired import with_differences
from reporter.readers import load_readers
from reporter.readers._links import experiments_per_store, link_producing_runs
from reporter.readers.discover import discover_runs, nothing_found
from reporter.study.analyse import Study, analyse
from reporter.study.compare import Comparison, build_comparisons

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
    full_run: Callable[[Run], Run] | None = None  # the full run behind a summarised one

    @property
    def skipped(self) -> tuple[RunReadError, ...]:
        return tuple(p for p in self.problems if not p.partial)


@dataclass(frozen=True, kw_only=True, slots=True)
class Loaded:
    runs: list[Run]
    problems: list[RunReadError]
    notes: list[str]
    warnings: list[str]
    full_run: Callable[[Run], Run]


def load_runs(
    settings: Settings, progress: Progress | None = None, *, summarise: bool = False
) -> Loaded:
    """Read (and evaluate) every run; a run that cannot be read is reported, not fatal.

    `summarise`: many runs come back as summaries, with `full_run` giving the full run.
    """
    if settings.runs_url:
        from reporter.readers.remote import mirror_runs  # the runs live in object storage

        mirror_runs(settings.runs_url, settings.runs, settings.runs_storage_options)
    readers = load_readers(list(settings.readers) or None)
    discovery = discover_runs(settings.runs, readers)
    if not discovery.found:
        raise ReporterError(nothing_found(settings.runs, readers, discovery.warnings))
    if discovery.root is not None and discovery.root != settings.runs:
        settings = replace(settings, runs=discovery.root)  # a store file, or inside a store
    outcomes, stats = load(discovery.found, settings, progress, summarise=summarise)
    runs = experiments_per_store(link_producing_runs([r for r, _ in outcomes if r is not None]))
    problems = [p for _, run_problems in outcomes for p in run_problems]
    notes = discovery.notes
    notes.append(
        f"{stats.cached} runs from the cache, {stats.read} read"
        + (f" by {stats.workers} processes" if stats.workers > 1 else "")
    )
    return Loaded(
        runs=runs,
        problems=problems,
        notes=notes,
        warnings=discovery.warnings + stats.warnings,
        full_run=stats.full_run,
    )


def build_report(
    settings: Settings,
    progress: Progress | None = None,
    entries: tuple[Entry, ...] = (),
    line_offsets: dict[str, int] | None = None,
) -> Report:
    loaded = load_runs(settings, progress, summarise=True)
    study = analyse(loaded.runs, settings)
    skipped = frozenset(p.run_id for p in loaded.problems if not p.partial)
    parts = PartNames(comparison=part_names(COMPARISON), run=part_names(RUN))
    comparisons, warnings = build_comparisons(study, settings, parts.comparison, skipped)
    comparisons = with_differences(comparisons, settings)
    journal = resolve_journal(list(entries), study, comparisons, line_offsets or {}, parts, skipped)
    return Report(
        full_run=loaded.full_run,
        journal=journal,
        study=study,
        problems=tuple(loaded.problems),
        notes=tuple(loaded.notes),
        comparisons=comparisons,
        warnings=tuple(loaded.warnings + list(study.pages.warnings) + warnings + journal.warnings),
    )


def report_pages(
    report: Report,
    settings: Settings,
    page_cache: PageCache | None = None,
    finish: Callable[[Page], Page] | None = None,
) -> Iterator[Page]:
    """The report's pages, rendered one at a time; `finish`: see `Renderer`."""
    backlinks = report.journal.backlinks if report.journal else {}
    renderer = Renderer(
        report.study,
        settings,
        report.comparisons,
        backlinks=backlinks,
        page_cache=page_cache,
        full_run=report.full_run,
        finish=finish,
    )
    return renderer.pages()
