"""Publishing a built site to a folder or an fsspec URL, uploading only what changed.

The destination keeps a manifest (`.reporter-manifest.json`: path -> sha256, size and the
store's version stamp, e.g. the S3 ETag or a file's inode and mtime) of what the last publish put
there. A file is skipped only when the manifest says it holds the same bytes *and* the listing
still shows it with that size and stamp, so a file rewritten behind our back is uploaded again.
The manifest is written last, and before any change it is rewritten to list only the files
verified unchanged, so an interrupted publish at worst uploads some files again. A missing or
corrupt manifest is never trusted: files are then compared by content where that is cheap (a
local folder, an S3 ETag, a GCS MD5) and uploaded otherwise.

Folders are written with plain `os` calls (each file replaced atomically, no extra dependency);
URLs go through fsspec, imported lazily, its backend coming from an extra (`reporter[s3]`,
`reporter[gcs]`, `reporter[azure]`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.errors import ConfigError
from reporter.site.destinations import (
    MANIFEST,
    Destination,
    Entry,
    LocalDestination,
    PublishError,
    content_type,
    open_destination,
    sha256_of,
)
from reporter.site.manifest import load_manifest, manifest_bytes, unchanged

__all__ = ["MANIFEST", "PublishError", "content_type", "parse_storage_options", "publish_site"]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class PublishResult:
    """What a publish did (or, with `dry_run`, would do). Paths are relative and sorted."""

    dest: str
    uploaded: int
    skipped: int
    deleted: int
    bytes: int
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    stale: tuple[str, ...]  # at the destination, no longer in the site, kept (delete=False)
    dry_run: bool
    warnings: tuple[str, ...]


def parse_storage_options(pairs: Iterable[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs as fsspec storage options; dotted keys nest, JSON values are decoded.

    `client_kwargs.endpoint_url=http://127.0.0.1:9000` gives
    `{"client_kwargs": {"endpoint_url": "http://127.0.0.1:9000"}}`, `anon=true` gives
    `{"anon": True}`; a value that is not JSON stays a string (quote it to force one: `'"1"'`).
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip() or any(not part for part in key.strip().split(".")):
            raise ConfigError(
                f"Invalid storage option '{pair}': expected KEY=VALUE, e.g. "
                "--storage-option endpoint_url=http://localhost:9000"
            )
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        *parents, last = key.strip().split(".")
        node = options
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"Invalid storage option '{pair}': '{part}' is already a value.")
        node[last] = value
    return options


def publish_site(
    site_dir: Path,
    dest: str,
    *,
    delete: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    storage_options: dict[str, Any] | None = None,
) -> PublishResult:
    """Copy the built site in `site_dir` to `dest` (a folder or an fsspec URL), changes only.

    Nothing is written before every check passed; with `dry_run` nothing is written at all.
    """
    source = _check_site(Path(site_dir))
    target = open_destination(str(dest), storage_options)
    _check_apart(source, target)
    local, warnings = _scan_site(source)
    if storage_options and isinstance(target, LocalDestination):
        warnings.append(f"Storage options are ignored for the folder '{target.url}'.")
    plan = _plan(target, source, local, delete, warnings)
    if not dry_run:
        _apply(target, source, plan, progress)
    return PublishResult(
        dest=target.url,
        uploaded=len(plan.upload),
        skipped=len(plan.keep),
        deleted=len(plan.removed),
        bytes=sum(local[rel].size for rel in plan.upload),
        changed=plan.upload,
        removed=plan.removed,
        stale=() if delete else plan.stale,
        dry_run=dry_run,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Plan:
    local: dict[str, Entry]
    keep: tuple[str, ...]  # verified unchanged at the destination
    upload: tuple[str, ...]
    removed: tuple[str, ...]
    stale: tuple[str, ...]
    remote: dict[str, dict]  # the destination's listing before any change
    manifest: dict[str, Entry] | None  # the trusted manifest found, if any
    manifest_found: bool  # a manifest file exists, trusted or not


def _plan(
    target: Destination, source: Path, local: dict[str, Entry], delete: bool, warnings: list[str]
) -> _Plan:
    remote = target.files()
    manifest, found, problem = load_manifest(target)
    if problem:
        warnings.append(problem)
    if delete:
        _check_deletable(target, remote, found)
    keep = tuple(
        rel for rel in local if unchanged(target, source / rel, rel, local, remote, manifest)
    )
    stale = tuple(sorted(rel for rel in remote if rel not in local))
    return _Plan(
        local=local,
        keep=keep,
        upload=tuple(rel for rel in local if rel not in keep),
        removed=stale if delete else (),
        stale=stale,
        remote=remote,
        manifest=manifest,
        manifest_found=found,
    )


def _apply(target: Destination, source: Path, plan: _Plan, progress: Progress | None) -> None:
    """Assets before pages, pages removed before assets, the manifest last: a reader of the
    destination never gets a page whose assets are missing."""
    total = len(plan.upload) + len(plan.removed)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    if total and plan.manifest_found:  # until the end, list only files known to be unchanged
        target.write(MANIFEST, manifest_bytes(plan.local, plan.keep, plan.remote))
    for pages_first in (False, True):
        batch = [rel for rel in plan.upload if _is_page(rel) == pages_first]
        _run(target.workers, lambda rel: target.put(source / rel, rel), batch, tick)
    for pages_first in (True, False):
        batch = [rel for rel in plan.removed if _is_page(rel) == pages_first]
        if batch:
            target.remove(batch)
            for _ in batch:
                tick()
    if total or not _manifest_is_current(plan):
        after = target.files() if total else plan.remote
        target.write(MANIFEST, manifest_bytes(plan.local, plan.local, after))


def _manifest_is_current(plan: _Plan) -> bool:
    if plan.manifest is None or set(plan.manifest) != set(plan.local):
        return False
    return all(
        plan.manifest[rel] == Entry(entry.sha256, entry.size, plan.remote[rel]["stamp"])
        for rel, entry in plan.local.items()
    )


def _run(workers: int, job: Callable[[str], None], items: list[str], tick: Callable[[], None]):
    if workers <= 1 or len(items) <= 1:
        for item in items:
            job(item)
            tick()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for _ in pool.map(job, items):
                tick()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _is_page(rel: str) -> bool:
    return rel.lower().endswith((".html", ".htm"))


# -- checks ----------------------------------------------------------------------------------


def _check_site(site: Path) -> Path:
    if not site.is_dir():
        raise PublishError(
            f"Cannot publish '{site}': no such folder. Run `reporter build` first, "
            "or pass --site-dir."
        )
    if not (site / "index.html").is_file():
        raise PublishError(
            f"Cannot publish '{site}': it is not a built site (no index.html). "
            "Run `reporter build` first, or pass --site-dir."
        )
    return site.resolve()


def _check_apart(source: Path, target: Destination) -> None:
    if not isinstance(target, LocalDestination):
        return
    dest = target.root.resolve()
    if dest == source or source in dest.parents:
        raise PublishError(
            f"Cannot publish '{source}' to '{target.url}': the destination is the site folder "
            "or inside it. Choose a destination outside the site folder."
        )
    if dest in source.parents:
        raise PublishError(
            f"Cannot publish '{source}' to '{target.url}': the destination holds the site "
            "folder itself, so --delete could remove the site. Choose a separate folder."
        )


def _check_deletable(target: Destination, remote: dict[str, dict], manifest_found: bool) -> None:
    """--delete empties whatever is at the destination: refuse where no site was published."""
    if remote and not manifest_found and "index.html" not in remote:
        raise PublishError(
            f"Refusing to publish with --delete to '{target.url}': it holds {len(remote)} "
            f"file{'s' * (len(remote) != 1)} but no published site (no index.html, no "
            f"{MANIFEST}), and --delete would remove them all. Check the destination; to "
            "replace its contents anyway, publish once without --delete, then with it."
        )


# -- the local site ----------------------------------------------------------------------------


def _scan_site(site: Path) -> tuple[dict[str, Entry], list[str]]:
    """Every regular file of the site, sorted. Symlinks are skipped so nothing outside is read."""
    files: dict[str, Entry] = {}
    warnings = []
    for folder, dirs, names in os.walk(site):
        for name in sorted(dirs) + sorted(names):
            path = Path(folder, name)
            rel = path.relative_to(site).as_posix()
            if path.is_symlink():
                warnings.append(f"Skipped '{rel}' in the site: it is a symbolic link.")
            elif name in names and rel != MANIFEST and path.is_file():
                files[rel] = Entry(sha256_of(path), path.stat().st_size)
    return dict(sorted(files.items())), warnings
