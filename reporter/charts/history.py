"""History charts (pure): a run's metrics over training, and runs overlaid per metric."""

from __future__ import annotations

import re

from reporter.charts.base import (
    PALETTE,
    Chart,
    base_layout,
    downsample,
    line_trace,
    round_values,
    y_scale_menu,
)
from reporter.model import MetricSeries, Run
from reporter.study.compare import Comparison

_SPLIT_PREFIX = re.compile(r"^(train|training|valid|validation|val|test|eval|dev)[_/.\-]", re.I)


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
    figure_layout = base_layout(
        title, x_name, title, traces=len(traces), updatemenus=y_scale_menu()
    )
    figure = {"data": traces, "layout": figure_layout}
    caption = (
        ("Downsampled (min/max per bucket, spikes kept): " + "; ".join(notes)) if notes else ""
    )
    return Chart(key=f"history:{title}", figure=figure, caption=caption)


def history_names(runs: tuple[Run, ...]) -> list[str]:
    return sorted({s.name for r in runs for s in r.histories})


def history_charts(
    cmp: Comparison, names: list[str] | None, *, max_points: int, chart_points: int
) -> list[Chart]:
    """One chart per history metric, one trace per run, within a point budget per chart."""
    wanted = names or history_names(cmp.runs)
    charts = []
    for name in wanted:
        series = [(r, s) for r in cmp.runs for s in r.histories if s.name == name]
        if series:
            charts.append(_history_chart(name, series, max_points, chart_points))
    return charts


def overlay_history_chart(
    name: str, series: list[tuple[Run, MetricSeries]], *, max_points: int, chart_points: int
) -> Chart:
    """One history metric of several runs overlaid, within the chart's point budget (also the
    figure each run's data file holds for the ad-hoc comparison page, merged in the browser)."""
    return _history_chart(name, series, max_points, chart_points)


def _history_chart(
    name: str, series: list[tuple[Run, MetricSeries]], max_points: int, chart_points: int
) -> Chart:
    budget = max(100, min(max_points, chart_points // len(series)))
    traces, shortened = [], 0
    for i, (run, s) in enumerate(series):
        keep = downsample(s.x, s.y, budget)
        shortened += len(keep) < len(s.y)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": run.name,
                "x": round_values(s.x[keep], 9),
                "y": round_values(s.y[keep]),
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 1.5},
                "hovertemplate": f"%{{y:.4g}} at {s.x_name} %{{x}}<extra>%{{fullData.name}}</extra>",
            }
        )
    caption = ""
    if shortened:
        caption = (
            f"{shortened} of {len(series)} series downsampled to at most {budget:,} points "
            "(min and max of each bucket kept, so spikes show); the full series are the "
            "history files linked in the table above."
        )
    figure_layout = base_layout(
        name,
        series[0][1].x_name,
        name,
        traces=len(traces),
        hovermode="closest",
        updatemenus=y_scale_menu(),
    )
    return Chart(
        key=f"history:{name}", figure={"data": traces, "layout": figure_layout}, caption=caption
    )


def history_groups(cmp: Comparison) -> dict[str, list[str]]:
    """History metric names grouped the way run pages group them (train_x with valid_x)."""
    every = tuple(s for r in cmp.runs for s in r.histories)
    return {base: sorted({s.name for s in group}) for base, group in group_histories(every).items()}
