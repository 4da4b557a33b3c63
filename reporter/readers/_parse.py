"""What readers share beyond bounded reading (`reporter.files`): mappings, metric values,
flattening, times, artifact listing, and the rule that files resolving outside the run folder
are not read.

Every failure becomes a `RunReadError` naming the file (relative to the runs root) and, where the
parser knows it, the line.
"""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeGuard

from reporter.errors import RunReadError
from reporter.files import (  # noqa: F401 - the readers' one place for bounded reading
    MAX_DEPTH,
    MAX_TEXT_BYTES,
    MAX_VALUES,
    big_float,
    decode,
    is_regular,
    load_json,
    load_yaml,
    open_regular,
    read_bytes,
    read_text,
    sha256_of,
    tame,
)
from reporter.model import Artifact

# A number written as text, e.g. "0.93" or "-1e-3"; not "007" or "0x1f", which are names.
_NUMERIC_TEXT = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")


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
        return float(value) if isinstance(value, float) else big_float(value)
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


def own_file(path: Path, run_dir: Path, rel: str) -> Path:
    """`path`, if it is inside the run folder once symbolic links are resolved; else an error.

    A run's files are read and published (its history is copied into the site), so a link
    such as `card.md -> /etc/passwd` must not be followed.
    """
    if path.parent == run_dir and not path.is_symlink():  # a file of the folder itself
        return path
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


def list_artifacts(
    run_dir: Path, skip: set[str]
) -> tuple[tuple[Artifact, ...], list[tuple[str, str]]]:
    """Every regular file under the run folder except `skip`, with size and sha256, and the
    sub-folders that could not be listed (with why).

    Symbolic links are reported but never followed, so nothing outside the run is read; hidden
    files and folders are left out, and so are files that vanish or cannot be read while the
    run is being listed (a run still being written) and anything but regular files (FIFOs).
    """
    found = []
    unlisted: list[tuple[str, str]] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else run_dir
        rel = where.relative_to(run_dir).as_posix() if where.is_relative_to(run_dir) else "."
        unlisted.append((display_name(rel), str(exc.strerror or exc)))

    for folder, dirs, files in os.walk(run_dir, followlinks=False, onerror=unreadable):
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
            elif is_regular(path):
                try:
                    found.append(
                        Artifact(name=shown, size=path.stat().st_size, sha256=sha256_of(path))
                    )
                except (OSError, RunReadError):
                    continue
    return tuple(sorted(found, key=lambda a: a.name)), unlisted


def unlisted_problems(run_id: str, unlisted: list[tuple[str, str]]) -> tuple[str, ...]:
    """How a run's page names the folders of it that could not be listed."""
    return tuple(
        f"Cannot list the folder '{run_id}/{rel}': {why}; its files are not shown"
        for rel, why in unlisted
    )
