"""Run selections: which runs a comparison or a journal embed is about (pure).

A selection is written by people (in mkdocs.yml, comparisons.yaml or a journal entry) as
- a list of run ids or glob patterns: `[fraud/hgb-*, fraud/logreg-c0.1]`,
- one id or pattern: `fraud/hgb-lr0.2-es`,
- or a mapping: `{experiment: boosting, tags: [seed-study], top: 5, by: average_precision,
  runs: [...], exclude: [...], status: completed, children_of: <run id>}`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from reporter.model import Run
from reporter.study.analyse import Study
from reporter.text import suggest

KEYS = ("runs", "experiment", "tags", "status", "children_of", "exclude", "top", "by")
_GLOB = set("*?[")


class SelectionError(ValueError):
    """A selection that cannot be understood; the message lists every problem."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Selection:
    runs: tuple[str, ...] = ()
    experiment: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    children_of: str | None = None
    exclude: tuple[str, ...] = ()
    top: int | None = None
    by: str | None = None

    @property
    def is_dynamic(self) -> bool:
        """True when a later build with more runs may match more (globs, filters, top-N)."""
        explicit = self.runs and not any(_GLOB & set(p) for p in self.runs)
        return not explicit or bool(self.experiment or self.tags or self.status or self.top)

    def describe(self) -> str:
        parts = []
        if self.runs:
            parts.append("runs " + ", ".join(self.runs))
        if self.experiment:
            parts.append(f"experiment {self.experiment}")
        if self.tags:
            parts.append("tagged " + ", ".join(self.tags))
        if self.status:
            parts.append(f"status {self.status}")
        if self.children_of:
            parts.append(f"children of {self.children_of}")
        if self.exclude:
            parts.append("excluding " + ", ".join(self.exclude))
        if self.top:
            parts.append(f"top {self.top} by {self.by or 'the primary metric'}")
        return "; ".join(parts) or "all runs"


def parse_selection(spec: Any) -> Selection:
    if isinstance(spec, str):
        return Selection(runs=(spec,))
    if isinstance(spec, list | tuple):
        return Selection(runs=_words(spec, "compare", []))
    if not isinstance(spec, dict):
        raise SelectionError(f"expected run ids, a pattern or a mapping, got {type(spec).__name__}")
    problems: list[str] = []
    unknown = sorted(set(map(str, spec)) - set(KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(KEYS)}")
    top = spec.get("top")
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        problems.append(f"'top' must be a positive whole number, got {top!r}")
    selection = Selection(
        runs=_words(spec.get("runs", ()), "runs", problems),
        experiment=_word(spec.get("experiment"), "experiment", problems),
        tags=_words(spec.get("tags", ()), "tags", problems),
        status=_word(spec.get("status"), "status", problems),
        children_of=_word(spec.get("children_of"), "children_of", problems),
        exclude=_words(spec.get("exclude", ()), "exclude", problems),
        top=top if not problems or isinstance(top, int) else None,
        by=_word(spec.get("by"), "by", problems),
    )
    if problems:
        raise SelectionError("; ".join(problems))
    return selection


def _word(value: Any, key: str, problems: list[str]) -> str | None:
    if value is None or isinstance(value, str | int | float) and not isinstance(value, bool):
        return None if value is None else str(value)
    problems.append(f"'{key}' must be a single word, got {type(value).__name__}")
    return None


def _words(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v) for v in value)
    problems.append(f"'{key}' must be a list of run ids or patterns")
    return ()


def select_runs(study: Study, selection: Selection) -> tuple[list[Run], list[str]]:
    """The runs a selection matches (in the order given, else by time), and explicit ids that
    match nothing (for "did you mean" messages)."""
    by_id = study.by_id
    selection = replace(
        selection,
        runs=tuple(p if p in by_id else study.run_id(p) for p in selection.runs),
        children_of=study.run_id(selection.children_of) if selection.children_of else None,
    )
    missing = [p for p in selection.runs if not (_GLOB & set(p)) and p not in by_id]
    if selection.children_of and selection.children_of not in by_id:
        missing.append(selection.children_of)
    chosen = _ordered_matches(study.runs, selection.runs) if selection.runs else list(study.runs)
    chosen = [r for r in chosen if _keep(r, selection)]
    if selection.top:
        chosen = _top(chosen, selection.top, selection.by or study.primary_metric, study)
    return chosen, missing


def _ordered_matches(runs: tuple[Run, ...], patterns: tuple[str, ...]) -> list[Run]:
    seen: dict[str, Run] = {}
    for pattern in patterns:
        for run in runs:
            if run.id not in seen and (run.id == pattern or fnmatchcase(run.id, pattern)):
                seen[run.id] = run
    return list(seen.values())


def _keep(run: Run, s: Selection) -> bool:
    return (
        (s.experiment is None or run.experiment == s.experiment)
        and all(t in run.tags for t in s.tags)
        and (s.status is None or run.status.lower() == s.status.lower())
        and (s.children_of is None or run.info.get("parent") == s.children_of)
        and not any(run.id == p or fnmatchcase(run.id, p) for p in s.exclude)
    )


def _top(runs: list[Run], n: int, metric: str | None, study: Study) -> list[Run]:
    """The best n by the metric's own direction; failed runs come after every ranked one."""
    if not metric:
        return runs[:n]
    return study.ranking.order(runs, metric)[:n]


def missing_run_message(ids: list[str], skipped: frozenset[str] = frozenset()):  # noqa: ANN201
    """A function naming what is wrong with a run id that matches no run: the run was skipped
    (it could not be read; its own warning says why), or it does not exist (closest ids)."""

    def message(name: str) -> str:
        if name in skipped:
            return f"run '{name}' was skipped: it could not be read (see its warning)"
        return f"no run '{name}'.{suggest(name, ids)}"

    return message
