"""The site's navigation with the generated pages it lacks."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from mkdocs.config.defaults import MkDocsConfig


def excluded_from_nav(config: MkDocsConfig, src_uri: str) -> bool:
    """The site's `not_in_nav` patterns name the page: it stays out of the nav."""
    patterns = config.not_in_nav
    return patterns is not None and patterns.match_file(src_uri)


def nav_with(nav: list[Any], pages: list[str]) -> list[Any]:
    """A site's own `nav` with the generated pages it lacks (leaderboard, experiments,
    comparisons) added beside the ones it lists: after the top-level entry holding the
    nearest page before it in `pages`, else before the one holding the nearest page after it,
    else at the end. MkDocs then has none to report as missing from the nav."""
    nav = list(nav)
    for i, page in enumerate(pages):
        if page in set(_nav_paths(nav)):
            continue
        holder = {p: n for n, entry in enumerate(nav) for p in _nav_paths(entry)}
        before = [holder[p] + 1 for p in reversed(pages[:i]) if p in holder]
        after = [holder[p] for p in pages[i + 1 :] if p in holder]
        nav.insert((before or after or [len(nav)])[0], page)
    return nav


def _nav_paths(nav: Any) -> Iterator[str]:
    """The page paths a nav (or a part of one) lists, however nested."""
    if isinstance(nav, str):
        yield posixpath.normpath(nav.removeprefix("./"))
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_paths(value)
    elif isinstance(nav, list):
        for entry in nav:
            yield from _nav_paths(entry)
