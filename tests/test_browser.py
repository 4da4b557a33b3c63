"""End-to-end checks of built sites in headless Chromium: what a reader actually sees.

Two sites: the untidy fixture runs (known content, hostile names) and the repository's own
project (whatever example runs `runs/` holds; pages are picked from the built site). Each site is
built once and served from a local thread; one browser serves the module, one tab each site.
Every request to another host is aborted and recorded, and every test asserts there was none.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reporter.site.build import build_site

from .browser_util import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    Site,
    Tab,
    Visit,
    chromium_problem,
    page_url,
    serve,
    spread,
)
from .conftest import DATA, MKDOCS_YML, REPO, make_project

pytestmark = pytest.mark.browser

SCRIPT_RUN = "runs/exp-b/nested/deep-run/"
FULL_RUN = "runs/exp-a/good-full/"
SCRIPT_NAME = "<script>alert(1)</script>"
# The untidy notes hold `<img src=x onerror=...>` on purpose: the sanitised <img src="x"> 404s.
BROKEN_ON_PURPOSE = {"untidy": [SCRIPT_RUN + "x"], "repo": [], "hostile": []}
SHOTS = Path("/tmp/reporter-shots")

_PLOTLY_STYLE_IN_HEAD = """() => {
  const style = document.getElementById('plotly.js-style-global');
  return !!style && style.parentNode === document.head;
}"""
_COLUMN = """key => {
  const heads = [...document.querySelectorAll('.reporter-leaderboard thead th')];
  const i = heads.findIndex(th => th.dataset.key === key);
  return [...document.querySelectorAll('.reporter-leaderboard tbody tr')]
    .map(tr => tr.children[i].textContent.trim());
}"""
_ROW_IDS = """() => [...document.querySelectorAll('.reporter-leaderboard tbody tr')]
  .map(tr => tr.querySelector('td code').textContent)"""  # the run id under each run's name
_IMAGES_SETTLED = "() => [...document.images].every(img => img.complete)"


# ---------- fixtures ----------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system Chromium, or None when it is missing (each test then fails, saying so)."""
    if chromium_problem():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def untidy_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The untidy fixture project, built with `site_url` set to the server that serves it.

    Material navigates instantly only to URLs its sitemap.xml lists (port included), so the server
    starts first and the site is built for its address, as a deployed site would be.
    """
    project = tmp_path_factory.mktemp("untidy-browser")
    with serve(project / "site") as base:
        config = make_project(
            project, DATA / "untidy", mkdocs_yml=f"site_url: {base}\n{MKDOCS_YML}"
        )
        yield build_site(config).site_dir, base


@pytest.fixture(scope="session")
def repo_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The repository's own project and example runs, built into a temporary folder for the
    address that serves it (Material navigates instantly only to URLs its sitemap lists)."""
    site = tmp_path_factory.mktemp("repo") / "site"
    with serve(site) as base:
        build_site(REPO / "mkdocs.yml", site_dir=site, site_url=base)
        yield site, base


def _site(name: str, browser: Any, served: tuple[Path, str]) -> Iterator[Site]:
    root, base = served
    tab = Tab(browser, base)
    yield Site(name, root, base, tab)
    tab.close()


@pytest.fixture(scope="module")
def untidy(chromium: Any, untidy_served: tuple[Path, str]) -> Iterator[Site]:
    yield from _site("untidy", chromium, untidy_served)


@pytest.fixture(scope="module")
def repo(chromium: Any, repo_served: tuple[Path, str]) -> Iterator[Site]:
    yield from _site("repo", chromium, repo_served)


@pytest.fixture(scope="session")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A project of hostile names (tests/hostile_corpus.py and tests/data/hostile) with a
    journal post written by `reporter new-entry` about them, built for the address serving it."""
    from click.testing import CliRunner

    from reporter.cli import cli

    from . import hostile_corpus as corpus

    project = tmp_path_factory.mktemp("hostile-browser") / "project"
    with serve(project / "site") as base:
        config = corpus.write_project(project, blog=True)
        config.write_text(f"site_url: {base}\n" + config.read_text())
        runs = project / "runs"
        corpus.markdown_experiment(runs)
        corpus.html_run_name(runs)
        corpus.awkward_ids(runs)
        corpus.colliding_names(runs)
        shutil.copytree(DATA / "hostile" / "xss", runs / "xss")
        entry = CliRunner().invoke(cli, ["new-entry", "<b>All</b> runs", "--config", str(config)])
        assert entry.exit_code == 0, entry.output
        yield build_site(config).site_dir, base


@pytest.fixture(scope="module")
def hostile(chromium: Any, hostile_served: tuple[Path, str]) -> Iterator[Site]:
    yield from _site("hostile", chromium, hostile_served)


@pytest.fixture(scope="module", params=["untidy", "repo"])
def site(request: pytest.FixtureRequest) -> Site:
    return request.getfixturevalue(request.param)


def assert_clean(visit: Visit, site: Site) -> None:
    assert visit.foreign_requests == [], "requests left the site"
    assert visit.page_errors == []
    assert [m for m in visit.worker_messages if m.startswith("error")] == []
    assert visit.console_errors_except(BROKEN_ON_PURPOSE[site.name]) == []
    assert visit.dialogs == []


# ---------- every page ----------


def test_every_page_loads_without_errors_or_foreign_requests(site: Site) -> None:
    pages = site.pages(limit=40)
    assert "" in pages and "leaderboard/" in pages
    problems: dict[str, list[str]] = {}
    with site.open() as visit:
        for rel in pages:
            seen = [len(visit.console_errors), len(visit.page_errors), len(visit.dialogs)]
            seen.append(len(visit.worker_messages))
            visit.goto(rel)
            visit.wait_for_charts(site.chart_count(rel))  # chart errors belong to the page too
            found = [
                *visit.console_errors_except(BROKEN_ON_PURPOSE[site.name], since=seen[0]),
                *visit.page_errors[seen[1] :],
                *visit.dialogs[seen[2] :],
                *[m for m in visit.worker_messages[seen[3] :] if m.startswith("error")],
            ]
            if found:
                problems[rel] = found
        assert visit.foreign_requests == [], "requests left the site"
    assert problems == {}


def test_every_chart_on_run_pages_is_drawn(site: Site) -> None:
    # A spread of run pages keeps this quick; the test above waits for every page's charts too.
    drawn = 0
    with site.open() as visit:
        for rel in spread(site.require_runs(), 8):
            expected = site.chart_count(rel)
            visit.goto(rel)
            visit.wait_for_charts(expected)
            assert visit.undrawn_charts() == 0, rel
            drawn += expected
        assert_clean(visit, site)
    assert drawn > 0, "no run page has a chart"


def test_comparisons_and_journal_entries_draw_every_chart(repo: Site) -> None:
    pages = sorted(
        rel for rel in repo.pages(limit=10_000) if rel.startswith(("compare/", "journal/20"))
    )
    assert any(p.startswith("compare/") for p in pages) and any(
        p.startswith("journal/") for p in pages
    )
    drawn = 0
    with repo.open() as visit:
        for rel in pages:
            expected = repo.chart_count(rel)
            visit.goto(rel)
            visit.wait_for_charts(expected)
            assert visit.undrawn_charts() == 0, rel
            drawn += expected
        assert_clean(visit, repo)
    assert drawn > 20


# ---------- instant navigation ----------


def _arrive(visit: Visit, site: Site, go: Callable[[], object], rel: str) -> None:
    """Go, wait until Material has swapped in `rel`, then check it was instant and charts drew."""
    go()
    visit.page.wait_for_url(visit.base + rel)
    visit.page.wait_for_function("t => document.title === t", arg=site.title(rel))
    charts = site.chart_count(rel)
    visit.wait_for_charts(charts)
    assert visit.page.evaluate("() => window.__marker") == 1, f"{rel}: the page fully reloaded"
    if charts:  # a page without charts does not load plotly.js, nor need its style
        assert visit.page.evaluate(_PLOTLY_STYLE_IN_HEAD), f"{rel}: plotly's global <style> is gone"


def test_instant_navigation_keeps_charts_drawn(site: Site) -> None:
    runs = site.require_runs(2)
    charted = [r for r in runs if site.chart_count(r)]
    assert charted, "no run page has charts"
    first = charted[0]
    other = (charted[1:] or [r for r in runs if r != first])[0]
    site.require_instant_navigation()
    with site.open() as visit:
        page = visit.page
        visit.goto("leaderboard/")
        page.evaluate("() => { window.__marker = 1; }")

        def run_link(rel: str) -> Callable[[], None]:
            return page.locator(f".reporter-leaderboard a[href$='{rel}']").first.click

        def nav_to_leaderboard() -> None:
            nav = page.locator("a.md-tabs__link, a.md-nav__link").filter(visible=True)
            nav.and_(page.locator("[href$='leaderboard/']")).first.click()

        def back() -> None:
            page.evaluate("() => history.back()")

        _arrive(visit, site, run_link(first), first)
        _arrive(visit, site, nav_to_leaderboard, "leaderboard/")
        _arrive(visit, site, run_link(other), other)
        _arrive(visit, site, back, "leaderboard/")
        _arrive(visit, site, back, first)
        assert_clean(visit, site)


# ---------- leaderboard ----------


def _number(cell: str) -> float | None:
    return None if cell in ("", "—") else float(cell.replace(",", ""))


def _assert_sorted(cells: list[str], direction: str | None) -> None:
    values = [_number(c) for c in cells]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), "missing values go last"
    assert present == sorted(present, reverse=direction == "descending"), (direction, cells)


def _leaderboard(visit: Visit) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    visit.goto("leaderboard/")
    board = visit.page.locator(".reporter-leaderboard")
    return json.loads(board.get_attribute("data-columns")), json.loads(
        board.get_attribute("data-rows")
    )


def test_clicking_a_metric_header_sorts_both_ways(site: Site) -> None:
    site.require_runs(2)
    with site.open() as visit:
        page = visit.page
        columns, rows = _leaderboard(visit)
        active = page.locator(
            ".reporter-leaderboard th[aria-sort]:not([aria-sort='none'])"
        ).get_attribute("data-key")
        # The fullest shown metric column not already sorted on: its first click is telling.
        filled = [sum(r["metrics"][i] is not None for r in rows) for i in range(len(columns))]
        shown = [i for i, c in enumerate(columns) if c.get("visible", True) and f"m{i}" != active]
        i = max(shown, key=lambda i: (filled[i], -i))
        assert filled[i] >= 2, "a column needs two values to show an order"
        header = page.locator(f".reporter-leaderboard th[data-key='m{i}']")
        directions = []
        for _ in range(2):
            header.click()
            directions.append(header.get_attribute("aria-sort"))
            _assert_sorted(page.evaluate(_COLUMN, f"m{i}"), directions[-1])
        best_first = ["descending", "ascending"]
        assert directions == (best_first[::-1] if columns[i]["lower"] else best_first)
        assert len(page.evaluate(_ROW_IDS)) == min(len(rows), 100)
        assert_clean(visit, site)


def _matches(row: dict[str, Any], query: str) -> bool:
    """The leaderboard's filter rule (`_text` in leaderboard.js), mirrored."""
    fields = [row["name"], row["id"], row["experiment"], row["status"], *row["tags"]]
    return query in " ".join(str(f or "") for f in fields).lower()


def test_filter_narrows_rows_and_updates_the_count(site: Site) -> None:
    site.require_runs(2)
    with site.open() as visit:
        page = visit.page
        _, rows = _leaderboard(visit)
        total = len(rows)
        # The experiment name matching most runs short of all of them.
        narrowing = {
            name: sorted(r["id"] for r in rows if _matches(r, name))
            for name in {r["experiment"].lower() for r in rows}
        }
        narrowing = {q: ids for q, ids in narrowing.items() if len(ids) < total}
        assert narrowing, "no experiment name narrows the rows"
        query = max(sorted(narrowing), key=lambda q: len(narrowing[q]))
        expected = narrowing[query]
        if site.name == "untidy":
            assert (query, expected) == ("exp-a", ["exp-a/good-full", "exp-a/good-strings"])
        box = page.locator(".reporter-toolbar input[type='search']")
        count = page.locator(".reporter-count")
        box.press_sequentially(query)
        page.wait_for_function(
            "n => document.querySelectorAll('.reporter-leaderboard tbody tr').length === n",
            arg=min(len(expected), 100),
        )
        assert sorted(page.evaluate(_ROW_IDS)) == expected[:100]
        sorting = r"(, sorted by \S+ \((de|a)scending\))?"  # the count names the sort too
        assert re.fullmatch(f"{len(expected)} of {total} runs{sorting}", count.text_content())
        box.fill("no run is called this")
        assert page.evaluate(_ROW_IDS) == []
        assert re.fullmatch(f"0 of {total} runs{sorting}", count.text_content())
        box.fill("")
        assert re.fullmatch(f"{total} runs{sorting}", count.text_content())
        assert len(page.evaluate(_ROW_IDS)) == min(total, 100)
        assert_clean(visit, site)


# ---------- search ----------


def _search(visit: Visit, query: str, target: str) -> list[str]:
    """Type `query` into Material's search box; the result links, once `target` is among them."""
    page = visit.page
    visit.goto("")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # one keyup: Material searches for the whole query, not for each prefix
    hit = page.locator(f".md-search-result__item a[href*='{target}']")
    rejected = f"Invalid query: {query} –"  # what Material's worker logs when the query throws
    for _ in range(TIMEOUT_MS // 100):  # until the target shows up, or the worker gives up
        if hit.count() or any(rejected in m for m in visit.worker_messages):
            break
        page.wait_for_timeout(100)
    return page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")


@pytest.mark.parametrize(
    "query",
    ["HGB lr=0.1 (full)", "HistGradientBoostingClassifier", "spiked"],
    ids=["name", "parameter", "notes"],
)
def test_search_finds_a_run(untidy: Site, query: str) -> None:
    with untidy.open() as visit:
        links = _search(visit, query, FULL_RUN)
        assert any(FULL_RUN in href for href in links), (query, links)
        assert visit.worker_messages == []
        assert_clean(visit, untidy)


# lunr (inside Material's search worker) throws on some prefix queries over some indexes.
LUNR_CRASH = "Cannot read properties of undefined (reading '_index')"


def test_search_finds_an_example_run_by_name(repo: Site) -> None:
    runs = repo.require_runs()
    rel = runs[len(runs) // 2]
    name = repo.title(rel).rsplit(" - ", 1)[0]
    with repo.open() as visit:
        links = _search(visit, name, rel)
        assert not any(LUNR_CRASH in m for m in visit.worker_messages), visit.worker_messages
        assert any(rel in href for href in links), (name, links)
        assert visit.worker_messages == []
        assert_clean(visit, repo)


# ---------- hostile run names and notes ----------


@pytest.mark.parametrize(
    "rel", [SCRIPT_RUN, "leaderboard/", ""], ids=["run", "leaderboard", "home"]
)
def test_script_in_names_and_notes_stays_text(untidy: Site, rel: str) -> None:
    with untidy.open() as visit:
        page = visit.page

        def assert_inert() -> None:
            page.wait_for_function(_IMAGES_SETTLED)  # an onerror handler would have run by now
            assert visit.dialogs == []
            assert page.locator("img[onerror], [onload], [onclick]").count() == 0
            assert page.locator("a[href^='javascript:' i]").count() == 0

        visit.goto(rel)
        assert_inert()
        if rel != SCRIPT_RUN:
            link = page.locator(f"article a[href$='{SCRIPT_RUN}']").first
            assert link.text_content().strip() == SCRIPT_NAME
            # Arriving by instant navigation inserts the page with DOM calls: still inert.
            page.evaluate("() => { window.__marker = 1; }")
            link.click()
            page.wait_for_url(visit.base + SCRIPT_RUN)
            page.wait_for_function("name => document.title.startsWith(name)", arg=SCRIPT_NAME)
            assert page.evaluate("() => window.__marker") == 1, "expected an instant navigation"
            assert_inert()
        assert page.locator("article h1").text_content().strip() == SCRIPT_NAME
        assert_clean(visit, untidy)


def test_no_page_of_hostile_names_runs_script_or_calls_out(hostile: Site) -> None:
    """Every page of the site, the new-entry post included: no dialog opens, no element has an
    event handler or a javascript: link, and no request leaves the local server."""
    pages = sorted(page_url(hostile.root, p) for p in hostile.root.rglob("index.html"))
    assert any(p.startswith("journal/") and "all-runs" in p for p in pages), pages
    with hostile.open() as visit:
        for rel in pages:
            visit.goto(rel)
            visit.page.wait_for_function(_IMAGES_SETTLED)
            handlers = visit.page.locator("[onerror], [onload], [onclick], [onmouseover]").count()
            assert handlers == 0, rel
            assert visit.page.locator("a[href^='javascript:' i]").count() == 0, rel
        assert visit.dialogs == [], visit.dialogs
        assert visit.foreign_requests == [], visit.foreign_requests
        assert visit.page_errors == []


# ---------- screenshots for people ----------


def test_screenshots_for_review(site: Site) -> None:
    """Not asserted: the leaderboard and a run page, to look at after a change."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        pytest.skip(f"cannot create {SHOTS}: {exc}")
    runs = site.require_runs()
    run = next((r for r in runs if site.chart_count(r)), runs[0])
    with site.open() as visit:
        visit.goto("leaderboard/")
        visit.page.screenshot(path=str(SHOTS / f"{site.name}-leaderboard.png"), full_page=True)
        visit.goto(run)
        visit.wait_for_charts(site.chart_count(run))
        visit.page.screenshot(path=str(SHOTS / f"{site.name}-run.png"), full_page=True)
