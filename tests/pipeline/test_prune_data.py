"""Pruning the data folder: files no page of this build uses go, the others stay."""

from __future__ import annotations

from pathlib import Path

from reporter.pages import urls
from reporter.pipeline.site_files import prune_data


def test_only_the_data_files_this_build_used_are_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    used = [data / urls.CHART_DATA_DIR / "a" / "used.js", data / urls.RUN_DATA_DIR / "r.js"]
    stale = [data / urls.CHART_DATA_DIR / "a" / "old.js", data / urls.RUN_DATA_DIR / "x" / "y.js"]
    other = data / urls.CHART_DATA_DIR / "notes.txt"  # not data this build makes
    for path in [*used, *stale, other]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    prune_data(data, {str(p) for p in used})
    assert all(p.is_file() for p in used) and other.is_file()
    assert not any(p.exists() for p in stale)
