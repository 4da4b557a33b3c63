"""Reading untrusted files and writing generated ones, safely.

Reading (runs' files, journal embeds, tracker plots): only regular files are opened (a FIFO or a
device would block or never end), reads are bounded in size, and parsed JSON/YAML is bounded in
nesting and in values counted with YAML aliases expanded (so a "billion laughs" document costs
nothing to reject). Every failure is a `RunReadError` naming the file and, where the parser
knows it, the line.

Writing: every file a build writes goes through `inside()`, which refuses a path that would
leave its root (the site, the cache or an output folder), whatever a run's data says.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import stat
from pathlib import Path
from typing import IO, Any

import yaml

from reporter.errors import ReporterError, RunReadError
from reporter.text import size_text

_HASH_CHUNK = 1 << 20
MAX_TEXT_BYTES = 16 << 20  # metrics, config, metadata, card: far beyond any real one
MAX_DEPTH = 64  # nesting levels of a JSON/YAML document
MAX_VALUES = 200_000  # values in a YAML document, aliases expanded (a "billion laughs" guard)
_INT_RANGE = 1 << 63  # wider integers become floats (JSON tools and orjson stop at 64 bits)


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's, when built
    """SafeLoader that keeps timestamps as text: we parse them ourselves, with time zones.
    libyaml's parser (PyYAML's wheels have it) reads a run's config 5-10x faster and refuses
    nesting deeper than 1000 levels with a YAMLError."""


_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def open_regular(path: Path, rel: str) -> IO[bytes]:
    """`path` opened for reading if it is a regular file (links followed); never blocks.

    A FIFO, socket or device named like a run's file is refused instead of read: opening a FIFO
    waits for a writer forever, and a device never ends.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise RunReadError(f"cannot open the file: {exc.strerror or exc}", path=rel) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RunReadError(f"not a regular file ({_kind(mode)}); not read", path=rel)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_regular(path: Path) -> bool:
    """True for a regular file (links followed); False for anything else or a stat error."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def special_kind(path: Path) -> str | None:
    """What `path` is when it is neither a regular file nor a folder (links followed): "a
    FIFO", "a socket", "a device"; None otherwise, or when it does not exist."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else _kind(mode)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"


def read_bytes(path: Path, rel: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    """At most `limit` bytes of a file; a larger file (or one growing past it) is an error."""
    with open_regular(path, rel) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise RunReadError(f"cannot read the file: {exc.strerror or exc}", path=rel) from exc
    if len(data) > limit:
        raise RunReadError(f"the file is larger than {size_text(limit)}; not read", path=rel)
    return data


def read_text(path: Path, rel: str, limit: int = MAX_TEXT_BYTES) -> str:
    """Text of a UTF-8 file (a BOM is accepted); undecodable bytes are a clear error."""
    return decode(read_bytes(path, rel, limit), rel)


def decode(data: bytes, rel: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RunReadError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path=rel,
            line=line,
        ) from exc


def load_json(path: Path, rel: str, *, lenient: bool = False) -> Any:
    """A JSON file, bounded. `lenient` accepts the bare `NaN`, `Infinity` and `-Infinity` that
    Python's json writes (they become None, so nothing non-finite reaches a page)."""
    text = read_text(path, rel)
    if not text.strip():
        raise RunReadError("the file is empty (still being written?)", path=rel)
    constants = {"parse_constant": lambda _: None} if lenient else {}
    try:
        return tame(json.loads(text, **constants), rel, aliases=False)
    except json.JSONDecodeError as exc:
        raise RunReadError(f"invalid JSON: {exc.msg}", path=rel, line=exc.lineno) from exc
    except RecursionError as exc:
        raise RunReadError(_too_deep(), path=rel) from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise RunReadError(f"invalid JSON: {exc}", path=rel) from exc


def load_yaml(path: Path, rel: str) -> Any:
    return parse_yaml(read_text(path, rel), rel)


def parse_yaml(text: str, rel: str) -> Any:
    """YAML text (a file's, or a journal embed's), bounded like every file reporter reads."""
    if len(text.encode("utf-8", "surrogateescape")) > MAX_TEXT_BYTES:
        raise RunReadError(f"more than {size_text(MAX_TEXT_BYTES)} of YAML; not read", path=rel)
    try:
        return tame(yaml.load(text, Loader=_SafeLoader), rel)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise RunReadError(f"invalid YAML: {problem}", path=rel, line=line) from exc
    except RecursionError as exc:
        raise RunReadError(_too_deep(), path=rel) from exc
    except ValueError as exc:
        raise RunReadError(f"invalid YAML: {exc}", path=rel) from exc


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep; not read"


def tame(data: Any, rel: str, *, aliases: bool = True) -> Any:
    """Parsed JSON/YAML made safe to keep and show: bounded, text keys, 64-bit integers.

    Sizes are counted with YAML aliases expanded (memoised, so counting a "billion laughs"
    file is cheap) before anything walks the expanded tree. Sets become sorted lists, binary
    values a description, integers wider than 64 bits floats.
    """
    try:
        count = _count(data, 0, {})
    except RunReadError as exc:
        exc.path = rel
        raise
    if aliases and count > MAX_VALUES:  # JSON has no aliases: its size bounds it
        raise RunReadError(
            f"holds {count:,} values (a YAML alias counts once per use), more than the "
            f"{MAX_VALUES:,} a YAML file may hold; not read",
            path=rel,
        )
    return _normalise(data)


def _count(data: Any, depth: int, seen: dict[int, int]) -> int:
    if depth > MAX_DEPTH:
        raise RunReadError(_too_deep())
    if not isinstance(data, dict | list | tuple | set):
        return 1
    if id(data) not in seen:
        children = [*data.keys(), *data.values()] if isinstance(data, dict) else data
        seen[id(data)] = 1 + sum(_count(c, depth + 1, seen) for c in children)
    return seen[id(data)]


def _normalise(data: Any) -> Any:
    if isinstance(data, dict):
        return {_key(k): _normalise(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_normalise(v) for v in data]
    if isinstance(data, set | frozenset):
        return sorted((_normalise(v) for v in data), key=repr)
    if isinstance(data, bytes):
        return f"(binary, {len(data):,} bytes)"
    if (
        isinstance(data, int)
        and not isinstance(data, bool)
        and not -_INT_RANGE <= data < _INT_RANGE
    ):
        return big_float(data)
    return data


def _key(key: Any) -> str:
    return key if isinstance(key, str) else str(_normalise(key))


def big_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def sha256_of(path: Path, rel: str = "") -> str:
    """The sha256 of a regular file, read in chunks."""
    digest = hashlib.sha256()
    with open_regular(path, rel or path.name) as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class UnsafePathError(ReporterError):
    """A generated file's name would take it outside the folder it is written to."""


def check_relative(root: Path | str, rel: str) -> list[str]:
    """The segments of `rel`; `UnsafePathError` for one that would leave `root` (see
    `inside`), checked without making a path (every file of every build is checked)."""
    parts = rel.split("/")
    bad = not rel or "\\" in rel or "\0" in rel or any(p in ("..", ".", "") for p in parts)
    if bad:  # an absolute `rel` starts with an empty segment
        raise UnsafePathError(f"Refusing to write '{rel}': it would leave '{root}'.")
    return parts


def inside(root: Path, rel: str, *, make_parent: bool = False) -> Path:
    """`root / rel`, refusing any `rel` that is absolute, climbs with `..`, holds a backslash,
    a NUL or an empty segment: the one check every file the build writes goes through."""
    parts = check_relative(root, rel)
    path = root.joinpath(*parts)
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_inside(root: Path, rel: str, data: str | bytes) -> Path:
    """Write `data` to `root / rel` (checked by `inside`), replacing the file atomically."""
    path = inside(root, rel)
    replace_file(path, data)
    return path


def replace_file(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary file renamed over it: a
    reader sees the old file or the new one, and a hard link to the old one keeps it."""
    tmp = path.with_name(f".{path.name[:200]}.{os.getpid()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        tmp.write_bytes(payload)
    except FileNotFoundError:  # its folder is missing (a cache's first entry): made only then
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(payload)
    os.replace(tmp, path)


def kept_object(path: Path) -> dict[str, Any]:
    """A JSON object a cache kept (`keep_file`); empty when missing, unreadable or not one."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def keep_file(path: Path, data: str | bytes) -> None:
    """`replace_file` for a cache's entry: one that cannot be written only costs the next
    build time."""
    with contextlib.suppress(OSError):
        replace_file(path, data)


def link_or_copy(source: str, target: str) -> None:
    """`hard_link`, or a copy where links fail (another file system, no permission); an
    existing `target` is unlinked first either way, never written through."""
    try:
        hard_link(source, target)
    except OSError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        shutil.copyfile(source, target)


def hard_link(source: str, target: str) -> None:
    """A hard link at `target` to `source` (one system call when `target`'s folder exists and
    it does not; an existing `target` is unlinked first, never written through)."""
    try:
        os.link(source, target)
        return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except FileExistsError:
        os.unlink(target)
    os.link(source, target)
