"""`reporter init`: a starter project to grow from, written without overwriting a file."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from reporter.commands._common import handled


@click.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--runs",
    metavar="PATH|URL",
    help="The runs root mkdocs.yml names: a folder (from the current folder) or an fsspec URL. "
    "Default: runs, beside mkdocs.yml.",
)
@handled
def init(directory: Path, runs: str | None) -> None:
    """Start a project in DIRECTORY (default: here): mkdocs.yml, site_src/ with a home page and
    a journal holding a first entry on how to write entries, comparisons.yaml with commented
    examples, and .gitignore.

    Never overwrites a file: existing ones are skipped and named; an existing mkdocs.yml
    stops it before anything is written.

    \b
    Example:
      reporter init reports --runs mlruns && cd reports && reporter serve
    """
    from reporter.config import build_time
    from reporter.site.project import GITIGNORE_LINES, init_project

    done = init_project(directory, runs=runs, day=build_time().date())
    for rel in done.written:
        click.echo(f"Wrote {directory / rel}")
    for rel in done.skipped:
        hint = ""
        if rel == ".gitignore":
            hint = f" Add these lines to it: {' '.join(GITIGNORE_LINES)}"
        click.echo(f"Skipped {directory / rel}: it exists (not overwritten).{hint}")
    here = Path(directory).resolve() == Path.cwd().resolve()
    go = "" if here else f"cd {shlex.quote(str(directory))} && "
    click.echo(f"Next: {go}reporter serve (or reporter build), then edit site_src/index.md.")
