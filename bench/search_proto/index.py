"""A static, sharded search index: the browser fetches only the shards a query needs.

Layout under `<site>/search/reporter/`:
    meta.json               {"version", "id", "docs", "chunk", "shards", "limit"}; fetched first
    <id>/t/<n>.json         term shards: {token: [delta*16 + weight, ...]} (doc ids delta-coded)
    <id>/d/<n>.json         document chunks: `chunk` consecutive documents each
    worker.js               the search worker (speaks Material's worker protocol)
`<id>` is a digest of the index, so a cached shard never mixes with a newer meta.json.

A document is a page (or a section of one): its location, title, the fields a snippet may quote
(label, text, weight) and, for a run, its key metric, shown on every result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tokens import shard_of, tokens

TITLE_WEIGHT = 12
TAG_WEIGHT = 10
SNIPPET_CHARS = 1500  # of each field, kept for snippets; the whole field is indexed
WORKER = Path(__file__).with_name("worker.js")


@dataclass(frozen=True, kw_only=True, slots=True)
class Field:
    label: str  # shown before a quoted match ("" for page text)
    text: str
    weight: int  # 1 (page text) .. 9 (identifiers); title and tags weigh more


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchDoc:
    location: str  # relative to the site root; sections carry "#anchor"
    title: str
    fields: tuple[Field, ...] = ()
    tags: tuple[str, ...] = ()
    metric: str = ""  # e.g. "average_precision 0.8585": the run's key metric


def write_index(
    docs: Sequence[SearchDoc],
    site: Path,
    *,
    chunk: int = 8,
    shard_bytes: int = 16_000,
    limit: int = 50,
) -> dict[str, object]:
    """Write the index of `docs` under `site/search/reporter/`; return its meta."""
    postings = {token: _encode(held) for token, held in _postings(docs).items()}
    shards = _shard_count(postings, shard_bytes)
    split = _split_prefixes(postings, shard_bytes)
    shard_files: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for token in sorted(postings):
        shard_files[shard_of(token, shards, split)][token] = postings[token]
    records = [
        [
            d.location,
            d.title,
            d.metric,
            list(d.tags),
            [[f.label, f.text[:SNIPPET_CHARS]] for f in d.fields],
        ]
        for d in docs
    ]
    blobs = {f"t/{n}.json": _json(s) for n, s in enumerate(shard_files)}
    blobs |= {
        f"d/{n}.json": _json(records[k : k + chunk])
        for n, k in enumerate(range(0, len(records), chunk))
    }
    digest = hashlib.sha256()
    for name in sorted(blobs):
        digest.update(name.encode() + b"\0" + blobs[name])
    meta: dict[str, object] = {
        "version": 1,
        "id": digest.hexdigest()[:12],
        "docs": len(docs),
        "chunk": chunk,
        "shards": shards,
        "limit": limit,
        "split": sorted(split),
        "pages": _page_ranges(docs),
    }
    root = site / "search" / "reporter"
    shutil.rmtree(root, ignore_errors=True)
    for name, blob in blobs.items():
        path = root / str(meta["id"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
    (root / "meta.json").write_bytes(_json(meta))
    shutil.copyfile(WORKER, root / "worker.js")
    return meta


def _postings(docs: Sequence[SearchDoc]) -> dict[str, dict[int, int]]:
    """token -> {doc: weight of the heaviest field holding it}."""
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for i, doc in enumerate(docs):
        weighted = [
            (doc.title, TITLE_WEIGHT),
            *((t, TAG_WEIGHT) for t in doc.tags),
            *((f.text, f.weight) for f in doc.fields),
        ]
        for text, weight in weighted:
            for token in set(tokens(text)):
                held = postings[token]
                if held.get(i, 0) < weight:
                    held[i] = weight
    return postings


def _encode(held: dict[int, int]) -> list[int]:
    """[delta*16 + weight, ...] by doc id; a negative n repeats the previous entry -n more
    times, so a token every run has (a parameter name) costs a few bytes, not 30 KB."""
    out: list[int] = []
    last, prev, repeat = 0, None, 0
    for doc in sorted(held):
        value = (doc - last) * 16 + min(held[doc], 15)
        last = doc
        if value == prev:
            repeat += 1
            continue
        if repeat:
            out.append(-repeat)
            repeat = 0
        out.append(value)
        prev = value
    if repeat:
        out.append(-repeat)
    return out


def _split_prefixes(postings: dict[str, list[int]], shard_bytes: int) -> set[str]:
    """Prefixes whose tokens would fill more than a shard on their own (see `shard_key`)."""
    cost = {token: len(token) + 4 + 4 * len(p) for token, p in postings.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for token in postings:
        groups[token[:2]].append(token)
    split: set[str] = set()
    while groups:
        deeper: dict[str, list[str]] = defaultdict(list)
        for prefix, members in groups.items():
            longer = [t for t in members if len(t) > len(prefix)]
            if longer and sum(cost[t] for t in members) > shard_bytes:
                split.add(prefix)
                for t in longer:
                    deeper[t[: len(prefix) + 1]].append(t)
        groups = deeper
    return split


def _shard_count(postings: dict[str, list[int]], shard_bytes: int) -> int:
    size = sum(len(t) + 4 + 4 * len(p) for t, p in postings.items())
    shards = 1
    while size / shards > shard_bytes and shards < 4096:
        shards *= 2
    return shards


def _page_ranges(docs: Sequence[SearchDoc]) -> list[list[int]]:
    """[first, last] document of each page that has sections (a page document followed by its
    sections, as MkDocs' search plugins list them): results group under their page without
    reading any document chunk."""
    ranges: list[list[int]] = []
    for i, doc in enumerate(docs):
        page = doc.location.split("#")[0]
        if "#" not in doc.location or i == 0:
            continue
        if ranges and ranges[-1][1] == i - 1 and docs[ranges[-1][0]].location == page:
            ranges[-1][1] = i
        elif docs[i - 1].location == page:
            ranges.append([i - 1, i])
    return ranges


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def iter_fields(pairs: Iterable[tuple[str, str, int]]) -> tuple[Field, ...]:
    return tuple(Field(label=label, text=text, weight=w) for label, text, w in pairs if text)
