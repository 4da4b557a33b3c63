"""Every link inside the built example site leads somewhere.

Two passes over the site the `example_served` fixture builds and serves:
- plain HTTP: every page (each index.html, the 404 page, and every HTML page a link reaches),
  every `href`, `src`, `data-src`, `srcset` and `poster` in it, plus the pages the sitemap and
  the search index name; each same-origin URL is fetched once and must not answer an error;
- JavaScript on, in Chromium, on one page of each kind: the links scripts make (leaderboard
  rows, the comparisons a selection of runs belongs to, search results), and every request the
  page makes while loading.
`mailto:` and `tel:` links are left alone, links to other sites too (the site is internal and
must not depend on them; test_browser checks no request leaves it); a `javascript:` URL is a
failure wherever it is.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import pytest

from .browser_util import (
    TIMEOUT_MS,
    VIEWPORTS,
    page_kinds,
    page_url,
    running_chromium,
    show_search_results,
)

pytestmark = pytest.mark.browser

URL_ATTRIBUTES = ("href", "src", "data-src", "srcset", "poster")
LEFT_ALONE = ("mailto:", "tel:", "data:")


class Checker:
    """Fetches each same-origin URL once; remembers its status and who linked to it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.status: dict[str, int] = {}
        self.html: dict[str, str] = {}
        self.linked_from: dict[str, list[str]] = {}
        self.scripted: list[str] = []  # "page: link" for every javascript: URL
        self.foreign = 0

    def rel(self, url: str) -> str:
        return "/" + url.removeprefix(self.base)

    def note(self, page: str, raw: str, source: str = "") -> str | None:
        """Record that `page` (or `source`, when the link is not in a page) links to `raw`;
        the absolute same-origin URL to check, if any."""
        value = raw.strip()
        if not value or value.lower().startswith(LEFT_ALONE):
            return None
        if value.lower().startswith("javascript:"):
            self.scripted.append(f"{source or self.rel(page)}: {value[:80]}")
            return None
        url = urldefrag(urljoin(page, value)).url
        if urlsplit(url)[:2] != urlsplit(self.base)[:2]:
            self.foreign += 1
            return None
        pages = self.linked_from.setdefault(url, [])
        if (source or self.rel(page)) not in pages:
            pages.append(source or self.rel(page))
        return url

    def fetch(self, url: str) -> int:
        if url not in self.status:
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    self.status[url] = answer.status
                    body = answer.read()  # read to the end, or the server sees a broken pipe
                    if answer.headers.get_content_type() == "text/html":
                        self.html[url] = body.decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                self.status[url] = error.code
        return self.status[url]

    def broken(self) -> list[str]:
        lines = []
        for url, code in sorted(self.status.items()):
            if code >= 400:
                pages = self.linked_from.get(url, ["(requested by a page)"])
                more = f" and {len(pages) - 3} more pages" if len(pages) > 3 else ""
                lines.append(f"{code} {self.rel(url)}  <- {', '.join(pages[:3])}{more}")
        return lines


def links_in(html: str) -> list[str]:
    """Every URL-valued attribute of every element (each candidate of a srcset)."""
    if not html.strip():
        return []
    found = []
    document = lxml.html.fromstring(html)
    query = " or ".join(f"@{a}" for a in URL_ATTRIBUTES)
    for element in document.xpath(f"//*[{query}]"):
        for attribute in URL_ATTRIBUTES:
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "srcset":
                found += [c.strip().split(" ")[0] for c in value.split(",") if c.strip()]
            else:
                found.append(value)
    return found


def _site_pages(root: Path) -> list[str]:
    pages = sorted(page_url(root, p) for p in root.rglob("index.html"))
    return pages + (["404.html"] if (root / "404.html").is_file() else [])


def _fail_on(checker: Checker, what: str) -> None:
    problems = [f"javascript: URL on {s}" for s in checker.scripted] + checker.broken()
    if problems:
        pytest.fail(f"{len(problems)} broken links {what}\n" + "\n".join(problems))


def test_every_link_and_resource_of_every_page_answers(
    example_served: tuple[Path, str],
) -> None:
    root, base = example_served
    checker = Checker(base)
    queue = [base + rel for rel in _site_pages(root)]
    crawled: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in crawled:
            continue
        crawled.add(url)
        if checker.fetch(url) >= 400 or url not in checker.html:
            continue
        for raw in links_in(checker.html[url]):
            target = checker.note(url, raw)
            if target is None:
                continue
            checker.fetch(target)
            if target in checker.html and target not in crawled:
                queue.append(target)
    sitemap = (root / "sitemap.xml").read_text(encoding="utf-8")
    for loc in re.findall(r"<loc>\s*(.*?)\s*</loc>", sitemap):
        target = checker.note(base, loc, "sitemap.xml")
        assert target, f"sitemap.xml lists {loc}, outside the site at {base}"
        checker.fetch(target)
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        target = checker.note(base, doc["location"], "the search index")  # root-relative
        if target:
            checker.fetch(target)
    assert len(crawled) >= len(_site_pages(root)) and len(checker.status) > len(crawled)
    _fail_on(checker, f"among {len(checker.status)} URLs of {len(crawled)} pages")


# ---------- with JavaScript on ----------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with running_chromium() as browser:
        yield browser


_DOM_LINKS = """() => [...document.querySelectorAll('[href], [src]')]
  .map(el => el.getAttribute('href') ?? el.getAttribute('src'))"""


def test_links_made_by_scripts_and_requests_made_while_loading_answer(
    chromium: Any, example_served: tuple[Path, str]
) -> None:
    root, base = example_served
    checker = Checker(base)
    context = chromium.new_context(viewport=VIEWPORTS["1440"])
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(3 * TIMEOUT_MS)
    page = context.new_page()
    current = {"page": base}

    def on_response(response: Any) -> None:
        url = urldefrag(response.url).url
        if url.startswith(base) and response.status >= 400:
            checker.status[url] = response.status
            checker.linked_from.setdefault(url, []).append(checker.rel(current["page"]))

    page.on("response", on_response)
    scripted = 0
    try:
        for kind in page_kinds(root).values():
            current["page"] = base + kind.rel
            page.goto(base + kind.rel, wait_until="load")
            checker.fetch(current["page"])
            before = set(links_in(checker.html.get(current["page"], "")))
            if kind.query:
                show_search_results(page, kind.query)
            if page.locator(".reporter-leaderboard").count():
                boxes = page.locator(".reporter-leaderboard tbody input[type='checkbox']")
                boxes.first.wait_for(state="attached")
                for i in range(min(2, boxes.count())):  # the selection bar names comparisons
                    boxes.nth(i).check()
            links = page.evaluate(_DOM_LINKS)
            scripted += len(set(links) - before)
            for raw in links:
                target = checker.note(page.url, raw)
                if target:
                    checker.fetch(target)
    finally:
        context.close()
    assert scripted > 0, "no page had a link its scripts made: the pass checked nothing new"
    _fail_on(checker, "with JavaScript on")
