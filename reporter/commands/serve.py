"""`reporter serve`: MkDocs' live-reloading server, also watching the runs."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from reporter.commands._common import config_option, fail, setup_logging
from reporter.errors import ReporterError


@click.command()
@config_option
@click.option(
    "-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
def serve(config_file: Path, dev_addr: str) -> None:
    """Serve the site with live reload; rebuilds when pages or runs change.

    \b
    Example:
      reporter serve -a 127.0.0.1:8000
    """
    import os

    from mkdocs.commands.serve import serve as mkdocs_serve

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    setup_logging(False, False)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    if not config_file.is_file():
        fail(ReporterError(f"No MkDocs config at '{config_file}'. Pass --config PATH."))
    mkdocs_serve(str(config_file), dev_addr=dev_addr, livereload=True)
