"""The `reporter` command: thin commands that parse options, call one stage and print a line.

Heavy modules (mkdocs, pandas, plotly) are imported inside commands so `reporter --help` is fast.
Exit codes: 0 success, 1 a handled error (bad input, failed build), 2 a usage error.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from reporter import __version__
from reporter.errors import ReporterError

CONFIG_HELP = "MkDocs config holding the reporter plugin options."
RUNS_HELP = "Folder of runs (overrides the plugin's 'runs' option)."


class _Handler(logging.Handler):
    """Prints MkDocs' and reporter's log records as 'WARNING  -  message' lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname:<8} -  {record.getMessage()}", err=True)


def _setup_logging(verbose: bool, quiet: bool) -> None:
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [_Handler()]
    logger.propagate = False
    logger.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        logging.getLogger("mkdocs.plugins.material").setLevel(logging.ERROR)


def _fail(exc: ReporterError) -> None:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reporter")
def cli() -> None:
    """Turn a folder of ML runs into a searchable, static experiment-report site.

    \b
    Example:
      reporter build                 # reads runs/, writes site/
      reporter list --sort roc_auc   # the runs as a table
    """


@cli.command()
@click.option("--runs", type=click.Path(path_type=Path), help=RUNS_HELP)
@click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path),
    help="Where the site goes (default: the config's site_dir).",
)
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) on any warning, e.g. a run that cannot be read."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print MkDocs' progress too.")
def build(
    runs: Path | None,
    config_file: Path,
    site_dir: Path | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the site: read every run, render its pages, run MkDocs.

    The new site is built beside the old one and replaces it only on success.

    \b
    Example:
      reporter build --runs runs --site-dir site --strict
    """
    from reporter.progress import ReadProgress
    from reporter.site import build_site

    _setup_logging(verbose, quiet)
    started = time.perf_counter()
    try:
        with ReadProgress(enabled=not quiet) as progress:
            result = build_site(
                config_file, site_dir=site_dir, runs=runs, strict=strict, progress=progress.update
            )
    except ReporterError as exc:
        _fail(exc)
    report = result.report
    skipped = report.skipped
    line = f"Built {len(report.study.runs)} runs"
    if skipped:
        line += f", skipped {len(skipped)} ({', '.join(p.run_id for p in skipped)})"
    line += f" in {time.perf_counter() - started:.1f} s -> {result.site_dir}"
    if not quiet:
        click.echo(line)


@cli.command()
@click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)
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
    _setup_logging(False, False)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    if not config_file.is_file():
        _fail(ReporterError(f"No MkDocs config at '{config_file}'. Pass --config PATH."))
    mkdocs_serve(str(config_file), dev_addr=dev_addr, livereload=True)


def _load(runs: Path | None, config_file: Path, evaluate: bool):
    from dataclasses import replace

    from reporter.config_file import settings_from_config_file
    from reporter.pipeline import load_runs

    settings = settings_from_config_file(config_file, runs)
    reading = settings
    if not evaluate:
        reading = replace(settings, evaluation=replace(settings.evaluation, enabled=False))
    loaded, problems, _notes = load_runs(reading)
    for problem in problems:
        click.echo(f"WARNING  -  {problem}", err=True)
    return settings, loaded


@cli.command(name="list")
@click.option("--runs", type=click.Path(path_type=Path), help=RUNS_HELP)
@click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)
@click.option("--sort", "sort_by", metavar="METRIC", help="Sort by this metric (best first).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def list_runs(runs: Path | None, config_file: Path, sort_by: str | None, fmt: str) -> None:
    """List the runs with their logged metrics.

    \b
    Example:
      reporter list --sort average_precision --format csv > runs.csv
    """
    from reporter import export

    try:
        settings, loaded = _load(runs, config_file, evaluate=False)
    except ReporterError as exc:
        _fail(exc)
    ordered = export.sort_runs(loaded, sort_by, settings.lower_is_better)
    click.echo(export.format_runs(ordered, fmt), nl=False)


@cli.command()
@click.argument("run_id", metavar="RUN")
@click.option("--runs", type=click.Path(path_type=Path), help=RUNS_HELP)
@click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def show(run_id: str, runs: Path | None, config_file: Path, fmt: str) -> None:
    """Show one run: metadata, metrics, parameters, artifacts and its evaluation.

    \b
    Example:
      reporter show fraud/hgb-lr0.2-es --format json
    """
    from reporter import export

    try:
        settings, loaded = _load(runs, config_file, evaluate=False)
        run = export.evaluated(export.find_run(loaded, run_id.strip("/")), settings)
    except ReporterError as exc:
        _fail(exc)
    click.echo(export.format_run(run, fmt), nl=False)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
