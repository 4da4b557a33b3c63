"""modelstore reader against a file-system store modelstore itself wrote (tests/data/modelstore)."""

from __future__ import annotations

import gzip
import json
import shutil
import tarfile
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from reporter.config import Settings
from reporter.readers import _parse
from reporter.readers._links import link_producing_runs
from reporter.readers.modelstore import parse_created
from tests.conftest import DATA, make_project

from ..conftest import load_all

STORE = DATA / "modelstore"
EXPECTED = json.loads((STORE / "expected.json").read_text())
VERSIONS = {
    model_id: (domain, meta)
    for domain, entry in EXPECTED["domains"].items()
    for model_id, meta in entry["versions"].items()
}


@pytest.fixture(scope="module")
def runs():
    runs, problems, notes = load_all(Settings.defaults(STORE, cache=False))
    assert problems == []
    return {r.info["modelstore.model_id"]: r for r in runs}


def test_every_version_is_one_run(runs):
    assert set(runs) == set(VERSIONS)
    for model_id, (domain, _) in VERSIONS.items():
        assert runs[model_id].id == f"operatorai-model-store/{domain}/{model_id}"
        assert runs[model_id].experiment == domain
        assert runs[model_id].reader == "modelstore"


def test_metadata_matches_what_modelstore_returns(runs):
    for model_id, (_, meta) in VERSIONS.items():
        run = runs[model_id]
        assert run.params == _parse.flatten(meta["model"]["parameters"])
        assert run.info["model.type"] == meta["model"]["model_type"]["type"]
        assert run.info["dependencies"] == meta["code"]["dependencies"]
        assert run.author == meta["code"]["user"]
        assert run.created == parse_created(meta["code"]["created"])
        assert run.metrics == (meta.get("extra") or {}).get("metrics", {})


def test_states_are_tags(runs):
    wanted: dict[str, set[str]] = {model_id: set() for model_id in VERSIONS}
    for entry in EXPECTED["domains"].values():
        for state, model_ids in entry["states"].items():
            for model_id in model_ids:
                wanted[model_id].add(state)
    assert {m: set(r.tags) for m, r in runs.items()} == wanted
    assert sorted({t for r in runs.values() for t in r.tags}) == EXPECTED["states"]


def test_archives_are_listed_without_extracting(runs, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nothing may be extracted")

    monkeypatch.setattr(tarfile.TarFile, "extractfile", refuse)
    monkeypatch.setattr(tarfile.TarFile, "extractall", refuse)
    monkeypatch.setattr(tarfile.TarFile, "extract", refuse)
    fresh, _, _ = load_all(Settings.defaults(STORE, cache=False))
    for run in fresh:
        names = [a.name for a in run.artifacts]
        assert names[0] == "artifacts.tar.gz" and "artifacts.tar.gz/model.joblib" in names
    first = next(r for r in fresh if "production" in r.tags)
    assert "artifacts.tar.gz/extras/model.pkl" in [a.name for a in first.artifacts]


def test_dataset_stats_and_producing_run(runs):
    run = next(r for r in runs.values() if "production" in r.tags)
    assert run.info["data.features.shape"] == [30, 3]
    extra = VERSIONS[run.info["modelstore.model_id"]][1]["extra"]
    assert run.info["source_run"] == extra["mlflow_run_id"]


def test_the_producing_mlflow_run_is_linked(tmp_path):
    shutil.copytree(DATA / "mlflow_file", tmp_path / "runs" / "tracking")
    shutil.copytree(STORE, tmp_path / "runs" / "registry")
    runs, problems, _ = load_all(Settings.defaults(tmp_path / "runs", cache=False))
    assert not problems
    linked = {r.id: r for r in link_producing_runs(runs)}
    model = next(r for r in linked.values() if "production" in r.tags)
    producer = linked[model.info["produced_by"]]
    assert producer.reader == "mlflow" and producer.name == "search"
    assert producer.info["produced_models"] == [model.id]
    tree = next(r for r in linked.values() if "staging" in r.tags)
    assert "produced_by" not in tree.info  # its run name matches nothing here


def test_created_time_in_modelstores_format():
    assert parse_created("2024/01/31/17:05:09") == datetime(2024, 1, 31, 17, 5, 9, tzinfo=UTC)
    assert parse_created("nonsense") is None


def test_a_corrupt_archive_keeps_the_run_with_a_problem(tmp_path):
    store = shutil.copytree(STORE, tmp_path / "runs")
    archive = next(store.rglob("artifacts.tar.gz"))
    archive.write_bytes(gzip.compress(b"not a tar archive" * 10))
    runs, problems, _ = load_all(Settings.defaults(store, cache=False))
    assert len(runs) == len(VERSIONS)  # the run is kept
    broken = next(r for r in runs if r.problems)
    assert "cannot list the archive" in broken.problems[0]
    (logged,) = problems  # and the problem is named in the log too, as a partial one
    assert logged.partial and logged.run_id == broken.id and str(logged) == broken.problems[0]
    assert [a.name for a in broken.artifacts] == ["artifacts.tar.gz"]


def test_a_site_builds_with_one_page_per_run(tmp_path):
    from reporter.site.build import build_site

    result = build_site(make_project(tmp_path / "project", STORE))
    assert len(result.report.study.runs) == len(VERSIONS)
    for run in result.report.study.runs:
        page = result.site_dir / "runs" / run.id / "index.html"
        html = BeautifulSoup(page.read_text(), "lxml")
        text = html.get_text(" ")
        files = [code.get_text() for code in html.select("article td code")]  # ids break at "/"
        assert "modelstore reader" in text and "artifacts.tar.gz/model.joblib" in files
