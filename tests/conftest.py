"""Shared fixtures: a factory that writes runs, and a real MkDocs build of a fixture project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reporter.config import Settings
from reporter.evaluation.evaluate import EvalOptions

from .browser_util import serve

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


# ---------- the example site, built once per session for the browser suites ----------

NO_PREDICTIONS_RUN = "fraud/logreg-c1.0-logged-only"


def _add_run_without_predictions(runs: Path) -> None:
    """Every bundled example run kept its predictions; a run page without them is a page kind
    of its own (no evaluation sections, no curves), so the test copy gains one: the logged
    metrics and parameters of fraud/logreg-c1.0 and nothing else."""
    if any(
        not list(d.glob("predictions.*")) for d in {p.parent for p in runs.rglob("metrics.json")}
    ):
        return
    source = runs / "fraud" / "logreg-c1.0"
    target = runs / NO_PREDICTIONS_RUN
    target.mkdir(parents=True)
    shutil.copy(source / "metrics.json", target / "metrics.json")
    shutil.copy(source / "params.yaml", target / "params.yaml")
    meta = yaml.safe_load((source / "run.yaml").read_text(encoding="utf-8"))
    meta["name"] = "Logistic regression, C=1.0 (metrics only)"
    meta["notes"] = "Only the logged metrics and parameters were kept: no predictions."
    (target / "run.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def example_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The repository's example project (plus one run without predictions), built with the
    `reporter` CLI for the local address that serves it, as a deployed site would be.

    Yields (site folder, base URL). The copy's `site_url` is the server's address: Material
    navigates instantly only to URLs its sitemap lists, and the site's canonical links then
    stay inside the site.
    """
    project = tmp_path_factory.mktemp("example-browser")
    site = project / "site"
    with serve(site) as base:
        build_example(project, base)
        yield site, base


def build_example(project: Path, base: str, reporter_options: str = "") -> Path:
    """The example project copied into `project` (plus one run without predictions) with
    `site_url` set to `base` and `reporter_options` (YAML lines indented for the plugin's
    section) added to the plugin's options, built with the `reporter` CLI; the site folder."""
    shutil.copy(REPO / "comparisons.yaml", project / "comparisons.yaml")
    shutil.copytree(REPO / "site_src", project / "site_src")
    shutil.copytree(REPO / "runs", project / "runs")
    _add_run_without_predictions(project / "runs")
    site = project / "site"
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config, found = re.subn(r"(?m)^site_url:.*$", f"site_url: {base}", config)
    assert found == 1, "mkdocs.yml has no top-level site_url line to point at the test server"
    config, found = re.subn(
        r"(?m)^      runs: runs\n", f"      runs: runs\n{reporter_options}", config
    )
    assert found == 1, "mkdocs.yml has no `runs: runs` line in the reporter plugin's options"
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    command = Path(sys.executable).with_name("reporter")
    result = subprocess.run(
        [
            str(command if command.exists() else "reporter"),
            "build",
            "--quiet",
            "--config",
            str(project / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"reporter build failed:\n{result.stdout}\n{result.stderr}"
    return site
