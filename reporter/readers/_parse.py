"""File parsing shared by readers: JSON/YAML with line numbers, flattening, hashing.

Every failure becomes a `RunReadError` naming the file (relative to the runs root) and, where the
parser knows it, the line. Run files are untrusted: reads are bounded in size, parsed data is
bounded in nesting and size (YAML aliases can make a small file expand enormously), and files
that resolve outside the run folder are not read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from reporter.errors import RunReadError
from reporter.model import Artifact
from reporter.text import size_text

_HASH_CHUNK = 1 << 20
MAX_TEXT_BYTES = 16 << 20  # metrics, config, metadata, card: far beyond any real one
MAX_DEPTH = 64  # nesting levels of a JSON/YAML document
MAX_VALUES = 200_000  # values in a JSON/YAML document, YAML aliases expanded
_INT_RANGE = 1 << 63  # wider integers become floats (JSON tools and orjson stop at 64 bits)
# A number written as text, e.g. "0.93" or "-1e-3"; not "007" or "0x1f", which are names.
_NUMERIC_TEXT = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text: we parse them ourselves, with time zones."""


_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_bytes(path: Path, rel: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    """At most `limit` bytes of a file; a larger file (or one growing past it) is an error."""
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise RunReadError(f"cannot open the file: {exc.strerror or exc}", path=rel) from exc
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


def load_json(path: Path, rel: str) -> Any:
    text = read_text(path, rel)
    if not text.strip():
        raise RunReadError("the file is empty (still being written?)", path=rel)
    try:
        return tame(json.loads(text), rel)
    except json.JSONDecodeError as exc:
        raise RunReadError(f"invalid JSON: {exc.msg}", path=rel, line=exc.lineno) from exc
    except RecursionError as exc:
        raise RunReadError(_too_deep(), path=rel) from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise RunReadError(f"invalid JSON: {exc}", path=rel) from exc


def load_yaml(path: Path, rel: str) -> Any:
    text = read_text(path, rel)
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


def tame(data: Any, rel: str) -> Any:
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
    if count > MAX_VALUES:
        raise RunReadError(
            f"holds {count:,} values (a YAML alias counts once per use), more than the "
            f"{MAX_VALUES:,} a run file may hold; not read",
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
        return _big_float(data)
    return data


def _key(key: Any) -> str:
    return key if isinstance(key, str) else str(_normalise(key))


def _big_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def load_mapping(path: Path, rel: str) -> dict[str, Any]:
    """A JSON or YAML file that must hold a mapping (an empty YAML file is an empty mapping)."""
    data = load_json(path, rel) if path.suffix == ".json" else load_yaml(path, rel)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RunReadError(
            f"expected a mapping of names to values, got {type_name(data)}", path=rel
        )
    return {str(k): v for k, v in data.items()}


def type_name(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_metric(value: Any) -> float | None:
    """A metric value: a number, or a number written as text ("0.93"); else None.

    Booleans are not metrics, and neither is text such as "n/a", "007" or "0x1f".
    """
    if is_number(value):
        return float(value) if isinstance(value, float) else _big_float(value)
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value.strip()):
        return float(value)
    return None


def flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings to dotted keys; lists and scalars are leaves. Sorted by key."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten({str(k): v for k, v in value.items()}, f"{name}."))
        else:
            flat[name] = value
    return dict(sorted(flat.items()))


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 text, a date or an epoch number to an aware datetime (naive means UTC)."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    elif is_number(value) and math.isfinite(value):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds, as MLflow writes
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, ValueError, OSError):  # beyond the years 1..9999
            return None
    elif isinstance(value, str) and value.strip():
        try:
            stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def own_file(path: Path, run_dir: Path, rel: str) -> Path:
    """`path`, if it is inside the run folder once symbolic links are resolved; else an error.

    A run's files are read and published (its history is copied into the site), so a link
    such as `card.md -> /etc/passwd` must not be followed.
    """
    if not path.resolve().is_relative_to(run_dir.resolve()):
        raise RunReadError(
            "a symbolic link to a file outside the run folder; not read (copy the file into "
            "the run instead)",
            path=rel,
        )
    return path


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 shown as \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_artifacts(run_dir: Path, skip: set[str]) -> tuple[Artifact, ...]:
    """Every regular file under the run folder except `skip`, with size and sha256.

    Symbolic links are reported but never followed, so nothing outside the run is read; hidden
    files and folders are left out, and so are files that vanish or cannot be read while the
    run is being listed (a run still being written).
    """
    found = []
    for folder, dirs, files in os.walk(run_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        links = [d for d in dirs if (base / d).is_symlink()]
        for name in sorted(files + links):
            path = base / name
            rel = path.relative_to(run_dir).as_posix()
            if rel in skip or name.startswith("."):
                continue
            shown = display_name(rel)
            if path.is_symlink():
                found.append(Artifact(name=shown, size=0, sha256="(symbolic link, not followed)"))
            elif path.is_file():
                try:
                    found.append(
                        Artifact(name=shown, size=path.stat().st_size, sha256=sha256_of(path))
                    )
                except OSError:
                    continue
    return tuple(sorted(found, key=lambda a: a.name))
