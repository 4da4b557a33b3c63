"""Evaluation charts as Plotly figure dicts (pure): the confusion matrix and slices; the curves
(PR, ROC, calibration) are in `reporter.charts.curves` and re-exported here."""

from __future__ import annotations

from typing import Any

from reporter.charts.base import GREY, PALETTE, VIRIDIS, Chart, base_layout, label_traces
from reporter.charts.curves import calibration_chart, pr_chart, roc_chart
from reporter.evaluation.results import Evaluation
from reporter.model import Run
from reporter.study.compare import Comparison

__all__ = [
    "calibration_chart",
    "confusion_chart",
    "pr_chart",
    "roc_chart",
    "slice_chart",
    "slices_heatmap",
]

_LOW_SUPPORT = "#a9adb5"  # heatmap cells with too few positives: a mid grey, dark text reads
_CONFUSION_SCALE = ((0.0, "#eef3fb"), (1.0, "#2c5aa0"))
_GAPS = {"xgap": 2, "ygap": 2}
MIN_CELL_PX = 64  # a heatmap column never gets narrower (a wide one scrolls on a phone)


def confusion_chart(e: Evaluation, key: str = "confusion") -> Chart:
    """The confusion matrix at the run's threshold, each row as shares of its actual class
    (coloured by them) with the counts: FP and FN stand out however rare positives are."""
    at = e.at_threshold
    counts = [[at.tn, at.fp], [at.fn, at.tp]]
    shares = [[v / sum(row) if sum(row) else None for v in row] for row in counts]
    text = [
        [
            ("—" if share is None else f"{share:.1%}") + f"<br>{count:,.0f}"
            for share, count in zip(shares_row, row, strict=True)
        ]
        for shares_row, row in zip(shares, counts, strict=True)
    ]
    cells = {
        "x": ["predicted negative", "predicted positive"],
        "y": ["actual negative", "actual positive"],
        **_GAPS,
    }
    figure = {
        "data": [
            {
                **cells,
                "type": "heatmap",
                "colorscale": [list(stop) for stop in _CONFUSION_SCALE],
                "zmin": 0,
                "zmax": 1,
                "showscale": False,
                "z": shares,
                "text": text,
                "hovertemplate": "%{y}, %{x}: %{text}<extra></extra>",
            },
            # the labels: black on light cells, white on dark ones
            *label_traces(cells, shares, text, _CONFUSION_SCALE, 0, 1),
        ],
        "layout": {
            **base_layout(f"Confusion matrix at threshold {at.threshold:.4g}", "", ""),
            "height": 300,
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"automargin": True, "side": "bottom"},
            "hovermode": "closest",
            "margin": {"l": 110, "r": 10, "t": 40, "b": 40},
        },
    }
    positives, negatives = at.tp + at.fn, at.tn + at.fp
    summary = (
        f"At threshold {at.threshold:.4g}: {at.tp:,.0f} of {positives:,.0f} actual positives "
        f"caught ({_share(at.tp, positives)}), {at.fn:,.0f} missed; {at.fp:,.0f} of "
        f"{negatives:,.0f} actual negatives flagged ({_share(at.fp, negatives)}). Cells are "
        "coloured by the share of their row (the actual class)."
    )
    return Chart(key=key, figure=figure, summary=summary)


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def slice_chart(
    column: str,
    values: dict[str, Evaluation],
    metric: str = "average_precision",
    key: str = "",
    overall: float | None = None,
    min_positives: int | None = None,
) -> Chart:
    """One bar per slice value with its 95% interval (when the slices have intervals: none
    with `slice_bootstrap: 0`); slices with too few positives in a second, grey series (named in
    the legend); the run's overall value as a dashed line."""
    names = list(values)
    traces: list[dict[str, Any]] = []
    few = f"fewer than {min_positives} positives" if min_positives else "too few positives"
    intervals = any(values[v].ci.get(metric) for v in names)
    for low, label, colour in ((False, "enough positives", PALETTE[0]), (True, few, GREY)):
        chosen = [v for v in names if values[v].low_support == low]
        if not chosen:
            continue
        ys = [getattr(values[v], metric) for v in chosen]
        trace = {
            "type": "bar",
            "name": label,
            "x": chosen,
            "y": ys,
            "marker": {"color": colour},
            "text": [f"n {values[v].n:,.0f}, positives {values[v].positives:,.0f}" for v in chosen],
            "hovertemplate": "%{x}: %{y:.4f}<br>%{text}<extra>%{fullData.name}</extra>",
            "textposition": "none",
        }
        if intervals:
            cis = [values[v].ci.get(metric) for v in chosen]
            pairs = list(zip(cis, ys, strict=True))
            trace["error_y"] = {
                "type": "data",
                "symmetric": False,
                "array": [(ci[1] - y) if ci and y is not None else None for ci, y in pairs],
                "arrayminus": [(y - ci[0]) if ci and y is not None else None for ci, y in pairs],
                "color": GREY,
            }
        traces.append(trace)
    if overall is not None and names:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"overall {overall:.4f}",
                "x": [names[0], names[-1]],
                "y": [overall, overall],
                "line": {"color": GREY, "dash": "dash", "width": 1.5},
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(
        f"{metric} by {column}" + (" (95% interval)" if intervals else ""),
        column,
        metric,
        traces=len(traces),
        hovermode="closest",
        barmode="overlay",
    )
    layout["xaxis"]["categoryorder"] = "array"
    layout["xaxis"]["categoryarray"] = names
    return Chart(
        key=key or f"slices:{column}",
        figure={"data": traces, "layout": layout},
        summary=_slice_summary(column, values, metric, overall, few),
    )


def _slice_summary(
    column: str, values: dict[str, Evaluation], metric: str, overall: float | None, few: str
) -> str:
    known = {v: getattr(e, metric) for v, e in values.items() if getattr(e, metric) is not None}
    if not known:
        return f"No slice of {column} has a defined {metric}."
    high = max(known, key=lambda v: known[v])
    low = min(known, key=lambda v: known[v])
    text = f"{metric} by {column}: highest {high} {known[high]:.4f}, lowest {low} {known[low]:.4f}"
    if overall is not None:
        text += f", overall {overall:.4f}"
    weak = [v for v, e in values.items() if e.low_support]
    if weak:
        text += f"; {', '.join(weak)} have {few} (grey)"
    return text + "."


def slices_heatmap(cmp: Comparison, metric: str, min_positives: int) -> Chart | None:
    """Runs x slices of `metric` (computed from predictions), with support in every cell."""
    cells = {r.id: _slice_cells(r, metric) for r in cmp.runs}
    columns = sorted({c for row in cells.values() for c in row})
    if not columns:
        return None
    runs = [r for r in cmp.runs if cells[r.id]]
    z, low, text, low_text, support = [], [], [], [], []
    for run in runs:
        zr, lr, tr, ltr, sr = [], [], [], [], []
        for col in columns:
            value, n, pos = cells[run.id].get(col, (None, None, None))
            weak = pos is not None and pos < min_positives
            zr.append(None if weak else value)
            lr.append(1 if weak and value is not None else None)
            tr.append("" if weak else _cell_text(value, weak))
            ltr.append(_cell_text(value, weak) if weak else "")
            sr.append(_support(n, pos, weak, min_positives))
        z.append(zr), low.append(lr), text.append(tr), low_text.append(ltr), support.append(sr)
    names = [r.name for r in runs]
    values = [v for row in z for v in row if v is not None]
    zmin, zmax = (min(values), max(values)) if values else (0.0, 1.0)
    base = {"x": columns, "y": names, **_GAPS, "textfont": {"size": 12}}
    hover = "%{y}<br>%{x}: %{text}<br>%{customdata}<extra></extra>"
    low_scale = ((0.0, _LOW_SUPPORT), (1.0, _LOW_SUPPORT))
    figure = {
        "data": [
            {
                **base,
                "type": "heatmap",
                "z": z,
                "zmin": zmin,
                "zmax": zmax,
                "text": text,
                "customdata": support,
                "hovertemplate": hover,
                "colorscale": [list(stop) for stop in VIRIDIS],
                "colorbar": {"title": {"text": metric}},
            },
            {
                **base,
                "type": "heatmap",
                "z": low,
                "text": low_text,
                "customdata": support,
                "hovertemplate": hover.replace("%{text}", "%{text} (few positives)"),
                "colorscale": [list(stop) for stop in low_scale],
                "showscale": False,
            },
            # the labels: black on light cells, white on dark ones
            *label_traces(base, z, text, VIRIDIS, zmin, zmax),
            *label_traces(base, low, low_text, low_scale, 0, 1),
        ],
        "layout": {
            **base_layout(
                f"{metric} by slice (grey: fewer than {min_positives} positives)", "", ""
            ),
            "height": 200 + 44 * len(runs),
            "margin": {"l": 20, "r": 20, "t": 40, "b": 20},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"automargin": True, "tickangle": -30},
            "hovermode": "closest",
        },
        "min_width": 220 + MIN_CELL_PX * len(columns),  # reporter.js scrolls a narrower box
    }
    return Chart(key="slices", figure=figure, summary=_heatmap_summary(runs, columns, z, metric))


def _heatmap_summary(runs: list[Run], columns: list[str], z: list[list[Any]], metric: str) -> str:
    found = [
        (value, run.name, col)
        for run, row in zip(runs, z, strict=True)
        for col, value in zip(columns, row, strict=True)
        if value is not None
    ]
    if not found:
        return f"No slice has {metric} with enough positives."
    low, high = min(found), max(found)
    return (
        f"{metric} of {len(runs)} runs in {len(columns)} slices: lowest {low[0]:.3f} "
        f"({low[1]}, {low[2]}), highest {high[0]:.3f} ({high[1]}, {high[2]}); cells with too "
        "few positives are grey and marked ⚠."
    )


def _slice_cells(
    run: Run, metric: str
) -> dict[str, tuple[float | None, float | None, float | None]]:
    if run.evaluation is not None and run.evaluation.slices:
        return {
            f"{col}={val}": (getattr(e, metric, None), e.n, e.positives)
            for col, values in run.evaluation.slices.items()
            for val, e in values.items()
        }
    return {
        name: (m.get(metric), m.get("n"), m.get("positives"))
        for name, m in run.slices.items()
        if metric in m
    }


def _cell_text(value: float | None, weak: bool) -> str:
    return ("—" if value is None else f"{value:.3f}") + (" ⚠" if weak else "")


def _support(n: float | None, pos: float | None, weak: bool, minimum: int) -> str:
    if n is None:
        return "support unknown"
    text = f"n={n:,.0f}" + ("" if pos is None else f", positives={pos:,.0f}")
    return text + (f" (fewer than {minimum} positives)" if weak else "")
