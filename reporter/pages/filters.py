"""Jinja filters: formatting and escaping, registered explicitly on the environment.

Templates format data; they never compute it. Every filter that returns markup escapes what it
was given first.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from datetime import datetime
from typing import Any

import jinja2
import markdown as md_lib
import nh3
import orjson
import yaml
from markupsafe import Markup, escape

from reporter.charts.base import Chart
from reporter.pages.handover import mark
from reporter.pages.numbers import (
    NumberFormat,
    column_formats,
    number_format,
    row_formats,
    table_formats,
)
from reporter.text import markdown_text, metric_text, number_text, size_text

# libyaml's emitter when PyYAML has it (10x faster than the pure-Python one), same output rules.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(data: Any, **options: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, **options)


def dump_plain_yaml(data: Any) -> str:
    """Block-style YAML of plain data (mappings with string keys, lists, strings, numbers,
    booleans, None), as `yaml.safe_load` reads it back: events straight to libyaml's emitter.
    PyYAML's representer and resolver, in Python, cost a run page's model card more than the
    rest of its page; strings are double-quoted, so nothing needs resolving."""
    events: list[yaml.Event] = [
        yaml.StreamStartEvent(),
        yaml.DocumentStartEvent(explicit=False),
    ]
    _events(data, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return yaml.emit(events, Dumper=_DUMPER, allow_unicode=True, width=1000)


_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}  # YAML 1.1 values


def _events(value: Any, out: list[yaml.Event]) -> None:
    if isinstance(value, dict):
        out.append(_MAPPING_START)
        for key, item in value.items():
            out.append(_key_event(str(key)))
            _events(item, out)
        out.append(_MAPPING_END)
    elif isinstance(value, list | tuple):
        out.append(_SEQUENCE_START)
        for item in value:
            _events(item, out)
        out.append(_SEQUENCE_END)
    elif isinstance(value, str):
        out.append(yaml.ScalarEvent(None, None, (False, True), value, style='"'))
    else:
        out.append(yaml.ScalarEvent(None, None, (True, False), _plain_scalar(value)))


# Events the emitter only reads, made once: a card repeats a few keys hundreds of times.
_MAPPING_START = yaml.MappingStartEvent(anchor=None, tag=None, implicit=True)
_MAPPING_END = yaml.MappingEndEvent()
_SEQUENCE_START = yaml.SequenceStartEvent(anchor=None, tag=None, implicit=True)
_SEQUENCE_END = yaml.SequenceEndEvent()


@functools.lru_cache(maxsize=4096)
def _key_event(key: str) -> yaml.ScalarEvent:
    plain = _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS
    return yaml.ScalarEvent(None, None, (bool(plain), True), key, style=None if plain else '"')


def _plain_scalar(value: Any) -> str:
    """A number, boolean or None as YAML 1.1 writes it (SafeRepresenter's rules)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        if "." not in text and "e" in text:  # 1e-05 would read back as a string
            text = text.replace("e", ".0e", 1)
        return text
    raise TypeError(f"not plain YAML data: {type(value).__name__}")


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


_REGION = '<div class="reporter-table-wrap" role="region" tabindex="0" aria-label="{}">'


def prose(text: str) -> Markup:
    """User Markdown (cards, notes) to sanitised HTML: raw HTML and scripts cannot survive.

    Images are dropped: one from another host would make every reader's browser contact it.
    Tables sit in a focusable scroll region, like reporter's own."""
    html = _markdown.reset().convert(text)
    clean = nh3.clean(
        html,
        tags=_PROSE_TAGS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    clean = clean.replace("<table>", _REGION.format("Table") + '<table class="reporter-table">')
    return Markup(clean.replace("</table>", "</table></div>"))


def _parts(text: Any, separator: str, css: str) -> Markup:
    """Text that may wrap after each `separator` and nowhere else."""
    pieces = str(text).split(separator)
    spans = [
        Markup('<span class="reporter-part">{}</span>').format(
            piece + (separator if i < len(pieces) - 1 else "")
        )
        for i, piece in enumerate(pieces)
    ]
    return Markup(f'<span class="{css}">') + Markup("<wbr>").join(spans) + Markup("</span>")


def run_id(text: Any) -> Markup:
    """A run id (or file name) that breaks after a `/`, never inside a folder's name."""
    return _parts(text, "/", "reporter-id")


def key(text: Any) -> Markup:
    """A dotted parameter key that breaks after a `.`, never inside a word."""
    return _parts(text, ".", "reporter-key")


_BREAK_AFTER = "_@=/."


def breakable(text: Any) -> Markup:
    """A metric name for a narrow column header: may break after `_`, `@`, `=`, `/` or `.`."""
    text = str(text)
    out = "".join(
        str(escape(c))
        + (
            "<wbr>"
            if c in _BREAK_AFTER and not (c == "." and text[i + 1 : i + 2].isdigit())
            else ""
        )
        for i, c in enumerate(text)
    )  # never inside a number: 0.01
    return Markup(out)


def fmt(value: Any, number: NumberFormat) -> str:
    return number(value)


def signed(value: Any, number: NumberFormat) -> str:
    """A difference in its column's format, with its sign: +0.0123, -1.20%, ±0."""
    text = number(value)
    if isinstance(value, int | float) and value > 0:
        return "+" + text
    return text.replace("-", "−", 1) if text.startswith("-") else text


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
    """A chart as a figure named by its title and summary (for assistive technology), the plot,
    then its text summary and caption printed under it. The figure data sits in the page's data
    file when the page has a sink, else inline in a `data-` attribute (Material keeps
    attributes across instant navigation)."""
    label = f"{item.title}. {item.summary}" if item.summary else item.title
    text = f'<p class="reporter-summary">{escape(item.summary)}</p>' if item.summary else ""
    if item.caption:
        text += f'<p class="reporter-caption">{escape(item.caption)}</p>'
    sink = context.get("chart_sink")
    if sink is None:
        data = f"data-figure='{json_attr(item.figure)}'"
    else:
        index = sink.add(item.figure)
        data = f'data-chart-page="{escape(sink.page_id)}" data-chart-index="{index}"'
    return Markup(
        f'<figure class="reporter-figure" aria-label="{escape(label)}">'
        f'<div class="reporter-chart-scroll"><div class="reporter-chart" {data} '
        f'data-traces="{escape(item.traces)}"></div></div>'
        f"<figcaption>{text}</figcaption></figure>"
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
    if isinstance(value, list | tuple | dict):  # spaced, so a long list wraps
        return json.dumps(value, default=str, ensure_ascii=False)
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
    env.globals["number_format"] = number_format
    env.globals["column_formats"] = column_formats
    env.globals["row_formats"] = row_formats
    env.globals["zip"] = zip
    env.globals["table_formats"] = table_formats
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
        run_id=run_id,
        key=key,
        breakable=breakable,
        fmt=fmt,
        signed=signed,
        point_of=lambda target, e: target.point(e),
        html=mark,
    )
