"""Kept pages' stubs, read without YAML.

MkDocs reads every page's front matter with YAML before any plugin sees the page: about 80 µs a
page, and so a large part of what a kept page costs a build of 10,000 runs. A stub depends only
on its page's Markdown, which the page's key covers (`KeptPages.key`), so it is parsed once, by
MkDocs' own function, in the build that renders the page (`fresh`); a later build that keeps the
page hands MkDocs that Markdown and meta from `stubs.json` (`read`).

An entry is kept only when its meta comes back from JSON unchanged (text, numbers, booleans,
lists, mappings with text keys); any other page, and every page while another plugin supplies
pages' sources (`on_page_read_source`), is read by MkDocs as before.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.utils.meta import get_data

from reporter.files import keep_file, kept_object
from reporter.pages.handover import heading

if TYPE_CHECKING:
    from reporter.pages.renderer import Page

STUBS = "stubs.json"


def _version() -> str:
    """What parses a stub: MkDocs' front matter reader and PyYAML."""
    return ":".join(importlib.metadata.version(name) for name in ("mkdocs", "PyYAML"))


class Stubs:
    """Stubs' Markdown and meta by page key, in `folder` (the kept pages' folder)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STUBS
        found = kept_object(self.path)
        stubs = found.get("stubs") if found.get("version") == _version() else None
        self.known: dict[str, Any] = stubs if isinstance(stubs, dict) else {}
        self.kept: dict[str, str] = {}  # src_uri -> key of a kept page read from here
        self.used: dict[str, list[str]] = {}  # key -> [markdown, meta as JSON], to save

    def fresh(self, key: str, stub: str, parsed: tuple[str, ...] | None = None) -> None:
        """A page rendered this build, to be kept: its stub parsed as MkDocs will (here, or
        where it was rendered: `parsed`, see `parsed_stub`)."""
        entry = _parsed(stub) if parsed is None else list(parsed) or None
        if entry is not None:
            self.used[key] = entry

    def kept_page(self, src_uri: str, key: str, stub: str) -> None:
        """A page kept this build: its stub as recorded, else parsed now (and recorded)."""
        entry = self.known.get(key)
        entry = entry if _recorded(entry) else _parsed(stub)
        if entry is not None:
            self.kept[src_uri] = key
            self.used[key] = entry

    def read(self, page: Any, config: Any) -> None:
        """Hand MkDocs a kept page's stub without YAML, unless a plugin supplies sources."""
        key = self.kept.get(page.file.src_uri)
        if key is None or config.plugins.events.get("page_read_source"):
            return
        markdown, meta = self.used[key]

        def read_source(config: Any) -> None:
            page.markdown, page.meta = markdown, json.loads(meta)

        page.read_source = read_source

    def save(self) -> None:
        """Keep the stubs of this build's kept and rendered pages (when they changed)."""
        if self.used != self.known:
            keep_file(self.path, json.dumps({"version": _version(), "stubs": self.used}))


def parsed_stub(markdown: str) -> tuple[str, ...]:
    """The stub of a page of this Markdown parsed as `Stubs.fresh` parses it, where the page is
    rendered (on every core, not in the build's process): (Markdown, meta as JSON), or () when
    JSON would not give the meta back."""
    return tuple(_parsed(heading(markdown)) or ())


def with_stub(finish: Callable[[Page], Page], page: Page) -> Page:
    """`finish(page)`, with the page's stub parsed (`parsed_stub`) where it was rendered."""
    if not isinstance(page.markdown, str):  # a cached page's: nothing was rendered
        return finish(page)
    return replace(finish(page), stub=parsed_stub(page.markdown))


def _recorded(entry: Any) -> bool:
    """An entry as `save` writes it: Markdown and a JSON object (the file may be damaged)."""
    if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(p, str) for p in entry)):
        return False
    try:
        return isinstance(json.loads(entry[1]), dict)
    except ValueError:
        return False


def _parsed(stub: str) -> list[str] | None:
    """[Markdown, meta as JSON] of a stub, as MkDocs parses it; None when JSON would not give
    the meta back unchanged."""
    markdown, meta = get_data(stub)
    try:
        text = json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return [markdown, text] if _same(json.loads(text), meta) else None


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (1, 1.0 and True are equal, but not the same)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
