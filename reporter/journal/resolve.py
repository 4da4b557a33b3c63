"""Resolve journal references against the study (pure): links, embeds, backlinks, warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reporter.journal.entries import Embed, Entry, link_targets, parse_embed, unknown_parts
from reporter.study.analyse import Study, metric_value
from reporter.study.compare import Comparison, ComparisonSpec
from reporter.study.selection import (
    Selection,
    SelectionError,
    missing_run_message,
    parse_selection,
    select_runs,
)
from reporter.text import number_text, suggest


@dataclass(frozen=True, kw_only=True, slots=True)
class ResolvedLink:
    kind: str  # "run" or "compare"
    target: str | None  # the run id or comparison slug it points to, or None when broken
    title: str  # hover text (key metric) or the reason it is broken


@dataclass(frozen=True, kw_only=True, slots=True)
class PartNames:
    """The parts an embed may show: of a comparison, and of one run (`reporter.pages.parts`)."""

    comparison: tuple[str, ...]
    run: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ResolvedEmbed:
    spec: ComparisonSpec | None
    single_run: str | None = None
    error: str = ""


@dataclass(kw_only=True, slots=True)
class Journal:
    """Everything the pages need about the journal, worked out once per build."""

    entries: dict[str, Entry] = field(default_factory=dict)
    links: dict[tuple[str, str, str], ResolvedLink] = field(default_factory=dict)
    embeds: dict[tuple[str, int], ResolvedEmbed] = field(default_factory=dict)
    backlinks: dict[str, list[Entry]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def resolve(
    entries: list[Entry],
    study: Study,
    comparisons: tuple[Comparison, ...],
    line_offsets: dict[str, int],
    parts: PartNames,
    skipped: frozenset[str] = frozenset(),
) -> Journal:
    journal = Journal(entries={e.src_uri: e for e in entries})
    ids = missing_run_message([r.id for r in study.runs], skipped)
    slugs = [c.spec.slug for c in comparisons]
    for entry in entries:
        offset = line_offsets.get(entry.src_uri, 0)
        mentioned: list[str] = []
        for link in entry.links:
            resolved, mention = _link(link.kind, link.target, study, comparisons, ids, slugs)
            journal.links[(entry.src_uri, link.kind, link.target)] = resolved
            if resolved.target is None:
                journal.warnings.append(
                    f"{entry.src_uri}, line {link.line + offset}: {resolved.title}"
                )
            mentioned += mention
        for index, embed in enumerate(entry.embeds):
            resolved, mention = _embed(embed, index, study, ids, parts)
            journal.embeds[(entry.src_uri, index)] = resolved
            if resolved.error:
                journal.warnings.append(
                    f"{entry.src_uri}, line {embed.line + offset}: {resolved.error}"
                )
            mentioned += mention
        for run_id in dict.fromkeys(mentioned):
            journal.backlinks.setdefault(run_id, []).append(entry)
    for run_id in journal.backlinks:
        journal.backlinks[run_id].sort(key=lambda e: (e.date, e.src_uri), reverse=True)
    return journal


def _link(
    kind: str,
    target: str,
    study: Study,
    comparisons: tuple[Comparison, ...],
    ids: Callable[[str], str],
    slugs: list[str],
) -> tuple[ResolvedLink, list[str]]:
    if kind == "run":
        wanted = [study.run_id(w) for w in link_targets(target)]
        run = next((r for w in wanted for r in study.runs if r.id == w), None)
        if run is None:
            return ResolvedLink(kind=kind, target=None, title=ids(target)), []
        metric = study.primary_metric
        value = metric_value(run, metric) if metric else None
        hover = f"{run.name}: {metric} {number_text(value)}" if value is not None else run.name
        return ResolvedLink(kind=kind, target=run.id, title=hover), [run.id]
    cmp = next((c for c in comparisons if c.spec.slug == target), None)
    if cmp is None:
        why = f"no comparison '{target}'.{suggest(target, slugs)}"
        return ResolvedLink(kind=kind, target=None, title=why), []
    hover = f"{cmp.spec.title}: {len(cmp.runs)} runs"
    return ResolvedLink(kind=kind, target=cmp.spec.slug, title=hover), []


def _embed(
    embed: Embed, index: int, study: Study, ids: Callable[[str], str], parts: PartNames
) -> tuple[ResolvedEmbed, list[str]]:
    try:
        data = parse_embed(embed.body)
        single = "run" in data
        valid = parts.run if single else parts.comparison
        bad = unknown_parts(data["show"], valid)
        if bad:
            raise ValueError(f"unknown part(s) {', '.join(bad)}; valid parts: {', '.join(valid)}")
        selection = Selection(runs=(data["run"],)) if single else parse_selection(data["compare"])
    except (ValueError, SelectionError) as exc:
        return ResolvedEmbed(spec=None, error=f"reporter block: {exc}"), []
    runs, missing = select_runs(study, selection)
    if missing:
        error = "; ".join(ids(m) for m in missing)
        return ResolvedEmbed(spec=None, error=f"reporter block: {error}"), [r.id for r in runs]
    spec = ComparisonSpec(
        slug=f"embed-{index}",
        title=str(data.get("title") or ""),
        selection=selection,
        metrics=tuple(map(str, data.get("metrics") or ())),
        show=tuple(data["show"]),
        baseline=str(data["baseline"]) if data.get("baseline") else None,
        source="journal",
    )
    return ResolvedEmbed(spec=spec, single_run=data.get("run")), [r.id for r in runs]
