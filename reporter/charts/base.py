"""Charts as plain Plotly figure dicts (pure; no plotly import, no I/O).

Building dicts instead of `plotly.graph_objects` avoids validation costs of milliseconds per
figure; plotly.js validates when it draws. Long series are downsampled with min/max buckets so
spikes survive.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PALETTE = (
    "#4477aa", "#e69f00", "#228833", "#ee6677", "#66ccee", "#aa3377", "#ccbb44", "#cc79a7",
)  # fmt: skip
"""Colour-blind-safe hues (Paul Tol's bright scheme with Okabe-Ito's orange and pink) of middle
lightness, so a line reads on Material's white and on its slate background."""
GREY = "#8a8f98"  # reference lines (chance, no skill, perfect calibration): neither palette's text


def run_colours(run_ids: Iterable[str]) -> dict[str, str]:
    """One colour per run, derived from its id, so a run keeps its colour on every page.

    A run's colour is PALETTE[sha256(id) mod 8]. Runs of one page that would share a colour are
    told apart: in id order, a run whose colour is taken gets the next free one, so on a page
    of up to 8 runs every run has its own colour and on every page a run has one colour in
    every chart. The price: a run that meets an earlier-sorting run of the same hash on a page
    shows another colour there (and past 8 runs colours repeat).
    """
    colours: dict[str, str] = {}
    taken: set[int] = set()
    for run_id in sorted(set(run_ids)):
        slot = _hash_slot(run_id)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        colours[run_id] = PALETTE[slot]
    return colours


def _hash_slot(run_id: str) -> int:
    digest = hashlib.sha256(run_id.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:4], "big") % len(PALETTE)


VIRIDIS = (
    (0.0, "#440154"), (0.111, "#482878"), (0.222, "#3e4989"), (0.333, "#31688e"),
    (0.444, "#26828e"), (0.556, "#1f9e89"), (0.667, "#35b779"), (0.778, "#6ece58"),
    (0.889, "#b5de2b"), (1.0, "#fde725"),
)  # fmt: skip
_CLEAR = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
DARK_TEXT, LIGHT_TEXT = "#000000", "#ffffff"


def _rgb(colour: str) -> tuple[int, int, int]:
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def scale_colour(scale: Sequence[tuple[float, str]], t: float) -> tuple[float, float, float]:
    """The colour of a colour scale (stops of position and hex colour) at t in [0, 1], mixed
    linearly between stops in RGB, as plotly.js does."""
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in itertools.pairwise(scale):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            a, b = _rgb(c0), _rgb(c1)
            return tuple(a[i] + (b[i] - a[i]) * f for i in range(3))  # type: ignore[return-value]
    return tuple(float(v) for v in _rgb(scale[-1][1]))  # type: ignore[return-value]


def luminance(rgb: Sequence[float]) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    lin = [
        (c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb
    ]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour_on(rgb: Sequence[float]) -> str:
    """Black or white, whichever contrasts more with a cell of colour `rgb` (at least 4.58:1)."""
    lum = luminance(rgb)
    return DARK_TEXT if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else LIGHT_TEXT


def label_traces(
    base: dict[str, Any],
    z: Sequence[Sequence[float | None]],
    text: Sequence[Sequence[str]],
    scale: Sequence[tuple[float, str]],
    zmin: float,
    zmax: float,
) -> list[dict[str, Any]]:
    """The labels of a heatmap's cells as two transparent heatmaps drawn over it: black text on
    the light cells, white on the dark ones (plotly.js has one text colour per trace). `base`:
    the heatmap's x, y and gaps."""
    span = (zmax - zmin) or 1.0
    empty = lambda fill: [[fill] * len(row) for row in z]  # noqa: E731
    layers = {c: (empty(None), empty("")) for c in (DARK_TEXT, LIGHT_TEXT)}
    for i, (row_z, row_t) in enumerate(zip(z, text, strict=True)):
        for j, (value, label) in enumerate(zip(row_z, row_t, strict=True)):
            if value is None or not label:
                continue
            zl, tl = layers[text_colour_on(scale_colour(scale, (value - zmin) / span))]
            zl[i][j], tl[i][j] = 0, label
    return [
        {
            **base,
            "type": "heatmap",
            "z": zl,
            "text": tl,
            "texttemplate": "%{text}",
            "textfont": {**base.get("textfont", {}), "color": colour},
            "colorscale": _CLEAR,
            "showscale": False,
            "hoverinfo": "skip",
            "name": "labels",
        }
        for colour, (zl, tl) in layers.items()
        if any(v is not None for row in zl for v in row)
    ]


@dataclass(frozen=True, kw_only=True, slots=True)
class Chart:
    """A figure, a short text summary of what it shows (its text alternative, also printed
    under it), and a caption saying what the reader should know (e.g. downsampling)."""

    key: str
    figure: dict[str, Any]
    caption: str = ""
    summary: str = ""

    @property
    def title(self) -> str:
        title = self.figure.get("layout", {}).get("title", {})
        return str(title.get("text", "") if isinstance(title, dict) else title) or "Chart"

    @property
    def traces(self) -> str:
        """The plotly.js trace types it draws, sorted and space-separated (reporter.js loads a
        bundle that has them all)."""
        traces = [t for t in self.figure.get("data", []) if isinstance(t, dict)]
        return " ".join(sorted({str(t.get("type", "scatter")) for t in traces}))


def control(label: str, *options: dict[str, Any], active: int = 0) -> dict[str, Any]:
    """A chart control drawn by reporter.js as buttons (or a list) above the plot, reachable by
    keyboard: each option has a label and Plotly changes (`relayout` of the layout, `restyle`
    of the traces listed in `traces`, all traces when absent)."""
    return {"label": label, "options": list(options), "active": active}


def scale_control(axis: str, *, log_first: bool = False, label: str = "") -> dict[str, Any]:
    """Linear and log buttons for one axis (`xaxis`, `yaxis`, or both as `xaxis+yaxis`)."""
    axes = axis.split("+")

    def to(kind: str) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for a in axes:
            changes[f"{a}.type"] = kind
            changes[f"{a}.autorange"] = True
        return {"label": kind, "relayout": changes}

    options = (to("log"), to("linear")) if log_first else (to("linear"), to("log"))
    names = {"xaxis": "x axis", "yaxis": "y axis", "xaxis+yaxis": "axes"}
    return control(label or names.get(axis, axis), *options)


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
    return finite_list(np.round(a, min(decimals, 15)))


def finite_list(values: np.ndarray) -> list[float | None]:
    """Floats for JSON, None where a value is not finite (found in one pass, not per value)."""
    out: list[float | None] = values.tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = None
    return out


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
    """The house layout; the height grows with the legend (two entries per legend row). Text,
    grid and hover colours are left to reporter.js, which takes them from the page's palette
    (and again when the reader switches it)."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        "xaxis": {"title": {"text": x_title, "standoff": 6}, "zeroline": False, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "zeroline": False, "automargin": True},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "height": 360 + 24 * ((traces + 1) // 2),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2},
        "showlegend": True,
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }
