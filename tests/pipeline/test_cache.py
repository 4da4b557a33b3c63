"""The run cache and parallel reading (issue: scale)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from reporter import workers
from reporter.config import Settings
from reporter.pipeline import loading

from ..conftest import load_all, write_run


def settings_for(tmp_path: Path, **kw) -> Settings:
    return Settings.defaults(tmp_path / "runs", cache_dir=tmp_path / "cache", **kw)


def predictions(n: int = 300, seed: int = 0) -> str:
    import numpy as np

    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(int)
    s = np.round(np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1), 4)
    return "y_true,y_score\n" + "".join(f"{a},{b}\n" for a, b in zip(y, s, strict=True))


@pytest.fixture
def three_runs(tmp_path):
    for i in range(3):
        write_run(
            tmp_path / "runs",
            f"exp/r{i}",
            {"metrics.json": {"auc": 0.5 + i / 10}, "predictions.csv": predictions(seed=i)},
        )
    return tmp_path


def note(notes: list[str]) -> str:
    return next(n for n in notes if "from the cache" in n)


def test_unchanged_runs_come_from_the_cache(three_runs):
    settings = settings_for(three_runs)
    first, _, notes = load_all(settings)
    assert note(notes).startswith("0 runs from the cache, 3 read")
    second, _, notes = load_all(settings)
    assert note(notes).startswith("3 runs from the cache, 0 read")
    assert [r.id for r in second] == [r.id for r in first]
    assert second[0].evaluation.roc_auc == first[0].evaluation.roc_auc
    assert second[0].metrics == first[0].metrics


def test_a_changed_file_invalidates_its_run_only(three_runs):
    settings = settings_for(three_runs)
    load_all(settings)
    path = three_runs / "runs" / "exp" / "r1" / "metrics.json"
    path.write_text(json.dumps({"auc": 0.99}))
    runs, _, notes = load_all(settings)
    assert note(notes).startswith("2 runs from the cache, 1 read")
    assert runs[1].metrics == {"auc": 0.99}


def test_a_touched_but_unchanged_run_is_not_read_again(three_runs):
    settings = settings_for(three_runs)
    load_all(settings)
    path = three_runs / "runs" / "exp" / "r2" / "predictions.csv"
    os.utime(path, (1, 1))
    _, _, notes = load_all(settings)
    assert note(notes).startswith("3 runs from the cache, 0 read")


def test_a_deleted_run_disappears_and_its_entry_is_pruned(three_runs):
    settings = settings_for(three_runs)
    load_all(settings)
    assert len(list((three_runs / "cache" / "runs").glob("*[0-9a-f].pkl"))) == 3  # + 3 bodies
    import shutil

    shutil.rmtree(three_runs / "runs" / "exp" / "r0")
    runs, _, _ = load_all(settings)
    assert [r.id for r in runs] == ["exp/r1", "exp/r2"]
    assert len(list((three_runs / "cache" / "runs").glob("*.pkl"))) == 4  # 2 runs, 2 bodies


def _entries(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "cache" / "runs").glob("*.pkl"))


def test_entries_of_other_settings_stay_and_of_other_code_go(three_runs, monkeypatch):
    """Two settings (a build's and a listing's, or two bootstrap sizes) keep their entries
    side by side; a build by another version of reporter's code removes the old code's
    entries, which it can never use: an upgrade leaves no copy of every run behind."""
    from reporter.pipeline import cache

    load_all(settings_for(three_runs))
    first = _entries(three_runs)
    load_all(settings_for(three_runs, evaluation={"bootstrap": 50}))
    both = _entries(three_runs)
    assert len(first) == 6 and set(first) < set(both) and len(both) == 12
    monkeypatch.setattr(cache, "code_stamp", lambda: "another version of the code")
    runs, _, notes = load_all(settings_for(three_runs))
    assert note(notes).startswith("0 runs from the cache, 3 read") and len(runs) == 3
    upgraded = _entries(three_runs)
    assert len(upgraded) == 6 and not set(upgraded) & set(both)


def test_only_the_most_recent_settings_keep_their_entries(three_runs):
    for size in range(cache_recent() + 1):
        load_all(settings_for(three_runs, evaluation={"bootstrap": size}))
    assert len(_entries(three_runs)) == 2 * 3 * cache_recent()
    _, _, notes = load_all(settings_for(three_runs, evaluation={"bootstrap": 0}))
    assert note(notes).startswith("0 runs from the cache, 3 read")  # the oldest: gone
    _, _, notes = load_all(settings_for(three_runs, evaluation={"bootstrap": 2}))
    assert note(notes).startswith("3 runs from the cache, 0 read")


def cache_recent() -> int:
    from reporter.pipeline.cache import RECENT

    return RECENT


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_corrupt_cache_is_discarded_never_trusted(three_runs, damage):
    settings = settings_for(three_runs)
    load_all(settings)
    for entry in (three_runs / "cache" / "runs").glob("*.pkl"):
        data = entry.read_bytes()
        # None: a valid-looking checksum over a payload that is not an entry
        entry.write_bytes(
            damage if damage is not None else __import__("hashlib").sha256(b"x").digest() + b"x"
        )
        del data
    runs, _, notes = load_all(settings)
    assert note(notes).startswith("0 runs from the cache, 3 read")
    assert [r.metrics["auc"] for r in runs] == [0.5, 0.6, 0.7]


def test_a_flipped_byte_fails_the_checksum(three_runs):
    settings = settings_for(three_runs)
    load_all(settings)
    entry = next((three_runs / "cache" / "runs").glob("*.pkl"))
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF
    entry.write_bytes(bytes(data))
    _, _, notes = load_all(settings)
    assert note(notes).startswith("2 runs from the cache, 1 read")


def test_other_evaluation_settings_do_not_reuse_entries(three_runs):
    settings = settings_for(three_runs)
    load_all(settings)
    changed = replace(settings, evaluation=replace(settings.evaluation, threshold=0.3))
    runs, _, notes = load_all(changed)
    assert note(notes).startswith("0 runs from the cache, 3 read")
    assert runs[0].evaluation.at_threshold.threshold == 0.3


def test_problems_come_back_from_the_cache(tmp_path):
    write_run(tmp_path / "runs", "bad", {"predictions.csv": "y_true,y_score\n0,0.1\n1,nan\n"})
    settings = settings_for(tmp_path)
    _, first, _ = load_all(settings)
    _, second, notes = load_all(settings)
    assert note(notes).startswith("1 runs from the cache")
    assert [str(p) for p in second] == [str(p) for p in first] and len(first) == 1


def test_parallel_reading_gives_the_same_runs_in_the_same_order(tmp_path, monkeypatch):
    for i in range(12):
        write_run(
            tmp_path / "runs",
            f"e{i % 3}/r{i:02d}",
            {"metrics.json": {"auc": i / 100}, "predictions.csv": predictions(seed=i)},
        )
    serial, _, _ = load_all(settings_for(tmp_path, cache=False, workers=1))
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    parallel, _, notes = load_all(settings_for(tmp_path, cache=False, workers=2))
    assert "read by 2 processes" in note(notes)
    assert [r.id for r in parallel] == [r.id for r in serial]
    assert [r.evaluation.average_precision for r in parallel] == [
        r.evaluation.average_precision for r in serial
    ]
    assert [r.evaluation.ci for r in parallel] == [r.evaluation.ci for r in serial]


@pytest.mark.parametrize("thread", [False, True], ids=["alone", "beside-a-thread"])
def test_reading_workers_are_forked_only_where_fork_is_safe(tmp_path, monkeypatch, thread):
    """Forked workers start with what the build imported (spawned ones import it again); a
    thread in the build (`mkdocs serve`) makes fork unsafe, so workers are spawned there. A
    patch of this process is seen only by forked workers: it marks the runs they read."""
    import threading

    for i in range(6):
        write_run(tmp_path / "runs", f"r{i}", {"metrics.json": {"auc": i / 10}})
    parent, real = os.getpid(), loading.read_one

    def marked(item, settings):
        run, problems = real(item, settings)
        return replace(
            run, notes=f"read in {'a worker' if os.getpid() != parent else 'me'}"
        ), problems

    monkeypatch.setattr(loading, "read_one", marked)
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    stop = threading.Event()
    running = threading.Thread(target=stop.wait) if thread else None
    if running is not None:
        running.start()
    else:  # alone, whatever earlier tests left running (fsspec's IO thread outlives them)
        monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    try:
        runs, _, notes = load_all(settings_for(tmp_path, cache=False, workers=2))
    finally:
        stop.set()
        if running is not None:
            running.join()
    assert "read by 2 processes" in note(notes)
    assert [r.id for r in runs] == [f"r{i}" for i in range(6)]
    assert {r.notes for r in runs} == ({""} if thread else {"read in a worker"})


def test_page_cache_is_keyed_by_reporter_code(monkeypatch, tmp_path):
    from reporter.pages import cache as page_cache

    stamp = page_cache.templates_stamp(None)
    page_cache.code_stamp.cache_clear()
    monkeypatch.setattr(page_cache.Path, "read_bytes", lambda self: b"changed code")
    assert page_cache.templates_stamp(None) != stamp
    page_cache.code_stamp.cache_clear()


def _copy_repo_project(dest: Path) -> Path:
    import shutil

    from ..conftest import REPO

    for name in ("runs", "site_src"):
        shutil.copytree(REPO / name, dest / name)
    for name in ("mkdocs.yml", "comparisons.yaml"):
        shutil.copyfile(REPO / name, dest / name)
    return dest / "mkdocs.yml"


def test_light_runs_build_exactly_the_same_site(tmp_path, monkeypatch):
    """Many runs are kept as summaries, their bodies read back from the cache per page: the
    site must not change by a byte."""
    from reporter.site.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    full = build_site(_copy_repo_project(tmp_path / "full")).site_dir
    monkeypatch.setattr(loading, "SUMMARISE_FROM", 1)
    light_result = build_site(_copy_repo_project(tmp_path / "light"))
    assert all(r.summarised for r in light_result.report.study.runs)
    light = light_result.site_dir
    one = {p.relative_to(full): p.read_bytes() for p in full.rglob("*") if p.is_file()}

    def same_as_full(site: Path) -> None:
        two = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        assert one.keys() == two.keys()
        assert [k for k in one if one[k] != two[k]] == []

    same_as_full(light)
    # a details file damaged between builds: the run is read again, the site still the same
    cache = tmp_path / "light" / ".reporter-cache"
    for body in sorted((cache / "runs").glob("*.details.pkl"))[:3]:
        data = bytearray(body.read_bytes())
        data[-3] ^= 0xFF
        body.write_bytes(bytes(data))
    import shutil

    for pages in cache.glob("sites/*/pages"):  # make every page draw its run again
        shutil.rmtree(pages)
    same_as_full(build_site(tmp_path / "light" / "mkdocs.yml").site_dir)


@pytest.mark.parametrize("part", ["summary", "details"])
def test_a_flipped_byte_in_either_file_is_not_trusted(three_runs, part):
    settings = settings_for(three_runs)
    load_all(settings)
    files = sorted((three_runs / "cache" / "runs").glob("*.pkl"))
    entry = next(f for f in files if f.name.endswith(".details.pkl") == (part == "details"))
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF
    entry.write_bytes(bytes(data))
    runs, _, notes = load_all(settings)
    assert note(notes).startswith("2 runs from the cache, 1 read")
    assert all(r.evaluation is not None and r.histories == () for r in runs)  # full runs again


def test_a_fingerprint_covers_nested_files_and_links_never_fifos(tmp_path):
    from reporter.pipeline.cache import _files, content_digest, stat_digest

    run = write_run(tmp_path, "r", {"metrics.json": {"auc": 0.5}, "art/deep/model.txt": "a"})
    (tmp_path / "elsewhere").mkdir()
    (run / "linked").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(run / "pipe")
    covered = [os.path.relpath(path, run) for path, _ in _files(run)]
    assert sorted(covered) == ["art/deep/model.txt", "linked", "metrics.json"]
    assert _files(run) == _files(run)  # a fixed order
    assert [p for p, _ in _files(run / "metrics.json")] == [str(run / "metrics.json")]
    assert _files(run / "pipe") == [] and _files(tmp_path / "missing") == []
    before = stat_digest(run), content_digest(run)
    (run / "art" / "deep" / "model.txt").write_text("b")  # same size, a nested file
    os.utime(run / "art" / "deep" / "model.txt", ns=(1, 1))
    assert stat_digest(run) != before[0] and content_digest(run) != before[1]
    middle = stat_digest(run)
    (run / "linked").unlink()
    (run / "linked").symlink_to(tmp_path / "elsewhere" / "x")  # a link pointing elsewhere
    assert content_digest(run) not in before and stat_digest(run) != middle
