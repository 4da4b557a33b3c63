"""`reporter list`: the runs with their logged metrics, as a table, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, load_runs_for, runs_option


@click.command(name="list")
@runs_option
@config_option
@click.option("--sort", "sort_by", metavar="METRIC", help="Sort by this metric (best first).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@handled
def list_runs(
    runs: str | None, storage_options: dict, config_file: Path, sort_by: str | None, fmt: str
) -> None:
    """List the runs with their logged metrics.

    \b
    Example:
      reporter list --sort average_precision --format csv > runs.csv
    """
    from reporter.commands.runs_output import format_runs, sort_runs

    settings, loaded = load_runs_for(runs, storage_options, config_file, evaluate=False)
    ordered = sort_runs(loaded, sort_by, settings.lower_is_better)
    click.echo(format_runs(ordered, fmt), nl=False)
