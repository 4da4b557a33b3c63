"""The search prototype (bench/search_proto): tokeniser rules, the worker's tokeniser agreeing
with the index builder's, and Material's search box answering from the sharded index of a
real built site (names, tags, parameter values, notes, dotted names, `recall@fpr`, Chinese),
with the key metric in every run's snippet and user text escaped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, chromium_problem, serve
from tests.conftest import MKDOCS_YML, make_project, write_run

PROTO = Path(__file__).resolve().parent.parent / "bench" / "search_proto"
sys.path.insert(0, str(PROTO))
import tokens  # noqa: E402

SAMPLES = [
    "model.learning_rate=0.05",
    "Watch recall@fpr and amp&and; F1@0.5, top_k@1000!",
    "lgbm-vivid-walrus-00042 (early-stopping)",
    "模型在夜间交易上的召回率明显下降。Night 取引 カタカナ",
    "ＦＵＬＬＷＩＤＴＨ café naïve x__y a..b -lead trail-",
    "a.b.c.d.e.f.g.h/i/j:k",
]


def test_a_dotted_snake_case_name_is_found_by_any_piece() -> None:
    found = set(tokens.tokens("model.learning_rate=0.05"))
    assert {
        "model",
        "learning",
        "rate",
        "0",
        "05",
        "model.learning_rate",
        "learning_rate",
        "0.05",
        "model.learning",
    } <= found
    assert "model.learning_rate=0" not in found  # "=" separates a name from its value
    assert tokens.query_terms("learning_rate") == ["learning_rate"]
    assert tokens.query_terms("learning_rate=0.05") == ["learning_rate", "0.05"]


def test_at_and_ampersand_tokens_stay_whole_and_in_pieces() -> None:
    found = set(tokens.tokens("Watch recall@fpr and amp&and."))
    assert {"recall@fpr", "recall", "fpr", "amp&and", "amp", "and", "watch"} <= found
    assert tokens.query_terms("Recall@FPR amp&and") == ["recall@fpr", "amp&and"]


def test_chinese_is_cut_into_characters_and_pairs() -> None:
    found = tokens.tokens("模型的召回率")
    assert {"召", "回", "率", "召回", "回率", "模型"} <= set(found)
    assert tokens.query_terms("召回率") == ["召回", "回率"]
    assert tokens.query_terms("率") == ["率"]


def test_long_compounds_are_indexed_by_pieces_not_every_span() -> None:
    found = tokens.tokens("a.b.c.d.e.f.g.h")
    assert "a.b.c.d" in found and "a.b.c.d.e" not in found and "a.b.c.d.e.f.g.h" in found
    assert all(len(t) <= tokens.MAX_TOKEN for t in tokens.tokens("x" * 100 + ".y"))


NODE_PARITY = """
const fs = require("fs"), vm = require("vm");
globalThis.self = {location: {href: "http://localhost/search/reporter/worker.js"}, addEventListener() {}};
vm.runInThisContext(fs.readFileSync(process.argv[2], "utf8"));
const input = JSON.parse(fs.readFileSync(0, "utf8"));
console.log(JSON.stringify({
  samples: input.samples.map(s => [queryTerms(s), shardOf(s, 64), shardOf(s, 4096, ["mo", "mod", "model", "模型", "lg"])]),
  postings: input.postings.map(list => { const p = decode(list); return [p.docs, p.weights]; }),
}));
"""
POSTINGS = [
    {0: 5},
    {3: 9, 4: 9, 5: 9, 6: 9, 9: 1},
    {i: 5 for i in range(10_000)},
    {1: 12, 2: 4, 3: 4, 40: 15, 41: 15, 42: 15, 100: 3},
]


def test_the_worker_reads_queries_shards_and_postings_like_the_index_builder(
    tmp_path: Path,
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the worker's tokeniser is checked in the browser test")
    from index import _encode

    script = tmp_path / "parity.js"
    script.write_text(NODE_PARITY)
    lists = [_encode(p) for p in POSTINGS]
    assert len(lists[2]) == 3  # a token every document has: one entry, one repeat count
    done = subprocess.run(
        [node, str(script), str(PROTO / "worker.js")],
        input=json.dumps({"samples": SAMPLES, "postings": lists}),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = [
        [
            tokens.query_terms(s),
            tokens.shard_of(s, 64),
            tokens.shard_of(s, 4096, {"mo", "mod", "model", "模型", "lg"}),
        ]
        for s in SAMPLES
    ]
    got = json.loads(done.stdout)
    assert got["samples"] == expected
    assert got["postings"] == [[sorted(p), [p[d] for d in sorted(p)]] for p in POSTINGS]


# ---------- Material's search box on a built site ----------

HOSTILE = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def proto_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build whose search is replaced by the prototype's MkDocs hooks (the shape of
    the integration: run documents from reporter's `Run` objects)."""
    from corpus import write_search_runs

    root = tmp_path_factory.mktemp("search-proto")
    runs = root / "runs-src"
    write_search_runs(runs, 24)
    write_run(
        runs,
        "odd/run-hostile",
        {
            "metrics.json": {"average_precision": 0.4321},
            "config.yaml": {"html": HOSTILE},
            "run.yaml": {
                "name": "hostile-<b>run</b>",
                "tags": ["x<y"],
                "notes": f"Notes with markup {HOSTILE} and zebrafinch.",
            },
        },
    )
    write_run(
        runs,
        "odd/run-tokens",
        {
            "metrics.json": {"average_precision": 0.5},
            "config.yaml": {"model": {"learning_rate": 0.01}},
            "run.yaml": {
                "name": "tokens-run",
                "tags": ["night-shift"],
                "notes": "Watch recall@fpr, amp&and, isotonic adasyn. 模型在夜间交易上的召回率明显下降。",
            },
        },
    )
    hooks = f"hooks: [{json.dumps(str(PROTO / 'hooks.py'))}]\n"
    config = make_project(root / "project", runs, mkdocs_yml=MKDOCS_YML + hooks)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reporter.cli",
            "build",
            "-q",
            "--config",
            str(config),
            "--site-dir",
            str(root / "site"),
        ],
        check=True,
        env={**os.environ, "SEARCH_PROTO_SHARD_BYTES": "300"},
    )
    meta = json.loads((root / "site" / "search" / "reporter" / "meta.json").read_text())
    assert meta["docs"] > 26 and len(meta["split"]) > 10  # prefixes split over shards
    return root / "site"


def search(page, base: str, query: str) -> list[dict]:
    page.goto(base, wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    page.keyboard.press("End")
    page.wait_for_function(
        """() => document.querySelector('.md-search-result__item')
        || /No matching/.test(document.querySelector('.md-search-result__meta').textContent)""",
        timeout=10_000,
    )
    return page.evaluate("""() => [...document.querySelectorAll('.md-search-result__item')].map(li => ({
        href: new URL(li.querySelector('a').href).pathname,
        title: li.querySelector('h1').textContent,
        metric: (li.querySelector('.reporter-search-metric') || {}).textContent || null,
        text: li.textContent}))""")


@pytest.mark.browser
def test_material_search_box_answers_from_the_sharded_index(proto_site: Path) -> None:
    problem = chromium_problem()
    if problem:
        pytest.fail(problem)
    from playwright.sync_api import sync_playwright

    runs = {
        p.parent.relative_to(proto_site).as_posix(): p
        for p in (proto_site / "runs").rglob("index.html")
    }
    assert len(runs) == 26
    seven = json.loads((proto_site / "search" / "search_index.json").read_text())
    assert seven["docs"] == []  # Material's page script no longer downloads the site's text
    with serve(proto_site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        found = search(page, base, "xgb")
        name = [r for r in found if r["href"].startswith("/runs/")]
        assert len(name) == 3 and found[:3] == name  # run names first, then e.g. experiment pages
        assert all(r["title"].startswith("xgb-") for r in name)
        assert all(r["metric"] and r["metric"].startswith("average_precision 0.") for r in name)

        exact = search(page, base, name[0]["title"])
        assert exact[0]["title"] == name[0]["title"]

        assert search(page, base, "learning_rate")[0]["text"].count("learning_rate") >= 1
        # every synthetic run and run-tokens have it: the first ten, then the full list (Material shows the count)
        page.wait_for_function(
            """() => document.querySelector('.md-search-result__meta')
            .textContent.startsWith('25 matching')""",
            timeout=10_000,
        )
        for query in ("recall@fpr", "amp&and", "召回率", "night-shift", "adasyn", "isotonic"):
            hits = search(page, base, query)
            assert "/runs/odd/run-tokens/" in [h["href"] for h in hits], query
            pages = [(proto_site / h["href"].lstrip("/") / "index.html").read_text() for h in hits]
            needle = query.replace("&", "&amp;")
            assert hits, query
            assert all(needle in text for text in pages), query

        hostile = search(page, base, "onerror")
        assert [h["title"] for h in hostile] == ["hostile-<b>run</b>"]
        assert HOSTILE in hostile[0]["text"]  # the parameter's value, shown as text
        assert "x<y" in hostile[0]["text"]  # the tag, escaped once
        assert page.locator(".md-search-result img").count() == 0
        assert page.evaluate("() => window.__xss") is None

        assert search(page, base, "qqqqzzzz") == []
        browser.close()
    assert errors == []
