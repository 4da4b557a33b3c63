"""Parts: the sections comparison pages, journal embeds and run embeds are made of, declared once.

A `Part` has a name (what `show:` lists), a title, the scopes it applies to (a comparison of
runs, or one run embedded in a journal entry), the fewest runs it needs, the message shown when
it has nothing to draw, and a builder of its template context. A part is drawn by
`parts/<name>.j2` when that template exists (built in or the user's), else by the generic
`parts/charts.j2`, which draws the context's charts. So a new comparison chart is a figure
builder in `reporter.charts` plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from reporter.charts import evaluation as eval_charts
from reporter.charts import history, params
from reporter.charts.base import Chart, run_colours
from reporter.config import Settings
from reporter.pages.numbers import operating_formats
from reporter.pages.run_page import headline_rows, operating_table
from reporter.study.analyse import Study
from reporter.study.compare import Comparison, summary_rows

COMPARISON = "comparison"
RUN = "run"
BOTH = frozenset({COMPARISON, RUN})
SLICE_METRIC = "average_precision"


@dataclass(frozen=True, kw_only=True, slots=True)
class PartInput:
    """What a part is built from: the runs (one run for a run embed) and the build's settings."""

    cmp: Comparison
    arg: str  # `history:valid_loss` -> "valid_loss"
    settings: Settings
    metric: str  # the metric parameter charts colour by: the primary one
    scope: str
    study: Study
    colours: dict[str, str] | None = None  # run id -> colour, shared by the page's charts


@dataclass(frozen=True, kw_only=True, slots=True)
class Part:
    name: str
    title: str
    scopes: frozenset[str]
    build: Callable[[PartInput], dict[str, Any]]
    min_runs: int = 1
    empty: str = "Nothing to show for these runs."


def _charts(*charts: Chart | None) -> dict[str, Any]:
    return {"charts": [c for c in charts if c is not None]}


def _evaluated(p: PartInput) -> list[tuple[str, Any]]:
    return [(r.name, r.evaluation) for r in p.cmp.runs if r.evaluation is not None]


def _colours(p: PartInput) -> dict[str, str]:
    """One colour per run of the page (every part of a page asks with the same runs; a journal
    post's embeds hand over the colours of all of the post's runs)."""
    return p.colours or run_colours(r.id for r in p.cmp.runs)


def _evaluated_colours(p: PartInput) -> list[str]:
    colours = _colours(p)
    return [colours[r.id] for r in p.cmp.runs if r.evaluation is not None]


def _budget(p: PartInput, count: int) -> int:
    return max(50, p.settings.chart_points // max(count, 1))


def _history(p: PartInput) -> dict[str, Any]:
    if p.scope == RUN and not p.arg:
        built = history.run_history_charts(p.cmp.runs[0], p.settings.max_points)
        return {"charts": built, "empty": "This run logged no training history."}
    names = [p.arg] if p.arg else None
    built = history.history_charts(
        p.cmp,
        names,
        max_points=p.settings.max_points,
        chart_points=p.settings.chart_points,
        unranked={r.id for r in p.cmp.runs if not p.study.ranking.ranked(r)},
        colours=_colours(p),
    )
    if p.arg:
        empty = Markup("No run here logged a history of <code>{}</code>.").format(escape(p.arg))
        return {"charts": built, "empty": empty}
    return {"charts": built}


def _pr(p: PartInput) -> dict[str, Any]:
    items = _evaluated(p)
    key = f"pr:{p.cmp.spec.slug}"
    colours = _evaluated_colours(p)
    budget = _budget(p, len(items))
    return _charts(
        eval_charts.pr_chart(items, key=key, budget=budget, colours=colours) if items else None
    )


def _roc(p: PartInput) -> dict[str, Any]:
    items = _evaluated(p)
    key = f"roc:{p.cmp.spec.slug}"
    colours = _evaluated_colours(p)
    budget = _budget(p, len(items))
    return _charts(
        eval_charts.roc_chart(items, key=key, budget=budget, colours=colours) if items else None
    )


def _calibration(p: PartInput) -> dict[str, Any]:
    items = _evaluated(p)
    colours = _evaluated_colours(p)
    return _charts(eval_charts.calibration_chart(items, colours=colours) if items else None)


def _slices(p: PartInput) -> dict[str, Any]:
    if p.scope == RUN:
        e = p.cmp.runs[0].evaluation
        values = sorted(e.slices.items()) if e else []
        low = p.settings.evaluation.min_positives
        return {
            "charts": [
                eval_charts.slice_chart(col, by, overall=e.average_precision, min_positives=low)
                for col, by in values
                if e is not None
            ]
        }
    metric = p.arg or SLICE_METRIC
    return _charts(eval_charts.slices_heatmap(p.cmp, metric, p.settings.evaluation.min_positives))


def _confusion(p: PartInput) -> dict[str, Any]:
    e = p.cmp.runs[0].evaluation
    return _charts(eval_charts.confusion_chart(e) if e else None)


def _one_run(p: PartInput) -> dict[str, Any]:
    run = p.cmp.runs[0]
    return {"run": run, "performance": headline_rows(run)}


def _nothing(p: PartInput) -> dict[str, Any]:
    return {}


def _operating(p: PartInput) -> dict[str, Any]:
    """Runs best first at the operating point, the operating point's targets first, the best
    ranked run marked per target."""
    by = p.study.operating_point.metric if p.study.operating_point else p.study.primary_metric
    table = operating_table(list(p.cmp.runs), p.study.operating_point, p.study.ranking, by)
    for k in table.runs[0].evaluation.precision_at_k if table.runs else ():
        _, best = p.study.ranking.best(table.runs, f"precision@{k}")
        if best is not None:
            table.winners[f"precision@{k}"] = best
    return {"table": table, "by": by, "formats": operating_formats(table)}


_NO_PREDICTIONS = "None of these runs has predictions to draw {} from."
_PARAMETERS = "No parameter differs between these runs in a way that can be drawn."

# Comparison parts first, in the order a comparison shows them by default.
PARTS: tuple[Part, ...] = (
    Part(
        name="table",
        title="Summary",
        scopes=frozenset({COMPARISON}),
        build=lambda p: {"rows": summary_rows(p.cmp)},
    ),
    Part(
        name="config_diff",
        title="Configuration differences",
        scopes=frozenset({COMPARISON}),
        build=_nothing,
    ),
    Part(
        name="history",
        title="Training histories",
        scopes=BOTH,
        build=_history,
        empty="None of these runs logged a training history.",
    ),
    Part(
        name="pr_curve",
        title="Precision-recall curves",
        scopes=BOTH,
        build=_pr,
        empty=_NO_PREDICTIONS.format("a precision-recall curve"),
    ),
    Part(
        name="roc_curve",
        title="ROC curves",
        scopes=BOTH,
        build=_roc,
        empty=_NO_PREDICTIONS.format("a ROC curve"),
    ),
    Part(name="operating_points", title="Operating points", scopes=BOTH, build=_operating),
    Part(
        name="calibration",
        title="Calibration",
        scopes=BOTH,
        build=_calibration,
        empty="None of these runs has predictions to draw a calibration curve from (or their "
        "scores are not probabilities).",
    ),
    Part(
        name="parallel",
        title="Parameters and metric",
        scopes=frozenset({COMPARISON}),
        build=lambda p: _charts(params.parallel_chart(p.cmp, p.metric)),
        min_runs=5,
        empty=_PARAMETERS,
    ),
    Part(
        name="scatter",
        title="Metric by parameter",
        scopes=frozenset({COMPARISON}),
        build=lambda p: _charts(params.scatter_chart(p.cmp, p.metric, _colours(p))),
        min_runs=5,
        empty=_PARAMETERS,
    ),
    Part(
        name="slices",
        title="Slices",
        scopes=BOTH,
        build=_slices,
        empty="None of these runs has per-slice metrics.",
    ),
    Part(name="metrics", title="Metrics", scopes=frozenset({RUN}), build=_one_run),
    Part(name="confusion", title="Confusion matrix", scopes=frozenset({RUN}), build=_confusion),
    Part(name="card", title="Model card", scopes=frozenset({RUN}), build=_one_run),
    Part(name="params", title="Parameters", scopes=frozenset({RUN}), build=_one_run),
)
BY_NAME = {p.name: p for p in PARTS}


def part_names(scope: str) -> tuple[str, ...]:
    """The parts `show:` may list for a comparison (`COMPARISON`) or one run (`RUN`)."""
    return tuple(p.name for p in PARTS if scope in p.scopes)


def applicable(show: tuple[str, ...], cmp: Comparison, scope: str) -> list[str]:
    """Requested parts that apply to these runs (e.g. parameter charts need 5+ runs)."""
    names = []
    for wanted in show:
        part = BY_NAME.get(wanted.split(":", 1)[0])
        if part is not None and scope in part.scopes and len(cmp.runs) >= part.min_runs:
            names.append(wanted)
    return names


def part_context(
    wanted: str,
    cmp: Comparison,
    settings: Settings,
    study: Study,
    scope: str,
    colours: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the template of one part needs: its charts and rows, computed here."""
    base, _, arg = wanted.partition(":")
    part = BY_NAME[base]
    metric = study.primary_metric
    key_metric = metric or (cmp.columns[0].name if cmp.columns else SLICE_METRIC)
    empty = part.empty
    if scope == RUN and base not in ("history", "metrics", "card", "params"):
        empty = f"{base}: not available for this run (no predictions?)."
    built = part.build(
        PartInput(
            cmp=cmp,
            arg=arg,
            settings=settings,
            metric=key_metric,
            scope=scope,
            study=study,
            colours=colours,
        )
    )
    return {
        "part": base,
        "arg": arg,
        "title": part.title,
        "charts": [],
        "rows": [],
        "empty": empty,
        "evaluated": [r for r in cmp.runs if r.evaluation is not None],
        **built,
    }
