"""Run pages rendered on every core: a build of many runs renders them in worker processes.

Rendering a run page (its charts, tables, model cards and data files) takes tens of
milliseconds, and a build renders one per run. The workers are forked once the study is known,
so they share it, the templates and the run cache with the build (copy-on-write) and are handed
only the position of the run to render; pages come back in the runs' order, the very pages one
process renders (tests compare them).

Fork is used only where it is safe: on Linux, with no other thread running. `reporter serve`
runs a server thread, so it renders in its own process, as does a build of few runs, where
starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from reporter.workers import die_with

if TYPE_CHECKING:
    from reporter.model import Run
    from reporter.pages.renderer import Page, Renderer

PARALLEL_FROM = 64  # run pages; fewer render faster than workers start

_shared: tuple[Renderer, Sequence[Run]] | None = None  # what forked workers inherit


def run_pages(renderer: Renderer, runs: Sequence[Run], workers: int) -> Iterator[Page]:
    """Each run's page (`Renderer.run_page`), in order; by `workers` forked processes when
    there are enough runs and forking is safe here."""
    if workers <= 1 or len(runs) < PARALLEL_FROM or not can_fork():
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
        chunk = max(1, min(8, len(runs) // (workers * 8)))
        try:
            yield from pool.map(_render, range(len(runs)), chunksize=chunk)
        except BaseException:  # interrupted or failed: do not finish the queue
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        _shared = None


def can_fork() -> bool:
    """Forking copies only the calling thread: safe when it is the only one (on Linux; macOS
    frameworks are not fork-safe, Windows has no fork)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _render(index: int) -> Page:
    assert _shared is not None, "run_pages' workers are forked after it shares the renderer"
    renderer, runs = _shared
    return renderer.run_page(runs[index])
