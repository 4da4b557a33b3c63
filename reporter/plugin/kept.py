"""Pages' finished HTML kept between builds, so a build after one new run renders one run page.

A page outside the navigation (a run page, for one) is made of its own Markdown and of what
every page shares: the configuration, the theme, the navigation, reporter's and MkDocs'
versions. `site_digest` fingerprints the shared part from what decides it (the config, the
documentation files, the titles of the pages in the navigation); a page's key adds its own
Markdown. A page whose key has HTML here is handed to MkDocs as a stub (its front matter and
title, which tags and search read), renders to nothing, and its kept HTML is hard-linked into
the site in place of MkDocs writing one (`QuietSkips` hides MkDocs' note on each empty page).

Material's search sees only a kept page's stub, so the entries it made for the page when it was
rendered are kept too (`complete`), in the order MkDocs builds the pages; run pages need none
where reporter's index replaces Material's (it indexes runs from the model), and nothing is
kept where Material's own index is published (offline search).

The fingerprint is checked once the navigation is known: `context_digest` of the navigation
MkDocs made must be the one recorded with the same site digest, else `StaleKeptPages` makes the
caller build again without kept pages. A kept build is therefore byte for byte a full one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from reporter.config.stamp import code_stamp
from reporter.files import keep_file, kept_object
from reporter.pages.urls import RUNS_DIR
from reporter.search.material import material_search_on

if TYPE_CHECKING:
    from reporter.linking import Failure, Linker

SEARCH_ENTRIES = "search-entries.json"
KEPT_TEMPLATE = ".reporter-kept.html"  # renders nothing: the kept HTML replaces its output


class StaleKeptPages(Exception):
    """Kept pages cannot be used (the navigation differs from the one they were made with, or
    one is gone): build in full (`reporter build` and `reporter serve` do so at once)."""


@contextlib.contextmanager
def stale_reported(plugin: Any) -> Iterator[None]:
    """`StaleKeptPages` for a driver that builds again (`plugin.builds_again`, set by `reporter
    build` and `reporter serve`); else (a plain `mkdocs build`) a `PluginError`, which MkDocs
    shows as one line, after dropping the kept pages so the next build renders every page."""
    try:
        yield
    except StaleKeptPages as exc:
        if plugin.builds_again:
            raise
        if plugin.kept is not None:
            plugin.kept.forget()
        raise PluginError(
            f"reporter: the pages kept from the previous build cannot be used ({exc}). They "
            "were dropped: build again, and every page is rendered (`reporter build` does so "
            "by itself)."
        ) from exc


def as_kept(page: Any) -> None:
    """Let MkDocs render a kept page to nothing with an empty template, not its stub through a
    new Markdown instance (2-3 ms a page): its output is the kept HTML; its title and tags are
    in its front matter, read before rendering. Its anchors stay unknown (`present_anchor_ids`
    None), so MkDocs does not check links into it: the build that rendered it did."""
    page.meta["template"] = KEPT_TEMPLATE

    def render(config: Any, files: Any) -> None:
        page.content, page.toc, page.present_anchor_ids = "", [], None

    page.render = render


class QuietSkips(logging.Filter):
    """Drops MkDocs' "Page skipped" note for the pages `skipped(src_uri)` says are not empty:
    kept pages (their output is linked) and pages framed in another process."""

    def __init__(self, skipped: Callable[[str], bool]) -> None:
        super().__init__()
        self.skipped = skipped
        self.logger = logging.getLogger("mkdocs.commands.build")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith(_SKIPPED):
            return True
        return not self.skipped(message.removeprefix(_SKIPPED).removesuffix(_EMPTY))

    def on(self) -> None:
        self.logger.addFilter(self)

    def off(self) -> None:
        self.logger.removeFilter(self)


_SKIPPED, _EMPTY = "Page skipped: '", "'. Generated empty output."  # MkDocs' words


class KeptPages:
    """HTML of pages outside the navigation, by key, in `folder` (one site's cache)."""

    def __init__(
        self, folder: Path, site_digest: str, searched: Callable[[str], bool] = lambda _: True
    ) -> None:
        self.folder = folder
        self.site_digest = site_digest
        self.searched = searched  # whether Material's search entries of a page are kept too
        self.used: set[str] = set()
        self.kept = 0
        self._first_link = 0  # kept pages' first link (`link`): the ones before are not theirs
        self.order: list[tuple[str, str]] = []  # (url, src_uri) of every page, as MkDocs built
        self._entries: dict[str, list[Any]] | None = None

    def key(self, src_uri: str, markdown_digest: str) -> str:
        digest = hashlib.sha256(self.site_digest.encode())
        digest.update(src_uri.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(markdown_digest.encode("ascii"))
        key = digest.hexdigest()
        self.used.add(key)
        return key

    def has(self, key: str, src_uri: str) -> bool:
        if self.searched(src_uri) and key not in self.entries:
            return False
        return os.path.isfile(os.path.join(self.folder, f"{key}.html"))

    @property
    def entries(self) -> dict[str, list[Any]]:
        """Material's search entries of kept pages, by key."""
        if self._entries is None:
            self._entries = kept_object(self.folder / SEARCH_ENTRIES)
        return self._entries

    def complete(
        self, material: list[Any], kept: Mapping[str, str], fresh: Mapping[str, str]
    ) -> list[Any]:
        """Material's search entries as a build of every page would list them: a kept page's
        from the build that rendered it (Material saw only its stub), in the order MkDocs
        built the pages. Records the entries of this build's pages for the next one."""
        by_url: dict[str, list[Any]] = {}
        for entry in material:
            location = str(entry.get("location", "")) if isinstance(entry, dict) else ""
            by_url.setdefault(location.split("#")[0], []).append(entry)
        out, record = [], {}
        for url, src_uri in self.order:
            entries = by_url.pop(url, [])
            if src_uri in kept and self.searched(src_uri):
                entries = self.entries.get(kept[src_uri], [])
            key = kept.get(src_uri) or fresh.get(src_uri)
            if key is not None and self.searched(src_uri):
                record[key] = entries
            out += entries
        for rest in by_url.values():  # pages MkDocs built without telling plugins (none known)
            out += rest
        keep_file(self.folder / SEARCH_ENTRIES, json.dumps(record, sort_keys=True))
        return out

    def link(self, kept: Mapping[str, str], files: Any, linker: Linker) -> None:
        """Have `linker` put the kept HTML of each page (src_uri -> key) at its place in the
        site: hard-linked (nothing read or written; the cache replaces an entry, never writes
        into it), copied where links fail."""
        self._first_link = len(linker.pairs)
        for src_uri, key in kept.items():
            target = files.get_file_from_path(src_uri).abs_dest_path
            linker.add(os.path.join(self.folder, f"{key}.html"), target)
            self.kept += 1

    def failure(self, failed: Failure) -> Exception:
        """What a failed link means: a kept page gone stops this kept build (`StaleKeptPages`:
        the caller builds again, rendering every page); any other link's error is itself."""
        position, error = failed
        if position >= self._first_link:
            return StaleKeptPages(f"a kept page is gone ({error})")
        return error

    def put(self, key: str, html: str) -> None:
        """Keep a page's HTML; a cache that cannot be written only costs the next build time."""
        keep_file(self.folder / f"{key}.html", html.encode("utf-8", errors="xmlcharrefreplace"))

    def check_context(self, digest: str) -> None:
        """Record the navigation made with this site digest, or check it is the recorded one."""
        path = self.folder / f"context-{self.site_digest}"
        try:
            recorded = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            recorded = None
        if recorded is not None and recorded != digest:
            self.forget()  # made with another navigation: none of them may be kept again
            raise StaleKeptPages("the navigation changed though its inputs did not")
        if recorded is None:
            keep_file(path, digest)

    def forget(self) -> None:
        """Drop every kept page, and the navigation recorded with them."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def prune(self) -> None:
        """Drop what this build did not use: the cache holds one site's pages."""
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if not self._current(entry.name):
                    _unlink(entry.path)

    def _current(self, name: str) -> bool:
        if name.endswith(".html"):
            return name[:-5] in self.used
        return not name.startswith("context-") or name == f"context-{self.site_digest}"


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def open_kept(
    config: Any, files: Any, items: Iterable[Any], folder: Path, *, search: bool
) -> KeptPages | None:
    """The kept pages of a build whose generated pages are `items`, in `folder`; None when
    this build cannot keep pages: its settings cannot be fingerprinted, or Material's own
    index is published (`search` off: it would lose kept pages' text)."""
    headings = [(i.src_uri, i.heading()) for i in items if i.page and i.in_nav]
    try:
        digest = site_digest(config, files, headings)
    except Exception as exc:  # noqa: BLE001 - an unforeseen config value: render every page
        get_plugin_logger("reporter").info(
            f"Rendering every page: the site's settings could not be fingerprinted ({exc})."
        )
        return None
    material = material_search_on(config.plugins)
    if material and not search:  # Material's own index (offline search) is written before
        return None  # on_post_build: a kept page's text would be missing from it

    def searched(src_uri: str) -> bool:  # Material's entries of a kept page are kept too
        return material and not src_uri.startswith(f"{RUNS_DIR}/")

    return KeptPages(folder, digest, searched)


def digest_of(parts: Iterable[object]) -> str:
    """A digest of `repr` of each part in order (parts must have stable reprs)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


# --- what every page shares, from MkDocs' objects -------------------------------------------

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def site_digest(config: Any, files: Any, nav_headings: Iterable[tuple[str, str]]) -> str:
    """What decides every page's frame before the navigation is made: the config (all but the
    output folder), the theme and plugins with their versions, reporter's code, the
    documentation files, the headings of generated pages in the navigation and
    `SOURCE_DATE_EPOCH`."""
    own = {id(f) for f in files if getattr(f, "generated_by", None) == "reporter"}
    documents = []
    for file in sorted(files, key=lambda f: f.src_uri):
        if id(file) in own:
            continue
        documents.append((file.src_uri, _file_stamp(file)))
    return digest_of(
        (
            code_stamp(),
            _versions(config),
            _canonical({k: v for k, v in config.items() if k not in _PER_BUILD}),
            _custom_dir_stamp(config),
            os.environ.get("SOURCE_DATE_EPOCH"),
            documents,
            sorted(nav_headings),
        )
    )


def context_digest(nav: Any) -> str:
    """The navigation MkDocs made (titles and URLs, nested), once every page has its title."""

    def walk(items: Iterable[Any]) -> list[Any]:
        return [
            (
                type(item).__name__,
                item.title,
                getattr(item, "url", None),
                walk(item.children) if item.children else None,
            )
            for item in items
        ]

    homepage = nav.homepage.url if nav.homepage is not None else None
    return digest_of((walk(nav.items), homepage))


_PER_BUILD = {"site_dir"}  # the temporary folder each build writes into


def _file_stamp(file: Any) -> object:
    if file.abs_src_path is None or file.is_documentation_page():
        return hashlib.sha256(file.content_bytes).hexdigest()
    try:
        stat = os.stat(file.abs_src_path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _custom_dir_stamp(config: Any) -> list[object]:
    custom = config.theme.custom_dir
    if not custom or not os.path.isdir(custom):
        return []
    stamps = []
    for path in sorted(Path(custom).rglob("*")):
        if path.is_file():
            stat = path.stat()
            stamps.append((path.relative_to(custom).as_posix(), stat.st_size, stat.st_mtime_ns))
    return stamps


def _versions(config: Any) -> list[tuple[str, str]]:
    """Versions of MkDocs and of the distributions that provide the theme and the plugins."""
    provided = _entry_point_versions()
    names = {"mkdocs", f"theme:{config.theme.name}"}
    names |= {
        f"plugin:{type(p).__module__}.{type(p).__qualname__}" for p in config.plugins.values()
    }
    return sorted((name, provided.get(name, "")) for name in names)


@functools.cache
def _entry_point_versions() -> dict[str, str]:
    """What each MkDocs theme and plugin entry point is, and its distribution's version (read
    once per process: `packages_distributions` would read every installed file list)."""
    versions = {"mkdocs": importlib.metadata.version("mkdocs")}
    for group, kind in (("mkdocs.themes", "theme"), ("mkdocs.plugins", "plugin")):
        for ep in importlib.metadata.entry_points(group=group):
            dist = f"{ep.dist.name}=={ep.dist.version}" if ep.dist else ""
            key = ep.name if kind == "theme" else ep.value.replace(":", ".")
            versions[f"{kind}:{key}"] = dist
    return versions


def _canonical(value: Any) -> Any:
    """A value whose `repr` is the same in every process (sets sorted, addresses dropped)."""
    from mkdocs.plugins import PluginCollection
    from mkdocs.theme import Theme

    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Theme):
        return (
            value.name,
            list(value.dirs),
            sorted(value.static_templates),
            _canonical(dict(value.items())),
        )
    if isinstance(value, PluginCollection):
        return [(name, type(p).__qualname__, _plugin_settings(p)) for name, p in value.items()]
    if isinstance(value, Mapping):
        return sorted((str(k), _canonical(v)) for k, v in value.items())
    if isinstance(value, set | frozenset):
        return sorted(repr(_canonical(v)) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return _ADDRESS.sub("", repr(value))


def _plugin_settings(plugin: Any) -> Any:
    """A plugin's options; for a hook module (`hooks:` in mkdocs.yml), its file's digest."""
    options = getattr(plugin, "config", None)
    if options is not None and hasattr(options, "items"):
        return _canonical(dict(options.items()))
    source = getattr(plugin, "__file__", None)
    try:
        return hashlib.sha256(Path(source).read_bytes()).hexdigest() if source else None
    except OSError:
        return None
