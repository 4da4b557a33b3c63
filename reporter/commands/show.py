"""`reporter show`: one run in full, with its artifacts and its evaluation."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, one_run, runs_option


@click.command()
@click.argument("run_id", metavar="RUN")
@runs_option
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@handled
def show(run_id: str, runs: str | None, storage_options: dict, config_file: Path, fmt: str) -> None:
    """Show one run: metadata, metrics, parameters, artifacts and its evaluation.

    \b
    Example:
      reporter show fraud/hgb-lr0.2-es --format json
    """
    from reporter.commands.runs_output import format_run

    run = one_run(run_id, runs, storage_options, config_file)
    click.echo(format_run(run, fmt), nl=False)
