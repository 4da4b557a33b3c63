"""The search options bench/bench_search.py compares, each made from a copy of a built site.

(a) material  Material's search as built (lunr; index built in the browser by its worker).
(b) lean      Material's search, one index document per run page (overview, notes and
              parameters; no Model card / Parameters sections) and a `separator` that also
              cuts on `_ . @ & = / :` and around every CJK character.
(c) lunr      (b)'s documents in a lunr index serialised at build time by lunr.py and loaded
              with lunr.Index.load by a replacement worker (Material's cannot load one).
(d) pagefind  Pagefind's chunked index of the pages' article text (run pages carry their key
              metric as `data-pagefind-meta`), answered through a replacement worker.
(e) proto     The sharded index of this folder (index.py, worker.js).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postbuild import RunPage, _plain, apply, rewrite_pages, run_doc  # noqa: E402

HERE = Path(__file__).resolve().parent
SEPARATOR = r"[\s\-_.@&=/:,;()\[\]\"]+|(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])"
OPTIONS = ("material", "lean", "lunr", "pagefind", "proto")


def copy_site(site: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["cp", "-r", str(site), str(out)], check=True)


def make(option: str, site: Path, out: Path, *, lunr_js: Path | None = None) -> None:
    if option == "material":
        return  # served straight from the built site
    copy_site(site, out)
    if option == "lean":
        make_lean(out)
    elif option == "lunr":
        if lunr_js is None:
            raise SystemExit(
                "option lunr needs --lunr-js (lunr.js 2.3.9, e.g. from `npm pack lunr`)"
            )
        make_lunr(out, lunr_js)
    elif option == "pagefind":
        make_pagefind(out)
    elif option == "proto":
        apply(out)
    else:
        raise SystemExit(f"unknown option {option!r}; choose from {', '.join(OPTIONS)}")


def lean_docs(site: Path) -> dict:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages: dict[str, dict] = {}
    docs = []
    for e in index["docs"]:
        page, _, anchor = e["location"].partition("#")
        if not page.startswith("runs/"):
            docs.append(e)
        elif not anchor:
            pages[page] = dict(e)
            docs.append(pages[page])
        elif anchor == "parameters" and page in pages:
            params = re.sub(r"<code>(.*?)</code> ", r"\1=", e["text"]).replace(
                "Parameter Value ", ""
            )
            pages[page]["text"] += " " + params
    index["docs"] = docs
    index["config"]["separator"] = SEPARATOR
    return index


def make_lean(site: Path) -> None:
    (site / "search" / "search_index.json").write_text(
        json.dumps(lean_docs(site), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def make_lunr(site: Path, lunr_js: Path) -> None:
    from lunr import lunr
    from lunr.builder import Builder
    from lunr.stop_word_filter import stop_word_filter
    from lunr.trimmer import trimmer

    index = lean_docs(site)
    docs = [
        {
            "location": d["location"],
            "title": _plain(d["title"]),
            "text": _plain(d["text"]),
            "tags": " ".join(d.get("tags", [])),
        }
        for d in index["docs"]
    ]
    # lunr.py cuts on whitespace and hyphens only: hand it text already cut on the separator
    cut = re.compile(r"[\s\-_.@&=/:,;()\[\]\"]+")
    for_index = [
        {**d, "title": cut.sub(" ", d["title"]), "text": cut.sub(" ", d["text"])} for d in docs
    ]
    builder = Builder()  # Material's pipeline: no stemmer (a prefix query must find the word)
    builder.pipeline.add(trimmer, stop_word_filter)
    built = lunr(
        ref="location",
        fields=[
            {"field_name": "title", "boost": 1000},
            "text",
            {"field_name": "tags", "boost": 1_000_000},
        ],
        documents=for_index,
        builder=builder,
    )
    out = site / "search" / "lunr-worker"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lunr_js, out / "lunr.js")
    shutil.copyfile(HERE / "lunr_worker.js", out / "worker.js")
    data = {
        "separator": cut.pattern,
        "index": built.serialize(),
        "docs": {d["location"]: [d["title"], d["text"][:200]] for d in docs},
    }
    (out / "lunr_index.json").write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    (site / "search" / "search_index.json").write_text(
        json.dumps({"config": index["config"], "docs": []}), encoding="utf-8"
    )
    rewrite_pages(site, "search/lunr-worker/worker.js", None)


def make_pagefind(site: Path) -> None:
    """Run pages get their key metric as Pagefind metadata (what reporter's template would
    write), then the pagefind binary indexes every page's article."""
    run_pages = sorted((site / "runs").rglob("index.html"))
    for page in run_pages:
        doc = run_doc(site, page, None, {})
        if doc.metric:
            html = page.read_text(encoding="utf-8")
            attr = doc.metric.replace("&", "&amp;").replace('"', "&quot;")
            html = html.replace(
                '<div class="reporter-overview">',
                f'<span data-pagefind-meta="metric:{attr}"></span><div class="reporter-overview">',
                1,
            )
            page.write_text(html, encoding="utf-8")
    asyncio.run(_pagefind_index(site))
    out = site / "search" / "pagefind-worker"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "pagefind_worker.js", out / "worker.js")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    (site / "search" / "search_index.json").write_text(
        json.dumps({"config": index["config"], "docs": []}), encoding="utf-8"
    )
    rewrite_pages(site, "search/pagefind-worker/worker.js", "search/reporter-search.css")
    shutil.copyfile(HERE / "search.css", site / "search" / "reporter-search.css")


async def _pagefind_index(site: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(
        root_selector="article",
        exclude_selectors=[".headerlink", "details"],
        output_path=str(site / "pagefind"),
    )
    async with PagefindIndex(config=config) as index:
        await index.add_directory(str(site))


__all__ = ["OPTIONS", "RunPage", "make"]
