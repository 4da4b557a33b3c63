"""The page cache uses an entry only while its data files hold the bytes it was made with; a
data file the last build wrote or checked, still the same file, is not read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporter.pages.cache import PageCache


def _cache(tmp_path: Path) -> PageCache:
    return PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="test")


def _build(tmp_path: Path, text: str = "chart data") -> str:
    """A build: the page's entry, then its data file written (and remembered), then saved."""
    cache = _cache(tmp_path)
    key = cache.key("run")
    cache.put(key, "# Run", (("charts/a.js", text),))
    data = cache.data_dir / "charts" / "a.js"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(text)
    cache.remember("charts/a.js", text)
    cache.save()
    return key


def _no_reading(monkeypatch) -> None:
    monkeypatch.setattr(PageCache, "_intact", lambda self, src, digest: pytest.fail("read"))


def test_a_data_file_the_last_build_wrote_is_not_read(tmp_path: Path, monkeypatch) -> None:
    key = _build(tmp_path)
    _no_reading(monkeypatch)
    assert _cache(tmp_path).get(key) == ("# Run", (("charts/a.js", None),))


def test_a_checked_file_is_remembered_by_the_build_that_checked_it(
    tmp_path: Path, monkeypatch
) -> None:
    key = _build(tmp_path)
    (tmp_path / "state" / "pages" / "data-files.json").unlink()  # nothing recorded
    cache = _cache(tmp_path)
    assert cache.get(key) is not None  # read and checked
    cache.save()
    _no_reading(monkeypatch)
    assert _cache(tmp_path).get(key) is not None


def test_a_changed_data_file_drops_the_entry(tmp_path: Path) -> None:
    key = _build(tmp_path)
    data = tmp_path / "state" / "data" / "charts" / "a.js"
    data.write_text("chart dat!")  # same size, in place
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert _cache(tmp_path).get(key) is None
    data.write_text("chart data")
    assert _cache(tmp_path).get(key) is not None


def test_a_replaced_data_file_is_read_again(tmp_path: Path) -> None:
    key = _build(tmp_path)
    data = tmp_path / "state" / "data" / "charts" / "a.js"
    stat = data.stat()
    tmp = data.with_name("new.js")
    tmp.write_text("chart dat!")
    os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time, new inode
    os.replace(tmp, data)
    assert _cache(tmp_path).get(key) is None


def test_a_missing_data_file_drops_the_entry(tmp_path: Path) -> None:
    key = _build(tmp_path)
    (tmp_path / "state" / "data" / "charts" / "a.js").unlink()
    assert _cache(tmp_path).get(key) is None


def test_save_drops_the_entries_this_build_did_not_ask_for(tmp_path: Path) -> None:
    """A removed run's page, or a page made by an earlier version of reporter, leaves the cache
    with the next build: it holds one site's pages, not every page it ever had."""
    old = _cache(tmp_path)
    for name in ("kept", "removed"):
        old.put(old.key(name), f"# {name}", ())
    old.save()
    new = _cache(tmp_path)
    kept = new.key("kept")
    assert new.get(kept) == ("# kept", ())
    new.save()
    assert sorted(p.name for p in new.folder.iterdir()) == sorted(
        [f"{kept}.json", "data-files.json"]
    )
