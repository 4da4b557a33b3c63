"""Reading chart figures back from a built page (inline, or from the page's chart data file)."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup, Tag


def page_figures(html_path: Path, node: Tag | None = None) -> list[dict]:
    """The figure of every `.reporter-chart` under `node` (default: the whole page), in order."""
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "lxml")
    scope = node if node is not None else soup
    data: dict[str, list[dict]] = {}
    for loader in soup.select(".reporter-chart-data[data-src]"):
        script = (html_path.parent / loader["data-src"]).resolve().read_text(encoding="utf-8")
        payload = script.split("]=", 1)[1].rstrip().rstrip(";")
        data[loader["data-chart-page"]] = json.loads(payload)
    figures = []
    for chart in scope.select(".reporter-chart"):
        if chart.has_attr("data-figure"):
            figures.append(json.loads(chart["data-figure"]))
        else:
            figures.append(data[chart["data-chart-page"]][int(chart["data-chart-index"])])
    return figures
