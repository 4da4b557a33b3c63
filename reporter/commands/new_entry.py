"""`reporter new-entry`: the one command that writes into the docs folder, and never overwrites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from reporter.commands._common import config_option, handled, runs_option
from reporter.config import build_time
from reporter.config.files import docs_dir, plugin_options, settings_from_config_file
from reporter.errors import ReporterError, UsageError
from reporter.journal.entries import entry_skeleton, meta_date
from reporter.text import suggest


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
    help="Author id, as listed in the blog's .authors.yml (repeatable).",
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
    """Write a dated journal entry skeleton linking the runs created since the previous entry
    (the latest one dated before the new entry's date) and up to its date.

    Refuses to overwrite an existing file, and authors the blog's .authors.yml does not list.

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
    if not config_file.is_file():
        raise ReporterError(
            f"No MkDocs config at '{config_file}': an entry goes into a project's journal. "
            "Run 'reporter init' to start a project, or pass --config PATH."
        )
    settings = settings_from_config_file(config_file, runs, storage_options or None)
    docs = docs_dir(config_file)
    authors_file = check_authors(authors, config_file, docs, settings.journal_dir)
    if authors and authors_file is not None:
        click.echo(
            f"Note: no '{authors_file}' to check the authors against; written as given.",
            err=True,
        )
    posts = docs / settings.journal_dir / "posts"
    day = day or build_time().date()
    path = posts / f"{day.isoformat()}-{slug(title).lower()}.md"
    if path.exists():
        raise ReporterError(
            f"'{path}' already exists; not overwritten. Pick another title or date."
        )
    dates = (
        meta_date(get_data(p.read_text(encoding="utf-8-sig"))[1].get("date"))
        for p in posts.glob("*.md")
    )
    previous = max((d for d in dates if d < day.isoformat()), default="")
    loaded = load_runs(_without_evaluation(settings)).runs
    recent = sorted(
        (
            r
            for r in loaded
            if r.created and previous < r.created.date().isoformat() <= day.isoformat()
        ),
        key=lambda r: (r.created, r.id),
    )
    text = entry_skeleton(
        title,
        day,
        [(r.id, r.name) for r in recent],
        authors=authors,
        since=previous,
        slug=post_slug(config_file, settings.journal_dir, title),
    )
    posts.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite, even in a race
        fh.write(text)
    return path


def post_slug(config_file: Path, journal_dir: str, title: str) -> str | None:
    """The address Material's blog gives a post titled `title` (its configured `post_slugify`),
    for a title that the entry writes escaped (the blog would make the address of the escaped
    one); None when escaping changes nothing or no blog shows the journal."""
    import html

    from reporter.site.build import load_config

    if html.escape(title) == title:
        return None
    for plugin in load_config(config_file).plugins.values():
        if not type(plugin).__module__.startswith("material.plugins.blog"):
            continue
        options = plugin.config
        if options.blog_dir.strip("/") == journal_dir.strip("/"):
            return options.post_slugify(title, options.post_slugify_separator)
    return None


def check_authors(
    authors: tuple[str, ...], config_file: Path, docs: Path, journal_dir: str
) -> Path | None:
    """Every author must be listed in the blog's authors file (`.authors.yml` in the journal
    folder) when there is one. Without one, authors are written as given (the missing file is
    returned), unless the blog plugin shows authors (its default): it would then fail the
    build, so they are refused."""
    if not authors:
        return None
    blog = plugin_options(config_file, "blog", "material/blog")
    options = blog or {}
    blog_dir = str(options.get("blog_dir") or journal_dir)
    pattern = str(options.get("authors_file") or "{blog}/.authors.yml")
    path = docs / pattern.replace("{blog}", blog_dir)
    if path.is_file():
        known = _author_ids(path)
        for author in authors:
            if author not in known:
                listed = ", ".join(repr(k) for k in known[:20]) or "no one"
                more = f" and {len(known) - 20} more" if len(known) > 20 else ""
                raise UsageError(
                    f"Unknown author '{author}': '{path}' lists {listed}{more}."
                    f"{suggest(author, known)}"
                )
        return None
    if blog is not None and options.get("authors", True) is not False:
        raise UsageError(
            f"Unknown author '{authors[0]}': there is no '{path}', and the blog plugin shows "
            "authors, so the build would fail. List the authors there (name, description, "
            "avatar under 'authors:'), or set 'authors: false' under the blog plugin."
        )
    return path


def _author_ids(path: Path) -> list[str]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReporterError(f"Cannot read the authors in '{path}': {exc}") from exc
    authors = data.get("authors") if isinstance(data, dict) else None
    return sorted(map(str, authors)) if isinstance(authors, dict) else []


def _without_evaluation(settings):  # noqa: ANN001, ANN202 - Settings in, Settings out
    from dataclasses import replace

    return replace(settings, evaluation=replace(settings.evaluation, enabled=False))
