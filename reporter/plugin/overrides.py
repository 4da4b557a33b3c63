"""What `reporter serve --runs` overrides: MkDocs' server makes the plugin itself (again on
every rebuild), so the command line's runs reach it here rather than through an attribute set
after loading."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

overrides: dict[str, Any] = {}


@contextlib.contextmanager
def runs_overridden(runs: str | None, storage_options: dict[str, Any] | None) -> Iterator[None]:
    """Every plugin made inside the block reads `runs` (and its storage options)."""
    overrides.update(runs=runs, storage_options=storage_options)
    try:
        yield
    finally:
        overrides.clear()
