"""Run pages rendered on every core: a build of many runs renders them in worker processes.

Rendering a run page (its charts, tables, model cards and data files) takes tens of
milliseconds, and a build renders one per run. The workers are forked once the study is known,
so they share it, the templates and the run cache with the build (copy-on-write) and are handed
only the position of the run to render; pages come back in the runs' order, the very pages one
process renders (tests compare them).

Pages in the page cache are read, not rendered: workers start only when at least
`PARALLEL_FROM` pages are not in it (fewer render faster than workers start). Fork is used
only where it is safe: on Linux, with no other thread running; `reporter serve` runs a server
thread, so it renders in its own process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from reporter.pages.run_page import related_runs
from reporter.workers import can_fork, die_with

if TYPE_CHECKING:
    from reporter.model import Run
    from reporter.pages.cache import Record
    from reporter.pages.renderer import Page, Renderer

PARALLEL_FROM = 64  # run pages; fewer render faster than workers start
AHEAD = 4  # chunks in flight per worker

_shared: tuple[Renderer, Sequence[Run]] | None = None  # what forked workers inherit


def run_pages(renderer: Renderer, runs: Sequence[Run], workers: int) -> Iterator[Page]:
    """Each run's page (`Renderer.run_page`), in order; by `workers` forked processes when
    there are enough runs and forking is safe here."""
    if workers <= 1 or _to_render(renderer, runs) < PARALLEL_FROM or not can_fork():
        yield from (renderer.run_page(run) for run in runs)
        return
    global _shared
    _shared = (renderer, runs)
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with,
            initargs=(os.getpid(),),
        )
        size = max(1, min(8, len(runs) // (workers * 8)))
        chunks = iter([range(i, min(i + size, len(runs))) for i in range(0, len(runs), size)])
        try:  # a few chunks ahead of the build, never all: finished pages wait in memory
            pending = deque(pool.submit(_render, c) for c in islice(chunks, workers * AHEAD))
            while pending:
                pages, record = pending.popleft().result()
                if renderer.page_cache is not None and record is not None:
                    renderer.page_cache.merge(record)
                following = next(chunks, None)
                if following is not None:
                    pending.append(pool.submit(_render, following))
                yield from pages
        except BaseException:  # interrupted or failed: do not finish the queue
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        _shared = None


def _to_render(renderer: Renderer, runs: Sequence[Run]) -> int:
    """How many pages are not in the page cache, counted up to `PARALLEL_FROM` (a build
    after one new run renders one page: no workers for that)."""
    missing = 0
    for run in runs:
        key, cache = run_page_key(renderer, run), renderer.page_cache
        missing += key is None or cache is None or not cache.has(key)
        if missing >= PARALLEL_FROM:
            break
    return missing


def run_page_key(renderer: Renderer, run: Run) -> str | None:
    """A run page's key in the page cache: what it is made from besides the settings and
    templates (the run's files, its place in the site, the runs it names, the journal entries
    naming it); None without a cache."""
    cache = renderer.page_cache
    if cache is None or not run.files_fingerprint:
        return None
    return cache.key(
        run.id,
        run.files_fingerprint,
        run.experiment,  # named after its store when several stores hold the name
        renderer.paths.run_page(run.id),
        [(label, r.id, r.name) for label, r in related_runs(run, renderer.study)],
        [(e.title, e.date, e.src_uri) for e in renderer.backlinks.get(run.id, [])],
    )


def _render(indices: range) -> tuple[list[Page], Record | None]:
    """The pages, and what the page cache learnt meanwhile (the keys asked for, the index
    entries and the data files checked), for the build's cache to keep."""
    assert _shared is not None, "run_pages' workers are forked after it shares the renderer"
    renderer, runs = _shared
    cache = renderer.page_cache
    if cache is not None:
        cache.restart()
    pages = [renderer.run_page(runs[i]) for i in indices]
    return pages, cache.record() if cache is not None else None
