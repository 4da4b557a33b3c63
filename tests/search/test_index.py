"""The index: a pure function of its documents, and what the worker answers from it (in node),
with prefixes split over many small shards."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.search import index
from reporter.search.index import Field, SearchDoc, index_files, write_index

from .test_tokens import WORKER, node

HARNESS = Path(__file__).with_name("worker_harness.js")


def corpus() -> list[SearchDoc]:
    """60 runs sharing prefixes (ids `run-000..`, parameter names), then a page with sections."""
    docs = []
    for i in range(60):
        notes = "Calibration fixed by isotonic regression." if i % 3 == 0 else "Plain run."
        if i % 4 == 0:
            notes += " 模型在夜间交易上的召回率明显下降。"
        if i == 7:
            notes += " Watch recall@fpr and amp&and."
        params = f"model.learning_rate={0.01 * (1 + i % 5):g} · data.sampler={'adasyn' if i % 6 == 0 else 'none'}"
        docs.append(
            SearchDoc(
                location=f"runs/run-{i:03d}/",
                title=f"lgbm-run-{i:03d}" if i % 2 else f"xgb-run-{i:03d}",
                tags=("night-shift",) if i % 5 == 0 else ("baseline",),
                metric=f"average_precision {0.9 - i / 100:.4g}",
                fields=(
                    Field(label="id", text=f"run-{i:03d}", weight=9),
                    Field(label="params", text=params, weight=5),
                    Field(label="notes", text=notes, weight=4),
                ),
            )
        )
    docs.append(
        SearchDoc(
            location="journal/",
            title="Journal",
            fields=(Field(label="", text="Dated entries.", weight=1),),
        )
    )
    docs.append(
        SearchDoc(
            location="journal/#next",
            title="Next",
            fields=(Field(label="", text="Try isotonic calibration.", weight=1),),
        )
    )
    docs.append(
        SearchDoc(
            location="hostile/",
            title='<img src=x onerror="alert(1)">',
            fields=(Field(label="", text="zebrafinch <b>bold</b> & co", weight=1),),
        )
    )
    return docs


def ask(folder: Path, queries: list[str]) -> list[list[list[dict]]]:
    done = subprocess.run(
        [node(), str(HARNESS), str(WORKER), str(folder)],
        input=json.dumps({"queries": queries}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)["results"]


def test_queries_typed_on_fetch_only_the_documents_of_the_last(tmp_path: Path) -> None:
    """Material sends a query per keystroke: one already replaced by the next fetches no
    documents (the browser's few connections go to the query that is shown) and sends none."""
    write_index(corpus(), tmp_path, shard_bytes=300)
    folder = tmp_path / "search" / "reporter"
    done = subprocess.run(
        [node(), str(HARNESS), str(WORKER), str(folder)],
        input=json.dumps({"typed": ["r", "ru", "run", "run-0", "run-00", "run-007"]}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer = json.loads(done.stdout)
    (items,) = answer["results"]  # one answer: the last query's
    assert [g[0]["location"] for g in items] == ["runs/run-007/"]
    documents = [path for path in answer["fetched"] if "/d/" in path]
    meta, _ = index_files(corpus(), shard_bytes=300)
    assert documents == [f"{meta['id']}/d/{7 // meta['chunk']}.json"]


def test_the_index_is_a_pure_function_of_its_documents() -> None:
    docs = corpus()
    meta, files = index_files(docs, shard_bytes=300)
    again_meta, again = index_files(corpus(), shard_bytes=300)
    assert files == again and meta == again_meta
    assert list(files) == sorted(files)  # written in one order, whatever the documents
    other_meta, _ = index_files(list(reversed(docs)), shard_bytes=300)
    assert other_meta["id"] != meta["id"]  # the order is part of the index (best runs first)
    assert meta["docs"] == len(docs) and len(meta["split"]) > 5 and meta["shards"] > 8
    assert meta["pages"] == [[60, 61]]  # the journal page and its section


def test_the_worker_answers_every_kind_of_query_from_split_shards(tmp_path: Path) -> None:
    write_index(corpus(), tmp_path, shard_bytes=300)
    folder = tmp_path / "search" / "reporter"
    queries = [
        "lgbm-run-007",
        "learning_rate",
        "night-shift",
        "adasyn",
        "isotonic",
        "isoto",
        "recall@fpr",
        "amp&and",
        "召回率",
        "run-0",
        "zebrafinch",
        "qqqqzzzz",
        "",
    ]
    answers = dict(zip(queries, ask(folder, queries), strict=True))

    def pages(query: str) -> list[str]:
        """Each result's page (Material shows a group under the document without an anchor)."""
        return [next(d["location"] for d in g if "#" not in d["location"]) for g in answers[query]]

    assert pages("lgbm-run-007") == ["runs/run-007/"]
    first = answers["lgbm-run-007"][0][0]
    assert first["title"] == "<mark>lgbm-run-007</mark>"
    assert '<p class="reporter-search-metric">average_precision 0.83</p>' in first["text"]
    assert len(pages("learning_rate")) == 50  # every run has it: the first 50, in index order
    assert pages("learning_rate") == [f"runs/run-{i:03d}/" for i in range(50)]
    assert "learning_rate</mark>" in answers["learning_rate"][0][0]["text"]
    assert set(pages("night-shift")) == {f"runs/run-{i:03d}/" for i in range(0, 60, 5)}
    assert set(pages("adasyn")) == {f"runs/run-{i:03d}/" for i in range(0, 60, 6)}
    isotonic = {f"runs/run-{i:03d}/" for i in range(0, 60, 3)} | {"journal/"}
    assert set(pages("isotonic")) == isotonic
    assert set(pages("isoto")) == isotonic  # a prefix
    journal = next(g for g in answers["isotonic"] if g[0]["location"].startswith("journal/"))
    assert [d["location"] for d in journal] == ["journal/#next", "journal/"]  # the hit, its page
    assert pages("recall@fpr") == pages("amp&and") == ["runs/run-007/"]
    assert set(pages("召回率")) == {f"runs/run-{i:03d}/" for i in range(0, 60, 4)}
    assert len(pages("run-0")) == 50
    hostile = answers["zebrafinch"]
    assert pages("zebrafinch") == ["hostile/"]
    assert hostile[0][0]["title"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in hostile[0][0]["text"]
    assert answers["qqqqzzzz"] == [] and answers[""] == []


def test_remembered_tokens_give_the_same_index_and_spare_the_tokeniser(
    tmp_path: Path, monkeypatch
) -> None:

    cache = tmp_path / "tokens.json"
    cold = index_files(corpus(), shard_bytes=300)
    write_index(corpus(), tmp_path / "one", cache, shard_bytes=300)
    assert cache.is_file()

    calls: list[str] = []
    real = index.tokens
    monkeypatch.setattr(index, "tokens", lambda text: calls.append(text) or real(text))
    index._token_set.cache_clear()  # the in-process memo would hide the file's work
    docs = corpus()
    docs[0] = SearchDoc(location="runs/new/", title="brand-new-run", fields=docs[0].fields)
    known = index.TokenSets(cache)
    warm = index_files(docs, shard_bytes=300, token_set=known)
    assert calls == ["brand-new-run"]  # only the text the file did not hold
    assert warm == index_files(docs, shard_bytes=300)
    assert index_files(corpus(), shard_bytes=300, token_set=index.TokenSets(cache)) == cold


@pytest.mark.parametrize(
    "content",
    ["not json", '{"version": "old", "tokens": {}}', '{"version": null}', "[1, 2]"],
)
def test_an_unusable_token_file_is_a_cold_start(tmp_path: Path, content: str) -> None:

    cache = tmp_path / "tokens.json"
    cache.write_text(content)
    assert index_files(corpus(), token_set=index.TokenSets(cache)) == index_files(corpus())


def test_tampered_tokens_are_not_trusted(tmp_path: Path) -> None:

    cache = tmp_path / "tokens.json"
    write_index(corpus(), tmp_path / "one", cache)
    stored = json.loads(cache.read_text())
    stored["tokens"] = {key: [1, None] for key in stored["tokens"]}
    cache.write_text(json.dumps(stored))
    assert index_files(corpus(), token_set=index.TokenSets(cache)) == index_files(corpus())


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_remembered_tokens_are_the_tokens_of_the_text(tmp_path_factory, text: str) -> None:
    """Tokens are kept joined by spaces: no token may hold one (any Unicode space)."""
    cache = tmp_path_factory.mktemp("tokens") / "tokens.json"
    expected = sorted(set(index.tokens(text)))
    fresh = index.TokenSets(cache)
    assert fresh(text) == expected
    fresh.save()
    assert index.TokenSets(cache)(text) == expected


_WORDS = st.sampled_from(["lgbm", "run-7", "fraud", "lr=0.1", "baseline", "tuned", "x"])
_TEXTS = st.lists(_WORDS, max_size=4).map(" ".join)
_DOCS = st.lists(
    st.builds(
        SearchDoc,
        location=st.just("runs/r/"),
        title=_TEXTS,
        tags=st.lists(_TEXTS, max_size=2).map(tuple),
        fields=st.lists(
            st.builds(Field, label=st.just("f"), text=_TEXTS, weight=st.integers(1, 20)),
            max_size=4,
        ).map(tuple),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(docs=_DOCS)
def test_a_token_weighs_what_its_heaviest_field_weighs(docs: list[SearchDoc]) -> None:
    """Each document's weight for a token is its heaviest field holding it (title, tags and
    fields alike), within the four bits a posting holds."""
    expected: dict[str, dict[int, int]] = {}
    for i, doc in enumerate(docs):
        weighted = [(doc.title, index.TITLE_WEIGHT), *((t, index.TAG_WEIGHT) for t in doc.tags)]
        for text, weight in [*weighted, *((f.text, f.weight) for f in doc.fields)]:
            for token in index.tokens(text):
                held = expected.setdefault(token, {})
                held[i] = max(held.get(i, 0), min(weight, 15))
    assert index._postings(docs, index._token_set) == expected


_JSON_VALUES = st.recursive(
    st.one_of(st.text(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans()),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_index_json_is_what_json_dumps_writes(value):
    """The index's files are written with orjson, falling back to json for lone surrogates:
    either way the bytes are json.dumps' (compact, UTF-8, surrogates escaped)."""
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert index._json(value) == expected.encode("utf-8", "backslashreplace")
