"""A real MkDocs + Material build of the untidy fixture runs, checked structurally."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reporter.errors import BuildError
from reporter.pages.handover import PACKED_PREFIX, unmark
from reporter.site.build import build_site

from .. import searchindex
from ..conftest import DATA, REPO, make_project
from ..sitecharts import page_figures

GOOD = ["exp-a/good-full", "exp-a/good-strings", "exp-b/nested/deep-run"]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def test_every_good_run_has_a_page_and_the_broken_one_none(untidy_site):
    for run_id in GOOD:
        assert (untidy_site / "runs" / run_id / "index.html").is_file()
    assert not (untidy_site / "runs" / "exp-b" / "broken-json").exists()
    assert (untidy_site / "index.html").is_file()


def test_leaderboard_lists_every_run_with_links(untidy_site):
    board = soup(untidy_site / "leaderboard" / "index.html").select_one(".reporter-leaderboard")
    rows = json.loads(board["data-rows"])
    columns = json.loads(board["data-columns"])
    assert sorted(r["id"] for r in rows) == GOOD
    for row in rows:
        target = (untidy_site / "leaderboard" / row["url"] / "index.html").resolve()
        assert target.is_file(), row["url"]
    names = [c["key"] for c in columns]
    assert (
        names[0] == "pr_auc"
    )  # the default primary metric, first of pr_auc/average_precision/roc_auc
    pr = columns[0]
    assert pr["best"] == 0.52 and not pr["lower"]
    assert next(c for c in columns if c["key"] == "log_loss")["lower"] is True


def test_search_index_holds_every_run_id_and_parameter_values(untidy_site):
    docs = {d["location"]: d for d in searchindex.documents(untidy_site)}
    for run_id in GOOD:
        assert docs[f"runs/{run_id}/"]["fields"]["id"] == run_id
    assert searchindex.locations(untidy_site, "histgradientboostingclassifier") == {
        "runs/exp-a/good-full/"
    }  # a parameter value
    assert "valid loss spiked" in docs["runs/exp-a/good-full/"]["fields"]["notes"]
    assert json.loads((untidy_site / "search" / "search_index.json").read_text())["docs"] == []


def test_run_pages_are_not_in_the_navigation(untidy_site):
    page = soup(untidy_site / "index.html")
    nav_links = [a.get("href", "") for a in page.select("nav.md-nav a")]
    assert not any("runs/" in href for href in nav_links)
    assert any("leaderboard" in href for href in nav_links)


def test_run_page_is_a_model_card(untidy_site):
    page = soup(untidy_site / "runs" / "exp-a" / "good-full" / "index.html")
    article = page.select_one("article")
    headings = [h.get_text(strip=True).rstrip("¶") for h in article.select("h2")]
    assert headings == ["Model card", "Metrics", "Training history", "Parameters", "Artifacts"]
    assert "Scoring card-not-present payments" in article.get_text()
    figures = page_figures(untidy_site / "runs" / "exp-a" / "good-full" / "index.html")
    assert [f["layout"]["title"]["text"] for f in figures] == ["loss", "pr_auc"]
    assert [t["name"] for t in figures[0]["data"]] == ["train_loss", "valid_loss"]
    assert len(figures[0]["data"][0]["x"]) == 300
    assert "model.learning_rate" in article.get_text()


def test_run_without_a_card_says_so_and_lists_artifacts(untidy_site):
    article = soup(untidy_site / "runs" / "exp-a" / "good-strings" / "index.html").select_one(
        "article"
    )
    assert "No model card written yet" in article.get_text()
    files = [c.get_text() for c in article.select("table code")]
    assert "model.bin" in files and "feature_importance.csv" in files
    assert "confusion_matrix" in article.get_text()  # non-numeric values are shown, not dropped


def test_user_text_is_escaped_everywhere(untidy_site):
    html = (untidy_site / "runs" / "exp-b" / "nested" / "deep-run" / "index.html").read_text()
    page = BeautifulSoup(html, "lxml")
    assert "<script>alert(1)</script>" in page.select_one("h1").get_text()
    assert not [s for s in page.select("script") if "alert" in (s.string or "")]
    assert not page.select("img[onerror]")
    assert not [a for a in page.select("a[href]") if a["href"].startswith("javascript:")]
    assert not page.select("article b")  # the tag '<b>bold</b>' stays text
    card = (untidy_site / "runs" / "exp-a" / "good-full" / "index.html").read_text()
    assert 'alert("card")' not in card


def test_plotly_is_copied_once_and_loaded_locally(untidy_site):
    copies = list(untidy_site.rglob("plotly.min.js"))
    assert len(copies) == 1 and copies[0].stat().st_size > 1_000_000
    page = soup(untidy_site / "runs" / "exp-a" / "good-full" / "index.html")
    sources = [s.get("src", "") for s in page.select("script[src]")]
    # reporter.js loads plotly.min.js from beside itself, only on pages that draw a chart
    assert any(s.endswith("assets/reporter/reporter.js") for s in sources)
    assert copies[0].parent.name == "reporter" and (copies[0].parent / "reporter.js").is_file()
    assert not [s for s in sources if "plotly" in s]
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_home_page_summarises_the_study(untidy_site):
    article = soup(untidy_site / "index.html").select_one("article")
    text = article.get_text(" ", strip=True)
    assert "3 runs" in text
    assert "Best run by pr_auc" in text and "HGB lr=0.1 (full)" in text


def test_strict_build_fails_and_keeps_the_previous_site(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")
    build_site(config)
    marker = tmp_path / "site" / "index.html"
    before = marker.read_bytes()
    with pytest.raises(BuildError, match="strict"):
        build_site(config, strict=True)
    assert marker.read_bytes() == before
    assert not list(tmp_path.glob(".site-*"))


def test_same_inputs_give_identical_pages(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    config = make_project(tmp_path, DATA / "untidy")
    first = build_site(config, site_dir=tmp_path / "one").site_dir
    second = build_site(config, site_dir=tmp_path / "two").site_dir
    one = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    two = {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []


def test_runs_and_docs_are_not_written(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")

    def listing():
        return {
            p: (p.stat().st_mtime_ns, p.stat().st_size)
            for folder in ("runs", "docs")
            for p in (tmp_path / folder).rglob("*")
        }

    before = listing()
    build_site(config)
    assert listing() == before
    assert (tmp_path / ".reporter-cache").is_dir()  # generated data lives outside both


def test_comparison_with_unknown_runs_warns_with_suggestions_and_fails_strict(tmp_path):
    config = make_project(tmp_path, DATA / "untidy")
    (tmp_path / "comparisons.yaml").write_text(
        "- title: Broken\n  select: [exp-a/good-ful, exp-a/good-strings]\n"
        "- title: Bad keys\n  select: {colour: red}\n"
    )
    from reporter.site.build import build_site as build

    result = build(config)
    warnings = result.report.warnings
    assert any(
        "Comparison 'Broken': no run 'exp-a/good-ful'. Did you mean 'exp-a/good-full'" in w
        for w in warnings
    )
    assert any("comparisons.yaml, entry 2: unknown key(s) colour" in w for w in warnings)
    assert (tmp_path / "site" / "compare" / "broken" / "index.html").is_file()
    with pytest.raises(BuildError):
        build(config, strict=True)


def test_number_sections_stay_out_of_the_search_index(untidy_site):
    docs = searchindex.documents(untidy_site)
    run = [d for d in docs if d["location"].startswith("runs/exp-a/good-full/")]
    assert [d["location"] for d in run] == ["runs/exp-a/good-full/"]  # one document per run
    assert {"params", "notes", "card"} <= set(run[0]["fields"])  # no metric tables or history
    assert not any(d["location"].startswith("leaderboard/") for d in docs)


def test_pages_handed_over_as_html_equal_pages_markdown_parsed(tmp_path, monkeypatch):
    """Generated HTML blocks skip Markdown (reporter.pages.handover); the site must be the one
    MkDocs makes when Markdown parses every block."""
    import reporter.plugin

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    packed = build_site(REPO / "mkdocs.yml", site_dir=tmp_path / "packed").site_dir
    monkeypatch.setattr(reporter.plugin, "pack", lambda markdown, held: unmark(markdown))
    parsed = build_site(REPO / "mkdocs.yml", site_dir=tmp_path / "parsed").site_dir
    files = {p.relative_to(packed).as_posix(): p for p in packed.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(
        p.relative_to(parsed).as_posix() for p in parsed.rglob("*") if p.is_file()
    )
    differ = [k for k, p in sorted(files.items()) if p.read_bytes() != (parsed / k).read_bytes()]
    assert differ == []
    run_page = next((packed / "runs").rglob("index.html")).read_text()
    assert "<table" in run_page and PACKED_PREFIX not in run_page


def test_the_collector_is_frozen_during_a_build_and_thawed_after_it(tmp_path, monkeypatch):
    """The study is frozen for the collector while pages are made (it lives until the build
    ends) and the youngest generation is collected less often; after a build, failed or not,
    the collector is as it was, so `reporter serve` frees each study."""
    import gc

    from reporter.pages.renderer import Renderer
    from reporter.plugin.collector import YOUNG

    config = make_project(tmp_path, DATA / "untidy")
    during = []
    real = Renderer.leaderboard

    def leaderboard(self):
        during.append((gc.get_freeze_count(), gc.get_threshold()))
        return real(self)

    before = gc.get_threshold()
    assert before[0] != YOUNG
    monkeypatch.setattr(Renderer, "leaderboard", leaderboard)
    build_site(config)
    assert during and during[0][0] > 0 and during[0][1][0] == YOUNG
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before

    def broken(self):
        raise RuntimeError("leaderboard failed")

    monkeypatch.setattr(Renderer, "leaderboard", broken)
    with pytest.raises(RuntimeError, match="leaderboard failed"):
        build_site(config)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_commands_leave_nothing_in_the_temporary_folder(tmp_path):
    """Material's blog plugin makes a temporary folder and removes it when MkDocs shuts the
    plugins down, as `reporter build` and `reporter new-entry` (which reads the blog's
    options) now do when they exit."""
    from ..hostile_corpus import good_run, write_project

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    config = write_project(tmp_path / "project", blog=True)
    good_run(config.parent / "runs")
    env = {**os.environ, "TMPDIR": str(temporary)}
    for args in (["build", "-q"], ["new-entry", "<b>Bold</b> & more"], ["build", "-q"]):
        done = subprocess.run(
            [sys.executable, "-m", "reporter.cli", *args, "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in temporary.iterdir()) == [], args
    assert (config.parent / "site" / "journal" / "index.html").is_file()
