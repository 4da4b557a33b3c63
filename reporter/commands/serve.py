"""`reporter serve`: MkDocs' live-reloading server, also watching the runs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from reporter.commands._common import (
    config_option,
    handled,
    runs_option,
    setup_logging,
    site_config,
)
from reporter.errors import ConfigError


@click.command()
@runs_option
@config_option
@click.option(
    "-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@handled
def serve(runs: str | None, storage_options: dict, config_file: Path, dev_addr: str) -> None:
    """Serve the site with live reload; rebuilds when pages or runs change.

    In a folder without mkdocs.yml, serves reporter's default site for --runs (or ./runs).

    \b
    Example:
      reporter serve -a 127.0.0.1:8000
      reporter serve --runs ./mlruns      # no mkdocs.yml needed
    """
    import os

    from mkdocs.commands.serve import serve as mkdocs_serve

    from reporter.plugin.overrides import runs_overridden

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    setup_logging(False, False)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    config_file = site_config(config_file, runs)
    if not config_file.is_file():
        raise ConfigError(f"No MkDocs config at '{config_file}'. Pass --config PATH.")
    with runs_overridden(runs, storage_options or None), kept_pages_retried():
        mkdocs_serve(str(config_file), dev_addr=dev_addr, livereload=True)


@contextlib.contextmanager
def kept_pages_retried() -> Iterator[None]:
    """MkDocs' server builds with `mkdocs.commands.serve.build`: while this is active, a build
    whose kept pages turn out stale (`StaleKeptPages`) is built again rendering every page, as
    `reporter build` does, instead of failing every rebuild."""
    import mkdocs.commands.serve as serving

    from reporter.plugin.kept import StaleKeptPages
    from reporter.site.build import reporter_plugin

    original = serving.build

    def build(config: Any, **kwargs: Any) -> None:
        plugin = reporter_plugin(config)
        plugin.builds_again = True
        try:
            return original(config, **kwargs)
        except StaleKeptPages as exc:
            logging.getLogger("mkdocs").info(f"Rendering every page: {exc}.")
        plugin.keep_pages = False
        try:
            return original(config, **kwargs)
        finally:
            plugin.keep_pages = True

    serving.build = build
    try:
        yield
    finally:
        serving.build = original
