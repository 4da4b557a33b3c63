"""The page cache uses an entry only while its data files hold the bytes it was made with; a
data file the last build wrote or checked, still the same file, is not read again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reporter.pages.cache import CachedMarkdown, EntryGone, PageCache, text_digest


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
        [f"{kept}.json", "data-files.json", "index.json"]
    )
    assert list(json.loads((new.folder / "index.json").read_text())) == [kept]


PAGE = "---\ntags:\n- fraud\ntitle: Run 7\n---\n\n# Run 7\n\n<div>tables and charts</div>\n"


def _lazy(tmp_path: Path) -> PageCache:
    return PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="test", lazy=True)


def _indexed_build(tmp_path: Path) -> str:
    cache = _cache(tmp_path)
    key = cache.key("run")
    cache.put(key, PAGE, ())
    cache.save()
    return key


def test_a_lazy_cache_knows_a_page_from_its_index_without_reading_it(
    tmp_path: Path, monkeypatch
) -> None:
    """A build whose pages' HTML is kept needs each page's digest and heading, not its text."""
    key = _indexed_build(tmp_path)
    entry = tmp_path / "state" / "pages" / f"{key}.json"
    real = Path.read_text

    def no_entries(path: Path, *args, **kwargs) -> str:
        assert path != entry, "read a page's entry"
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", no_entries)
    markdown, assets = _lazy(tmp_path).get(key)
    monkeypatch.undo()
    assert assets == ()
    assert isinstance(markdown, CachedMarkdown)
    assert markdown.digest == text_digest(PAGE)
    assert markdown.heading == "---\ntags:\n- fraud\ntitle: Run 7\n---\n# Run 7\n"
    assert markdown.text() == PAGE
    assert _cache(tmp_path).get(key) == (PAGE, ())  # not lazy: the text itself


def test_a_lazy_page_whose_entry_changed_or_went_is_never_used(tmp_path: Path) -> None:
    key = _indexed_build(tmp_path)
    markdown, _ = _lazy(tmp_path).get(key)
    entry = tmp_path / "state" / "pages" / f"{key}.json"
    entry.write_text(json.dumps({"markdown": PAGE + "tampered", "assets": []}))
    with pytest.raises(EntryGone, match="changed"):
        markdown.text()
    entry.unlink()
    with pytest.raises(EntryGone, match="gone"):
        markdown.text()
    assert _lazy(tmp_path).get(key) is None  # indexed, but its entry is gone: render it


def test_a_damaged_index_is_read_around(tmp_path: Path) -> None:
    key = _indexed_build(tmp_path)
    index = tmp_path / "state" / "pages" / "index.json"
    damaged_entries = [[1, 2], ["d", "h", [[1]]], ["d", "h", [["a.js", 3]]], ["d", "h", 7]]
    for damaged in ["{not json", "[]", *(json.dumps({key: e}) for e in damaged_entries)]:
        index.write_text(damaged)
        assert _lazy(tmp_path).get(key) == (PAGE, ())  # the entry itself, read whole


def test_a_workers_record_reaches_the_builds_cache(tmp_path: Path) -> None:
    """Forked workers render pages into their own copy of the cache: what they record (keys,
    index entries, checked data files) must reach the index the build saves."""
    worker = _cache(tmp_path)
    worker.restart()
    key = worker.key("run")
    worker.put(key, PAGE, ())
    build = _cache(tmp_path)
    build.merge(worker.record())
    build.save()
    assert list(json.loads((build.folder / "index.json").read_text())) == [key]


def test_a_data_file_is_hashed_once_where_its_page_was_rendered(
    tmp_path: Path, monkeypatch
) -> None:
    """A data file's digest is taken when its page is put (in a worker) and reused when the
    build writes the file; a text other than the one put (another length) is hashed again."""
    from reporter.pages import cache as page_cache

    texts = {"charts/a.js": "chart data", "runs/b.js": "run data"}
    worker = _cache(tmp_path)
    worker.restart()
    worker.put(worker.key("run"), PAGE, tuple(texts.items()))
    build = _cache(tmp_path)
    build.merge(worker.record())
    hashed: list[str] = []
    real = page_cache.text_digest
    monkeypatch.setattr(page_cache, "text_digest", lambda text: hashed.append(text) or real(text))
    for src, text in (("charts/a.js", "chart data"), ("runs/b.js", "other run data")):
        path = build.data_dir / src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        build.remember(src, text)
        assert build.record()[2][src][3] == real(text)  # the digest of the bytes written
    assert hashed == ["other run data"]
