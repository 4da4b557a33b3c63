"""File parsing shared by readers: JSON/YAML with line numbers, flattening, hashing.

Every failure becomes a `RunReadError` naming the file (relative to the runs root) and, where the
parser knows it, the line.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from reporter.errors import RunReadError
from reporter.model import Artifact

_HASH_CHUNK = 1 << 20


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text: we parse them ourselves, with time zones."""


_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path, rel: str) -> str:
    """Text of a UTF-8 file (a BOM is accepted); undecodable bytes are a clear error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RunReadError(f"cannot open the file: {exc.strerror or exc}", path=rel) from exc
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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunReadError(f"invalid JSON: {exc.msg}", path=rel, line=exc.lineno) from exc


def load_yaml(path: Path, rel: str) -> Any:
    text = read_text(path, rel)
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise RunReadError(f"invalid YAML: {problem}", path=rel, line=line) from exc


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
    names = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
        return datetime.fromtimestamp(seconds, tz=UTC)
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


def list_artifacts(run_dir: Path, skip: set[str]) -> tuple[Artifact, ...]:
    """Every regular file under the run folder except `skip`, with size and sha256.

    Symbolic links are reported but never followed, so nothing outside the run is read; hidden
    files and folders are left out.
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
            if path.is_symlink():
                found.append(Artifact(name=rel, size=0, sha256="(symbolic link, not followed)"))
            elif path.is_file():
                found.append(Artifact(name=rel, size=path.stat().st_size, sha256=sha256_of(path)))
    return tuple(sorted(found, key=lambda a: a.name))
