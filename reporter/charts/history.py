"""History charts (pure): a run's metrics over training, and runs overlaid per metric."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import numpy as np

from reporter.charts.base import (
    PALETTE,
    Chart,
    base_layout,
    control,
    downsample,
    line_trace,
    round_values,
    run_colours,
    scale_control,
)
from reporter.model import MetricSeries, Run
from reporter.study.compare import Comparison

_SPLIT_PREFIX = re.compile(r"^(train|training|valid|validation|val|test|eval|dev)[_/.\-]", re.I)
DIVERGED_SPANS = 3.0  # a run reaching this many of the others' spans beyond them has diverged


def group_histories(series: tuple[MetricSeries, ...]) -> dict[str, list[MetricSeries]]:
    """Series sharing a base name (`train_loss`, `valid_loss` -> `loss`) go on one chart."""
    groups: dict[str, list[MetricSeries]] = {}
    for s in series:
        groups.setdefault(_SPLIT_PREFIX.sub("", s.name) or s.name, []).append(s)
    return dict(sorted(groups.items()))


def run_history_charts(run: Run, budget: int) -> list[Chart]:
    """A run's histories, one chart per base name (`train_loss` with `valid_loss`)."""
    return [
        history_chart(base, [(s.name, s) for s in series], budget)
        for base, series in group_histories(run.histories).items()
    ]


def _g(value: float) -> str:
    return f"{value:.4g}"


def _ending(label: str, s: MetricSeries) -> str:
    """'valid_loss ends at 0.0512 (step 200; lowest 0.0498 at step 143)'."""
    y = np.asarray(s.y, dtype=float)
    finite = np.isfinite(y)
    if not finite.any():
        return f"{label} has no finite value"
    last = int(np.flatnonzero(finite)[-1])
    low, high = int(np.nanargmin(y)), int(np.nanargmax(y))
    return (
        f"{label} ends at {_g(y[last])} ({s.x_name} {_g(s.x[last])}; lowest {_g(y[low])} at "
        f"{_g(s.x[low])}, highest {_g(y[high])} at {_g(s.x[high])})"
    )


def history_chart(title: str, series: list[tuple[str, MetricSeries]], budget: int) -> Chart:
    """Overlaid histories, one trace per (label, series)."""
    traces = []
    notes = []
    for i, (label, s) in enumerate(series):
        keep = downsample(s.x, s.y, budget)
        if len(keep) < len(s.y):
            notes.append(f"{label}: {len(keep):,} of {len(s.y):,} points")
        traces.append(line_trace(label, s.x[keep], s.y[keep], PALETTE[i % len(PALETTE)]))
    x_name = series[0][1].x_name if series else "step"
    figure_layout = base_layout(title, x_name, title, traces=len(traces))
    figure = {"data": traces, "layout": figure_layout, "controls": [scale_control("yaxis")]}
    caption = (
        ("Downsampled (min/max per bucket, spikes kept): " + "; ".join(notes)) if notes else ""
    )
    summary = "; ".join(_ending(label, s) for label, s in series) + "."
    return Chart(key=f"history:{title}", figure=figure, caption=caption, summary=summary)


def history_names(runs: tuple[Run, ...]) -> list[str]:
    return sorted({s.name for r in runs for s in r.histories})


def history_charts(
    cmp: Comparison,
    names: list[str] | None,
    *,
    max_points: int,
    chart_points: int,
    unranked: Collection[str] = (),
    colours: Mapping[str, str] | None = None,
) -> list[Chart]:
    """One chart per history metric, one trace per run, within a point budget per chart.

    `unranked`: ids of failed or killed runs; they and runs that diverged are drawn but kept off
    the shared y axis until the reader includes them (a loss of 7 would flatten the others).
    """
    wanted = names or history_names(cmp.runs)
    colours = colours or run_colours(r.id for r in cmp.runs)
    charts = []
    for name in wanted:
        series = [(r, s) for r in cmp.runs for s in r.histories if s.name == name]
        if series:
            charts.append(
                _history_chart(name, series, max_points, chart_points, set(unranked), colours)
            )
    return charts


def overlay_history_chart(
    name: str, series: list[tuple[Run, MetricSeries]], *, max_points: int, chart_points: int
) -> Chart:
    """One history metric of several runs overlaid, within the chart's point budget (also the
    figure each run's data file holds for the ad-hoc comparison page, merged in the browser)."""
    colours = run_colours(run.id for run, _ in series)
    return _history_chart(name, series, max_points, chart_points, set(), colours)


def off_axis(series: list[tuple[Run, MetricSeries]], unranked: Collection[str]) -> set[str]:
    """Runs kept off a shared axis: unranked ones (failed, killed), and runs whose values reach
    more than `DIVERGED_SPANS` times the other runs' span beyond them."""
    out = {run.id for run, _ in series if run.id in unranked}
    bounds = {}
    for run, s in series:
        y = np.asarray(s.y, dtype=float)
        y = y[np.isfinite(y)]
        if y.size:
            bounds[run.id] = (float(y.min()), float(y.max()))
    for run_id, (low, high) in bounds.items():
        others = [b for r, b in bounds.items() if r != run_id and r not in out]
        if run_id in out or len(others) < 2:
            continue
        o_low, o_high = min(b[0] for b in others), max(b[1] for b in others)
        reach = DIVERGED_SPANS * max(o_high - o_low, 1e-12)
        if high > o_high + reach or low < o_low - reach:
            out.add(run_id)
    return out


def _last(s: MetricSeries) -> tuple[float, float] | None:
    y = np.asarray(s.y, dtype=float)
    finite = np.flatnonzero(np.isfinite(y))
    return (float(y[finite[-1]]), float(s.x[finite[-1]])) if finite.size else None


def _overlay_summary(
    name: str, series: list[tuple[Run, MetricSeries]], hidden: Collection[str]
) -> str:
    """A short summary of many runs' histories: how many, and which ends lowest and highest
    (of the runs on the shared axis); one run gets its own ending."""
    if len(series) == 1:
        return _ending(series[0][0].name, series[0][1]) + "."
    ends = [
        (run.name, last, s.x_name)
        for run, s in series
        if run.id not in hidden and (last := _last(s)) is not None
    ]
    if not ends:
        return f"{name} of {len(series)} runs; none has a finite value."
    low = min(ends, key=lambda e: e[1][0])
    high = max(ends, key=lambda e: e[1][0])
    return (
        f"{name} of {len(series)} runs: lowest at the end {low[0]} ({_g(low[1][0])} at "
        f"{low[2]} {_g(low[1][1])}), highest at the end {high[0]} ({_g(high[1][0])} at "
        f"{high[2]} {_g(high[1][1])}); each run's values on hover."
    )


def _history_chart(
    name: str,
    series: list[tuple[Run, MetricSeries]],
    max_points: int,
    chart_points: int,
    unranked: set[str],
    colours: Mapping[str, str],
) -> Chart:
    budget = max(100, min(max_points, chart_points // len(series)))
    hidden = off_axis(series, unranked)
    traces, shortened = [], 0
    for run, s in series:
        keep = downsample(s.x, s.y, budget)
        shortened += len(keep) < len(s.y)
        trace = {
            "type": "scatter",
            "mode": "lines",
            "name": run.name,
            "x": round_values(s.x[keep], 9),
            "y": round_values(s.y[keep]),
            "line": {"color": colours.get(run.id, PALETTE[0]), "width": 1.5},
            "hovertemplate": f"%{{y:.4g}} at {s.x_name} %{{x}}<extra>%{{fullData.name}}</extra>",
        }
        if run.id in hidden:
            trace["visible"] = "legendonly"
        traces.append(trace)
    caption = ""
    if shortened:
        caption = (
            f"{shortened} of {len(series)} series downsampled to at most {budget:,} points "
            "(min and max of each bucket kept, so spikes show); the full series are the "
            "history files linked in the table above."
        )
    controls = [scale_control("yaxis")]
    left_out = [run.name for run, _ in series if run.id in hidden]
    if left_out:
        indices = [i for i, (run, _) in enumerate(series) if run.id in hidden]
        controls.insert(
            0,
            control(
                "diverged and failed runs",
                {"label": "hidden", "restyle": {"visible": "legendonly"}, "traces": indices},
                {"label": "shown", "restyle": {"visible": True}, "traces": indices},
            ),
        )
    summary = _overlay_summary(name, series, hidden)
    if left_out:
        summary += f" Off the shared axis until shown (diverged or failed): {', '.join(left_out)}."
    figure_layout = base_layout(
        name, series[0][1].x_name, name, traces=len(traces), hovermode="closest"
    )
    return Chart(
        key=f"history:{name}",
        figure={"data": traces, "layout": figure_layout, "controls": controls},
        caption=caption,
        summary=summary,
    )


def history_groups(cmp: Comparison) -> dict[str, list[str]]:
    """History metric names grouped the way run pages group them (train_x with valid_x)."""
    every = tuple(s for r in cmp.runs for s in r.histories)
    return {base: sorted({s.name for s in group}) for base, group in group_histories(every).items()}
