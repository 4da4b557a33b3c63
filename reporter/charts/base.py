"""Charts as plain Plotly figure dicts (pure; no plotly import, no I/O).

Building dicts instead of `plotly.graph_objects` avoids validation costs of milliseconds per
figure; plotly.js validates when it draws. Long series are downsampled with min/max buckets so
spikes survive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class Chart:
    """A figure and a caption saying what the reader should know (e.g. downsampling)."""

    key: str
    figure: dict[str, Any]
    caption: str = ""


def downsample(x: np.ndarray, y: np.ndarray, budget: int) -> np.ndarray:
    """Indices of at most `budget` points keeping the first, the last and each bucket's extremes.

    The interior is cut into equal buckets; each contributes its minimum and maximum, so the
    global minimum and maximum (and every spike wider than a bucket's share) are kept. A bucket
    holding NaN (a diverged value, drawn as a gap) also keeps its first NaN, so the gap stays.
    Indices come back sorted, so a monotone x stays monotone.
    """
    n = len(y)
    if n <= max(budget, 4):
        return np.arange(n)
    buckets = max((budget - 4) // 2, 1)
    inner = np.arange(1, n - 1)
    size = len(inner) // buckets
    body = inner[: size * buckets].reshape(buckets, size)
    rest = inner[size * buckets :]
    picks = _extremes(body, y[body])
    if len(rest):
        picks += _extremes(rest[None, :], y[rest][None, :])
    return np.unique(np.concatenate([[0, n - 1], *picks]))


def _extremes(rows: np.ndarray, values: np.ndarray) -> list[np.ndarray]:
    """Per row of indices: where the minimum and the maximum are, and the first NaN if any."""
    nan = np.isnan(values)
    every = np.arange(len(rows))
    picks = [
        rows[every, np.where(nan, np.inf, values).argmin(1)],
        rows[every, np.where(nan, -np.inf, values).argmax(1)],
    ]
    gaps = nan.any(1)
    if gaps.any():
        picks.append(rows[gaps, nan[gaps].argmax(1)])
    return picks


def round_values(values: np.ndarray, digits: int = 6) -> list[float | None]:
    """Values rounded to `digits` significant digits of the largest one: smaller JSON, same chart."""
    a = np.asarray(values, dtype=float)
    finite = a[np.isfinite(a)]
    top = float(np.max(np.abs(finite))) if finite.size else 0.0
    decimals = max(0, digits - 1 - math.floor(math.log10(top))) if top > 0 else digits
    rounded = np.round(a, min(decimals, 15))
    if finite.size == a.size:
        return rounded.tolist()
    return [float(v) if math.isfinite(v) else None for v in rounded]


def y_scale_menu() -> list[dict[str, Any]]:
    """Buttons switching the y axis between linear and log (a diverged run flattens the rest)."""
    return [
        {
            "type": "buttons",
            "direction": "right",
            "x": 1,
            "xanchor": "right",
            "y": 1.0,
            "yanchor": "top",
            "showactive": True,
            "bgcolor": "rgba(255,255,255,0.7)",
            "buttons": [
                {"label": "linear", "method": "relayout", "args": [{"yaxis.type": "linear"}]},
                {"label": "log", "method": "relayout", "args": [{"yaxis.type": "log"}]},
            ],
        }
    ]


def line_trace(name: str, x: np.ndarray, y: np.ndarray, color: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": round_values(x, 9),
        "y": round_values(y),
        "line": {"color": color, "width": 1.5},
    }


def base_layout(
    title: str, x_title: str, y_title: str, traces: int = 2, **extra: Any
) -> dict[str, Any]:
    """The house layout; the height grows with the legend (two entries per legend row)."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        "xaxis": {"title": {"text": x_title, "standoff": 6}, "zeroline": False},
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "height": 330 + 20 * ((traces + 1) // 2),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2},
        "showlegend": True,
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }
