"""Building the site with MkDocs into a temporary folder, then swapping it in.

A failed or interrupted build never touches the previous site: the new site is built beside
the target and replaces it only when the build succeeded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import BuildError, ConfigError
from reporter.pipeline import Progress, Report

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass(frozen=True, kw_only=True, slots=True)
class BuildResult:
    report: Report
    site_dir: Path
    warnings: int


def load_config(config_file: Path, **overrides: object):  # -> MkDocsConfig
    """The MkDocs config, with the reporter plugin found (or a clear error)."""
    from mkdocs import config as mkconfig
    from mkdocs.exceptions import ConfigurationError

    if not config_file.is_file():
        raise ConfigError(f"No MkDocs config at '{config_file}'. Pass --config PATH.")
    try:
        return mkconfig.load_config(str(config_file), **overrides)
    except ConfigurationError as exc:
        raise ConfigError(f"Invalid configuration in '{config_file}': {exc}") from exc


def reporter_plugin(config: object):
    from reporter.plugin import ReporterPlugin

    for plugin in config.plugins.values():  # type: ignore[attr-defined]
        if isinstance(plugin, ReporterPlugin):
            return plugin
    raise ConfigError(
        "The MkDocs config does not enable the 'reporter' plugin (plugins: [reporter])."
    )


def build_site(
    config_file: Path,
    *,
    site_dir: Path | None = None,
    runs: Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    config = load_config(config_file)
    target = Path(site_dir or config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        config = load_config(config_file, site_dir=str(tmp), strict=strict)
        plugin = reporter_plugin(config)
        plugin.runs_override = runs.resolve() if runs else None
        plugin.progress = progress
        counter = _WarningCounter()
        logging.getLogger("mkdocs").addHandler(counter)
        try:
            build(config)
        except Abort as exc:
            raise BuildError(f"{exc} The previous site in '{target}' was left untouched.") from exc
        except MkDocsException as exc:
            raise BuildError(str(exc)) from exc
        finally:
            logging.getLogger("mkdocs").removeHandler(counter)
        _swap(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert plugin.report is not None
    return BuildResult(report=plugin.report, site_dir=target, warnings=counter.count)


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _swap(new: Path, target: Path) -> None:
    """Replace `target` with `new`: two renames, the old site kept until the new one is in."""
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _recover(target: Path) -> None:
    """If a build was killed between the two renames, put the old site back."""
    old = target.with_name(f".{target.name}-old")
    if old.exists() and not target.exists():
        os.replace(old, target)
    day_ago = time.time() - 86_400
    for stale in target.parent.glob(f".{target.name}-new-*"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < day_ago:  # younger ones may belong to a running build
                shutil.rmtree(stale)
