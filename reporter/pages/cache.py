"""A cache of rendered run pages, so a rebuild after one new run renders one run page.

A page is reused when everything it is made from is unchanged: the run's files (their
fingerprint), what other runs and the journal contribute to it (related runs, backlinks), the
settings, the templates and reporter's version. Its data files (chart data, cards) stay where
the build wrote them; an entry whose data files are gone is not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jinja2

from reporter import __version__
from reporter.config.stamp import code_stamp
from reporter.files import keep_file

SEEN = "data-files.json"  # the data files a build wrote or checked: size, time, inode, digest


class PageCache:
    def __init__(self, folder: Path, data_dir: Path, salt: str) -> None:
        self.folder = folder / "pages"
        self.data_dir = data_dir
        self.salt = salt
        self.hits = 0
        self.used: set[str] = set()  # keys this build looked up or stored: `save` keeps these
        self._seen: dict[str, list[Any]] | None = None  # data files recorded by the last build
        self._now: dict[str, list[Any]] = {}  # and by this one

    def key(self, *parts: Any) -> str:
        text = repr((__version__, self.salt, parts))
        return hashlib.sha256(text.encode()).hexdigest()

    def has(self, key: str) -> bool:
        self.used.add(key)
        return (self.folder / f"{key}.json").is_file()

    def get(self, key: str) -> tuple[str, tuple[tuple[str, None], ...]] | None:
        """(markdown, data files) of a cached page whose data files are in place and intact."""
        self.used.add(key)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            markdown, assets = entry["markdown"], [(str(a), str(h)) for a, h in entry["assets"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(markdown, str) or not all(self._checked(a, h) for a, h in assets):
            return None
        self.hits += 1
        return markdown, tuple((a, None) for a, _ in assets)

    def remember(self, src: str, text: str) -> None:
        """A data file the build just wrote with `text`: the next build need not read it."""
        stat = self._stat(src)
        if stat is not None:
            self._now[src] = [*stat, _digest(text)]

    def save(self) -> None:
        """Record the data files this build wrote or checked (their size, time, inode and
        digest), for the next build, and drop the entries it did not ask for (removed or
        changed runs, an earlier version's pages): the cache holds one site's pages, not every
        page it ever had."""
        self._write(self.folder / SEEN, self._now)
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                stem, dot, ext = entry.name.rpartition(".")
                if dot and ext == "json" and entry.name != SEEN and stem not in self.used:
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
            try:
                found = json.loads((self.folder / SEEN).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = {}
            self._seen = found if isinstance(found, dict) else {}
        return self._seen

    def _stat(self, src: str) -> list[int] | None:
        try:
            st = os.stat(self.data_dir / src)
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ino]

    def put(self, key: str, markdown: str, assets: tuple[tuple[str, str | None], ...]) -> None:
        self.used.add(key)
        if any(text is None for _, text in assets):
            return
        digests = [(src, _digest(text or "")) for src, text in assets]
        self._write(self.folder / f"{key}.json", {"markdown": markdown, "assets": digests})

    def _write(self, path: Path, entry: dict[str, Any]) -> None:
        keep_file(path, json.dumps(entry))

    def _intact(self, src: str, digest: str) -> bool:
        """A data file is used again only when its bytes are what the page was made with."""
        try:
            data = (self.data_dir / src).read_bytes()
        except OSError:
            return False
        return hashlib.sha256(data).hexdigest() == digest


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
