"""The plotly.js bundles a site serves: the plotly package's full bundle, and optionally a
smaller one (`plotly_bundle`) that pages load instead when it draws every trace type of their
charts.

The full bundle is 4.8 MB; compiling and running it takes a browser about 1.5 s on a slow
machine, most of the time a page with charts waits. plotly.js publishes partial bundles on
npm (`plotly.js-cartesian-dist-min` draws scatter, bar and heatmap charts in a third of the
time); reporter vendors none, so a team that wants one names the file. Which trace types a
bundle draws is read from the bundle itself: every trace module registers itself with
`moduleType: "trace", name: "..."`, minified or not.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import ConfigError

FULL = "plotly.min.js"
LIGHT = "plotly-light.min.js"

_TRACE = re.compile(rb"""moduleType\s*:\s*["']trace["']\s*,\s*name\s*:\s*["']([a-z0-9]+)["']""")
_VERSION = re.compile(rb"plotly\.js\b[^\n]*?\bv(\d+\.\d+\.\d+)")


@dataclass(frozen=True, slots=True)
class Bundle:
    """A plotly.js file: where it is, its version and the trace types it registers."""

    path: Path
    version: str
    traces: tuple[str, ...]


def full_bundle() -> Path:
    """The plotly package's own plotly.min.js."""
    import plotly

    return Path(os.path.dirname(plotly.__file__)) / "package_data" / "plotly.min.js"


@functools.cache
def full_version() -> str:
    """The plotly.js version the plotly package makes its figures for."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def read_bundle(path: Path) -> Bundle:
    """A smaller bundle named by `plotly_bundle`, checked: a readable plotly.js of the version
    the figures are made for, registering at least one trace type."""
    where = f"Config value 'plotly_bundle': {path}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read ({exc.strerror or exc})") from exc
    traces = tuple(sorted({m.decode() for m in _TRACE.findall(data)}))
    found = _VERSION.search(data[:2000])
    if not traces or found is None:
        raise ConfigError(
            f"{where} is not a plotly.js bundle (no version header or no trace types found); "
            "name a file such as plotly-cartesian.min.js from the npm package "
            "plotly.js-cartesian-dist-min"
        )
    version = found.group(1).decode()
    if version != full_version():
        raise ConfigError(
            f"{where} is plotly.js {version}, but the figures are made for plotly.js "
            f"{full_version()} (the installed plotly package's); use that version of the bundle"
        )
    return Bundle(path=path, version=version, traces=traces)


def light_prelude(bundle: Bundle) -> str:
    """The line put before reporter.js that tells it the smaller bundle's trace types."""
    names = ",".join(f'"{name}"' for name in bundle.traces)  # [a-z0-9]+ only: nothing to escape
    return f"window.__reporterPlotlyLight=[{names}];\n"
