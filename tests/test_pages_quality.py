"""What a reader sees on every kind of page of the example site, at two widths and in both palettes.

The checks of issue 14, measured in headless Chromium at 1440x900 and 390x844, in Material's
light (`default`) and dark (`slate`) palettes:

- every table fits its box, or sits in a focusable scroll region whose first column is sticky
  and stays visible when scrolled to the far right; at 1440 px the runs tables of the home,
  experiment and leaderboard pages fit with at least 5 metric columns;
- the page itself never scrolls sideways;
- axe-core finds no violation of impact serious or critical in the content area;
- a chart's text has the page's text colour, on load and after a palette switch;
- on a comparison page a run has one trace colour in every chart;
- pages without charts do not load plotly.js, and the leaderboard's rows do not wait for it;
- every numeric table column has one number format (same decimals, thousands separators, no
  scientific notation);
- every chart is a figure with an accessible name and a printed short text summary;
- a heatmap cell's label contrasts at least 4.5:1 with the cell (black or white by brightness).

Each page is opened once per width and palette and measured in one go (a `Survey`, with the
measurements of tests/page_probes.js); the tests then judge the measurements, so a failure names
its check, page kind, width and palette. axe-core is the pinned npm package the fixture installs
into tests/.axe/ (or the file $AXE_CORE_JS names); it runs at 1440 px only.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .browser_util import (
    PALETTES,
    SWITCH_PALETTE,
    TIMEOUT_MS,
    VIEWPORTS,
    PageKind,
    axe_source,
    axe_violations,
    describe_violations,
    page_kinds,
    page_url,
    palette_init_script,
    running_chromium,
    show_search_results,
    wait_for_charts,
)

pytestmark = pytest.mark.browser

KINDS = (
    "home", "leaderboard", "experiments", "experiment", "run", "run-no-predictions",
    "comparison", "comparisons", "journal", "journal-post", "tags", "search",
)  # fmt: skip
CHART_KINDS = ("run", "comparison", "journal-post")
MAIN_TABLE_KINDS = ("home", "experiment", "leaderboard")
MIN_METRIC_COLUMNS = 5
PLOTLY_JS = re.compile(r"/plotly[^/]*\.js(\?|$)")
PLOTLY_HELD_MS = 3000
SWITCH_WAIT_MS = 2000
MIN_LABEL_CONTRAST = 4.5  # WCAG AA for text of normal size
AXE_VIEWPORTS = ("1440",)  # axe judges markup and colours, which do not change with the width


def _grid(kinds: tuple[str, ...], viewports: tuple[str, ...] = tuple(VIEWPORTS)) -> list[Any]:
    return [
        pytest.param(kind, viewport, palette, id=f"{kind}-{viewport}-{palette}")
        for kind in kinds
        for viewport in viewports
        for palette in PALETTES
    ]


# ---------- what is measured in the page (tests/page_probes.js) ----------

PROBES = Path(__file__).with_name("page_probes.js")


def probe(page: Any, name: str, *args: Any) -> Any:
    """Call one of page_probes.js's measurements in `page`, injecting the file if needed."""
    if not page.evaluate("() => typeof window.__probes !== 'undefined'"):
        page.add_script_tag(path=str(PROBES))
    return page.evaluate("([name, args]) => window.__probes[name](...args)", [name, list(args)])


# ---------- surveys: one visit to a page kind at one width in one palette ----------


@dataclass
class Survey:
    kind: PageKind
    viewport: str
    palette: str
    charts: int = 0
    undrawn: int = 0
    tables: list[dict[str, Any]] = field(default_factory=list)
    width: dict[str, Any] = field(default_factory=dict)
    axe: list[dict[str, Any]] = field(default_factory=list)
    run_colours: list[dict[str, Any]] = field(default_factory=list)
    text_on_load: dict[str, Any] = field(default_factory=dict)
    switched_to: str | None = None
    text_after_switch: dict[str, Any] = field(default_factory=dict)
    plotly_requests: list[str] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    chart_names: list[dict[str, Any]] = field(default_factory=list)
    heatmap_labels: list[dict[str, Any]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.kind.name} (/{self.kind.rel}) at {self.viewport} px, {self.palette}"


class Surveyor:
    """Opens pages in one tab per width and palette; measures each page kind once."""

    def __init__(self, browser: Any, root: Path, base: str) -> None:
        self.browser = browser
        self.root = root
        self.base = base
        self.kinds = page_kinds(root)
        assert tuple(self.kinds) == KINDS, "page_kinds() and this module disagree on the kinds"
        self.axe = axe_source()
        self._tabs: dict[tuple[str, str], tuple[Any, Any, list[str]]] = {}
        self._surveys: dict[tuple[str, str, str], Survey] = {}

    def survey(self, kind: str, viewport: str, palette: str) -> Survey:
        key = (kind, viewport, palette)
        if key not in self._surveys:
            self._surveys[key] = self._measure(self.kinds[kind], viewport, palette)
        return self._surveys[key]

    def tab(self, viewport: str, palette: str) -> tuple[Any, list[str]]:
        """The page for this width and palette, and the URLs it requested."""
        if (viewport, palette) not in self._tabs:
            context = self.browser.new_context(viewport=VIEWPORTS[viewport])
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(3 * TIMEOUT_MS)  # 4.8 MB of plotly.js, busy CI
            context.add_init_script(palette_init_script(self.base, PALETTES[palette]))
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            self._tabs[(viewport, palette)] = (context, page, requests)
        _, page, requests = self._tabs[(viewport, palette)]
        return page, requests

    def close(self) -> None:
        for context, *_ in self._tabs.values():
            context.close()

    def _measure(self, kind: PageKind, viewport: str, palette: str) -> Survey:
        page, requests = self.tab(viewport, palette)
        found = Survey(kind, viewport, palette)
        page.goto("about:blank")
        requests.clear()
        page.goto(self.base + kind.rel, wait_until="load")
        scheme = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
        assert scheme == PALETTES[palette], f"{found.where}: the page opened in {scheme}"
        content = ".md-content"
        if kind.query:
            assert show_search_results(page, kind.query) > 0, f"no search results for {kind.query}"
            content = ".md-search__output"
            # Material opens search with transitions (on a phone an overlay grows from a dot
            # past the window's edge): measure the page once they have ended
            page.wait_for_function(
                "() => document.getAnimations().every(a => a.playState !== 'running')"
            )
        found.charts = page.locator(".reporter-chart").count()
        found.undrawn = wait_for_charts(page)
        found.plotly_requests = [u for u in requests if PLOTLY_JS.search(u)]
        found.plotly_requests += [
            u
            for u in page.evaluate(
                "() => performance.getEntriesByType('resource').map(e => e.name)"
            )
            if PLOTLY_JS.search(u) and u not in found.plotly_requests
        ]
        found.run_colours = probe(page, "runColours")
        found.text_on_load = probe(page, "chartText")
        found.chart_names = probe(page, "chartNames")
        if found.charts:
            found.heatmap_labels = probe(page, "heatmapContrast")
        probe(page, "openDetails", content)
        found.tables = probe(page, "tables", content)
        found.numbers = probe(page, "numberColumns", content)
        found.width = probe(page, "pageWidth")
        if viewport in AXE_VIEWPORTS:
            found.axe = axe_violations(page, self.axe, content)
        found.switched_to = page.evaluate(SWITCH_PALETTE)
        if found.charts:
            with contextlib.suppress(PlaywrightTimeout):  # judged from the measurement below
                page.wait_for_function(
                    "() => window.__probes.chartTextMatches()", timeout=SWITCH_WAIT_MS
                )
        found.text_after_switch = probe(page, "chartText")
        return found


# ---------- fixtures ----------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with running_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def surveyor(chromium: Any, example_served: tuple[Path, str]) -> Iterator[Surveyor]:
    root, base = example_served
    surveyor = Surveyor(chromium, root, base)
    yield surveyor
    surveyor.close()


# ---------- tables ----------


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(KINDS))
def test_tables_fit_or_scroll_with_a_sticky_first_column(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    bad = [t for t in survey.tables if t["problems"]]
    if bad:
        report = [
            f"{t['label']}: {t['status']}"
            + (f" by {t['overflowPx']} px" if t.get("overflowPx") else "")
            + "".join(f"\n    - {p}" for p in t["problems"])
            for t in bad
        ]
        pytest.fail(
            f"{survey.where}: {len(bad)} of {len(survey.tables)} tables\n" + "\n".join(report)
        )


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(MAIN_TABLE_KINDS, ("1440",)))
def test_runs_tables_fit_with_five_metric_columns_at_1440(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    shown = [t for t in survey.tables if t["status"] != "hidden"]
    assert shown, f"{survey.where}: no table"
    main = shown[0]
    if main["status"] != "fits" or main["visibleMetricColumns"] < MIN_METRIC_COLUMNS:
        pytest.fail(
            f"{survey.where}: {main['label']} {main['status']}"
            + (f" (by {main['overflowPx']} px)" if main.get("overflowPx") else "")
            + f", {main['metricColumns']} metric columns, {main['visibleMetricColumns']} visible "
            f"without scrolling; wanted it to fit with at least {MIN_METRIC_COLUMNS}"
        )


@pytest.mark.parametrize("kind", KINDS)
def test_every_numeric_column_has_one_number_format(surveyor: Surveyor, kind: str) -> None:
    survey = surveyor.survey(kind, "1440", "light")
    bad = [c for c in survey.numbers if c["problems"]]
    if bad:
        pytest.fail(
            f"{survey.where}: {len(bad)} of {len(survey.numbers)} numeric columns\n"
            + "\n".join(f"{c['table']}, {c['column']!r}: {'; '.join(c['problems'])}" for c in bad)
        )
    if kind in MAIN_TABLE_KINDS:
        assert sum(c["numbers"] for c in survey.numbers) >= 10, f"{survey.where}: few numbers"


# ---------- the page ----------


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(KINDS))
def test_page_does_not_scroll_sideways(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    width = survey.width
    if width["scrollWidth"] > width["clientWidth"]:
        pytest.fail(
            f"{survey.where}: the page is {width['scrollWidth']} px wide in a "
            f"{width['clientWidth']} px window; sticking out: {width['culprits']}"
        )


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(KINDS, AXE_VIEWPORTS))
def test_no_serious_accessibility_violations(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    if survey.axe:
        pytest.fail(
            f"{survey.where}: axe-core finds {len(survey.axe)} serious or critical violations\n"
            + describe_violations(survey.axe)
        )


# ---------- charts ----------


def _mismatched(text: dict[str, Any]) -> list[str]:
    return [
        f"{c['title']}: {c['wrong']} of {c['texts']} texts in {c['fills']} (e.g. {c['example']!r})"
        for c in text["charts"]
        if c["wrong"]
    ]


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(CHART_KINDS))
def test_chart_text_has_the_page_text_colour_before_and_after_a_palette_switch(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    assert survey.charts > 0 and survey.undrawn == 0, (
        f"{survey.where}: {survey.charts} charts, {survey.undrawn} not drawn"
    )
    assert all(c["texts"] for c in survey.text_on_load["charts"]), "a chart without text"
    on_load = _mismatched(survey.text_on_load)
    if on_load:
        pytest.fail(
            f"{survey.where}: on load the page text is {survey.text_on_load['page']}, but\n"
            + "\n".join(on_load)
        )
    assert survey.switched_to not in (None, PALETTES[palette]), "the palette toggle did nothing"
    after = _mismatched(survey.text_after_switch)
    if after:
        pytest.fail(
            f"{survey.where}: {SWITCH_WAIT_MS / 1000:g} s after switching to {survey.switched_to} "
            f"the page text is {survey.text_after_switch['page']}, but\n" + "\n".join(after)
        )


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_every_chart_has_a_name_and_a_short_text_summary(surveyor: Surveyor, kind: str) -> None:
    survey = surveyor.survey(kind, "1440", "light")
    assert survey.chart_names, f"{survey.where}: no chart"
    problems = []
    for chart in survey.chart_names:
        if not chart["inFigure"]:
            problems.append(f"{chart['title']}: not in a <figure>")
        elif not chart["name"].startswith(chart["title"]):
            problems.append(f"{chart['title']}: its accessible name is {chart['name']!r}")
        if not 20 <= len(chart["summary"]) <= 600:
            problems.append(f"{chart['title']}: printed summary {chart['summary']!r}")
        elif chart["summary"] not in chart["name"]:
            problems.append(f"{chart['title']}: the summary is not in its accessible name")
    if problems:
        pytest.fail(f"{survey.where}:\n" + "\n".join(problems))


@pytest.mark.parametrize(("kind", "viewport", "palette"), _grid(CHART_KINDS, ("1440",)))
def test_heatmap_labels_contrast_with_their_cells(
    surveyor: Surveyor, kind: str, viewport: str, palette: str
) -> None:
    survey = surveyor.survey(kind, viewport, palette)
    if kind in ("run", "comparison"):  # the confusion matrix; the slices heatmap
        assert survey.heatmap_labels, f"{survey.where}: no heatmap label measured"
    low = [h for h in survey.heatmap_labels if h["contrast"] < MIN_LABEL_CONTRAST]
    if low:
        pytest.fail(
            f"{survey.where}: {len(low)} of {len(survey.heatmap_labels)} heatmap labels below "
            f"{MIN_LABEL_CONTRAST}:1\n"
            + "\n".join(
                f"{h['chart']}: {h['text']!r} rgb{tuple(h['fill'])} on rgb{tuple(h['cell'])}, "
                f"{h['contrast']}:1"
                for h in low[:10]
            )
        )


def _colour_conflicts(charts: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Runs drawn in more than one colour: run -> colour -> the charts using it."""
    seen: dict[str, dict[str, list[str]]] = {}
    for chart in charts:
        for trace in chart["traces"]:
            where = seen.setdefault(trace["run"], {}).setdefault(trace["colour"], [])
            if chart["title"] not in where:
                where.append(chart["title"])
    return {run: colours for run, colours in seen.items() if len(colours) > 1}


def _comparison_pages(root: Path) -> list[str]:
    return sorted(page_url(root, p) for p in (root / "compare").glob("*/index.html"))


def test_a_run_has_one_colour_in_every_chart_of_a_comparison(surveyor: Surveyor) -> None:
    pages = _comparison_pages(surveyor.root)
    assert pages, "the example site has no comparison page"
    page, _ = surveyor.tab("1440", "light")
    surveyed = surveyor.survey("comparison", "1440", "light")  # measured already: not again
    problems = []
    for rel in pages:
        if rel == surveyed.kind.rel:
            charts = surveyed.run_colours
        else:
            page.goto(surveyor.base + rel, wait_until="load")
            assert wait_for_charts(page) == 0, f"{rel}: charts not drawn"
            charts = probe(page, "runColours")
        multi = [c for c in charts if len({t["run"] for t in c["traces"]}) >= 2]
        assert len(multi) >= 2, f"{rel}: fewer than two charts draw two runs or more: {charts}"
        for run, colours in _colour_conflicts(charts).items():
            spread = "; ".join(f"{c} in {', '.join(titles)}" for c, titles in colours.items())
            problems.append(f"{rel}: {run!r} is drawn in {len(colours)} colours: {spread}")
    if problems:
        pytest.fail(f"{len(problems)} runs change colour between charts\n" + "\n".join(problems))


# ---------- plotly.js ----------


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in CHART_KINDS])
def test_pages_without_charts_do_not_load_plotly(surveyor: Surveyor, kind: str) -> None:
    survey = surveyor.survey(kind, "1440", "light")
    assert survey.charts == 0, f"{survey.where} has {survey.charts} charts: move it to CHART_KINDS"
    if survey.plotly_requests:
        pytest.fail(f"{survey.where}: no chart, yet it requested {survey.plotly_requests}")


def test_leaderboard_rows_are_drawn_before_plotly_has_loaded(
    chromium: Any, example_served: tuple[Path, str]
) -> None:
    _, base = example_served
    context = chromium.new_context(viewport=VIEWPORTS["1440"])
    held: list[Any] = []
    context.route(PLOTLY_JS, lambda route: held.append(route))  # answered after the wait
    try:
        page = context.new_page()
        page.goto(base + "leaderboard/", wait_until="commit")
        rows = page.locator(".reporter-leaderboard tbody tr")
        try:
            rows.first.wait_for(state="attached", timeout=PLOTLY_HELD_MS)
            early = True
        except PlaywrightTimeout:
            early = False
        requested = [route.request.url.removeprefix(base) for route in held]
        for route in held:
            route.continue_()
        rows.first.wait_for(state="attached", timeout=TIMEOUT_MS)  # the board works at all
    finally:
        context.close()
    if not early:
        pytest.fail(
            f"no leaderboard row {PLOTLY_HELD_MS / 1000:g} s after navigation while "
            f"{requested} was held back: the rows wait for plotly.js"
        )
