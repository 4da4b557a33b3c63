"""The example study built once per session, for every test of the built example site; a copy
of the example project built once, for tests of later builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reporter.site.build import build_site

from ..conftest import REPO


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("example") / "site"
    build_site(REPO / "mkdocs.yml", site_dir=site)
    return site


def _project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "comparisons.yaml"):
        shutil.copy2(REPO / name, dest / name)
    for name in ("site_src", "runs"):
        shutil.copytree(REPO / name, dest / name)
    return dest / "mkdocs.yml"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the example project, built once (cold), under SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    config = _project(tmp_path / "project")
    first = build_site(config)
    assert first.pages_kept == 0
    return config
