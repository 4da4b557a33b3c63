"""`reporter render --out`: the generated pages as plain files, buildable without the plugin."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from click.testing import CliRunner

from reporter.cli import cli

from ..conftest import DATA, make_project


def test_render_writes_pages_that_a_bare_mkdocs_build_accepts(tmp_path):
    config = make_project(tmp_path / "project", DATA / "untidy")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Rendered 3 runs" in result.stdout
    page = (out / "runs" / "exp-a" / "good-full.md").read_text()
    assert page.startswith("---\n")
    assert (out / "leaderboard.md").is_file()
    data = re.search(r'data-src="\.\./\.\./\.\./(assets/reporter/charts/[^"]+\.js)"', page)
    assert data and (out / data.group(1)).is_file()  # the page's chart data, beside it
    assert (out / "assets" / "reporter" / "plotly.min.js").is_file()
    assert "<!-- reporter:home -->" not in (out / "index.md").read_text()
    bare = (
        "site_name: bare\ndocs_dir: out\nsite_dir: bare-site\ntheme: {name: material}\n"
        "plugins: [search, tags]\nextra_css: [assets/reporter/reporter.css]\n"
        "extra_javascript: [assets/reporter/plotly.min.js, assets/reporter/reporter.js,"
        " assets/reporter/leaderboard.js]\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]\n"
    )
    (tmp_path / "bare.yml").write_text(bare)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "bare.yml")],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "bare-site" / "runs" / "exp-a" / "good-full" / "index.html").is_file()


def test_render_refuses_a_folder_that_is_not_empty(tmp_path):
    config = make_project(tmp_path / "project", DATA / "untidy")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(
        cli, ["render", "--out", str(tmp_path / "out"), "--config", str(config)]
    )
    assert result.exit_code == 2 and "not empty" in result.stderr  # a refused request
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
