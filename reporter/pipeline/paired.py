"""Paired differences for declared comparisons: each run against the comparison's baseline,
on the rows both were scored on (`reporter.evaluation.paired`).

A pipeline step after the comparisons are built: it reads the two runs' predictions again
(labels, scores, weights and ids only) and keeps one small `Difference` per pair. Results are
cached under `<cache_dir>/paired/`, keyed by both runs' file fingerprints, their predictions
files, the evaluation settings and reporter's code, so an unchanged pair is never resampled
again. Implied (per-experiment) comparisons are not tested: they can hold 50 runs each.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from reporter import __version__
from reporter.config import Settings
from reporter.config.stamp import code_stamp
from reporter.errors import RunReadError
from reporter.evaluation.paired import (
    NO_PREDICTIONS,
    PAIRED_METRICS,
    Difference,
    paired_difference,
)
from reporter.model import Run
from reporter.pipeline.cache import FORMAT, RunCache
from reporter.study.compare import Comparison

FOLDER = "paired"


class PairCache(RunCache):
    """One checksummed entry per pair of runs (same file format as the run cache)."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        super().__init__(folder, settings)
        self.folder = folder / FOLDER
        self.used: set[str] = set()

    def key(self, base: Run, run: Run) -> str | None:
        """None when a run has no fingerprint (read without the cache): nothing is stored."""
        if not base.files_fingerprint or not run.files_fingerprint:
            return None
        text = repr(
            (
                FORMAT,
                __version__,
                code_stamp(),
                asdict(self.settings.evaluation),
                [(r.reader, r.id, r.files_fingerprint, r.predictions) for r in (base, run)],
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def get_pair(self, key: str) -> Difference | None:
        self.used.add(key)
        entry = self._load(self.folder / f"{key}.pkl", check=False)
        value = entry.get("difference") if entry else None
        return value if isinstance(value, Difference) else None

    def put_pair(self, key: str, difference: Difference) -> None:
        self._write(self.folder / f"{key}.pkl", {"difference": difference})

    def prune_pairs(self) -> None:
        """Entries of pairs no comparison asked for this build are removed."""
        for path in self.folder.glob("*.pkl") if self.folder.is_dir() else []:
            if path.stem not in self.used:
                self._discard(path)


def with_differences(
    comparisons: tuple[Comparison, ...], settings: Settings
) -> tuple[Comparison, ...]:
    """Declared comparisons with each run's paired difference to the baseline."""
    if not settings.evaluation.enabled:
        return comparisons
    op = settings.evaluation.operating_point
    tested = PAIRED_METRICS + ((op.metric,) if op is not None else ())
    cache = PairCache(settings.cache_dir, settings) if settings.cache else None
    done: dict[tuple[str, str], Difference] = {}
    out = []
    for cmp in comparisons:
        cmp = replace(cmp, tested=tested)
        if cmp.spec.source == "experiment" or cmp.baseline is None or len(cmp.runs) < 2:
            out.append(cmp)
            continue
        out.append(replace(cmp, differences=_differences(cmp, settings, cache, done)))
    if cache is not None and settings.evaluation.bootstrap > 0:
        cache.prune_pairs()
    return tuple(out)


def _differences(
    cmp: Comparison,
    settings: Settings,
    cache: PairCache | None,
    done: dict[tuple[str, str], Difference],
) -> dict[str, Difference]:
    base = cmp.baseline
    assert base is not None
    loaded: list[Any] = []  # the baseline's predictions, read at most once per comparison
    out = {}
    for run in cmp.runs:
        if run is base:
            continue
        pair = (base.id, run.id)
        if pair not in done:
            done[pair] = _one(base, run, settings, cache, loaded)
        out[run.id] = done[pair]
    return out


def _one(
    base: Run, run: Run, settings: Settings, cache: PairCache | None, loaded: list[Any]
) -> Difference:
    if settings.evaluation.bootstrap == 0:
        return Difference(reason="not computed: bootstrap=0")
    if not base.predictions or not run.predictions:
        which = "the baseline has" if not base.predictions else "this run has"
        return Difference(reason=f"{NO_PREDICTIONS}: {which} no predictions file")
    key = cache.key(base, run) if cache is not None else None
    if cache is not None and key is not None:
        cached = cache.get_pair(key)
        if cached is not None:
            return cached
    from reporter.evaluation.stage import read_for_pairing

    ev = settings.evaluation
    try:
        if not loaded:
            loaded.append(read_for_pairing(base, ev))
        other = read_for_pairing(run, ev)
    except RunReadError as exc:
        return Difference(reason=f"predictions could not be read: {exc}")
    difference = paired_difference(
        loaded[0],
        other,
        resamples=ev.bootstrap,
        seed=ev.seed,
        operating_point=ev.operating_point,
    )
    if cache is not None and key is not None:
        cache.put_pair(key, difference)
    return difference
