"""A site's cache folder: pages' data files (chart data, cards) for MkDocs, and the page cache."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from reporter.config import Settings
from reporter.files import hard_link
from reporter.pages.cache import PageCache, templates_stamp
from reporter.pipeline.cache import CACHE_UNWRITABLE, limits
from reporter.pipeline.site_files import SiteFile, write_if_changed


class DataFolder:
    """Pages' data files (chart data, cards), kept in the site's cache folder for cached pages.
    When that folder cannot be written, files are handed to MkDocs from memory instead, with
    one warning: the build goes on, uncached."""

    def __init__(self, folder: Path, failure: str = "", cache: PageCache | None = None) -> None:
        self.folder = folder
        self.written: set[Path] = set()
        self.failure = failure
        self.cache = cache  # told what was written, so the next build need not read it

    def file(self, config: MkDocsConfig, item: SiteFile) -> File:
        path = self.folder / item.src_uri
        if item.text is not None and not self.failure:
            try:
                write_if_changed(path, item.text)
                if self.cache is not None:
                    self.cache.remember(item.src_uri, item.text)
            except OSError as exc:
                self.failure = (
                    f"{CACHE_UNWRITABLE} ({exc.strerror or exc}: {path.parent}); this build "
                    "keeps its chart data in memory and caches no page."
                )
        if item.text is not None and self.failure:
            return File.generated(config, item.src_uri, content=item.text)
        self.written.add(path)
        return LinkedFile.generated(config, item.src_uri, abs_src_path=str(path))


class LinkedFile(File):
    """A data file from the cache folder, hard-linked into the site rather than copied (one
    system call, not a read and a write, for thousands of files). Safe because the cache
    replaces a changed file (a new inode) and never writes into one; the site's name is
    unlinked first, so nothing is written through a link either. Copied where links fail
    (another file system, no permission)."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        try:
            hard_link(str(self.abs_src_path), self.abs_dest_path)
        except OSError:
            super().copy_file(dirty)


def site_state(settings: Settings, site: Path) -> Path:
    """The cache folder of one site (its chart data and rendered pages): two sites built from
    one config never prune each other's files."""
    key = hashlib.sha256(str(site.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return settings.cache_dir / "sites" / key[:16]


def page_cache(settings: Settings, state: Path) -> PageCache:
    """Pages depend on the settings (not on when or where the site is built)."""
    salt = repr(
        (
            replace(settings, build_time=None, comparisons=()),
            templates_stamp(settings.templates),
            limits(),
        )
    )
    return PageCache(state, state / "data", salt)
