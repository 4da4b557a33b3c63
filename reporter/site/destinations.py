"""Where a site is published: a local folder or an fsspec URL, behind one small interface.

Folders are written with plain `os` calls (each file replaced atomically, no extra dependency);
URLs go through fsspec, imported lazily, its backend coming from an extra (`reporter[s3]`,
`reporter[gcs]`, `reporter[azure]`). Storage failures become one `PublishError` line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from reporter.errors import ReporterError

MANIFEST = ".reporter-manifest.json"
MANIFEST_VERSION = 1

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


@dataclass(frozen=True, slots=True)
class Entry:
    sha256: str
    size: int
    stamp: str | None = None  # the destination's version marker when the manifest recorded it


def content_type(path: str) -> str:
    """The Content-Type to serve `path` with."""
    suffix = os.path.splitext(path)[1].lower()
    guessed = mimetypes.guess_type(path, strict=False)[0]
    return CONTENT_TYPES.get(suffix) or guessed or "application/octet-stream"


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def md5_of(path: Path) -> str:
    """For comparing with the MD5 object stores report (not for security)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def safe_rel(rel: object) -> bool:
    if not isinstance(rel, str) or "\\" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def is_hex(value: object, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


class Destination(Protocol):
    url: str
    workers: int

    def files(self) -> dict[str, dict]: ...  # rel -> {"size": int, "stamp": str, "md5": str}
    def read(self, rel: str) -> bytes | None: ...
    def put(self, src: Path, rel: str) -> None: ...
    def write(self, rel: str, data: bytes) -> None: ...
    def remove(self, rels: list[str]) -> None: ...
    def same_content(self, rel: str, info: dict, src: Path, entry: Entry) -> bool: ...


def local_folder(dest: str) -> Path | None:
    """The folder a destination names (a path or a file:// URL), or None for a URL."""
    if "://" not in dest and "::" not in dest:
        return Path(dest).expanduser()
    parsed = urlparse(dest)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise PublishError(f"Cannot publish to '{dest}': file:// URLs name a local path.")
        return Path(unquote(parsed.path))
    return None


def open_destination(dest: str, storage_options: dict[str, Any] | None) -> Destination:
    """A folder for a path or a file:// URL, else an fsspec destination."""
    folder = local_folder(dest)
    if folder is not None:
        return LocalDestination(folder)
    return FsspecDestination.open(dest, storage_options or {})


class LocalDestination:
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
        with backend("list", self.url):
            for folder, _dirs, names in os.walk(self.root):  # never follows links
                for name in names:
                    rel = Path(folder, name).relative_to(self.root).as_posix()
                    stat = Path(folder, name).lstat()
                    if rel != MANIFEST:  # each write replaces the inode
                        stamp = f"{stat.st_ino}:{stat.st_mtime_ns}"
                        found[rel] = {"size": stat.st_size, "stamp": stamp, "md5": None}
        return found

    def read(self, rel: str) -> bytes | None:
        with backend("read", f"{self.url}/{rel}"):
            try:
                return (self.root / rel).read_bytes()
            except FileNotFoundError:
                return None

    def put(self, src: Path, rel: str) -> None:
        with backend("write", f"{self.url}/{rel}"), self._replacing(rel) as tmp:
            shutil.copyfile(src, tmp)

    def write(self, rel: str, data: bytes) -> None:
        with backend("write", f"{self.url}/{rel}"), self._replacing(rel) as tmp:
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
            with backend("delete", f"{self.url}/{rel}"):
                (self.root / rel).unlink(missing_ok=True)
                for folder in (self.root / rel).parents:  # prune emptied folders
                    if folder == self.root or any(folder.iterdir()):
                        break
                    folder.rmdir()

    def same_content(self, rel: str, info: dict, src: Path, entry: Entry) -> bool:
        path = self.root / rel
        return not path.is_symlink() and sha256_of(path) == entry.sha256


class FsspecDestination:
    """An fsspec URL. Each object is written in one request; uploads run in a few threads."""

    workers = 8

    def __init__(self, fs: Any, root: str, url: str) -> None:
        self.fs = fs
        self.root = root
        self.url = url
        protocols = fs.protocol if isinstance(fs.protocol, tuple | list) else (fs.protocol,)
        self.protocol = next((p for p in protocols if p in EXTRAS), protocols[0])

    @classmethod
    def open(cls, dest: str, storage_options: dict[str, Any]) -> FsspecDestination:
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
        with backend("list", self.url):
            self.fs.invalidate_cache(self.root)
            # A missing prefix lists as empty; a missing bucket fails here, before any write.
            infos = self.fs.find(self.root, withdirs=False, detail=True)
        found = {}
        for path, info in sorted(infos.items()):
            rel = path[len(prefix) :] if path.startswith(prefix) else ""
            if safe_rel(rel) and rel != MANIFEST and info.get("type", "file") == "file":
                size = int(info.get("size") or 0)
                found[rel] = {"size": size, "stamp": _stamp(info), "md5": _remotemd5_of(info)}
        return found

    def read(self, rel: str) -> bytes | None:
        with backend("read", f"{self.url}/{rel}"):
            try:
                return self.fs.cat_file(self._path(rel))
            except FileNotFoundError:
                return None

    def put(self, src: Path, rel: str) -> None:
        with backend("upload", f"{self.url}/{rel}"):
            self.fs.put_file(str(src), self._path(rel), **self._put_options(rel))

    def write(self, rel: str, data: bytes) -> None:
        with backend("upload", f"{self.url}/{rel}"):
            self.fs.pipe_file(self._path(rel), data, **self._put_options(rel))

    def remove(self, rels: list[str]) -> None:
        with backend("delete files in", self.url):
            self.fs.rm([self._path(rel) for rel in rels])

    def same_content(self, rel: str, info: dict, src: Path, entry: Entry) -> bool:
        return info["md5"] is not None and info["md5"] == md5_of(src)

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


def _remotemd5_of(info: dict) -> str | None:
    """The object's MD5 when the store reports it: a single-part S3 ETag, or GCS's md5Hash."""
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower()
    if is_hex(etag, 32):
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
def backend(action: str, where: str):
    """Storage failures (permissions, missing bucket, network) as one clear PublishError."""
    try:
        yield
    except PublishError:
        raise
    except Exception as exc:
        if not (isinstance(exc, OSError) or _frombackend(exc)):
            raise
        reason = str(exc) or type(exc).__name__
        raise PublishError(
            f"Cannot {action} '{where}': {reason}. Check that the destination exists and that "
            "the credentials allow it (pass settings with --storage-option KEY=VALUE)."
        ) from exc


def _frombackend(exc: BaseException) -> bool:
    if isinstance(exc, TypeError) and "unexpected keyword argument" in str(exc):
        return True  # a storage option the backend does not know, found at first use
    return type(exc).__module__.split(".")[0] in BACKEND_MODULES
