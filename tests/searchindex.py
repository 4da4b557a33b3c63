"""Reading reporter's search index of a built site (`search/reporter/`) back, for tests.

`documents` lists what the index holds (location, title, key metric, tags, fields); `locations`
answers which documents hold a token (exactly, as the index builder cut it), reading the shards
like the worker does (delta-coded postings, run-length repeats).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def meta(site: Path) -> dict[str, Any]:
    return json.loads((site / "search" / "reporter" / "meta.json").read_text(encoding="utf-8"))


def documents(site: Path) -> list[dict[str, Any]]:
    m = meta(site)
    folder = site / "search" / "reporter" / m["id"] / "d"
    records: list[list[Any]] = []
    for n in range((m["docs"] + m["chunk"] - 1) // m["chunk"]):
        records += json.loads((folder / f"{n}.json").read_text(encoding="utf-8"))
    return [
        {"location": r[0], "title": r[1], "metric": r[2], "tags": r[3], "fields": dict(r[4])}
        for r in records
    ]


def postings(site: Path) -> dict[str, list[int]]:
    """token -> ids of the documents holding it."""
    m = meta(site)
    folder = site / "search" / "reporter" / m["id"] / "t"
    found: dict[str, list[int]] = {}
    for n in range(m["shards"]):
        for token, coded in json.loads((folder / f"{n}.json").read_text("utf-8")).items():
            found[token] = _decode(coded)
    return found


def locations(site: Path, token: str) -> set[str]:
    docs = documents(site)
    return {docs[i]["location"] for i in postings(site).get(token, [])}


def _decode(coded: list[int]) -> list[int]:
    docs, doc, prev = [], 0, 0
    for value in coded:
        times = 1
        if value < 0:
            times, value = -value, prev
        for _ in range(times):
            doc += value >> 4
            docs.append(doc)
        prev = value
    return docs
