"""The `reporter` command: thin commands that parse options, call one stage and print a line.

Heavy modules (mkdocs, pandas, plotly) are imported inside commands so `reporter --help` is fast.
Exit codes: 0 success, 1 a handled error (bad input, failed build), 2 a usage error.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from pathlib import Path

import click

from reporter import __version__
from reporter.errors import ConfigError, ReporterError

CONFIG_HELP = "MkDocs config holding the reporter plugin options."
RUNS_HELP = (
    "Folder of runs, or an fsspec URL such as s3://bucket/runs (overrides the plugin's 'runs' "
    "option)."
)


config_option = click.option(
    "--config",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help=CONFIG_HELP,
)


def runs_option(command):  # noqa: ANN001, ANN201 - a click decorator
    """--runs PATH|URL and --storage-option KEY=VALUE; a URL becomes a local mirror first."""

    @functools.wraps(command)
    def wrapper(
        *args, runs: str | None = None, runs_storage_options: tuple[str, ...] = (), **kwargs
    ):  # noqa: ANN002, ANN003, ANN202
        try:
            local = _local_runs(runs, runs_storage_options, kwargs.get("config_file"))
        except ReporterError as exc:
            _fail(exc)
        return command(*args, runs=local, **kwargs)

    wrapper = click.option(
        "--storage-option",
        "runs_storage_options",
        multiple=True,
        metavar="KEY=VALUE",
        help="fsspec storage option for a --runs URL (repeatable), e.g. endpoint_url=...",
    )(wrapper)
    return click.option("--runs", type=str, help=RUNS_HELP)(wrapper)


def _local_runs(
    runs: str | None, options: tuple[str, ...], config_file: Path | None
) -> Path | None:
    if runs is None:
        return None
    from reporter.remote import is_url

    if not is_url(runs):
        return Path(runs.removeprefix("file://"))
    from reporter.config_file import plugin_options
    from reporter.publish import parse_storage_options
    from reporter.remote import mirror_runs

    config = Path(config_file or "mkdocs.yml")
    found = plugin_options(config) if config.is_file() else None
    cache = config.resolve().parent / str((found or {}).get("cache_dir") or ".reporter-cache")
    return mirror_runs(runs, cache, parse_storage_options(options))


class _Handler(logging.Handler):
    """Prints MkDocs' and reporter's log records as 'WARNING  -  message' lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname:<8} -  {record.getMessage()}", err=True)


def _setup_logging(verbose: bool, quiet: bool) -> None:
    # -q quiets the console only: warnings must still reach MkDocs' strict-mode counter.
    handler = _Handler(logging.ERROR if quiet else logging.NOTSET)
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
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
@runs_option
@config_option
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


def _one_run(run_id: str, runs: Path | None, config_file: Path):  # noqa: ANN202 - a Run
    """One run, read and evaluated (the others are only discovered and read)."""
    from reporter import export

    try:
        settings, loaded = _load(runs, config_file, evaluate=False)
        return export.evaluated(export.find_run(loaded, run_id.strip("/")), settings)
    except ReporterError as exc:
        _fail(exc)


@cli.command(name="list")
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
def show(run_id: str, runs: Path | None, config_file: Path, fmt: str) -> None:
    """Show one run: metadata, metrics, parameters, artifacts and its evaluation.

    \b
    Example:
      reporter show fraud/hgb-lr0.2-es --format json
    """
    from reporter import export

    run = _one_run(run_id, runs, config_file)
    click.echo(export.format_run(run, fmt), nl=False)


@cli.command(name="new-entry")
@click.argument("title")
@config_option
@runs_option
@click.option(
    "--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Entry date (default: today)."
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    help="Author id from the blog's .authors.yml (repeatable).",
)
def new_entry(
    title: str, config_file: Path, runs: Path | None, day, authors: tuple[str, ...]
) -> None:
    """Write a dated journal entry skeleton linking the runs created since the previous entry.

    Refuses to overwrite an existing file.

    \b
    Example:
      reporter new-entry "Early stopping at lr 0.1" --author ada
    """
    from reporter.new_entry import write_entry

    try:
        path = write_entry(
            title,
            config_file=config_file,
            runs=runs,
            day=day.date() if day else None,
            authors=authors,
        )
    except ReporterError as exc:
        _fail(exc)
    click.echo(f"Wrote {path}")


@cli.command()
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new, empty folder.")
@runs_option
@config_option
def render(out: Path, runs: Path | None, config_file: Path) -> None:
    """Write the generated pages as Markdown (a copy of the docs folder plus every generated
    page and its data), to read, diff, or build with a bare mkdocs build.

    \b
    Example:
      reporter render --out /tmp/pages && diff -r /tmp/old-pages /tmp/pages
    """
    from reporter.render_out import render_to

    try:
        report = render_to(config_file, out, runs)
    except ReporterError as exc:
        _fail(exc)
    for problem in report.problems:
        click.echo(f"WARNING  -  {problem}", err=True)
    click.echo(f"Rendered {len(report.study.runs)} runs -> {out}")


@cli.command()
def readers() -> None:
    """List the installed run readers (entry-point group reporter.readers) and their versions.

    \b
    Example:
      reporter readers
    """
    from reporter.readers import load_readers, reader_versions

    priority = {r.name: r.priority for r in load_readers()}
    for name, dist, version in reader_versions():
        click.echo(f"{name:<16} priority {priority.get(name, '?'):<4} {dist} {version}")


@cli.command()
@click.argument("run_id", metavar="RUN")
@runs_option
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hf", "mct"]),
    default="hf",
    show_default=True,
    help="hf: a Hugging Face README.md with model-index results; mct: Model Card Toolkit JSON.",
)
def card(run_id: str, runs: Path | None, config_file: Path, fmt: str) -> None:
    """Print a run's model card for other tools (overall and per-slice results included).

    \b
    Example:
      reporter card fraud/hgb-lr0.2-es --format hf > README.md
    """
    import orjson

    from reporter.cards import hf_card, mct_card

    run = _one_run(run_id, runs, config_file)
    if fmt == "hf":
        click.echo(hf_card(run), nl=False)
    else:
        click.echo(
            orjson.dumps(mct_card(run), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
        )


def _storage_options(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    from reporter.publish import parse_storage_options

    try:
        return parse_storage_options(values)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc  # a usage error: exit 2


@cli.command()
@click.argument("dest")
@click.option(
    "--site-dir",
    default="site",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The built site to publish.",
)
@click.option(
    "--delete", is_flag=True, help="Remove files from DEST that are no longer in the site."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--storage-option",
    "storage_options",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_storage_options,
    help="An fsspec storage option, e.g. endpoint_url=http://127.0.0.1:9000 (repeatable; "
    "dotted keys nest, JSON values are decoded).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def publish(
    dest: str, site_dir: Path, delete: bool, dry_run: bool, storage_options: dict, quiet: bool
) -> None:
    """Copy the built site to a folder or a bucket, uploading only the files that changed.

    DEST is a folder or an fsspec URL (s3://bucket/prefix, gs://..., az://..., file://...);
    URLs need their extra, e.g. pip install 'reporter[s3]'. Content types are set. Files that
    disappeared from the site are removed from DEST only with --delete.

    \b
    Example:
      reporter publish s3://team-reports/fraud --delete
      reporter publish /srv/www/reports --dry-run
    """
    from reporter.progress import ReadProgress
    from reporter.publish import publish_site
    from reporter.site import site_lock

    try:
        with (
            site_lock(site_dir.resolve()),  # never copy a site while a build swaps it in
            ReadProgress(enabled=not quiet and not dry_run, label="Publishing") as progress,
        ):
            result = publish_site(
                site_dir,
                dest,
                delete=delete,
                dry_run=dry_run,
                progress=progress.update,
                storage_options=storage_options,
            )
    except ReporterError as exc:
        _fail(exc)
    for warning in result.warnings:
        click.echo(f"WARNING  -  {warning}", err=True)
    if quiet:
        return
    verb = "Would upload" if dry_run else "Uploaded"
    line = f"{verb} {result.uploaded} files ({result.bytes:,} bytes), {result.skipped} unchanged"
    if delete:
        line += f", {'would remove' if dry_run else 'removed'} {result.deleted}"
    elif result.stale:
        line += f", kept {len(result.stale)} no longer in the site (--delete removes them)"
    click.echo(f"{line} -> {result.dest}")
    if dry_run:
        for path in result.changed:
            click.echo(f"  upload  {path}")
        for path in result.removed:
            click.echo(f"  delete  {path}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
