"""A cache of rendered run pages, so a rebuild after one new run renders one run page.

A page is reused when everything it is made from is unchanged: the run's files (their
fingerprint), what other runs and the journal contribute to it (related runs, backlinks), the
settings, the templates and reporter's version. Its data files (chart data, cards) stay where
the build wrote them; an entry whose data files are gone is not used.

An index (`INDEX`) holds each entry's Markdown digest and heading and its data files' digests,
so a build whose pages' HTML is kept (`reporter.plugin.kept`) reads one file, not one per page:
with `lazy`, a page is `CachedMarkdown`, read only if it is rendered after all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reporter import __version__
from reporter.config.stamp import code_stamp
from reporter.files import keep_file, kept_object
from reporter.pages.handover import heading

SEEN = "data-files.json"  # the data files a build wrote or checked: size, time, inode, digest
INDEX = "index.json"  # key -> [Markdown digest, heading, [[data file, digest], ...]]
_OWN = (SEEN, INDEX)

Assets = tuple[tuple[str, str | None], ...]
# keys used, index entries, data files checked, data files digested (length, digest) by `put`
Record = tuple[set[str], dict[str, list[Any]], dict[str, list[Any]], dict[str, tuple[int, str]]]


class EntryGone(Exception):
    """A cached page's Markdown that the index promised is gone or changed since."""


@dataclass(frozen=True, slots=True)
class CachedMarkdown:
    """A cached page's Markdown as the index knows it: its digest and heading (front matter and
    title), all a page whose HTML is kept needs. `text` reads it, for a page rendered after all;
    it raises `EntryGone` when the entry went missing or changed meanwhile."""

    path: str
    digest: str
    heading: str

    def text(self) -> str:
        try:
            markdown = json.loads(Path(self.path).read_text(encoding="utf-8"))["markdown"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EntryGone(f"a cached page is gone ({self.path})") from exc
        if not isinstance(markdown, str) or text_digest(markdown) != self.digest:
            raise EntryGone(f"a cached page changed ({self.path})")
        return markdown


class PageCache:
    def __init__(self, folder: Path, data_dir: Path, salt: str, *, lazy: bool = False) -> None:
        self.folder = folder / "pages"
        self.data_dir = data_dir
        self._data = str(data_dir)  # joined as strings: every data file of every page, each build
        self.salt = salt
        self.lazy = lazy  # pages from the index come as `CachedMarkdown`, read when needed
        self.hits = 0
        self.used: set[str] = set()  # keys this build looked up or stored: `save` keeps these
        self._seen: dict[str, list[Any]] | None = None  # data files recorded by the last build
        self._now: dict[str, list[Any]] = {}  # and by this one
        self._index: dict[str, Any] | None = None  # the last build's index
        self._indexed: dict[str, list[Any]] = {}  # and this one's
        self._digested: dict[str, tuple[int, str]] = {}  # data file -> (length, digest) from `put`

    def key(self, *parts: Any) -> str:
        text = repr((__version__, self.salt, parts))
        return hashlib.sha256(text.encode()).hexdigest()

    def has(self, key: str) -> bool:
        self.used.add(key)
        return key in self.index or (self.folder / f"{key}.json").is_file()

    def get(self, key: str) -> tuple[str | CachedMarkdown, Assets] | None:
        """(Markdown, data files) of a cached page whose data files are in place and intact;
        with `lazy`, an indexed page's Markdown is `CachedMarkdown`."""
        self.used.add(key)
        path = os.path.join(self.folder, f"{key}.json")
        markdown: str | CachedMarkdown
        entry = self.index.get(key) if self.lazy else None
        if _indexed(entry) and os.path.isfile(path):
            digest, head, assets = entry
            markdown = CachedMarkdown(path=path, digest=digest, heading=head)
        else:
            try:
                with open(path, encoding="utf-8") as fh:
                    found = json.load(fh)
                markdown, assets = found["markdown"], [[str(a), str(h)] for a, h in found["assets"]]
            except (OSError, ValueError, KeyError, TypeError):
                return None
            if not isinstance(markdown, str):
                return None
            digest, head = text_digest(markdown), heading(markdown)
        if not all(self._checked(a, h) for a, h in assets):
            return None
        self._indexed[key] = [digest, head, assets]
        self.hits += 1
        return markdown, tuple((a, None) for a, _ in assets)

    @property
    def index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = kept_object(self.folder / INDEX)
        return self._index

    def record(self) -> Record:
        """What this process looked up and learnt (a forked worker hands it to the build)."""
        return self.used, self._indexed, self._now, self._digested

    def restart(self) -> None:
        """Start a new record (a forked worker, for each share of pages it renders)."""
        self.used, self._indexed, self._now, self._digested = set(), {}, {}, {}

    def merge(self, record: Record) -> None:
        used, indexed, now, digested = record
        self.used |= used
        self._indexed |= indexed
        self._now |= now
        self._digested |= digested

    def remember(self, src: str, text: str) -> None:
        """A data file the build just wrote with `text`: the next build need not read it. Its
        digest is the one its page's `put` took, where it took one (hashed once, in a worker)."""
        stat, known = self._stat(src), self._digested.pop(src, None)
        if stat is not None:
            same = known is not None and known[0] == len(text)
            self._now[src] = [*stat, known[1] if same else text_digest(text)]

    def save(self) -> None:
        """Record the data files this build wrote or checked (their size, time, inode and
        digest) and the index of its pages, for the next build, and drop the entries it did
        not ask for (removed or changed runs, an earlier version's pages): the cache holds one
        site's pages, not every page it ever had."""
        self._write(self.folder / SEEN, self._now)
        self._write(self.folder / INDEX, {k: v for k, v in self._indexed.items() if k in self.used})
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                stem, dot, ext = entry.name.rpartition(".")
                if dot and ext == "json" and entry.name not in _OWN and stem not in self.used:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _checked(self, src: str, digest: str) -> bool:
        """A data file is intact when its bytes have the recorded digest. A file whose size,
        time and inode are those recorded with that digest is not read again (the cache
        replaces a changed file: a new inode and time)."""
        stat = self._stat(src)
        if stat is None:
            return False
        if self.seen.get(src) != [*stat, digest] and not self._intact(src, digest):
            return False
        self._now[src] = [*stat, digest]
        return True

    @property
    def seen(self) -> dict[str, list[Any]]:
        if self._seen is None:
            self._seen = kept_object(self.folder / SEEN)
        return self._seen

    def _stat(self, src: str) -> list[int] | None:
        try:
            st = os.stat(os.path.join(self._data, src))
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ino]

    def put(self, key: str, markdown: str, assets: Assets) -> None:
        self.used.add(key)
        if any(text is None for _, text in assets):
            return
        digests = []
        for src, text in assets:
            digest = text_digest(text or "")
            digests.append([src, digest])
            self._digested[src] = (len(text or ""), digest)
        self._write(self.folder / f"{key}.json", {"markdown": markdown, "assets": digests})
        self._indexed[key] = [text_digest(markdown), heading(markdown), digests]

    def _write(self, path: Path, entry: dict[str, Any]) -> None:
        keep_file(path, json.dumps(entry))

    def _intact(self, src: str, digest: str) -> bool:
        """A data file is used again only when its bytes are what the page was made with."""
        try:
            data = (self.data_dir / src).read_bytes()
        except OSError:
            return False
        return hashlib.sha256(data).hexdigest() == digest


def text_digest(text: str) -> str:
    """The digest of a page's Markdown (what a kept page's key is made of) or of a data file's
    text (the bytes written, UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _indexed(entry: Any) -> bool:
    """An index entry of the expected shape (the file is the cache's, but may be damaged)."""
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], str)
        and isinstance(entry[1], str)
        and isinstance(entry[2], list)
        and all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], str)
            for a in entry[2]
        )
    )


def templates_stamp(folder: Path | None) -> str:
    """Changes when a user template or reporter's own code or templates change."""
    user = ""
    if folder is not None and folder.is_dir():
        user = ";".join(
            f"{p.relative_to(folder)}:{p.stat().st_mtime_ns}"
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        )
    return f"{code_stamp()}|{user}"


class TemplateCode(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds (compiling MkDocs' theme and reporter's templates
    costs about a second a build). Jinja checks each entry against its template's source; a
    folder that cannot be read or written only costs the compile."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
