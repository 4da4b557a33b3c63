"""`reporter list`: the runs with their logged metrics, as a table, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.commands._common import config_option, handled, load_runs_for, runs_option


@click.command(name="list")
@runs_option
@config_option
@click.option(
    "--sort",
    "sort_by",
    metavar="METRIC",
    help="Sort by this metric, best first by its direction (failed runs after the others).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--with-evaluation",
    is_flag=True,
    help="Evaluate every run's predictions and add its `evaluation` object (JSON only).",
)
@handled
def list_runs(
    runs: str | None,
    storage_options: dict,
    config_file: Path,
    sort_by: str | None,
    fmt: str,
    with_evaluation: bool,
) -> None:
    """List the runs with their logged metrics.

    \b
    Example:
      reporter list --sort average_precision --format csv > runs.csv
      reporter list --format json --with-evaluation > runs.json
    """
    from reporter.commands.runs_output import format_runs, sort_runs

    if with_evaluation and fmt != "json":
        raise click.UsageError("--with-evaluation needs --format json")
    settings, loaded = load_runs_for(runs, storage_options, config_file, evaluate=with_evaluation)
    ordered = sort_runs(loaded, sort_by, settings)
    click.echo(format_runs(ordered, fmt, with_evaluation=with_evaluation), nl=False)
