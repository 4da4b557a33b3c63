"""The leaderboard's queries, its state in the address, its CSV, and the ad-hoc comparison page
(`compare/?runs=...`), in headless Chromium on the example site built by the CLI.

Every request to a host other than the test server is aborted and recorded; each test asserts
there was none.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from .browser_util import (
    Tab,
    Visit,
    axe_source,
    axe_violations,
    describe_violations,
    running_chromium,
)

pytestmark = pytest.mark.browser

ROW_IDS = """() => [...document.querySelectorAll('.reporter-leaderboard tbody tr')]
  .map(tr => tr.querySelector('td code').textContent)"""
COMPARE_READY = ".reporter-adhoc[data-ready]"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with running_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def tab(chromium: Any, example_served: tuple[Path, str]) -> Iterator[Tab]:
    tab = Tab(chromium, example_served[1])
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def listed(example_served: tuple[Path, str]) -> list[dict[str, Any]]:
    """`reporter list --format json` of the project the site was built from."""
    project = example_served[0].parent
    command = Path(sys.executable).with_name("reporter")
    done = subprocess.run(
        [str(command if command.exists() else "reporter"), "list", "--format", "json",
         "--config", str(project / "mkdocs.yml")],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _open(tab: Tab, rel: str) -> Visit:
    visit = tab.visit()
    visit.goto(rel)
    return visit


def _rows(visit: Visit) -> list[str]:
    visit.page.wait_for_selector(".reporter-leaderboard tbody tr")
    return visit.page.evaluate(ROW_IDS)


def _clean(visit: Visit) -> None:
    assert visit.foreign_requests == [], visit.foreign_requests
    assert visit.page_errors == [], visit.page_errors
    assert visit.console_errors_except() == [], visit.console_errors


def _show_all(visit: Visit) -> None:
    more = visit.page.locator(".reporter-more")
    while more.is_visible():
        more.click()


# ---------- queries ----------


def test_a_query_in_the_address_shows_exactly_the_runs_the_cli_lists(tab, listed):
    want = sorted(r["id"] for r in listed if (r["metrics"].get("roc_auc") or 0) > 0.9)
    assert 0 < len(want) < len(listed), "the example study should split at roc_auc 0.9"
    visit = _open(tab, "leaderboard/?q=metrics.roc_auc%20%3E%200.9")
    _show_all(visit)
    assert sorted(_rows(visit)) == want
    page = visit.page
    assert page.locator(".reporter-query").input_value() == "metrics.roc_auc > 0.9"
    assert (
        page.locator(".reporter-count")
        .inner_text()
        .startswith(f"{len(want)} of {len(listed)} runs")
    )
    assert page.locator(".reporter-query-error").is_hidden()
    # Material opens its search for `?q=`; the leaderboard closes it and keeps its address
    page.wait_for_load_state("load")
    assert page.evaluate("() => !document.querySelector('[data-md-toggle=search]').checked")
    assert "q=metrics.roc_auc" in page.url
    _clean(visit)


def test_an_invalid_query_shows_where_it_fails_and_keeps_every_row(tab, listed):
    visit = _open(tab, "leaderboard/")
    _show_all(visit)
    every = sorted(_rows(visit))
    assert len(every) == len(listed)
    box = visit.page.locator(".reporter-query")
    box.fill("metrics.roc_auc > 0.9 and (status = ")
    error = visit.page.locator(".reporter-query-error")
    error.wait_for(state="visible")
    assert "expected a value after '='" in error.inner_text()
    assert "character 36" in error.inner_text()  # just past the "=" (trailing blanks ignored)
    assert box.get_attribute("aria-invalid") == "true"
    _show_all(visit)
    assert sorted(_rows(visit)) == every
    box.fill("metrics.roc_acu > 0.9")
    assert "did you mean 'roc_auc'" in error.inner_text()
    assert visit.page.locator(".reporter-query-where mark").inner_text() == "metrics.roc_acu"
    box.fill("hgb")  # plain text still filters as before
    assert error.is_hidden()
    assert box.get_attribute("aria-invalid") == "false"
    assert all("hgb" in i for i in _rows(visit))
    _clean(visit)


def test_queries_on_parameters_tags_and_attributes(tab, listed):
    visit = _open(tab, "leaderboard/")
    box = visit.page.locator(".reporter-query")

    def shown(query: str) -> list[str]:
        box.fill(query)
        _show_all(visit)
        return (
            sorted(_rows(visit))
            if visit.page.locator(".reporter-leaderboard tbody tr").count()
            else []
        )

    by_tag = sorted(r["id"] for r in listed if "seed-study" in r["tags"])
    assert by_tag and shown("tags.seed-study") == by_tag
    boosting = sorted(r["id"] for r in listed if r["experiment"] == "boosting")
    assert shown("experiment = boosting") == boosting
    deep = sorted(r["id"] for r in listed if r["params"].get("model.max_depth") == 8)
    assert deep and shown("params.model.max_depth = 8") == deep
    both = sorted(
        r["id"] for r in listed
        if r["experiment"] == "boosting" and "seed-study" not in r["tags"] and "hgb" in r["name"].lower()
    )  # fmt: skip
    assert shown("experiment = boosting and not tags.seed-study and name ~ hgb") == both
    _clean(visit)


# ---------- state in the address, CSV ----------


def test_sort_columns_query_and_ticks_live_in_the_address_and_back_restores_them(tab):
    visit = _open(tab, "leaderboard/")
    page = visit.page
    first = _rows(visit)
    page.locator('.reporter-leaderboard th[data-key="name"] button').click()
    assert "sort=name" in page.url
    by_name = _rows(visit)
    assert by_name != first
    page.locator(".reporter-query").fill("name ~ hgb")
    page.locator(".reporter-query").press("Enter")
    assert "q=name%20~%20hgb" in page.url
    page.locator(".reporter-leaderboard tbody input[type=checkbox]").first.check()
    ticked = _rows(visit)[0]
    assert "runs=" + quote(ticked, safe="") in page.url
    url = page.url
    # back: the tick goes, then the query; forward brings the query back
    page.go_back()
    page.wait_for_function("() => !location.search.includes('runs=')")
    assert not page.locator(".reporter-leaderboard tbody input[type=checkbox]:checked").count()
    page.go_back()
    page.wait_for_function("() => !location.search.includes('q=')")
    page.wait_for_function(f"() => ({ROW_IDS})().length === {len(by_name)}")
    assert _rows(visit) == by_name
    assert page.locator(".reporter-query").input_value() == ""
    page.go_forward()
    page.wait_for_function("() => location.search.includes('q=')")
    assert page.locator(".reporter-query").input_value() == "name ~ hgb"
    # the URL reproduces the view in a fresh load, with the site's search box left closed
    page.goto("about:blank")
    page.goto(url)
    assert _rows(visit)[0] == ticked
    assert page.locator(".reporter-leaderboard tbody input[type=checkbox]").first.is_checked()
    assert page.locator(".reporter-query").input_value() == "name ~ hgb"
    assert "sort=name" in page.url and "q=" in page.url
    assert page.evaluate("() => !document.querySelector('[data-md-toggle=search]').checked")
    _clean(visit)


def test_hidden_columns_come_back_from_the_address(tab):
    visit = _open(tab, "leaderboard/")
    page = visit.page
    heads = page.evaluate(
        "() => [...document.querySelectorAll('.reporter-leaderboard th.num')].map(t => t.dataset.key)"
    )
    page.get_by_role("button", name="Columns").click()
    page.locator(".reporter-columns__list input").first.uncheck()
    assert "cols=" in page.url
    fewer = page.locator(".reporter-leaderboard th.num").count()
    assert fewer == len(heads) - 1
    page.goto(page.url)
    page.wait_for_selector(".reporter-leaderboard tbody tr")
    assert page.locator(".reporter-leaderboard th.num").count() == fewer
    _clean(visit)


def test_the_csv_holds_the_current_view(tab, listed):
    visit = _open(tab, "leaderboard/?q=experiment%20%3D%20boosting")
    page = visit.page
    _rows(visit)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "leaderboard.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["id", "name", "experiment", "created", "status", "tags"]
    assert "roc_auc" in header
    assert sorted(r[0] for r in body) == sorted(
        r["id"] for r in listed if r["experiment"] == "boosting"
    )
    roc = header.index("roc_auc")
    by_id = {r["id"]: r for r in listed}
    for row in body:
        logged = by_id[row[0]]["metrics"].get("roc_auc")
        if logged is not None:
            assert float(row[roc]) == pytest.approx(logged, rel=1e-5)
    _clean(visit)


# ---------- the ad-hoc comparison ----------


def _compare_url(ids: list[str]) -> str:
    return "compare/?runs=" + ",".join(quote(i, safe="") for i in ids)


def test_the_compare_page_draws_three_runs_from_their_data_files_only(tab, listed):
    chosen = [listed[0], listed[len(listed) // 2], listed[-2]]
    ids = [r["id"] for r in chosen]
    visit = _open(tab, _compare_url(ids))
    page = visit.page
    page.wait_for_selector(COMPARE_READY)
    charts = int(page.locator(".reporter-adhoc").get_attribute("data-charts") or 0)
    assert charts >= 3  # histories, PR and ROC at least
    visit.wait_for_charts(charts)
    text = page.locator(".reporter-adhoc").inner_text()
    assert "Comparing 3 runs" in text
    for run in chosen:
        assert run["name"] in text and run["id"] in text
    summary = page.locator(".reporter-adhoc-summary tbody tr")
    assert summary.count() == 3
    assert page.locator(".reporter-diff tbody tr:not([hidden])").count() > 0
    assert page.locator(".reporter-ops tbody tr").count() == 3
    # each trace of the PR and ROC overlays belongs to one of the three runs (or is the chance line)
    names = page.evaluate(
        "() => [...document.querySelectorAll('.reporter-chart')].map(c => c.data.map(t => t.name))"
    )
    assert any(set(n) >= {r["name"] for r in chosen} for n in names)
    snippet = page.locator(".reporter-adhoc-snippet").inner_text()
    assert snippet.startswith("- title:") and all(json.dumps(i) in snippet for i in ids)
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    data_files = [u for u in loaded if "/assets/reporter/runs/" in u]
    assert len(data_files) == 3, data_files  # only the chosen runs' data
    assert all(u.startswith(visit.base) for u in loaded)
    _clean(visit)


def test_unknown_ids_are_listed_and_the_rest_compared(tab, listed):
    hostile = '../<img src=x onerror="alert(1)">,x'
    visit = _open(tab, _compare_url([listed[0]["id"], "no/such-run", hostile]))
    page = visit.page
    page.wait_for_selector(COMPARE_READY)
    missing = page.locator(".reporter-missing li").all_inner_texts()
    assert missing == ["no/such-run", hostile]
    assert "Comparing 1 run" in page.locator(".reporter-adhoc").inner_text()
    assert page.locator(".reporter-adhoc img").count() == 0
    assert visit.dialogs == []
    visit.console_errors = [e for e in visit.console_errors if "404" not in e]
    _clean(visit)


def test_ticking_runs_in_the_leaderboard_leads_to_their_comparison_in_one_click(tab):
    visit = _open(tab, "leaderboard/")
    page = visit.page
    ids = _rows(visit)[:2]
    boxes = page.locator(".reporter-leaderboard tbody input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator(".reporter-compare-now").click()
    page.wait_for_selector(COMPARE_READY)
    codes = page.locator(".reporter-adhoc-summary tbody code").all_inner_texts()
    assert sorted(codes) == sorted(ids)
    _clean(visit)


def test_keyboard_reaches_the_query_sorting_and_the_comparison(tab):
    visit = _open(tab, "leaderboard/")
    page = visit.page
    _rows(visit)
    page.locator(".reporter-query").focus()
    page.keyboard.type("status = completed")
    page.keyboard.press("Enter")
    assert "q=status" in page.url
    header = page.locator('.reporter-leaderboard th[data-key="name"] button')
    header.focus()
    page.keyboard.press("Enter")
    assert "sort=name" in page.url
    page.locator(".reporter-leaderboard tbody input[type=checkbox]").first.focus()
    page.keyboard.press("Space")
    link = page.locator(".reporter-compare-now")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(COMPARE_READY)
    _clean(visit)


def test_no_serious_accessibility_problems_in_the_leaderboard_or_the_comparison(tab, listed):
    source = axe_source()
    visit = _open(tab, "leaderboard/?q=metrics.roc_auc%20%3E")
    page = visit.page
    page.locator(".reporter-query-error").wait_for(state="visible")
    page.locator(".reporter-leaderboard tbody input[type=checkbox]").first.check()
    found = axe_violations(page, source, ".reporter-leaderboard")
    assert not found, describe_violations(found)
    visit.goto(_compare_url([r["id"] for r in listed[:3]]))
    page.wait_for_selector(COMPARE_READY)
    found = axe_violations(page, source, ".reporter-adhoc")
    assert not found, describe_violations(found)
    _clean(visit)
