"""`reporter new-entry`: the one command that writes into the docs folder, and never overwrites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from reporter.commands._common import config_option, handled, runs_option
from reporter.config import build_time
from reporter.config.files import docs_dir, settings_from_config_file
from reporter.errors import ReporterError
from reporter.journal.entries import entry_skeleton, meta_date


@click.command(name="new-entry")
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
@handled
def new_entry(
    title: str,
    config_file: Path,
    runs: str | None,
    storage_options: dict,
    day,  # noqa: ANN001 - a datetime from click
    authors: tuple[str, ...],
) -> None:
    """Write a dated journal entry skeleton linking the runs created since the previous entry.

    Refuses to overwrite an existing file.

    \b
    Example:
      reporter new-entry "Early stopping at lr 0.1" --author ada
    """
    path = write_entry(
        title,
        config_file=config_file,
        runs=runs,
        storage_options=storage_options,
        day=day.date() if day else None,
        authors=authors,
    )
    click.echo(f"Wrote {path}")


def write_entry(
    title: str,
    *,
    config_file: Path,
    runs: str | None,
    storage_options: dict | None = None,
    day: date | None,
    authors: tuple[str, ...] = (),
) -> Path:
    from mkdocs.utils.meta import get_data

    from reporter.pipeline import load_runs
    from reporter.text import slug

    if not title.strip():
        raise ReporterError("The entry needs a title.")
    settings = settings_from_config_file(config_file, runs, storage_options or None)
    posts = docs_dir(config_file) / settings.journal_dir / "posts"
    day = day or build_time().date()
    path = posts / f"{day.isoformat()}-{slug(title).lower()}.md"
    if path.exists():
        raise ReporterError(
            f"'{path}' already exists; not overwritten. Pick another title or date."
        )
    previous = max(
        (
            meta_date(get_data(p.read_text(encoding="utf-8-sig"))[1].get("date"))
            for p in posts.glob("*.md")
        ),
        default="",
    )
    loaded = load_runs(_without_evaluation(settings)).runs
    recent = sorted(
        (r for r in loaded if r.created and r.created.date().isoformat() > previous),
        key=lambda r: (r.created, r.id),
    )
    text = entry_skeleton(
        title, day, [(r.id, r.name) for r in recent], authors=authors, since=previous
    )
    posts.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite, even in a race
        fh.write(text)
    return path


def _without_evaluation(settings):  # noqa: ANN001, ANN202 - Settings in, Settings out
    from dataclasses import replace

    return replace(settings, evaluation=replace(settings.evaluation, enabled=False))
