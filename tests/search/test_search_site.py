"""Search on sites built by `reporter build`: reporter's index answers Material's search box.

What is indexed (every run from the model, every other page from Material's own index), what a
run's document holds, the key metric, determinism, when Material's search is left alone, and
in headless Chromium: every kind of query, snippets with the key metric, hostile text shown as
text, no script run, no request leaving the site.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .. import searchindex
from ..browser_util import CHROMIUM, CHROMIUM_ARGS, Tab, Visit, chromium_problem, serve
from ..conftest import MKDOCS_YML, write_run

HOSTILE = '<img src=x onerror="window.__xss=1">'
FAMILIES = ("lgbm", "xgb", "logreg")
# Material's own index, copied between its search plugin (priority 0) and reporter (-100)
CAPTURE = """
import shutil
from pathlib import Path
from mkdocs.plugins import event_priority

@event_priority(-50)
def on_post_build(config):
    shutil.copyfile(Path(config.site_dir, "search", "search_index.json"), Path(config.config_file_path).with_name("material_index.json"))
"""


def write_runs(runs: Path) -> None:
    """Twelve runs of three families, a failed run with the best score, a hostile run and one
    holding every awkward token."""
    for i in range(12):
        family = FAMILIES[i % 3]
        notes = ["Calibration drifted; isotonic regression fixed it." if i % 4 == 0 else "Stable."]
        if i % 3 == 0:
            notes.append("模型在夜间交易上的召回率明显下降。")
        write_run(
            runs,
            f"{family}/run-{i:02d}",
            {
                "metrics.json": {"average_precision": round(0.5 + i / 100, 4), "roc_auc": 0.9},
                "config.yaml": {
                    "model": {"learning_rate": [0.01, 0.05, 0.1][i % 3], "max_depth": 3 + i},
                    "data": {"sampler": "adasyn" if i % 5 == 0 else "none"},
                },
                "run.yaml": {
                    "name": f"{family}-vivid-{i:02d}",
                    "experiment": f"{family}-study",
                    "author": "ana" if i % 2 else "bo",
                    "tags": ["night-shift"] if i % 4 == 1 else ["baseline"],
                    "notes": " ".join(notes),
                    "status": "completed",
                },
            },
        )
    write_run(
        runs,
        "odd/run-failed",
        {
            "metrics.json": {"average_precision": 0.99},
            "run.yaml": {"name": "failed-but-high", "status": "failed"},
        },
    )
    write_run(
        runs,
        "odd/run-hostile",
        {
            "metrics.json": {"average_precision": 0.4321},
            "config.yaml": {"html": HOSTILE},
            "run.yaml": {
                "name": "hostile-<b>run</b>",
                "tags": ["x<y"],
                "notes": f"Notes with markup {HOSTILE} and zebrafinch.",
            },
        },
    )
    write_run(
        runs,
        "odd/run-tokens",
        {
            "metrics.json": {"average_precision": 0.5},
            "config.yaml": {"model": {"learning_rate": 0.01}},
            "card.md": "# Model card\n\nScores quokka transactions.\n",
            "run.yaml": {
                "name": "tokens-run",
                "tags": ["night-shift"],
                "notes": "Watch recall@fpr, amp&and, isotonic adasyn. 模型的召回率明显下降。",
            },
        },
    )


def build(project: Path, site: Path, mkdocs_yml: str = MKDOCS_YML) -> subprocess.CompletedProcess:
    (project / "docs").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "index.md").write_text("# Search test\n\n<!-- reporter:home -->\n")
    (project / "mkdocs.yml").write_text(mkdocs_yml)
    return subprocess.run(
        [sys.executable, "-m", "reporter.cli", "build", "-q"]
        + ["--config", str(project / "mkdocs.yml"), "--site-dir", str(site)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("search-site")
    write_runs(project / "runs")
    (project / "capture.py").write_text(CAPTURE)
    build(project, project / "site", MKDOCS_YML + "hooks: [capture.py]\n")
    return project


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return project / "site"


RUN_PAGES = 15


def test_run_pages_leave_materials_index_and_reporters_holds_every_page(project: Path) -> None:
    material = json.loads((project / "material_index.json").read_text())
    material_pages = {d["location"].split("#")[0] for d in material["docs"]}
    assert "" in material_pages and "experiments/" in material_pages
    assert not [p for p in material_pages if p.startswith("runs/")]  # run pages excluded
    docs = searchindex.documents(project / "site")
    runs = [d for d in docs if d["location"].startswith("runs/")]
    assert len(runs) == RUN_PAGES and docs[:RUN_PAGES] == runs  # runs first
    assert {d["location"] for d in docs[RUN_PAGES:]} == {d["location"] for d in material["docs"]}


def test_materials_index_keeps_its_config_and_loses_its_documents(site: Path) -> None:
    emptied = json.loads((site / "search" / "search_index.json").read_text())
    assert emptied["docs"] == [] and emptied["config"]["lang"] == ["en"]


def test_every_page_names_reporters_versioned_worker(site: Path) -> None:
    worker = (site / "search" / "reporter" / "worker.js").read_bytes()
    for page in [site / "index.html", site / "runs" / "xgb" / "run-01" / "index.html"]:
        config = re.search(r'<script id="__config"[^>]*>(.*?)</script>', page.read_text()).group(1)
        url = json.loads(config)["search"]
        assert re.fullmatch(r"(\.\./)*search/reporter/worker\.js\?v=[0-9a-f]{10}", url), url
        assert "workers/search." not in page.read_text()  # Material's worker is not named
    import hashlib

    assert url.endswith(hashlib.sha256(worker).hexdigest()[:10])


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("xgb-vivid-04", {"runs/xgb/run-04/"}),  # name
        ("odd/run-tokens", {"runs/odd/run-tokens/"}),  # id
        ("logreg-study", {f"runs/logreg/run-{i:02d}/" for i in (2, 5, 8, 11)}),  # experiment
        (
            "night-shift",
            {f"runs/{FAMILIES[i % 3]}/run-{i:02d}/" for i in (1, 5, 9)} | {"runs/odd/run-tokens/"},
        ),
        (
            "adasyn",
            {f"runs/{FAMILIES[i % 3]}/run-{i:02d}/" for i in (0, 5, 10)} | {"runs/odd/run-tokens/"},
        ),
        ("data.sampler=adasyn", set()),  # "=" separates a name from its value
        (
            "learning_rate",
            {f"runs/{FAMILIES[i % 3]}/run-{i:02d}/" for i in range(12)} | {"runs/odd/run-tokens/"},
        ),
        ("recall@fpr", {"runs/odd/run-tokens/"}),
        ("amp&and", {"runs/odd/run-tokens/"}),
        ("召回", {f"runs/lgbm/run-{i:02d}/" for i in (0, 3, 6, 9)} | {"runs/odd/run-tokens/"}),
        ("quokka", {"runs/odd/run-tokens/"}),  # model card
        ("failed", {"runs/odd/run-failed/"}),  # status (and name)
    ],
)
def test_runs_are_indexed_by_every_field(site: Path, token: str, expected: set[str]) -> None:
    found = searchindex.locations(site, token)
    assert {loc for loc in found if loc.startswith("runs/")} == expected


def test_run_documents_carry_the_key_metric_best_first(site: Path) -> None:
    runs = [d for d in searchindex.documents(site) if d["location"].startswith("runs/")]
    values = [
        float(d["metric"].split()[1]) for d in runs if d["location"] != "runs/odd/run-failed/"
    ]
    assert all(d["metric"].startswith("average_precision ") for d in runs)
    assert values == sorted(values, reverse=True)  # equal scores list the better run first
    assert runs[-1]["location"] == "runs/odd/run-failed/"  # never ranked best
    tokens_run = next(d for d in runs if d["title"] == "tokens-run")
    assert tokens_run["fields"]["params"] == "model.learning_rate=0.01"
    assert tokens_run["tags"] == ["night-shift"]
    assert "quokka" in tokens_run["fields"]["card"]
    hostile = next(d for d in runs if d["location"] == "runs/odd/run-hostile/")
    assert hostile["title"] == "hostile-<b>run</b>"  # as written: the worker escapes it
    assert hostile["fields"]["params"] == f"html={HOSTILE}"


def test_the_same_runs_give_the_same_index(project: Path, tmp_path: Path) -> None:
    build(project, tmp_path / "again", MKDOCS_YML + "hooks: [capture.py]\n")

    def files(site: Path) -> dict[str, bytes]:
        root = site / "search"
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert files(tmp_path / "again") == files(project / "site")


@pytest.mark.parametrize(
    "plugins",
    [
        "  - reporter: {runs: runs}\n  - tags\n",
        "  - reporter: {runs: runs}\n  - search\n  - offline\n",
    ],
    ids=["no-search-plugin", "offline-plugin"],
)
def test_materials_search_is_left_alone_where_reporters_cannot_answer(
    tmp_path: Path, plugins: str
) -> None:
    """Without Material's search plugin there is no search box; with its offline plugin
    Material's search works from file://, which reporter's worker cannot."""
    write_run(tmp_path / "p" / "runs", "a/run-1", {"metrics.json": {"average_precision": 0.5}})
    yml = re.sub(r"plugins:\n(  - .*\n|      .*\n)+", "plugins:\n" + plugins, MKDOCS_YML)
    build(tmp_path / "p", tmp_path / "site", yml)
    site = tmp_path / "site"
    assert not (site / "search" / "reporter").exists()
    assert "search/reporter/" not in (site / "index.html").read_text()
    index = site / "search" / "search_index.json"
    if "offline" in plugins:
        docs = json.loads(index.read_text())["docs"]
        assert any(d["location"].startswith("runs/a/run-1") for d in docs)
    else:
        assert not index.exists()


def test_render_out_keeps_run_pages_in_materials_search(project: Path, tmp_path: Path) -> None:
    """`render --out` feeds a bare `mkdocs build`, where Material's search must index runs."""
    subprocess.run(
        [sys.executable, "-m", "reporter.cli", "render", "--out", str(tmp_path / "out")]
        + ["--config", str(project / "mkdocs.yml")],
        check=True,
        capture_output=True,
    )
    page = (tmp_path / "out" / "runs" / "odd" / "run-tokens.md").read_text()
    front = page.split("---\n")[1]
    assert "title: tokens-run" in front and "search" not in front


# ---------- Material's search box in Chromium ----------


@pytest.fixture(scope="module")
def tab(site: Path) -> Iterator[tuple[Tab, str]]:
    problem = chromium_problem()
    if problem:
        pytest.fail(problem)
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = Tab(browser, base)
        yield tab, base
        tab.close()
        browser.close()


def search(visit: Visit, query: str) -> list[dict[str, Any]]:
    """Type `query` into Material's search box (one keyup); the results it shows."""
    page = visit.page
    visit.goto("")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        """() => document.querySelector('.md-search-result__item')
        || /No matching/.test(document.querySelector('.md-search-result__meta').textContent)"""
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-search-result__item')].map(li => ({
        href: new URL(li.querySelector('a').href).pathname,
        title: li.querySelector('h1, h2').textContent,
        metric: (li.querySelector('.reporter-search-metric') || {}).textContent || null,
        text: li.textContent}))"""
    )


@pytest.mark.browser
def test_materials_search_box_answers_every_kind_of_query(tab: tuple[Tab, str]) -> None:
    with tab[0].visit() as visit:
        found = search(visit, "xgb")
        runs = [r for r in found if r["href"].startswith("/runs/")]
        assert {r["title"] for r in runs} == {f"xgb-vivid-{i:02d}" for i in (1, 4, 7, 10)}
        assert found[: len(runs)] == runs  # run names first, then e.g. the experiment page
        assert [r["title"] for r in runs] == [f"xgb-vivid-{i:02d}" for i in (10, 7, 4, 1)]
        assert all(
            r["metric"] == f"average_precision {0.5 + int(r['title'][-2:]) / 100:.4g}" for r in runs
        )

        assert [r["title"] for r in search(visit, "xgb-vivid-07")][0] == "xgb-vivid-07"
        first = search(visit, "learning_rate")
        assert "model.learning_rate=" in first[0]["text"]
        visit.page.wait_for_function(  # the first ten at once, then the full list
            """() => document.querySelector('.md-search-result__meta')
            .textContent.startsWith('13 matching')"""
        )
        for query in (
            "recall@fpr",
            "amp&and",
            "召回率",
            "night-shift",
            "adasyn",
            "isotonic",
            "quokka",
        ):
            hits = [h["href"] for h in search(visit, query)]
            assert "/runs/odd/run-tokens/" in hits, (query, hits)
        assert search(visit, "isoto")  # a prefix
        assert search(visit, "qqqqzzzz") == []
        assert visit.foreign_requests == [] and visit.page_errors == [] and visit.dialogs == []
        assert visit.worker_messages == [] and visit.console_errors == []


@pytest.mark.browser
def test_hostile_text_is_shown_as_text_in_results(tab: tuple[Tab, str]) -> None:
    with tab[0].visit() as visit:
        hostile = search(visit, "onerror")
        assert [h["title"] for h in hostile] == ["hostile-<b>run</b>"]
        assert HOSTILE in hostile[0]["text"]  # the parameter's value, as text
        assert "x<y" in hostile[0]["text"]  # the tag, escaped once
        assert visit.page.locator(".md-search-result img, .md-search-result b").count() == 0
        assert visit.page.evaluate("() => window.__xss") is None
        assert visit.foreign_requests == [] and visit.page_errors == [] and visit.dialogs == []
