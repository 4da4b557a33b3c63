"""A site's own `nav` gets the generated pages meant for it; MkDocs then has nothing to report
as missing from the nav (it used to log `compare/index.md` on every build)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from reporter.cli import cli

from ..journal.test_journal import make_journal_project

NOT_IN_NAV = "not included in the"


def build(config: Path):  # noqa: ANN201
    return CliRunner().invoke(cli, ["build", "--config", str(config), "-v", "--strict"])


def tabs(site: Path) -> list[str]:
    page = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    return [a.get_text(" ", strip=True) for a in page.select(".md-tabs__link")]


@pytest.mark.parametrize(
    ("nav", "expected"),
    [
        (
            "nav: [{Home: index.md}, {Journal: [journal/index.md]}]",
            ["Home", "Journal", "Leaderboard", "Experiments", "Comparisons"],
        ),
        (
            "nav: [{Home: index.md}, {Board: leaderboard.md}, {Journal: [journal/index.md]}]",
            ["Home", "Board", "Experiments", "Comparisons", "Journal"],
        ),
        (
            "nav: [index.md, {More: [{Runs: ./experiments/index.md}]}, journal/index.md]\n"
            "not_in_nav: compare/index.md",
            ["Home", "Leaderboard", "More", "Journal"],
        ),
    ],
)
def test_generated_pages_are_added_to_a_sites_nav_or_kept_out(tmp_path, nav, expected):
    config = make_journal_project(tmp_path, {})
    text = config.read_text().replace(
        "features: [navigation.instant]", "features: [navigation.instant, navigation.tabs]"
    )
    config.write_text(f"{text}{nav}\n")
    result = build(config)
    assert result.exit_code == 0, result.stderr
    assert NOT_IN_NAV not in result.stderr
    assert tabs(tmp_path / "site") == expected
    assert (tmp_path / "site" / "compare" / "index.html").is_file()
    assert (tmp_path / "site" / "leaderboard" / "index.html").is_file()
