"""`reporter new-entry`: which runs a dated entry links, and which authors it accepts."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import write_run
from .test_journal import LATER_ENTRY, make_journal_project

AUTHORS_YML = """\
authors:
  ada: {name: Ada, description: Boosting, avatar: ada.png}
  grace: {name: Grace, description: Baselines, avatar: grace.png}
"""


def new_entry(config, *args: str):  # noqa: ANN001, ANN201
    return CliRunner().invoke(cli, ["new-entry", "Entry", "--config", str(config), *args])


def _entry(tmp_path, day: str) -> str:  # noqa: ANN001
    return (tmp_path / "docs" / "journal" / "posts" / f"{day}-entry.md").read_text()


def test_a_backdated_entry_follows_the_entry_before_its_date_and_links_runs_up_to_it(tmp_path):
    config = make_journal_project(
        tmp_path,
        {
            "2026-10-03-old.md": LATER_ENTRY.replace("2026-11-01", "2026-10-03"),
            "2026-11-01-later.md": LATER_ENTRY,
        },
    )
    write_run(
        tmp_path / "runs",
        "exp-c/after",
        {"metrics.json": json.dumps({"roc_auc": 0.8, "created_at": "2026-10-25T10:00:00Z"})},
    )
    result = new_entry(config, "--date", "2026-10-20")
    assert result.exit_code == 0, result.output
    text = _entry(tmp_path, "2026-10-20")
    assert "since the previous entry (2026-10-03)" in text  # not the later 2026-11-01
    assert "(run:exp-a/good-full)" in text  # created 2026-10-05
    assert "(run:exp-c/after)" not in text  # created 2026-10-25, after the entry's date
    assert "(run:exp-a/good-strings)" not in text  # created 2026-10-02, before the previous
    latest = new_entry(config, "--date", "2026-11-10")
    assert latest.exit_code == 0, latest.output
    text = _entry(tmp_path, "2026-11-10")
    assert "since the previous entry (2026-11-01)" in text
    assert "(run:exp-c/after)" not in text and "No runs were created" in text
    first = new_entry(config, "--date", "2026-10-01")
    assert "since the previous" not in _entry(tmp_path, "2026-10-01")
    assert first.exit_code == 0


def test_an_author_missing_from_the_authors_file_is_refused_with_the_known_ones(tmp_path):
    config = make_journal_project(tmp_path, {})
    authors = tmp_path / "docs" / "journal" / ".authors.yml"
    authors.write_text(AUTHORS_YML)
    result = new_entry(config, "--author", "ada", "--author", "gracee")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Unknown author 'gracee': '{authors}' lists 'ada', 'grace'. Did you mean 'grace'?\n"
    )
    assert not list((tmp_path / "docs" / "journal" / "posts").iterdir())
    fine = new_entry(config, "--author", "ada", "--author", "grace", "--date", "2026-10-20")
    assert fine.exit_code == 0, fine.output
    assert "authors:\n- ada\n- grace\n" in _entry(tmp_path, "2026-10-20")


def test_without_an_authors_file_authors_are_written_as_given_unless_the_blog_shows_them(
    tmp_path,
):
    config = make_journal_project(tmp_path, {})  # the blog has authors: false
    result = new_entry(config, "--author", "nobody", "--date", "2026-10-20")
    assert result.exit_code == 0, result.output
    missing = tmp_path / "docs" / "journal" / ".authors.yml"
    assert f"Note: no '{missing}' to check the authors against; written as given." in (
        result.stderr
    )
    assert "authors:\n- nobody\n" in _entry(tmp_path, "2026-10-20")
    config.write_text(config.read_text().replace(", authors: false", ""))
    shown = new_entry(config, "--author", "nobody", "--date", "2026-10-21")
    assert shown.exit_code == 2
    assert f"Unknown author 'nobody': there is no '{missing}'" in shown.stderr
    assert "set 'authors: false' under the blog plugin" in shown.stderr
    assert not (tmp_path / "docs" / "journal" / "posts" / "2026-10-21-entry.md").exists()


def test_new_entry_without_a_project_points_to_init(tmp_path):
    result = CliRunner().invoke(cli, ["new-entry", "X", "--config", str(tmp_path / "mkdocs.yml")])
    assert result.exit_code == 1
    assert "Run 'reporter init' to start a project" in result.stderr


HTML_TITLE = '</title><script>alert(1)</script> AP & "recall" <b>x</b>'


def test_a_title_with_html_is_text_in_every_page_the_entry_reaches(tmp_path):
    """MkDocs and Material put a page's `title` into the page as HTML (the header, <title>,
    the blog's index): the title typed is written escaped, so it shows as typed and never
    becomes an element; its address is the one the blog makes of the title typed; reporter's
    home page lists it as the same text."""
    from bs4 import BeautifulSoup
    from pymdownx.slugs import slugify

    from reporter.site.build import build_site

    config = make_journal_project(tmp_path, {})
    result = CliRunner().invoke(
        cli, ["new-entry", HTML_TITLE, "--config", str(config), "--date", "2026-11-20"]
    )
    assert result.exit_code == 0, result.output
    build_site(config)
    site = tmp_path / "site"
    pages = sorted(site.rglob("*.html"))
    scripts = [
        (p.relative_to(site).as_posix(), s.get_text())
        for p in pages
        for s in BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find_all("script")
        if "alert(1)" in s.get_text()
    ]
    assert scripts == []
    assert not any("<b>x</b>" in p.read_text(encoding="utf-8") for p in pages)
    (post,) = site.glob("journal/2026/11/20/*/index.html")
    assert post.parent.name == slugify(case="lower")(HTML_TITLE, "-")  # the blog's default
    html = BeautifulSoup(post.read_text(encoding="utf-8"), "html.parser")
    assert html.title is not None and html.title.get_text().startswith(HTML_TITLE)
    topic = html.select('[data-md-component="header-topic"] .md-ellipsis')
    assert [t.get_text(strip=True) for t in topic] == [HTML_TITLE]
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert HTML_TITLE in [a.get_text() for a in home.select("article a")]
