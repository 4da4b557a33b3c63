"""`reporter serve`: MkDocs' live-reloading server, also watching the runs."""

from __future__ import annotations

import logging
from pathlib import Path

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
    with runs_overridden(runs, storage_options or None):
        mkdocs_serve(str(config_file), dev_addr=dev_addr, livereload=True)
