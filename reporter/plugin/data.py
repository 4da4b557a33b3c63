"""A site's cache folder: pages' data files (chart data, cards), and the page cache.

Data files are not MkDocs' files: pages link them by URLs reporter writes (in HTML, which
MkDocs does not check), so MkDocs need not make, copy or list one object per file. They are
hard-linked into the site being built, by a process beside MkDocs (`link_into`). Only where the
cache folder cannot be written do they go to MkDocs, from memory."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

from reporter.config import Settings
from reporter.files import UnsafePathError, inside, keep_file
from reporter.linking import Linker
from reporter.pages.cache import PageCache, templates_stamp
from reporter.pages.renderer import Page
from reporter.pipeline.cache import CACHE_UNWRITABLE, limits
from reporter.pipeline.site_files import SiteFile, write_if_changed

log = get_plugin_logger("reporter")


class DataFolder:
    """Pages' data files (chart data, cards), kept in the site's cache folder for cached pages.
    When that folder cannot be written, files are handed to MkDocs from memory instead, with
    one warning: the build goes on, uncached."""

    def __init__(self, folder: Path, failure: str = "", cache: PageCache | None = None) -> None:
        self.folder = folder
        self.failure = failure
        self.cache = cache  # told what was written, so the next build need not read it
        self.copies: set[str] = set()  # runs' files copied into the folder (see `copy_of`)
        self.linked: list[tuple[str, str]] = []  # (src_uri, file in the folder) for the site

    def file(self, config: MkDocsConfig, item: SiteFile) -> File | None:
        """A data file written into the folder (None: `link_into` puts it in the site), or
        MkDocs' file from memory where the folder cannot be written."""
        path = os.path.join(self.folder, item.src_uri)  # a string: 40,000 files at 10,000 runs
        if item.text is not None and not self.failure:
            self._write(item.src_uri, item.text)
        if item.text is not None and self.failure:
            return File.generated(config, item.src_uri, content=item.text)
        self.linked.append((item.src_uri, path))
        return None

    def write_page(self, page: Page) -> Page:
        """The page with its data files written into the folder, where it was rendered (a
        worker's files need not travel to the build, which links them as a cached page's); a
        file that cannot be written stays in the page, for `file` to hand to MkDocs."""
        for src_uri, source in page.copies:  # its run's own files, as `copy_of` copies them
            if self.failure or not self._copy(src_uri, source):
                break
        if self.failure or all(text is None for _, text in page.assets):
            return page
        assets = tuple(  # after a failure nothing more is tried, as in `file`
            (
                src,
                None if text is not None and not self.failure and self._write(src, text) else text,
            )
            for src, text in page.assets
        )
        return replace(page, assets=assets)

    def _write(self, src_uri: str, text: str) -> bool:
        path = os.path.join(self.folder, src_uri)
        try:
            write_if_changed(Path(path), text)
        except OSError as exc:
            where = os.path.dirname(path)
            self.failure = (
                f"{CACHE_UNWRITABLE} ({exc.strerror or exc}: {where}); this build keeps "
                "its chart data in memory and caches no page."
            )
            return False
        if self.cache is not None:
            self.cache.remember(src_uri, text)
        return True

    def copy_of(self, config: MkDocsConfig, item: SiteFile) -> File | None:
        """A run's own file shown in the site (its history): copied once into the cache
        folder, with the source's size and modification time, and hard-linked from there, so
        an unchanged file is neither read nor written again. The site never links the run's
        file itself: a file written in place (a history appended to) would change under the
        pages made from it. Where the cache folder cannot be used, MkDocs copies the source."""
        source = str(item.source)
        if not self.failure and self._copy(item.src_uri, source):
            self.copies.add(item.src_uri)
            self.linked.append((item.src_uri, os.path.join(self.folder, item.src_uri)))
            return None
        return File.generated(config, item.src_uri, abs_src_path=source)

    def _copy(self, src_uri: str, source: str) -> bool:
        """Whether the folder holds a copy of `source` at `src_uri`, copied now unless an
        unchanged one (same size and modification time) is there."""
        try:
            path = inside(self.folder, src_uri)
            if not _same_stamp(source, path):
                _copy_stamped(source, path)
        except (OSError, UnsafePathError):  # the build's own process says why (`check_relative`)
            return False
        return True

    @property
    def written(self) -> set[str]:
        """The files in the folder this build uses (what pruning keeps)."""
        return {path for _, path in self.linked}

    def link_into(self, site_dir: str, linker: Linker) -> None:
        """Have `linker` hard-link every data file into the site being built: one system
        call a file, nothing read or written. Safe because the folder
        replaces a changed file (a new inode) and never writes into one, an existing name in
        the site is unlinked first, never written through, and MkDocs writes none of these
        names (`make_room`). Copied where links fail (another file system, no permission)."""
        for src_uri, path in self.linked:
            linker.add(path, os.path.join(site_dir, src_uri))

    def prune_copies(self) -> None:
        """Remove the copies the last build made that this one did not use (runs gone)."""
        record = self.folder.parent / COPIES
        with contextlib.suppress(OSError, ValueError, TypeError, UnsafePathError):
            for src_uri in set(json.loads(record.read_text(encoding="utf-8"))) - self.copies:
                inside(self.folder, src_uri).unlink(missing_ok=True)
        keep_file(record, json.dumps(sorted(self.copies)))


COPIES = "copies.json"  # the runs' files the last build copied into the cache folder


def _same_stamp(source: str, copy: Path) -> bool:
    try:
        one, two = os.stat(source), os.stat(copy)
    except FileNotFoundError:
        return False
    return (one.st_size, one.st_mtime_ns) == (two.st_size, two.st_mtime_ns)


def _copy_stamped(source: str, copy: Path) -> None:
    """Copy `source` to `copy` (replaced, never written into), with the source's times; its
    mode follows the umask, as MkDocs' copies do (the web server must read it)."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    tmp = copy.with_name(f".{copy.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        stat = os.stat(source)
        os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(tmp, copy)
    finally:
        tmp.unlink(missing_ok=True)


def site_state(settings: Settings, site: Path) -> Path:
    """The cache folder of one site (its chart data and rendered pages): two sites built from
    one config never prune each other's files."""
    key = hashlib.sha256(str(site.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return settings.cache_dir / "sites" / key[:16]


def page_cache(settings: Settings, state: Path, *, lazy: bool = False) -> PageCache:
    """Pages depend on the settings (not on when or where the site is built); `lazy`, see
    `PageCache`."""
    salt = repr(
        (
            replace(settings, build_time=None, comparisons=()),
            templates_stamp(settings.templates),
            limits(),
        )
    )
    return PageCache(state, state / "data", salt, lazy=lazy)


def add_file(files: Files, file: File) -> None:
    """Add a generated file, in place of any file already at its path."""
    make_room(files, file.src_uri)
    files.append(file)


def make_room(files: Files, src_uri: str) -> None:
    """Take a file out of the way of a generated one, saying which it was."""
    existing = files.src_uris.get(src_uri)
    if existing is not None and getattr(existing, "generated_by", None):
        log.warning(f"'{src_uri}' is generated twice (also by {existing.generated_by}).")
    elif existing is not None:
        log.warning(
            f"'{src_uri}' exists in the docs folder and is generated too; "
            "the generated page wins. Rename or remove the hand-written file."
        )
        files.remove(existing)
