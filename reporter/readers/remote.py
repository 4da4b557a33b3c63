"""Runs on object storage: a local mirror of an fsspec URL (`s3://bucket/runs`), kept in sync.

Readers work on local folders, so remote runs are copied into the mirror folder the settings
name (`reporter.config.settings.mirror_folder`, under the cache folder) first, and only the files
whose size or version (ETag, generation, mtime) changed since the last build are downloaded
again. The remote store is only listed and read, never written.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from reporter.errors import ReporterError

MANIFEST = ".reporter-mirror.json"


def mirror_runs(url: str, local: Path, storage_options: Mapping[str, Any] | None = None) -> Path:
    """Bring the local copy `local` of the runs at `url` up to date; returns `local`."""
    fs, root = _open(url, dict(storage_options or {}))
    local.mkdir(parents=True, exist_ok=True)
    old = _manifest(local)
    listing = _listing(fs, root, url)
    new: dict[str, list[Any]] = {}
    for rel, (remote, stamp) in sorted(listing.items()):
        target = local / rel
        if old.get(rel) != stamp or not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.part")
            try:
                fs.get_file(remote, str(tmp))
            except Exception as exc:  # noqa: BLE001 - any storage error, named
                raise ReporterError(f"Cannot download '{remote}' from '{url}': {exc}") from exc
            os.replace(tmp, target)
        new[rel] = stamp
    for rel in sorted(set(old) - set(new)):
        (local / rel).unlink(missing_ok=True)
    _prune_empty(local)
    (local / MANIFEST).write_text(json.dumps(new, sort_keys=True), encoding="utf-8")
    return local


def _open(url: str, options: dict[str, Any]) -> tuple[Any, str]:
    protocol = url.split("://", 1)[0]
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url, **options)
    except ImportError as exc:
        raise ReporterError(
            f"Cannot read runs from '{url}': the {protocol}:// backend is missing ({exc}). "
            f"Install it, e.g. pip install 'reporter[s3]'."
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ReporterError(f"Cannot read runs from '{url}': {exc}") from exc
    return fs, root.rstrip("/")


def _listing(fs: Any, root: str, url: str) -> dict[str, tuple[str, list[Any]]]:
    """Relative path -> (remote path, [size, version]) of every file under root."""
    try:
        found = fs.find(root, detail=True)
    except Exception as exc:  # noqa: BLE001 - any storage error, named
        raise ReporterError(f"Cannot list the runs at '{url}': {exc}") from exc
    if not found:
        raise ReporterError(f"The runs root '{url}' does not exist or is empty.")
    listing = {}
    for path, info in found.items():
        rel = PurePosixPath(path).relative_to(root) if path.startswith(root + "/") else None
        if (
            rel is None
            or ".." in rel.parts
            or rel.name == MANIFEST
            or info.get("type") == "directory"
        ):
            continue
        version = (
            info.get("ETag") or info.get("etag") or info.get("generation") or info.get("mtime")
        )
        listing[rel.as_posix()] = (path, [info.get("size"), str(version)])
    return listing


def _manifest(local: Path) -> dict[str, Any]:
    try:
        data = json.loads((local / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _prune_empty(local: Path) -> None:
    for folder in sorted((p for p in local.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
