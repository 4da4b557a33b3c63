"""The example study built once per session, for every test of the built example site."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.site.build import build_site

from ..conftest import REPO


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("example") / "site"
    build_site(REPO / "mkdocs.yml", site_dir=site)
    return site
