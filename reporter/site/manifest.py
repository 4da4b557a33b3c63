"""The publish manifest: what the last publish put at the destination (path -> sha256, size and
the store's version stamp), so a file is skipped only when it provably holds the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from reporter.site.destinations import (
    MANIFEST,
    MANIFEST_VERSION,
    Destination,
    Entry,
    is_hex,
    safe_rel,
)


def manifest_bytes(local: dict[str, Entry], rels: Iterable[str], remote: dict[str, dict]) -> bytes:
    """The manifest of `rels`, each stamped as listed at the destination (if it is there)."""
    files = {
        rel: {"sha256": local[rel].sha256, "size": local[rel].size, "stamp": remote[rel]["stamp"]}
        for rel in sorted(rels)
        if rel in remote and remote[rel]["size"] == local[rel].size
    }
    body = {"version": MANIFEST_VERSION, "generator": "reporter", "files": files}
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def load_manifest(target: Destination) -> tuple[dict[str, Entry] | None, bool, str | None]:
    """(entries or None, whether a manifest file exists, why it was not trusted)."""
    data = target.read(MANIFEST)
    if data is None:
        return None, False, None
    try:
        return parse_manifest(data), True, None
    except ValueError as exc:
        why = f"Ignored the manifest '{target.url}/{MANIFEST}': {exc}. Files were compared "
        return None, True, why + "with the destination instead (or uploaded where they cannot be)."


def parse_manifest(data: bytes) -> dict[str, Entry]:
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from exc
    if not isinstance(body, dict) or body.get("version") != MANIFEST_VERSION:
        raise ValueError(f'expected an object with "version": {MANIFEST_VERSION}')
    files = body.get("files")
    if not isinstance(files, dict):
        raise ValueError('expected "files" to be an object')
    entries = {}
    for rel, entry in files.items():
        if not safe_rel(rel) or not isinstance(entry, dict):
            raise ValueError(f"invalid entry {rel!r}")
        sha, size, stamp = entry.get("sha256"), entry.get("size"), entry.get("stamp")
        if not is_hex(sha, 64) or type(size) is not int or size < 0:
            raise ValueError(f"invalid sha256 or size for {rel!r}")
        if stamp is not None and not isinstance(stamp, str):
            raise ValueError(f"invalid stamp for {rel!r}")
        entries[rel] = Entry(str(sha), size, stamp)
    return entries


def unchanged(
    target: Destination,
    src: Path,
    rel: str,
    local: dict[str, Entry],
    remote: dict[str, dict],
    manifest: dict[str, Entry] | None,
) -> bool:
    """True only when the destination provably holds the same bytes."""
    info = remote.get(rel)
    if info is None or info["size"] != local[rel].size:
        return False
    recorded = manifest.get(rel) if manifest is not None else None
    if recorded is not None and recorded.stamp == info["stamp"]:
        return (recorded.sha256, recorded.size) == (local[rel].sha256, local[rel].size)
    return target.same_content(rel, info, src, local[rel])
