"""Reading and evaluating runs: cached, in parallel, in a deterministic order.

Runs whose files are unchanged since the last build come from the cache; the others are read
(and evaluated) by a pool of worker processes when there are enough of them to pay for the
pool, else in this process. Results keep discovery order whatever the pool does.

A run is fingerprinted before it is read and checked after: a run rewritten while it was read
is read again (and, if it keeps changing, used but not cached), so the cache never keeps old
values under a new fingerprint. A store run whose handle has a `fingerprint` is fingerprinted
by it (taken by its reader at listing time, with the data it is read from) and by its own files;
a file several runs share is hashed once, here, before the runs are read. Workers die with the
build that started them.

Histories a reader leaves in its store (`readers.HistoryReader`) are read when a page draws the
run (`LoadStats.full_run`), like the histories a summarised run left in the cache.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from reporter.config import Settings
from reporter.errors import RunReadError
from reporter.model import Run
from reporter.pipeline.cache import Fingerprint, RunCache, content_digest, stat_digest
from reporter.readers import CacheHandle, Fingerprinted, HistoryReader, conforms
from reporter.readers.discover import FoundRun
from reporter.workers import can_fork, die_with

Outcome = tuple[Run | None, list[RunReadError]]
PARALLEL_FROM = 48  # below this many runs to read, a process pool costs more than it saves
SUMMARISE_FROM = 500  # from this many runs, a build keeps only run summaries in memory
READ_ATTEMPTS = 3  # a run that changes under every read is used, not cached


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadStats:
    cached: int
    read: int
    workers: int
    full_run: Callable[[Run], Run] = lambda run: run  # the full run behind a summarised one
    warnings: list[str] = field(default_factory=list)


def read_one(item: FoundRun, settings: Settings) -> Outcome:
    """One run through read and evaluate. A run that cannot be read is (None, [problem]); a
    part that cannot be read (a history, an evaluation) keeps the run, with the problem."""
    try:
        run = item.reader.read(item.handle, run_id=item.id, root=settings.runs)
    except RunReadError as exc:
        exc.run_id = exc.run_id or item.id
        return None, [exc]
    except OSError as exc:  # a reader meeting a file it may not read
        return None, [_os_problem(exc, item, settings.runs)]
    problems = [RunReadError.part(text, item.id) for text in run.problems]
    if run.predictions and settings.evaluation.enabled:
        run, evaluated = evaluate_one(run, settings)
        problems += evaluated
    return run, problems


def _os_problem(exc: OSError, item: FoundRun, root: Path) -> RunReadError:
    where = Path(exc.filename) if exc.filename else item.path
    rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
    return RunReadError(f"cannot read it: {exc.strerror or exc}", run_id=item.id, path=rel)


def evaluate_one(run: Run, settings: Settings) -> tuple[Run, list[RunReadError]]:
    """Evaluate a run's predictions; an unusable predictions file keeps the run (partial)."""
    from reporter.evaluation.stage import evaluate_run

    try:
        return evaluate_run(run, settings.evaluation), []
    except RunReadError as exc:
        exc.partial = True
        exc.run_id = exc.run_id or run.id
        return replace(run, problems=(*run.problems, str(exc))), [exc]


def read_fingerprinted(
    item: FoundRun, settings: Settings, known: Fingerprint | None
) -> tuple[Outcome, Fingerprint | None]:
    """A run read between two looks at its files: the fingerprint (taken before reading) is
    returned only when the files did not change while they were read."""
    target, salt = _target(item), _salt(item)
    outcome: Outcome = (None, [])
    for _ in range(READ_ATTEMPTS):
        before = stat_digest(target, salt)
        if known is not None and known.stat == before and known.content:
            content = known.content
        else:
            content = content_digest(target, salt)
        outcome = read_one(item, settings)
        if stat_digest(target, salt) == before:
            return outcome, Fingerprint(stat=before, content=content)
        known = None
    return outcome, None


def _target(item: FoundRun) -> Path | None:
    """What a run's fingerprint covers: its folder, or what a store reader says is its own."""
    if conforms(item.handle, CacheHandle):
        return item.handle.cache_target
    return item.handle if isinstance(item.handle, Path) else item.path


def _salt(item: FoundRun) -> str:
    """Store-wide facts a run page shows (parent, children, states) that its files do not hold,
    and what the store records for the run when its reader says (`Fingerprinted`)."""
    if conforms(item.handle, Fingerprinted):
        return f"{item.handle.cache_salt}\0{item.handle.fingerprint}"
    return item.handle.cache_salt if conforms(item.handle, CacheHandle) else ""


def load(
    found: list[FoundRun],
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    summarise: bool = False,
) -> tuple[list[Outcome], LoadStats]:
    """Outcomes in the order of `found`.

    With `summarise` (and the cache on, and many runs), runs come back as summaries: histories
    and evaluation stay in the cache, and pages that draw them load them one run at a time
    (`RunCache.full`). Memory then grows with the number of runs by a few kilobytes each.
    """
    cache = RunCache(settings.cache_dir, settings) if settings.cache else None
    summaries = summarise and cache is not None and len(found) >= SUMMARISE_FROM
    outcomes: list[Outcome | None] = [None] * len(found)
    todo: list[tuple[int, FoundRun, Fingerprint | None]] = []
    shared = _shared_targets(found)
    for i, item in enumerate(found):
        if cache is None:
            todo.append((i, item, None))
            continue
        target, salt = _target(item), _salt(item)
        cached, fingerprint = cache.get(item.reader.name, item.id, target, salt)
        if cached is not None:
            run, problems = _stamped(cached, fingerprint.stat)
            full = run if summaries else cache.full(run)
            if full is not None:
                outcomes[i] = full, problems
                continue
        if target in shared and not fingerprint.content:  # hashed once for all its runs
            fingerprint = replace(fingerprint, content=cache.digests.content(target, salt))
        todo.append((i, item, fingerprint))  # not cached, or its details were lost: read it
    done = len(found) - len(todo)
    workers = _workers(settings, len(todo))
    for (i, _item, _known), (outcome, failure) in zip(
        todo, _map(todo, settings, workers, cache is not None, summaries), strict=True
    ):
        if cache is not None and failure:
            cache.failure = cache.failure or failure
        outcomes[i] = outcome
        done += 1
        if progress:
            progress(done, len(found))
    if cache is not None:
        cache.prune({(item.reader.name, item.id) for item in found})
    full_run = _full_runs(found, settings, cache)
    stats = LoadStats(
        cached=len(found) - len(todo),
        read=len(todo),
        workers=workers,
        full_run=full_run,
        warnings=cache.warnings() if cache is not None else [],
    )
    return [o for o in outcomes if o is not None], stats


def _shared_targets(found: list[FoundRun]) -> set[Path]:
    """Files that several runs are fingerprinted by (a database whose reader gives no
    `fingerprint`): hashed once per build, not once per run."""
    counts = Counter(
        _target(item)
        for item in found
        if conforms(item.handle, CacheHandle) and not conforms(item.handle, Fingerprinted)
    )
    return {target for target, n in counts.items() if n > 1 and target is not None}


def _full_runs(
    found: list[FoundRun], settings: Settings, cache: RunCache | None
) -> Callable[[Run], Run]:
    """Full runs for pages that draw them: a summarised run's details from the cache (read
    again when they were lost), and histories its reader left in the store."""
    by_id = {item.id: item for item in found}

    def full(run: Run) -> Run:
        if run.summarised:
            cached = cache.full(run) if cache is not None else None
            if cached is None and run.id in by_id:
                cached, _problems = read_one(by_id[run.id], settings)
            run = cached if cached is not None else replace(run, summarised=False)
        if run.histories_pending and run.id in by_id:
            run = with_histories(run, by_id[run.id], settings.runs)
        return run

    return full


def with_histories(run: Run, item: FoundRun, root: Path) -> Run:
    """The run with the histories its reader left in the store; one that cannot be read is a
    problem of the run (named on its page), not a failure."""
    if not conforms(item.reader, HistoryReader):
        return replace(run, histories_pending=False)
    try:
        histories = item.reader.read_histories(item.handle, run_id=run.id, root=root)
    except RunReadError as exc:
        exc.run_id = exc.run_id or run.id
        return replace(run, histories_pending=False, problems=(*run.problems, str(exc)))
    return replace(run, histories=histories, histories_pending=False)


def _stamped(outcome: Outcome, stamp: str) -> Outcome:
    """The run marked with its files' fingerprint, so later stages can cache what they make
    (a run from the cache was stored marked, unless its files were touched since)."""
    run, problems = outcome
    if run is None or run.files_fingerprint == stamp:
        return outcome
    return replace(run, files_fingerprint=stamp), problems


def _summarised(outcome: Outcome, summarise: bool, item: FoundRun) -> Outcome:
    run, problems = outcome
    if not summarise or run is None or run.reader != item.reader.name:  # the cache keys by reader
        return outcome
    return replace(run, histories=(), plots=(), evaluation=None, summarised=True), problems


def _workers(settings: Settings, count: int) -> int:
    if count < PARALLEL_FROM:
        return 1
    return max(1, min(settings.processes, count))


Job = tuple[FoundRun, Settings, Fingerprint | None, bool, bool]


def _run_job(job: Job) -> tuple[Outcome, str]:
    """Read (and evaluate) one run; with the cache on, store it there (where it was read, so
    the full run is pickled once) and hand back its summary when the build wants summaries.
    Also why the cache could not be written, if it could not."""
    item, settings, known, cached, summaries = job
    if not cached:
        return read_one(item, settings), ""
    outcome, fingerprint = read_fingerprinted(item, settings, known)
    if outcome[0] is None or fingerprint is None:  # nothing read, or changed while read
        return outcome, ""
    cache = RunCache(settings.cache_dir, settings)
    stored = cache.put(item.reader.name, item.id, outcome, fingerprint)
    outcome = _summarised(_stamped(outcome, fingerprint.stat), summaries and stored, item)
    return outcome, cache.failure


def _map(
    todo: list[tuple[int, FoundRun, Fingerprint | None]],
    settings: Settings,
    workers: int,
    cached: bool,
    summaries: bool,
) -> Iterator[tuple[Outcome, str]]:
    jobs = [(item, settings, known, cached, summaries) for _, item, known in todo]
    if workers <= 1:
        return map(_run_job, jobs)
    return _pooled(jobs, workers)


def _pooled(jobs: list[Job], workers: int) -> Iterator[tuple[Outcome, str]]:
    # Forked workers start with reporter imported (spawned ones import the command's modules
    # again, ~0.5 s each); "spawn" where fork is unsafe (`mkdocs serve` runs threads).
    context = multiprocessing.get_context("fork" if can_fork() else "spawn")
    chunk = max(1, min(16, len(jobs) // (workers * 4)))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=die_with, initargs=(os.getpid(),)
    )
    try:
        yield from pool.map(_run_job, jobs, chunksize=chunk)
    except BaseException:  # interrupted (SIGTERM, Ctrl-C) or failed: do not finish the queue
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
