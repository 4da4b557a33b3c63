"""What every command shares: the --runs and --config options, logging, and error exits.

Exit codes: 0 success, 1 a handled error (bad input, failed build), 2 a usage error.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from reporter.errors import ConfigError, ReporterError, UsageError

CONFIG_HELP = "MkDocs config holding the reporter plugin options."
RUNS_HELP = (
    "Folder of runs (or one run, an MLflow store or experiment folder, an mlflow.db), or an "
    "fsspec URL such as s3://bucket/runs (overrides the plugin's 'runs' option)."
)

config_option = click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)


def site_config(config_file: Path, runs: str | None) -> Path:
    """The MkDocs config a command builds: `--config` when given, else ./mkdocs.yml when there
    is one, else reporter's default site for `--runs` (or ./runs), written into the cache."""
    source = click.get_current_context().get_parameter_source("config_file")
    if config_file.is_file() or source is not click.core.ParameterSource.DEFAULT:
        return config_file
    from reporter.site.project import default_site

    return default_site(runs, cwd=Path.cwd())


def _storage_options(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    from reporter.site.publish import parse_storage_options

    try:
        return parse_storage_options(values)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc  # a usage error: exit 2


def storage_option(help_text: str) -> Callable[[Any], Any]:
    return click.option(
        "--storage-option",
        "storage_options",
        multiple=True,
        metavar="KEY=VALUE",
        callback=_storage_options,
        help=help_text,
    )


def runs_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--runs PATH|URL and --storage-option KEY=VALUE (for a URL)."""
    command = storage_option(
        "fsspec storage option for a --runs URL (repeatable), e.g. endpoint_url=..."
    )(command)
    return click.option("--runs", type=str, help=RUNS_HELP)(command)


class _Handler(logging.Handler):
    """Prints MkDocs' and reporter's log records as 'WARNING  -  message' lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname:<8} -  {record.getMessage()}", err=True)


def setup_logging(verbose: bool, quiet: bool) -> None:
    # -q quiets the console only: warnings must still reach MkDocs' strict-mode counter.
    handler = _Handler(logging.ERROR if quiet else logging.NOTSET)
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        logging.getLogger("mkdocs.plugins.material").setLevel(logging.ERROR)


def fail(exc: ReporterError) -> NoReturn:
    """One line on stderr; exit 2 for a refused request (`UsageError`), else 1."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, UsageError) else 1)


def handled(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command, turning a `ReporterError` into one line on stderr and exit 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ReporterError as exc:
            fail(exc)

    return wrapper


def load_runs_for(runs: str | None, storage_options: dict, config_file: Path, evaluate: bool):  # noqa: ANN201
    """Settings and runs for the commands that print runs (`list`, `show`, `card`)."""
    settings, loaded = _loaded(runs, storage_options, config_file, evaluate)
    return settings, loaded.runs


def _loaded(runs: str | None, storage_options: dict, config_file: Path, evaluate: bool):  # noqa: ANN202
    from dataclasses import replace

    from reporter.config.files import settings_from_config_file
    from reporter.pipeline import load_runs

    settings = settings_from_config_file(config_file, runs, storage_options or None)
    reading = settings
    if not evaluate:
        reading = replace(settings, evaluation=replace(settings.evaluation, enabled=False))
    loaded = load_runs(reading)
    for problem in loaded.problems:
        click.echo(f"WARNING  -  {problem}", err=True)
    return settings, loaded


def one_run(run_id: str, runs: str | None, storage_options: dict, config_file: Path):  # noqa: ANN201
    """One run in full (histories included), read and evaluated (the others are only
    discovered and read). `run_id` may be an alias (a former id) of the run."""
    return one_run_and_settings(run_id, runs, storage_options, config_file)[1]


def one_run_and_settings(  # noqa: ANN201
    run_id: str, runs: str | None, storage_options: dict, config_file: Path
):
    """The settings, and one run in full, read and evaluated (see `one_run`)."""
    from reporter.commands.runs_output import evaluated, find_run

    settings, loaded = _loaded(runs, storage_options, config_file, evaluate=False)
    return settings, evaluated(loaded.full_run(find_run(loaded.runs, run_id.strip("/"))), settings)
