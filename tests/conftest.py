"""Shared fixtures: a factory that writes runs, and a real MkDocs build of a fixture project."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from reporter.config import Settings
from reporter.evaluation.evaluate import EvalOptions

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

MKDOCS_YML = """\
site_name: Test reports
docs_dir: docs
site_dir: site
theme:
  name: material
  font: false
  features: [navigation.instant]
plugins:
  - reporter:
      runs: runs
  - search
  - tags
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""


def write_run(root: Path, run_id: str, files: dict[str, Any]) -> Path:
    """Write a run folder: dicts become JSON/YAML by extension, str/bytes are written as is."""
    folder = root / run_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith((".yaml", ".yml")):
            path.write_text(yaml.safe_dump(content), encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
    return folder


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Path]:
    root = tmp_path / "runs"
    root.mkdir(exist_ok=True)
    return lambda run_id, files: write_run(root, run_id, files)


def make_project(dest: Path, runs: Path, *, mkdocs_yml: str = MKDOCS_YML) -> Path:
    """A minimal MkDocs project in `dest` whose runs are a copy of `runs`."""
    (dest / "docs").mkdir(parents=True, exist_ok=True)
    (dest / "docs" / "index.md").write_text("# Test reports\n\n<!-- reporter:home -->\n")
    (dest / "mkdocs.yml").write_text(mkdocs_yml)
    shutil.copytree(runs, dest / "runs")
    return dest / "mkdocs.yml"


@pytest.fixture(scope="session")
def untidy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The untidy fixture runs built once with the real MkDocs + Material."""
    from reporter.site.build import build_site

    project = tmp_path_factory.mktemp("untidy")
    config = make_project(project, DATA / "untidy")
    build_site(config)
    return project / "site"


def load_all(settings: Settings) -> tuple[list, list, list]:
    """(runs, problems, notes) of a settings' runs root, read like a build reads them."""
    from reporter.pipeline import load_runs

    loaded = load_runs(settings)
    return [loaded.full_run(r) for r in loaded.runs], loaded.problems, loaded.notes


def options(**changes: Any) -> EvalOptions:
    """Evaluation options from the schema's defaults, with `changes`."""
    from dataclasses import replace

    defaults = EvalOptions.from_settings(Settings.defaults(Path("runs")).evaluation)
    return replace(defaults, **changes)
