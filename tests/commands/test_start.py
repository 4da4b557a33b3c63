"""Starting from your own runs: the default site (`reporter build --runs DIR` in a folder without
mkdocs.yml) and `reporter init`, driven through the `reporter` command."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ..conftest import DATA

EPOCH = "1793577600"  # 2026-11-02, so the first entry's file name is known


def reporter(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `reporter` command, run in `cwd` as a user would."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "reporter.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Fixture runs in a folder of their own, readable without a warning."""
    folder = tmp_path / "elsewhere" / "churn-study"
    shutil.copytree(DATA / "untidy", folder)
    shutil.rmtree(folder / "exp-b" / "broken-json")
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:  # noqa: ANN001 - a BeautifulSoup element
    return " ".join(node.get_text(" ").split())


def _tabs(page: Path) -> list[str]:
    return [a.get_text(" ", strip=True) for a in _soup(page).select(".md-tabs__link")]


def test_build_runs_without_a_config_writes_only_the_site_and_the_cache(tmp_path, runs):
    here = tmp_path / "work"
    here.mkdir()
    before = _digest(runs)
    result = reporter("build", "--runs", str(runs), "--strict", "-v", cwd=here)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 3 runs in ")
    assert result.stdout.rstrip().endswith(f"-> {here / 'site'}")
    assert sorted(p.name for p in here.iterdir()) == [".reporter-cache", ".site.lock", "site"]
    assert _digest(runs) == before
    assert "not included in the" not in result.stderr  # every page is in the nav, or kept out
    home = _soup(here / "site" / "index.html")
    assert home.title.get_text().endswith("churn-study")  # titled after the runs folder
    assert "3 runs 3 experiments" in _text(home.select_one("article"))  # the generated summary
    assert _tabs(here / "site" / "index.html") == [
        "Home",
        "Leaderboard",
        "Experiments",
        "Comparisons",  # no declared comparison, but the page compares any ticked runs
        "Journal",
        "Tags",
    ]
    journal = _soup(here / "site" / "journal" / "index.html").select_one(".md-content")
    assert "No entries yet." in _text(journal)
    for page in (here / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "payment-fraud" not in text and "fonts.googleapis" not in text, page
    again = reporter("build", "--runs", str(runs), "-q", cwd=here)  # rebuilds over its own site
    assert again.returncode == 0 and again.stdout == "", again.stderr


def test_the_default_site_reads_runs_and_comparisons_from_the_current_folder(tmp_path, runs):
    shutil.copytree(runs, tmp_path / "runs")
    (tmp_path / "comparisons.yaml").write_text(
        "- {title: The pair, slug: pair, select: [exp-a/good-full, exp-a/good-strings]}\n"
    )
    result = reporter("build", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "compare" / "pair" / "index.html").is_file()
    assert _tabs(tmp_path / "site" / "index.html") == [
        "Home",
        "Leaderboard",
        "Experiments",
        "Comparisons",
        "Journal",
        "Tags",
    ]
    assert _soup(tmp_path / "site" / "index.html").title.get_text().endswith("runs")


def test_build_without_config_or_runs_says_what_to_do(tmp_path):
    result = reporter("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "Error: No mkdocs.yml and no runs/ folder here. Pass --runs DIR to build a site for a "
        "folder of runs, or run 'reporter init' to start a project of your own.\n"
    )
    assert list(tmp_path.iterdir()) == []
    named = reporter("build", "--config", "mkdocs.yml", "--runs", str(tmp_path), cwd=tmp_path)
    assert named.returncode == 1  # a config asked for by name is not replaced by the default
    assert "No MkDocs config at 'mkdocs.yml'" in named.stderr


def test_build_refuses_to_write_inside_the_runs(runs):
    before = _digest(runs)
    result = reporter("build", "--runs", ".", cwd=runs)
    assert result.returncode == 2
    assert "The current folder is inside the runs folder" in result.stderr
    inside = reporter("build", "--runs", "..", cwd=runs / "exp-a")
    assert inside.returncode == 2
    assert "The current folder is inside the runs folder" in inside.stderr
    assert _digest(runs) == before
    assert sorted(p.name for p in runs.iterdir()) == ["exp-a", "exp-b"]


def test_init_then_build_with_the_runs_given(tmp_path, runs):
    result = reporter("init", "reports", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "reports"
    written = {
        "mkdocs.yml",
        "comparisons.yaml",
        ".gitignore",
        "site_src/index.md",
        "site_src/tags.md",
        "site_src/journal/index.md",
        "site_src/journal/posts/2026-11-02-welcome.md",
    }
    assert {f"Wrote {Path('reports') / rel}" for rel in written} <= set(result.stdout.splitlines())
    assert {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()} == written
    assert "Next: cd reports && reporter serve" in result.stdout
    assert "<!-- reporter:home -->" in (project / "site_src" / "index.md").read_text()
    assert "#   bootstrap: 200  # Resamples" in (project / "mkdocs.yml").read_text()
    build = reporter("build", "--runs", str(runs), "--strict", cwd=project)
    assert build.returncode == 0, build.stderr
    assert build.stdout.startswith("Built 3 runs in ")
    site = project / "site"
    assert _soup(site / "index.html").title.get_text().endswith("reports")
    entry = site / "journal" / "2026" / "11" / "02" / "how-to-write-journal-entries" / "index.html"
    article = _soup(entry).select_one("article")
    assert "[baseline](run:study/logreg)" in article.get_text()  # shown as code, not resolved
    tabs = ["Home", "Leaderboard", "Experiments", "Comparisons", "Journal"]
    assert _tabs(site / "index.html")[:5] == tabs


def test_init_writes_the_runs_root_relative_to_the_project(tmp_path, runs):
    result = reporter("init", "study-site", "--runs", str(runs.relative_to(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        'runs: "../elsewhere/churn-study"' in (tmp_path / "study-site" / "mkdocs.yml").read_text()
    )
    build = reporter("build", "-q", "--strict", cwd=tmp_path / "study-site")
    assert build.returncode == 0, build.stderr
    assert (
        tmp_path / "study-site" / "site" / "runs" / "exp-a" / "good-full" / "index.html"
    ).is_file()


def test_init_never_overwrites(tmp_path):
    (tmp_path / "site_src").mkdir()
    (tmp_path / "site_src" / "index.md").write_text("# Ours\n")
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    first = reporter("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "site_src" / "index.md").read_text() == "# Ours\n"
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n"
    lines = first.stdout.splitlines()
    assert "Skipped site_src/index.md: it exists (not overwritten)." in lines
    assert (
        "Skipped .gitignore: it exists (not overwritten). "
        "Add these lines to it: /site/ /.site.lock /.site-*/ .reporter-cache/"
    ) in lines
    assert "Wrote mkdocs.yml" in lines and "Next: reporter serve" in first.stdout
    files = _digest(tmp_path)
    second = reporter("init", cwd=tmp_path)
    assert second.returncode == 2
    assert second.stderr == (
        f"Error: '{tmp_path / 'mkdocs.yml'}' exists; reporter init starts a new project and "
        "wrote nothing. To add reporter to an existing MkDocs site, add 'reporter' to its "
        "plugins.\n"
    )
    assert _digest(tmp_path) == files


def test_the_written_gitignore_ignores_what_a_build_writes(tmp_path):
    """Checked by git itself: the site, its lock, the folders beside it (the new site while it
    is built, the previous one while it is deleted) and the cache; not the project's files."""
    git = shutil.which("git")
    assert git is not None, "git is needed (.ci/run installs it)"
    assert reporter("init", cwd=tmp_path).returncode == 0
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    built = ["site/index.html", ".site.lock", ".site-new-x1/index.html"]
    built += [".site-trash-x2/runs/index.html", ".reporter-cache/runs/a.pkl"]
    ours = ["mkdocs.yml", "site_src/index.md", "runs/exp/run-1/metrics.json"]
    checked = subprocess.run(
        [git, "check-ignore", "--no-index", *built, *ours],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.stdout.splitlines() == built
