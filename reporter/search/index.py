"""A static, sharded search index: the browser fetches only the shards a query needs.

Layout under `<site>/search/reporter/`:
    meta.json               {"version", "id", "docs", "chunk", "shards", "limit", "split", "pages"}
    <id>/t/<n>.json         term shards: {token: [delta*16 + weight, ...]} (doc ids delta-coded);
                            a prefix split over other shards also has its documents as `prefix*`
    <id>/d/<n>.json         document chunks: `chunk` consecutive documents each
    worker.js               the search worker (speaks Material's worker protocol)
`<id>` is a digest of the index, so a cached shard never mixes with a newer meta.json.

A document is a page (or a section of one): its location, title, the fields a snippet may quote
(label, text, weight) and, for a run, its key metric, shown on every result.

`index_files` is a pure function of the documents (same documents, same bytes: everything is
sorted, nothing depends on time), so a later incremental build can regenerate the index from
cached documents.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from reporter.files import keep_file, write_inside
from reporter.search.tokens import JOINERS, MAX_SPAN, MAX_TOKEN, shard_of, tokens

ROOT = "search/reporter"  # under the site
WORKER = Path(__file__).with_name("worker.js")
TITLE_WEIGHT = 12
TAG_WEIGHT = 10
MAX_FIELD_CHARS = 20_000  # of each field, indexed (a model card longer than this is cut)
SNIPPET_CHARS = 1500  # of each field, kept for snippets
LIMIT = 50  # pages a query lists at most
CHUNK = 8  # documents per document chunk
SHARD_BYTES = 16_000  # a term shard's target size (before compression)
MAX_WEIGHT = 15  # what four bits hold
PREFIX_MARK = "*"  # never in a token: `lgb*` lists the documents of every token starting `lgb`


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
    metric: str = ""  # e.g. "average_precision 0.8585": a run's key metric


def index_files(
    docs: Sequence[SearchDoc],
    *,
    chunk: int = CHUNK,
    shard_bytes: int = SHARD_BYTES,
    limit: int = LIMIT,
    token_set: Callable[[str], Iterable[str]] | None = None,
) -> tuple[dict[str, object], dict[str, bytes]]:
    """The index of `docs`: its meta and its files (paths relative to `ROOT`). `token_set`
    gives a field's tokens (a `TokenSets` remembers them between builds)."""
    held = _postings(docs, token_set or _token_set)
    postings = {token: _encode(docs_of) for token, docs_of in held.items()}
    shards = _shard_count(postings, shard_bytes)
    split = _split_prefixes(postings, shard_bytes)
    shard_files: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for token in sorted(postings):
        shard_files[shard_of(token, shards, split)][token] = postings[token]
    for prefix, docs_of in sorted(_prefix_postings(held, split).items()):
        shard_files[shard_of(prefix, shards, split)][prefix + PREFIX_MARK] = _encode(docs_of)
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
    index_id = digest.hexdigest()[:12]
    meta: dict[str, object] = {
        "version": 1,
        "id": index_id,
        "docs": len(docs),
        "chunk": chunk,
        "shards": shards,
        "limit": limit,
        "split": sorted(split),
        "pages": _page_ranges(docs),
    }
    files = {f"{index_id}/{name}": blob for name, blob in sorted(blobs.items())}
    files["meta.json"] = _json(meta)
    files["worker.js"] = WORKER.read_bytes()
    return meta, files


def write_index(
    docs: Sequence[SearchDoc], site: Path, token_cache: Path | None = None, **options: int
) -> dict[str, object]:
    """Write the index of `docs` under `site/search/reporter/` (replacing an older one, which
    only a build into an existing site folder leaves there); return its meta. Fields' tokens
    are kept in `token_cache` between builds, when given."""
    known = TokenSets(token_cache)
    meta, files = index_files(docs, token_set=known, **options)
    known.save()
    shutil.rmtree(site / ROOT, ignore_errors=True)
    for name, blob in files.items():
        write_inside(site, f"{ROOT}/{name}", blob)
    return meta


def worker_version() -> str:
    """A digest of the worker: its URL changes with its content, so a browser never runs an
    old cached worker against a new index."""
    return hashlib.sha256(WORKER.read_bytes()).hexdigest()[:10]


def _postings(
    docs: Sequence[SearchDoc], token_set: Callable[[str], Iterable[str]]
) -> dict[str, dict[int, int]]:
    """token -> {doc: weight of the heaviest field holding it}. A document's fields are read
    heaviest first, so a token's first weight in it is its heaviest."""
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for i, doc in enumerate(docs):
        weighted = [
            (doc.title, TITLE_WEIGHT),
            *((t, TAG_WEIGHT) for t in doc.tags),
            *((f.text, f.weight) for f in doc.fields),
        ]
        weighted.sort(key=_heaviest_first)  # stable: equal weights keep their order
        held: dict[str, int] = {}
        for text, weight in weighted:
            weight = min(weight, MAX_WEIGHT)  # four bits in `_encode`
            for token in token_set(text[:MAX_FIELD_CHARS]):
                held.setdefault(token, weight)
        for token, weight in held.items():
            postings[token][i] = weight
    return postings


def _heaviest_first(field: tuple[str, int]) -> int:
    return -field[1]


@functools.lru_cache(maxsize=1 << 16)
def _token_set(text: str) -> frozenset[str]:
    """The tokens of a field's text; runs repeat most of theirs (parameters, tags, statuses)."""
    return frozenset(tokens(text))


class TokenSets:
    """Fields' tokens, remembered between builds in one file (by a digest of the text): a
    build after one new run tokenises that run's fields only (2 s of the index's 4 at 10,000
    runs). The file holds the fields of the last build; an unreadable one is a cold start."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, str] = {}  # digest of a text -> its tokens, joined by spaces
        self.used: dict[str, str] = {}
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                found = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(found, dict) and found.get("version") == TOKENS_VERSION:
                    self.known = found.get("tokens") or {}

    def __call__(self, text: str) -> list[str]:
        """The text's tokens (which never hold a space: see `tokens`), sorted."""
        key = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        found = self.used.get(key)
        if found is None:
            found = self.known.get(key)
            if not isinstance(found, str):
                found = " ".join(sorted(_token_set(text)))
            self.used[key] = found
        return found.split()

    def save(self) -> None:
        """Keep this build's fields' tokens (only when they differ from the file's)."""
        if self.path is None or self.used == self.known:
            return
        keep_file(self.path, _json({"version": TOKENS_VERSION, "tokens": self.used}))


TOKENS_VERSION = f"2:{MAX_TOKEN}:{MAX_SPAN}:{JOINERS}"  # a tokeniser change starts afresh


def _encode(held: dict[int, int]) -> list[int]:
    """[delta*16 + weight, ...] by doc id; a negative n repeats the previous entry -n more
    times, so a token every run has (a parameter name) costs a few bytes, not 30 KB."""
    out: list[int] = []
    last, prev, repeat = 0, None, 0
    for doc in sorted(held):
        value = (doc - last) * 16 + held[doc]  # weights fit four bits (`_postings`)
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


def _cost(token: str, postings: list[int]) -> int:
    return len(token) + 4 + 4 * len(postings)


def _split_prefixes(postings: dict[str, list[int]], shard_bytes: int) -> set[str]:
    """Prefixes whose tokens would fill more than a shard on their own (see `shard_key`)."""
    cost = {token: _cost(token, docs_of) for token, docs_of in postings.items()}
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


def _prefix_postings(held: dict[str, dict[int, int]], split: set[str]) -> dict[str, dict[int, int]]:
    """Split prefix -> {doc: heaviest weight of its longer tokens}: a query for `lgb` finds
    `lgbm-...` although those tokens live in other shards (see `tokens.shard_key`)."""
    out: dict[str, dict[int, int]] = defaultdict(dict)
    for token, docs_of in held.items():
        k = 2
        while len(token) > k and token[:k] in split:
            into = out[token[:k]]
            for doc, weight in docs_of.items():
                if into.get(doc, 0) < weight:
                    into[doc] = weight
            k += 1
    return out


def _shard_count(postings: dict[str, list[int]], shard_bytes: int) -> int:
    size = sum(_cost(t, p) for t, p in postings.items())
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
    """Compact JSON, UTF-8. orjson writes what json.dumps does for these values (text, whole
    numbers, lists and objects), at a fraction of the cost; a lone surrogate (from an
    undecodable file name), which orjson refuses, becomes a JSON escape."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")
