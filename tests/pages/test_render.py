from __future__ import annotations

import json
import posixpath

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.charts.base import Chart
from reporter.pages import filters, urls
from reporter.pages.renderer import environment
from reporter.text import markdown_text, number_text


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "**bold** _it_ `code`",
        "[x](javascript:alert(1))",
        "a | b",
        "# not a heading",
        "{: .cls }",
        "x & y < z",
        "1. not a list",
        "![img](x.png)",
    ],
)
def test_md_filter_renders_text_literally(text):
    html = markdown.markdown(f"# {markdown_text(text)}", extensions=["tables", "attr_list"])
    page = BeautifulSoup(html, "lxml")
    assert [h.get_text() for h in page.select("h1")] == [text]
    assert len(page.select("body > *")) == 1 and not page.select("h1 *")


def test_prose_is_sanitised_markdown():
    html = filters.prose(
        "## Use\n\nSee <script>alert(1)</script> [x](javascript:alert(2)) "
        "<img src=x onerror=alert(3)> **ok**"
    )
    assert "<h3" in html and "<strong>ok</strong>" in html  # headings shift below the page's h2
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_chart_json_cannot_break_out_of_its_attribute():
    hostile = "</div><script>alert('x')</script>&\""
    figure = {"data": [{"name": hostile}, {"type": hostile}]}
    html = environment().from_string("{{ c|chart }}").render(c=Chart(key="k", figure=figure))
    attr = html.split("data-figure='", 1)[1].split("' data-traces=", 1)[0]
    assert "<" not in attr and ">" not in attr and "'" not in attr and "&" not in attr
    assert json.loads(attr) == figure
    chart = BeautifulSoup(html, "lxml").select_one(".reporter-chart")
    assert chart is not None and not BeautifulSoup(html, "lxml").select("script")
    assert chart["data-traces"] == " ".join(sorted(["scatter", hostile]))


def test_front_matter_is_plain_yaml():
    assert str(filters.front_matter({"title": markdown_text("a: b"), "tags": ["x"]})).startswith(
        "---\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (3, "3"),
        (8000.0, "8,000"),
        (0.123456, "0.1235"),
        (float("nan"), "NaN"),
        (True, "True"),
        (1.5e-7, "1.5e-07"),
    ],
)
def test_num(value, text):
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("src", "dir_urls", "url"),
    [
        ("index.md", True, ""),
        ("leaderboard.md", True, "leaderboard/"),
        ("experiments/index.md", True, "experiments/"),
        ("runs/a/b.md", False, "runs/a/b.html"),
    ],
)
def test_page_url_follows_mkdocs(src, dir_urls, url):
    assert urls.page_url(src, dir_urls) == url


@pytest.mark.parametrize(
    ("target", "current", "rel"),
    [
        ("runs/fraud/x/", "leaderboard/", "../runs/fraud/x/"),
        ("leaderboard/", "runs/fraud/x/", "../../../leaderboard/"),
        ("", "runs/x/", "../../"),
        ("runs/a b#c/", "", "runs/a%20b%23c/"),
        ("runs/x.html", "leaderboard.html", "runs/x.html"),
    ],
)
def test_relative_urls(target, current, rel):
    assert urls.relative_url(target, current) == rel


def test_charts_go_to_the_page_data_file_when_the_page_has_a_sink():
    sink = filters.ChartSink("runs/a.md")
    template = environment().from_string("{{ a|chart }}{{ b|chart }}")
    html = template.render(
        chart_sink=sink,
        a=Chart(key="a", figure={"data": [1]}),
        b=Chart(key="b", figure={"data": ["</script>"]}, caption="note"),
    )
    soup = BeautifulSoup(html, "lxml")
    assert [c["data-chart-index"] for c in soup.select(".reporter-chart")] == ["0", "1"]
    assert not soup.select("[data-figure]")
    assert soup.select_one(".reporter-caption").get_text() == "note"
    script = sink.script()
    assert script.startswith('(window.__reporterCharts=window.__reporterCharts||{})["runs/a.md"]=')
    assert json.loads(script.split("]=", 1)[1].rstrip().rstrip(";")) == [
        {"data": [1]},
        {"data": ["</script>"]},
    ]


_SEGMENT = st.sampled_from(["a", "b", "runs", "x y", ".", "..", "é", "a.html"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_SEGMENT, max_size=5), st.lists(_SEGMENT, max_size=5))
def test_relpath_is_posixpaths(path: list[str], start: list[str]) -> None:
    """The fast relative path equals `posixpath.relpath` for any two root-relative paths
    (as page URLs are: never absolute)."""
    one, two = "/".join(path) or ".", "/".join(start) or "."
    assert urls.relpath(one, two) == posixpath.relpath(one, two)
