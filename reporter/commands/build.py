"""`reporter build`: read every run, render its pages, run MkDocs, swap the site in."""

from __future__ import annotations

import contextlib
import signal
import time
from pathlib import Path

import click

from reporter.commands._common import (
    config_option,
    handled,
    runs_option,
    setup_logging,
    site_config,
)
from reporter.text import plural


@click.command()
@runs_option
@config_option
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path),
    help="Where the site goes (default: the config's site_dir).",
)
@click.option(
    "--site-url",
    metavar="URL",
    help="The address the site will be served from (default: the config's site_url), which "
    "Material's instant navigation needs.",
)
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) on any warning, e.g. a run that cannot be read."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print MkDocs' progress too.")
@handled
def build(
    runs: str | None,
    storage_options: dict,
    config_file: Path,
    site_dir: Path | None,
    site_url: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the site: read every run, render its pages, run MkDocs.

    The new site is built beside the old one and replaces it only on success. In a folder
    without mkdocs.yml, reporter's default site is built for --runs (or ./runs) into ./site.

    \b
    Example:
      reporter build --runs runs --site-dir site --strict
      reporter build --runs ./mlruns      # no mkdocs.yml needed
    """
    from reporter.commands.progress import ReadProgress
    from reporter.site.build import build_site

    setup_logging(verbose, quiet)
    _exit_on_sigterm()
    started = time.perf_counter()
    config_file = site_config(config_file, runs)
    with ReadProgress(enabled=not quiet) as progress:
        result = build_site(
            config_file,
            site_dir=site_dir,
            site_url=site_url,
            runs=runs,
            storage_options=storage_options or None,
            strict=strict,
            progress=progress.update,
        )
    report = result.report
    skipped = report.skipped
    line = f"Built {plural(len(report.study.runs), 'run')}"
    if skipped:
        line += f", skipped {len(skipped)} ({', '.join(p.run_id for p in skipped)})"
    line += f" in {time.perf_counter() - started:.1f} s -> {result.site_dir}"
    if not quiet:
        click.echo(line)


def _exit_on_sigterm() -> None:
    """A terminated build unwinds like an interrupted one: its temporary folder is removed and
    its workers stop (they also watch for a build killed with -9)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # not the main thread (an embedding application)
        signal.signal(signal.SIGTERM, stop)
