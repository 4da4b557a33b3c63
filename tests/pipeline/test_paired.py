"""Paired differences in declared comparisons (issue 13, item 3): the pipeline step, its cache
and what the comparison table says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reporter.config import Settings
from reporter.evaluation import paired as paired_module
from reporter.evaluation.intervals import paired_difference_intervals
from reporter.pipeline import build_report, report_pages

from ..conftest import write_run

N = 1500


def frame(ids: np.ndarray, y: np.ndarray, score: np.ndarray, with_ids: bool = True) -> str:
    head = "id,y_true,y_score\n" if with_ids else "y_true,y_score\n"
    rows = (
        f"{i},{int(a)},{b:.6f}\n" if with_ids else f"{int(a)},{b:.6f}\n"
        for i, a, b in zip(ids, y, score, strict=True)
    )
    return head + "".join(rows)


@pytest.fixture
def project(tmp_path: Path) -> dict:
    """A baseline, a much stronger run and a barely different run on the same rows (the
    strong one's file shuffled: paired by id), one run on other rows, one without
    predictions, and one on the same labels in the same order without ids."""
    rng = np.random.default_rng(0)
    ids = np.arange(N) * 7 + 3
    y = rng.random(N) < 0.08
    noise = rng.normal(0, 1, N)
    base = noise + 0.8 * y
    strong = 0.6 * noise + 0.8 * rng.normal(0, 1, N) + 2.0 * y
    close = base + rng.normal(0, 0.02, N)
    shuffle = rng.permutation(N)
    runs = tmp_path / "runs"
    write_run(runs, "exp/base", {"predictions.csv": frame(ids, y, base)})
    write_run(
        runs, "exp/strong", {"predictions.csv": frame(ids[shuffle], y[shuffle], strong[shuffle])}
    )
    write_run(runs, "exp/close", {"predictions.csv": frame(ids, y, close)})
    write_run(runs, "exp/other", {"predictions.csv": frame(ids[:-10], y[:-10], base[:-10])})
    write_run(runs, "exp/logged", {"metrics.json": {"roc_auc": 0.9, "average_precision": 0.5}})
    write_run(runs, "exp/noids", {"predictions.csv": frame(ids, y, strong, with_ids=False)})
    declared = {
        "title": "Against the baseline",
        "slug": "vs-base",
        "select": {"experiment": "exp"},
        "baseline": "exp/base",
    }
    settings = Settings.defaults(
        runs,
        cache_dir=tmp_path / "cache",
        comparisons=(("test", declared),),
        evaluation={"bootstrap": 400, "seed": 3},
    )
    return {"settings": settings, "ids": ids, "y": y, "base": base, "strong": strong}


def declared(report):
    return next(c for c in report.comparisons if c.spec.slug == "vs-base")


def test_paired_intervals_are_computed_on_the_matched_rows(project) -> None:
    cmp = declared(build_report(project["settings"]))
    diffs = cmp.differences
    assert diffs is not None and set(diffs) == {
        "exp/strong",
        "exp/close",
        "exp/other",
        "exp/logged",
        "exp/noids",
    }
    strong = diffs["exp/strong"]
    assert strong.matched_by == "ids" and strong.rows == N
    # the rows in the order pairing matches them (by id, as text), the same resamples and seed
    order = np.argsort(project["ids"].astype(str))
    y, base, strong_scores = (project[k][order] for k in ("y", "base", "strong"))
    direct = paired_difference_intervals(
        y, np.round(base, 6), np.round(strong_scores, 6), resamples=400, seed=3
    )
    assert direct is not None
    for metric, iv in direct.items():
        assert strong.intervals[metric] == iv
        assert iv.low > 0  # much stronger: the interval excludes 0
        assert strong.verdict(metric) == "better"
    assert diffs["exp/noids"].matched_by == "order"
    in_file_order = paired_difference_intervals(
        project["y"],
        np.round(project["base"], 6),
        np.round(project["strong"], 6),
        resamples=400,
        seed=3,
    )
    assert diffs["exp/noids"].intervals == in_file_order
    assert diffs["exp/other"].reason.startswith("different rows")
    assert not diffs["exp/other"].intervals
    assert "no predictions" in diffs["exp/logged"].reason
    assert any(diffs["exp/close"].verdict(m) == "unclear" for m in direct)


def test_implied_comparisons_are_not_tested(project) -> None:
    report = build_report(project["settings"])
    implied = next(c for c in report.comparisons if c.spec.source == "experiment")
    assert implied.differences is None
    strong = next(r for r in implied.runs if r.id == "exp/strong")
    column = next(c for c in implied.columns if c.name == "roc_auc")
    if implied.baseline is not strong:
        verdict = implied.delta_verdict(strong, column)
        assert verdict is not None and verdict.kind == "untested" and "declared" in verdict.why


def test_the_table_colours_only_tested_differences(project) -> None:
    settings = project["settings"]
    report = build_report(settings)
    page = next(p for p in report_pages(report, settings) if "vs-base" in p.src_uri)
    text = page.markdown
    assert "reporter-better reporter-delta-better" in text
    assert "no clear difference" in text
    assert "Δ [" in text
    assert 'title="not tested: different rows' in text
    assert 'title="not tested: no predictions to pair' in text


def test_pairs_come_from_the_cache_until_a_file_changes(project, monkeypatch) -> None:
    settings = project["settings"]
    first = declared(build_report(settings)).differences
    calls = []
    real = paired_module.paired_difference_intervals

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(paired_module, "paired_difference_intervals", counted)
    again = declared(build_report(settings)).differences
    assert calls == [] and again == first
    path = settings.runs / "exp" / "close" / "predictions.csv"
    path.write_text(path.read_text().replace(",0.", ",0.0", 1))
    changed = declared(build_report(settings)).differences
    assert len(calls) == 1  # only the changed run's pair
    assert changed["exp/strong"] == first["exp/strong"]


def test_without_bootstrap_no_pair_is_tested(project) -> None:
    from dataclasses import replace

    settings = project["settings"]
    settings = replace(settings, evaluation=replace(settings.evaluation, bootstrap=0))
    diffs = declared(build_report(settings)).differences
    assert diffs is not None
    assert all(not d.intervals and "bootstrap=0" in d.reason for d in diffs.values())


def test_the_operating_point_metric_is_tested_too(project) -> None:
    from dataclasses import replace

    from reporter.config.operating import parse_operating_point

    op = parse_operating_point("recall@fpr=0.05")
    settings = project["settings"]
    settings = replace(
        settings, operating_point=op, evaluation=replace(settings.evaluation, operating_point=op)
    )
    report = build_report(settings)
    cmp = declared(report)
    assert cmp.columns[0].name == op.metric and op.metric in cmp.tested
    strong = cmp.differences["exp/strong"]
    assert strong.intervals[op.metric].low > 0
    base_run = cmp.baseline
    run = next(r for r in cmp.runs if r.id == "exp/strong")
    assert strong.intervals[op.metric].estimate == pytest.approx(
        run.computed[op.metric] - base_run.computed[op.metric]
    )
    verdict = cmp.delta_verdict(run, cmp.columns[0])
    assert verdict is not None and verdict.kind == "better" and verdict.tested
