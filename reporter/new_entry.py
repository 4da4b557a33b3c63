"""`reporter new-entry`: the one command that writes into the docs folder, and never overwrites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reporter.config_file import docs_dir, settings_from_config_file
from reporter.errors import ReporterError
from reporter.journal import entry_skeleton, meta_date
from reporter.settings import build_time


def write_entry(
    title: str,
    *,
    config_file: Path,
    runs: Path | None,
    day: date | None,
    authors: tuple[str, ...] = (),
) -> Path:
    from mkdocs.utils.meta import get_data

    from reporter import urls
    from reporter.pipeline import load_runs

    if not title.strip():
        raise ReporterError("The entry needs a title.")
    settings = settings_from_config_file(config_file, runs)
    posts = docs_dir(config_file) / settings.journal_dir / "posts"
    day = day or build_time().date()
    path = posts / f"{day.isoformat()}-{urls.slug(title).lower()}.md"
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
    loaded, _problems, _notes = load_runs(_without_evaluation(settings))
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
