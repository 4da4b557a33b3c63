"""The tokeniser's rules, and the search worker cutting queries, choosing shards and reading
postings exactly as the index builder wrote them (the worker runs in node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reporter.search import index, tokens

WORKER = Path(index.__file__).with_name("worker.js")
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


def test_text_is_normalised_and_lower_cased() -> None:
    assert tokens.tokens("ＦＵＬＬＷＩＤＴＨ Café") == ["fullwidth", "café"]


def test_long_compounds_are_indexed_by_pieces_not_every_span() -> None:
    found = tokens.tokens("a.b.c.d.e.f.g.h")
    assert "a.b.c.d" in found and "a.b.c.d.e" not in found and "a.b.c.d.e.f.g.h" in found
    assert all(len(t) <= tokens.MAX_TOKEN for t in tokens.tokens("x" * 100 + ".y"))


def test_a_prefix_too_common_for_one_shard_splits_on_one_more_character() -> None:
    assert tokens.shard_key("model.learning_rate") == "mo"
    assert tokens.shard_key("model.learning_rate", {"mo", "mod"}) == "mode"
    assert tokens.shard_key("mo", {"mo"}) == "mo"  # a split prefix is its own key


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


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is missing: the worker tests need it (apt-get install -y nodejs)")
    return found


def test_the_worker_reads_queries_shards_and_postings_like_the_index_builder(
    tmp_path: Path,
) -> None:
    script = tmp_path / "parity.js"
    script.write_text(NODE_PARITY)
    lists = [index._encode(p) for p in POSTINGS]
    assert len(lists[2]) == 3  # a token every document has: one entry, one repeat count
    done = subprocess.run(
        [node(), str(script), str(WORKER)],
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
