"""Jinja filters: formatting and escaping, registered explicitly on the environment.

Templates format data; they never compute it. Every filter that returns markup escapes what it
was given first.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import jinja2
import markdown as md_lib
import nh3
import orjson
import yaml
from markupsafe import Markup, escape

from reporter.charts.base import Chart
from reporter.text import markdown_text, metric_text, number_text, size_text

# libyaml's emitter when PyYAML has it (10x faster than the pure-Python one), same output rules.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(data: Any, **options: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, **options)


# JSON inside a single-quoted HTML attribute: no character may close it or start markup.
_JSON_ATTR = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})
_PROSE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_markdown = md_lib.Markdown(
    extensions=["tables", "fenced_code", "sane_lists", "toc"],
    extension_configs={"toc": {"baselevel": 2}},  # card "## Use" -> h3 under "Model card"
)


def short(value: float | None) -> float | None:
    """Six significant digits: what a table shows and sorts by, in a third of the JSON."""
    return None if value is None else float(f"{value:.6g}")


def date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def prose(text: str) -> Markup:
    """User Markdown (cards, notes) to sanitised HTML: raw HTML and scripts cannot survive.

    Images are dropped: one from another host would make every reader's browser contact it."""
    html = _markdown.reset().convert(text)
    return Markup(
        nh3.clean(
            html,
            tags=_PROSE_TAGS,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


def json_attr(data: Any) -> Markup:
    """JSON for a single-quoted `data-` attribute (Material keeps attributes across navigation)."""
    text = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return Markup(text.translate(_JSON_ATTR))


class ChartSink:
    """Collects a page's figures into one data file (`charts.js`) instead of the page itself.

    Pages stay small (MkDocs holds every page in memory until the end of a build, and Material
    indexes page text for search); the figures load once per page, from a script tag, which
    works from file:// too.
    """

    def __init__(self, page_id: str) -> None:
        self.page_id = page_id
        self.figures: list[dict[str, Any]] = []

    def add(self, figure: dict[str, Any]) -> int:
        self.figures.append(figure)
        return len(self.figures) - 1

    def script(self) -> str:
        data = orjson.dumps(self.figures, option=orjson.OPT_SERIALIZE_NUMPY).decode()
        key = orjson.dumps(self.page_id).decode()
        return f"(window.__reporterCharts=window.__reporterCharts||{{}})[{key}]={data};\n"


@jinja2.pass_context
def chart(context: Any, item: Chart) -> Markup:
    """A chart container: figure data in the page's data file when the page has a sink, else
    inline in a `data-` attribute (Material keeps attributes across instant navigation)."""
    caption = f'<p class="reporter-caption">{escape(item.caption)}</p>' if item.caption else ""
    sink = context.get("chart_sink")
    if sink is None:
        return Markup(
            f"<div class=\"reporter-chart\" data-figure='{json_attr(item.figure)}'></div>{caption}"
        )
    index = sink.add(item.figure)
    return Markup(
        f'<div class="reporter-chart" data-chart-page="{escape(sink.page_id)}" '
        f'data-chart-index="{index}"></div>{caption}'
    )


def _plain(data: Any) -> Any:
    if isinstance(data, str):
        return str.__str__(data)  # Markup and other str subclasses as plain str
    if isinstance(data, dict):
        return {_plain(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return data


def front_matter(data: dict[str, Any]) -> Markup:
    """YAML front matter. Values that MkDocs' theme prints unescaped must be escaped already."""
    text = dump_yaml(_plain(data), sort_keys=True, allow_unicode=True, width=10_000)
    return Markup(f"---\n{text}---\n")


def to_yaml(data: Any) -> str:
    return dump_yaml(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


def value_text(value: Any) -> str:
    """A parameter or info value as one line of text (lists and mappings as compact JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number_text(value, 6) if isinstance(value, float) else str(value)
    return orjson.dumps(value, default=str).decode()


def basename(path: str | None) -> str:
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]


ROW_LIMIT = 1000  # rows of a run's metrics, parameters or values shown on its page


def rows(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    """A mapping's first `ROW_LIMIT` items: a run that logged 500,000 metrics keeps a page a
    browser can open (`reporter show` lists them all)."""
    return list(itertools.islice(mapping.items(), ROW_LIMIT))


def register(env: jinja2.Environment) -> None:
    env.globals["row_limit"] = ROW_LIMIT
    env.filters.update(
        num=number_text,
        metric=metric_text,
        short=short,
        date=date,
        md=markdown_text,
        prose=prose,
        json_attr=json_attr,
        chart=chart,
        front_matter=front_matter,
        to_yaml=to_yaml,
        value_text=value_text,
        filesize=size_text,
        basename=basename,
        rows=rows,
    )
