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

import base64
import binascii
import hashlib
import json
import mimetypes
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from reporter.errors import ConfigError, ReporterError

MANIFEST = ".reporter-manifest.json"
MANIFEST_VERSION = 1
Progress = Callable[[int, int], None]

# fsspec protocol -> the `reporter` extra that installs its backend.
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}
EXTRAS |= {"az": "azure", "abfs": "azure", "abfss": "azure"}

# Explicit, so content types do not depend on the host's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".zip": "application/zip",
}
# Exceptions raised by storage libraries, reported without a traceback (anything else is a bug).
BACKEND_MODULES = {"botocore", "aiobotocore", "s3fs", "gcsfs", "google", "adlfs", "azure"}
BACKEND_MODULES |= {"aiohttp"}


class PublishError(ReporterError):
    """The site could not be published. Files already uploaded are consistent with the manifest."""


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


@dataclass(frozen=True, slots=True)
class _Entry:
    sha256: str
    size: int
    stamp: str | None = None  # the destination's version marker when the manifest recorded it


def content_type(path: str) -> str:
    """The Content-Type to serve `path` with."""
    suffix = os.path.splitext(path)[1].lower()
    guessed = mimetypes.guess_type(path, strict=False)[0]
    return CONTENT_TYPES.get(suffix) or guessed or "application/octet-stream"


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
    target = _open_destination(str(dest), storage_options)
    _check_apart(source, target)
    local, warnings = _scan_site(source)
    if storage_options and isinstance(target, _LocalTarget):
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
    local: dict[str, _Entry]
    keep: tuple[str, ...]  # verified unchanged at the destination
    upload: tuple[str, ...]
    removed: tuple[str, ...]
    stale: tuple[str, ...]
    remote: dict[str, dict]  # the destination's listing before any change
    manifest: dict[str, _Entry] | None  # the trusted manifest found, if any
    manifest_found: bool  # a manifest file exists, trusted or not


def _plan(
    target: _Target, source: Path, local: dict[str, _Entry], delete: bool, warnings: list[str]
) -> _Plan:
    remote = target.files()
    manifest, found, problem = _load_manifest(target)
    if problem:
        warnings.append(problem)
    if delete:
        _check_deletable(target, remote, found)
    keep = tuple(
        rel for rel in local if _unchanged(target, source / rel, rel, local, remote, manifest)
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


def _apply(target: _Target, source: Path, plan: _Plan, progress: Progress | None) -> None:
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
        target.write(MANIFEST, _manifest_bytes(plan.local, plan.keep, plan.remote))
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
        target.write(MANIFEST, _manifest_bytes(plan.local, plan.local, after))


def _manifest_is_current(plan: _Plan) -> bool:
    if plan.manifest is None or set(plan.manifest) != set(plan.local):
        return False
    return all(
        plan.manifest[rel] == _Entry(entry.sha256, entry.size, plan.remote[rel]["stamp"])
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


def _check_apart(source: Path, target: _Target) -> None:
    if not isinstance(target, _LocalTarget):
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


def _check_deletable(target: _Target, remote: dict[str, dict], manifest_found: bool) -> None:
    """--delete empties whatever is at the destination: refuse where no site was published."""
    if remote and not manifest_found and "index.html" not in remote:
        raise PublishError(
            f"Refusing to publish with --delete to '{target.url}': it holds {len(remote)} "
            f"file{'s' * (len(remote) != 1)} but no published site (no index.html, no "
            f"{MANIFEST}), and --delete would remove them all. Check the destination; to "
            "replace its contents anyway, publish once without --delete, then with it."
        )


# -- the local site and the manifest ---------------------------------------------------------


def _scan_site(site: Path) -> tuple[dict[str, _Entry], list[str]]:
    """Every regular file of the site, sorted. Symlinks are skipped so nothing outside is read."""
    files: dict[str, _Entry] = {}
    warnings = []
    for folder, dirs, names in os.walk(site):
        for name in sorted(dirs) + sorted(names):
            path = Path(folder, name)
            rel = path.relative_to(site).as_posix()
            if path.is_symlink():
                warnings.append(f"Skipped '{rel}' in the site: it is a symbolic link.")
            elif name in names and rel != MANIFEST and path.is_file():
                files[rel] = _Entry(_sha256(path), path.stat().st_size)
    return dict(sorted(files.items())), warnings


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _md5(path: Path) -> str:
    """For comparing with the MD5 object stores report (not for security)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def _manifest_bytes(
    local: dict[str, _Entry], rels: Iterable[str], remote: dict[str, dict]
) -> bytes:
    """The manifest of `rels`, each stamped as listed at the destination (if it is there)."""
    files = {
        rel: {"sha256": local[rel].sha256, "size": local[rel].size, "stamp": remote[rel]["stamp"]}
        for rel in sorted(rels)
        if rel in remote and remote[rel]["size"] == local[rel].size
    }
    body = {"version": MANIFEST_VERSION, "generator": "reporter", "files": files}
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def _load_manifest(target: _Target) -> tuple[dict[str, _Entry] | None, bool, str | None]:
    """(entries or None, whether a manifest file exists, why it was not trusted)."""
    data = target.read(MANIFEST)
    if data is None:
        return None, False, None
    try:
        return _parse_manifest(data), True, None
    except ValueError as exc:
        why = f"Ignored the manifest '{target.url}/{MANIFEST}': {exc}. Files were compared "
        return None, True, why + "with the destination instead (or uploaded where they cannot be)."


def _parse_manifest(data: bytes) -> dict[str, _Entry]:
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
        if not _safe_rel(rel) or not isinstance(entry, dict):
            raise ValueError(f"invalid entry {rel!r}")
        sha, size, stamp = entry.get("sha256"), entry.get("size"), entry.get("stamp")
        if not _is_hex(sha, 64) or type(size) is not int or size < 0:
            raise ValueError(f"invalid sha256 or size for {rel!r}")
        if stamp is not None and not isinstance(stamp, str):
            raise ValueError(f"invalid stamp for {rel!r}")
        entries[rel] = _Entry(str(sha), size, stamp)
    return entries


def _safe_rel(rel: object) -> bool:
    if not isinstance(rel, str) or "\\" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def _is_hex(value: object, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


def _unchanged(
    target: _Target,
    src: Path,
    rel: str,
    local: dict[str, _Entry],
    remote: dict[str, dict],
    manifest: dict[str, _Entry] | None,
) -> bool:
    """True only when the destination provably holds the same bytes."""
    info = remote.get(rel)
    if info is None or info["size"] != local[rel].size:
        return False
    recorded = manifest.get(rel) if manifest is not None else None
    if recorded is not None and recorded.stamp == info["stamp"]:
        return (recorded.sha256, recorded.size) == (local[rel].sha256, local[rel].size)
    return target.same_content(rel, info, src, local[rel])


# -- destinations ----------------------------------------------------------------------------


class _Target(Protocol):
    url: str
    workers: int

    def files(self) -> dict[str, dict]: ...  # rel -> {"size": int, "stamp": str, "md5": str}
    def read(self, rel: str) -> bytes | None: ...
    def put(self, src: Path, rel: str) -> None: ...
    def write(self, rel: str, data: bytes) -> None: ...
    def remove(self, rels: list[str]) -> None: ...
    def same_content(self, rel: str, info: dict, src: Path, entry: _Entry) -> bool: ...


def _open_destination(dest: str, storage_options: dict[str, Any] | None) -> _Target:
    if "://" not in dest and "::" not in dest:
        return _LocalTarget(Path(dest).expanduser())
    parsed = urlparse(dest)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise PublishError(f"Cannot publish to '{dest}': file:// URLs name a local path.")
        return _LocalTarget(Path(unquote(parsed.path)))
    return _FsspecTarget.open(dest, storage_options or {})


class _LocalTarget:
    """A folder. Each file is written beside its target and renamed over it (atomic)."""

    workers = 1

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def files(self) -> dict[str, dict]:
        if self.root.exists() and not self.root.is_dir():
            raise PublishError(
                f"Cannot publish to '{self.url}': it is a file. Pass a folder or a URL."
            )
        found = {}
        with _backend("list", self.url):
            for folder, _dirs, names in os.walk(self.root):  # never follows links
                for name in names:
                    rel = Path(folder, name).relative_to(self.root).as_posix()
                    stat = Path(folder, name).lstat()
                    if rel != MANIFEST:  # each write replaces the inode
                        stamp = f"{stat.st_ino}:{stat.st_mtime_ns}"
                        found[rel] = {"size": stat.st_size, "stamp": stamp, "md5": None}
        return found

    def read(self, rel: str) -> bytes | None:
        with _backend("read", f"{self.url}/{rel}"):
            try:
                return (self.root / rel).read_bytes()
            except FileNotFoundError:
                return None

    def put(self, src: Path, rel: str) -> None:
        with _backend("write", f"{self.url}/{rel}"), self._replacing(rel) as tmp:
            shutil.copyfile(src, tmp)

    def write(self, rel: str, data: bytes) -> None:
        with _backend("write", f"{self.url}/{rel}"), self._replacing(rel) as tmp:
            tmp.write_bytes(data)

    @contextmanager
    def _replacing(self, rel: str):
        path = self.root / rel
        root, folder = self.root.resolve(), path.parent.resolve()
        if folder != root and root not in folder.parents:
            raise PublishError(
                f"Cannot write '{self.url}/{rel}': its folder is a link out of the destination."
            )
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            yield tmp
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def remove(self, rels: list[str]) -> None:
        for rel in rels:
            with _backend("delete", f"{self.url}/{rel}"):
                (self.root / rel).unlink(missing_ok=True)
                for folder in (self.root / rel).parents:  # prune emptied folders
                    if folder == self.root or any(folder.iterdir()):
                        break
                    folder.rmdir()

    def same_content(self, rel: str, info: dict, src: Path, entry: _Entry) -> bool:
        path = self.root / rel
        return not path.is_symlink() and _sha256(path) == entry.sha256


class _FsspecTarget:
    """An fsspec URL. Each object is written in one request; uploads run in a few threads."""

    workers = 8

    def __init__(self, fs: Any, root: str, url: str) -> None:
        self.fs = fs
        self.root = root
        self.url = url
        protocols = fs.protocol if isinstance(fs.protocol, tuple | list) else (fs.protocol,)
        self.protocol = next((p for p in protocols if p in EXTRAS), protocols[0])

    @classmethod
    def open(cls, dest: str, storage_options: dict[str, Any]) -> _FsspecTarget:
        protocol = dest.split("://", 1)[0].split("::")[-1].lower()
        hint = _install_hint(protocol)
        try:
            import fsspec
        except ImportError as exc:
            raise PublishError(
                f"Cannot publish to '{dest}': fsspec is not installed. {hint}"
            ) from exc
        try:
            fs, root = fsspec.core.url_to_fs(dest, **storage_options)
        except ImportError as exc:
            raise PublishError(
                f"Cannot publish to '{dest}': the {protocol}:// backend is missing ({exc}). {hint}"
            ) from exc
        except (ValueError, TypeError) as exc:
            raise PublishError(
                f"Cannot publish to '{dest}': {exc}. Use a folder, or an s3://, gs://, az:// "
                "or file:// URL with valid --storage-option values."
            ) from exc
        root = root.rstrip("/")
        if not root:
            raise PublishError(f"Cannot publish to '{dest}': the URL names no bucket or container.")
        return cls(fs, root, dest.rstrip("/"))

    def _path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def files(self) -> dict[str, dict]:
        prefix = self.root + "/"
        with _backend("list", self.url):
            self.fs.invalidate_cache(self.root)
            # A missing prefix lists as empty; a missing bucket fails here, before any write.
            infos = self.fs.find(self.root, withdirs=False, detail=True)
        found = {}
        for path, info in sorted(infos.items()):
            rel = path[len(prefix) :] if path.startswith(prefix) else ""
            if _safe_rel(rel) and rel != MANIFEST and info.get("type", "file") == "file":
                size = int(info.get("size") or 0)
                found[rel] = {"size": size, "stamp": _stamp(info), "md5": _remote_md5(info)}
        return found

    def read(self, rel: str) -> bytes | None:
        with _backend("read", f"{self.url}/{rel}"):
            try:
                return self.fs.cat_file(self._path(rel))
            except FileNotFoundError:
                return None

    def put(self, src: Path, rel: str) -> None:
        with _backend("upload", f"{self.url}/{rel}"):
            self.fs.put_file(str(src), self._path(rel), **self._put_options(rel))

    def write(self, rel: str, data: bytes) -> None:
        with _backend("upload", f"{self.url}/{rel}"):
            self.fs.pipe_file(self._path(rel), data, **self._put_options(rel))

    def remove(self, rels: list[str]) -> None:
        with _backend("delete files in", self.url):
            self.fs.rm([self._path(rel) for rel in rels])

    def same_content(self, rel: str, info: dict, src: Path, entry: _Entry) -> bool:
        return info["md5"] is not None and info["md5"] == _md5(src)

    def _put_options(self, rel: str) -> dict[str, Any]:
        kind = EXTRAS.get(self.protocol)
        if kind == "s3":
            return {"ContentType": content_type(rel)}
        if kind == "gcs":
            return {"content_type": content_type(rel)}
        if kind == "azure":  # adlfs >= 2026.8 forwards this to upload_blob
            return {"content_settings": {"content_type": content_type(rel)}}
        return {}


def _stamp(info: dict) -> str | None:
    """What changes whenever the object is written: its ETag, generation or modification time."""
    for key in ("ETag", "etag", "generation", "mtime", "LastModified", "last_modified", "created"):
        if info.get(key) not in (None, ""):
            return f"{key}:{info[key]}"
    return None


def _remote_md5(info: dict) -> str | None:
    """The object's MD5 when the store reports it: a single-part S3 ETag, or GCS's md5Hash."""
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower()
    if _is_hex(etag, 32):
        return etag
    if info.get("md5Hash"):
        try:
            return base64.b64decode(info["md5Hash"]).hex()
        except (binascii.Error, TypeError):
            return None
    return None


def _install_hint(protocol: str) -> str:
    extra = EXTRAS.get(protocol)
    if extra:
        return f"Install it with: pip install 'reporter[{extra}]'"
    return f"Install fsspec and its package for {protocol}:// (see fsspec's known implementations)."


@contextmanager
def _backend(action: str, where: str):
    """Storage failures (permissions, missing bucket, network) as one clear PublishError."""
    try:
        yield
    except PublishError:
        raise
    except Exception as exc:
        if not (isinstance(exc, OSError) or _from_backend(exc)):
            raise
        reason = str(exc) or type(exc).__name__
        raise PublishError(
            f"Cannot {action} '{where}': {reason}. Check that the destination exists and that "
            "the credentials allow it (pass settings with --storage-option KEY=VALUE)."
        ) from exc


def _from_backend(exc: BaseException) -> bool:
    if isinstance(exc, TypeError) and "unexpected keyword argument" in str(exc):
        return True  # a storage option the backend does not know, found at first use
    return type(exc).__module__.split(".")[0] in BACKEND_MODULES
