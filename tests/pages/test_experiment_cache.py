"""Experiment pages come from the page cache while what their tables show is unchanged, and
are rendered again when it changes, even by a run of another experiment (the study's best
value of a column is highlighted in every table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.config import Settings
from reporter.pages.cache import PageCache
from reporter.pages.renderer import Renderer
from reporter.pipeline import build_report, report_pages

from ..conftest import write_run

EXPERIMENT = "experiment.md.j2"


def _run(root: Path, run_id: str, experiment: str, pr_auc: float, tags=("base",)) -> None:
    write_run(
        root,
        run_id,
        {
            "metrics.json": {"pr_auc": pr_auc, "roc_auc": 0.5 + pr_auc / 2},
            "run.yaml": {"experiment": experiment, "tags": list(tags)},
        },
    )


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    for i in range(3):
        _run(root, f"a/run-{i}", "alpha", 0.2 + i / 100)
        _run(root, f"b/run-{i}", "beta", 0.5 + i / 100)  # beta holds the best pr_auc
    return root


def _experiment_pages(runs: Path, tmp_path: Path, monkeypatch, cached: bool = True):
    """(experiment pages by src, the experiment pages rendered rather than taken from the
    cache)."""
    settings = Settings.defaults(runs, cache_dir=tmp_path / ".cache", workers=1)
    cache = PageCache(tmp_path / "state", tmp_path / "state" / "data", salt="t") if cached else None
    rendered: list[str] = []
    real = Renderer._render

    def recording(self, template, src_uri, **kwargs):
        if template == EXPERIMENT:
            rendered.append(src_uri)
        return real(self, template, src_uri, **kwargs)

    monkeypatch.setattr(Renderer, "_render", recording)
    pages = report_pages(build_report(settings), settings, cache)
    found = {p.src_uri: p.markdown for p in pages if p.src_uri.startswith("experiments/")}
    found.pop("experiments/index.md")
    return found, sorted(rendered)


def test_unchanged_experiment_pages_come_from_the_cache(runs, tmp_path, monkeypatch) -> None:
    first, rendered = _experiment_pages(runs, tmp_path, monkeypatch)
    assert len(first) == 2 and rendered == sorted(first)
    again, rendered = _experiment_pages(runs, tmp_path, monkeypatch)
    assert again == first and rendered == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a new best pr_auc in alpha: beta's table loses its highlighted best cell
        (lambda root: _run(root, "a/run-9", "alpha", 0.9), {"alpha", "beta"}),
        # a run's tags change: only its own experiment shows them
        (lambda root: _run(root, "b/run-0", "beta", 0.5, tags=("retuned",)), {"beta"}),
        # a run of beta is renamed by its folder moving: the link changes
        (lambda root: (root / "b" / "run-1").rename(root / "b" / "run-1b"), {"beta"}),
    ],
)
def test_a_changed_table_is_rendered_again_as_without_a_cache(
    runs, tmp_path, monkeypatch, change, expected
) -> None:
    _experiment_pages(runs, tmp_path, monkeypatch)
    change(runs)
    cached, rendered = _experiment_pages(runs, tmp_path, monkeypatch)
    fresh, _ = _experiment_pages(runs, tmp_path, monkeypatch, cached=False)
    assert cached == fresh
    assert {src.split("/")[-1].removesuffix(".md") for src in rendered} == expected
