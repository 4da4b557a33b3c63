"""The page cache uses an entry only while its data files hold the bytes it was made with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporter.pages.cache import PageCache


@pytest.fixture
def cache(tmp_path: Path) -> PageCache:
    return PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="test")


def _put(cache: PageCache, text: str = "chart data") -> str:
    key = cache.key("run")
    cache.put(key, "# Run", (("charts/a.js", text),))
    data = cache.data_dir / "charts" / "a.js"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(text)  # as the build writes it, after the entry
    return key


def test_an_entry_is_used_while_its_data_file_is_intact(cache: PageCache) -> None:
    key = _put(cache)
    assert cache.get(key) == ("# Run", (("charts/a.js", None),))
    assert cache.get(key) is not None


def test_a_checked_data_file_is_not_read_again(cache: PageCache, monkeypatch) -> None:
    key = _put(cache)
    assert cache.get(key) is not None  # reads and records the file's size, time and inode
    monkeypatch.setattr(PageCache, "_intact", lambda self, src, digest: pytest.fail("read"))
    assert cache.get(key) is not None


def test_a_changed_data_file_drops_the_entry(cache: PageCache) -> None:
    key = _put(cache)
    assert cache.get(key) is not None
    data = cache.data_dir / "charts" / "a.js"
    data.write_text("chart dat!")  # same size, in place
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache.get(key) is None
    data.write_text("chart data")
    assert cache.get(key) is not None


def test_a_missing_data_file_drops_the_entry(cache: PageCache) -> None:
    key = _put(cache)
    (cache.data_dir / "charts" / "a.js").unlink()
    assert cache.get(key) is None
