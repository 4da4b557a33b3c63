"""A smaller plotly.js (`plotly_bundle`): which bundles a page loads, and the checks on the file.

The smaller bundle is npm's plotly.js-cartesian-dist-min at the plotly package's plotly.js
version, installed by the test helper; it draws scatter, bar and heatmap charts but not the
parallel coordinates of comparison pages, which must then load the full bundle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from reporter.errors import ConfigError
from reporter.pipeline.plotly_js import FULL, LIGHT, full_bundle, full_version, read_bundle

from .browser_util import Tab, cartesian_bundle, running_chromium, serve
from .conftest import build_example

ADHOC = ("fraud/hgb-lr0.1-seed1", "fraud/logreg-c1.0", "fraud/rf-100-d8")


@pytest.fixture(scope="module")
def light() -> Path:
    return cartesian_bundle()


# ---------- reading a bundle ----------


def test_a_partial_bundle_names_the_trace_types_it_draws(light: Path) -> None:
    bundle = read_bundle(light)
    assert bundle.version == full_version()
    assert {"scatter", "bar", "heatmap"} <= set(bundle.traces)
    assert "parcoords" not in bundle.traces
    assert list(bundle.traces) == sorted(bundle.traces)


def test_the_full_bundle_has_every_trace_type_of_our_charts() -> None:
    traces = set(read_bundle(full_bundle()).traces)
    assert {"scatter", "bar", "heatmap", "parcoords"} <= traces
    assert len(traces) > 40


def test_a_file_that_is_not_plotly_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "plotly.min.js"
    fake.write_text("/* plotly.js v4.1.1 */ window.Plotly = {};\n")
    with pytest.raises(ConfigError, match=r"plotly_bundle.*plotly\.min\.js is not a plotly\.js"):
        read_bundle(fake)


def test_a_bundle_of_another_version_is_refused(tmp_path: Path, light: Path) -> None:
    other = tmp_path / "plotly-cartesian.min.js"
    text = light.read_bytes().replace(f"v{full_version()}".encode(), b"v1.58.5", 1)
    other.write_bytes(text)
    with pytest.raises(ConfigError, match=rf"is plotly\.js 1\.58\.5.*plotly\.js {full_version()}"):
        read_bundle(other)


def test_an_unreadable_bundle_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "bundle.js"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"plotly_bundle.*bundle\.js cannot be read"):
        read_bundle(folder)


def test_a_build_with_a_wrong_bundle_fails_and_keeps_the_site(tmp_path: Path) -> None:
    from .conftest import DATA, make_project

    config = make_project(tmp_path, DATA / "untidy")
    reporter = Path(sys.executable).with_name("reporter")
    command = [str(reporter if reporter.exists() else "reporter"), "build", "--quiet"]
    first = subprocess.run(
        [*command, "--config", str(config)], cwd=tmp_path, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    index = (tmp_path / "site" / "index.html").read_bytes()
    (tmp_path / "notplotly.js").write_text("console.log('hello');\n")
    text = config.read_text().replace(
        "      runs: runs\n", "      runs: runs\n      plotly_bundle: notplotly.js\n"
    )
    config.write_text(text)
    failed = subprocess.run(
        [*command, "--config", str(config)], cwd=tmp_path, capture_output=True, text=True
    )
    assert failed.returncode != 0
    assert "plotly_bundle" in failed.stderr and "notplotly.js" in failed.stderr
    assert "is not a plotly.js bundle" in failed.stderr
    assert (tmp_path / "site" / "index.html").read_bytes() == index


# ---------- the built site, in the browser ----------


@pytest.fixture(scope="module")
def light_served(
    tmp_path_factory: pytest.TempPathFactory, light: Path
) -> Iterator[tuple[Path, str]]:
    project = tmp_path_factory.mktemp("example-light")
    local = project / "vendor" / light.name  # relative to mkdocs.yml, as a team would keep it
    local.parent.mkdir()
    shutil.copy(light, local)
    site = project / "site"
    with serve(site) as base:
        build_example(project, base, f"      plotly_bundle: vendor/{light.name}\n")
        yield site, base


@pytest.fixture(scope="module")
def tab(light_served: tuple[Path, str]) -> Iterator[Tab]:
    with running_chromium() as browser:
        tab = Tab(browser, light_served[1])
        yield tab
        tab.close()


def _bundles(page: Any) -> list[str]:
    """The plotly.js files this document requested, in order."""
    return page.evaluate(
        """() => performance.getEntriesByType('resource').map(e => e.name.split('/').pop())
             .filter(n => n.startsWith('plotly'))"""
    )


def _drawn(page: Any) -> None:
    page.wait_for_function(
        """() => { const charts = [...document.querySelectorAll('.reporter-chart')];
        return charts.length > 0 && charts.every(c => c.querySelector('svg.main-svg')); }"""
    )


def test_the_site_publishes_both_bundles(light_served: tuple[Path, str], light: Path) -> None:
    assets = light_served[0] / "assets" / "reporter"
    assert (assets / LIGHT).read_bytes() == light.read_bytes()
    assert (assets / FULL).read_bytes() == full_bundle().read_bytes()
    first = (assets / "reporter.js").read_text().splitlines()[0]
    assert first.startswith("window.__reporterPlotlyLight=[") and '"heatmap"' in first


@pytest.mark.browser
def test_line_and_heatmap_pages_load_only_the_smaller_bundle(tab: Tab) -> None:
    with tab.visit() as visit:
        ids = ",".join(quote(i, safe="") for i in ADHOC)
        visit.goto(f"compare/?runs={ids}")
        _drawn(visit.page)
        assert _bundles(visit.page) == [LIGHT]
        names = visit.page.locator(".reporter-adhoc").inner_text()
        assert all(i in names for i in ADHOC)
        visit.goto("runs/fraud/hgb-lr0.1-seed1/")
        _drawn(visit.page)
        traces = visit.page.evaluate(
            "() => [...document.querySelectorAll('.reporter-chart')].map(c => c.dataset.traces)"
        )
        assert "heatmap" in " ".join(traces)
        assert _bundles(visit.page) == [LIGHT]
        assert not visit.page_errors and not visit.console_errors
        assert not visit.foreign_requests


@pytest.mark.browser
def test_parallel_coordinates_load_the_full_bundle_after_the_smaller(tab: Tab) -> None:
    """Instant navigation from a page drawn with the smaller bundle to one it cannot draw."""
    with tab.visit() as visit:
        page = visit.page
        visit.goto("runs/fraud/hgb-lr0.1-seed1/")
        _drawn(page)
        page.evaluate("() => { window.__marker = 1; }")
        page.locator("a.md-tabs__link[href$='compare/']").first.click()
        page.wait_for_url(visit.base + "compare/")
        page.locator("article a[href$='top-5/']").first.click()
        page.wait_for_url(visit.base + "compare/top-5/")
        _drawn(page)
        assert page.evaluate("() => window.__marker") == 1, "the page fully reloaded"
        parcoords = page.locator(".reporter-chart[data-traces='parcoords']")
        assert parcoords.count() >= 1
        assert parcoords.first.locator(".parcoords").count() >= 1  # the full bundle drew it
        assert _bundles(page) == [LIGHT, FULL]
        assert not visit.page_errors and not visit.console_errors
        assert not visit.foreign_requests


@pytest.mark.browser
def test_a_missing_smaller_bundle_falls_back_to_the_full_one(tab: Tab) -> None:
    with tab.visit() as visit:
        refused: list[str] = []

        def refuse(route: Any) -> None:
            refused.append(route.request.url)
            route.abort()

        visit.page.route(f"**/{LIGHT}", refuse)
        try:
            visit.goto("runs/fraud/hgb-lr0.1-seed1/")
            _drawn(visit.page)
        finally:
            visit.page.unroute(f"**/{LIGHT}")
        assert [u.rsplit("/", 1)[-1] for u in refused] == [LIGHT]
        assert FULL in _bundles(visit.page)
        assert not visit.page_errors
