"""`reporter render --out`: the generated pages as Markdown, without building."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, runs_option, site_config
from reporter.text import plural


@click.command()
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new, empty folder.")
@runs_option
@config_option
@handled
def render(out: Path, runs: str | None, storage_options: dict, config_file: Path) -> None:
    """Write the generated pages as Markdown (a copy of the docs folder plus every generated
    page and its data), to read, diff, or build with a bare mkdocs build. In a folder without
    mkdocs.yml, renders reporter's default site for --runs (or ./runs).

    \b
    Example:
      reporter render --out /tmp/pages && diff -r /tmp/old-pages /tmp/pages
    """
    from reporter.site.render_out import render_to

    report = render_to(site_config(config_file, runs), out, runs, storage_options or None)
    for problem in report.problems:
        click.echo(f"WARNING  -  {problem}", err=True)
    click.echo(f"Rendered {plural(len(report.study.runs), 'run')} -> {out}")
