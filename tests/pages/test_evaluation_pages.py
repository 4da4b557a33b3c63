"""Predictions that cannot be evaluated (fully) still give a run page, with the reason on it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from bs4 import BeautifulSoup

from reporter.errors import BuildError
from reporter.site.build import build_site

from ..conftest import MKDOCS_YML, make_project


def _csv(y, s, extra: dict | None = None) -> str:
    cols = {"y_true": y, "y_score": s, **(extra or {})}
    lines = [",".join(cols)] + [",".join(str(c[i]) for c in cols.values()) for i in range(len(y))]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory):
    rng = np.random.default_rng(1)
    n = 400
    y = (rng.random(n) < 0.1).astype(int)
    s = np.round(np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1), 4)
    seg = np.where(np.arange(n) % 2 == 0, "a", "b")
    seg[(y == 1)] = "a"  # slice "b" has no positives
    root = tmp_path_factory.mktemp("bad")
    runs = root / "src"
    cases = {
        "good": _csv(y, s, {"segment": seg}),
        "not-binary": _csv([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4]),
        "nan-scores": _csv([0, 1, 0, 1], [0.1, "nan", 0.3, 0.4]),
        "one-class": _csv([0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4]),
        "empty": "",
        "scores-not-probabilities": _csv(list(y), list(s * 10 - 3)),
    }
    for name, content in cases.items():
        folder = runs / name
        folder.mkdir(parents=True)
        (folder / "metrics.json").write_text(json.dumps({"logged": 1.0}))
        (folder / "predictions.csv").write_text(content)
    config = make_project(root / "project", runs)
    result = build_site(config)
    return result


def page(result, run_id: str) -> BeautifulSoup:
    html = (result.site_dir / "runs" / run_id / "index.html").read_text()
    return BeautifulSoup(html, "lxml").select_one("article")


@pytest.mark.parametrize(
    ("run_id", "reason"),
    [("not-binary", "not binary"), ("nan-scores", "NaN"), ("empty", "empty")],
)
def test_unusable_predictions_keep_the_page_and_say_why(bad_site, run_id, reason):
    text = page(bad_site, run_id).get_text(" ")
    assert "Problems reading this run" in text and reason in text
    assert f"{run_id}/predictions.csv" in text
    assert not page(bad_site, run_id).select("#performance")
    problems = {p.run_id: str(p) for p in bad_site.report.problems}
    assert reason in problems[run_id]
    assert all(p.partial for p in bad_site.report.problems)
    assert len(bad_site.report.study.runs) == 6  # nothing was skipped


def _name(td) -> str:
    """A metric's name in its cell: the cell's own text (the name may carry <wbr> break points),
    without the small print."""
    return "".join(
        t for t in td.find_all(string=True) if not any(p.name == "small" for p in t.parents)
    ).strip()


def test_one_class_metrics_are_undefined_not_zero(bad_site):
    table = page(bad_site, "one-class").select_one("#performance ~ div table")
    cells = {
        _name(tr.select("td")[0]): tr.select("td")[1].get_text() for tr in table.select("tbody tr")
    }
    assert cells["roc_auc"] == "undefined: only one class"
    assert cells["partial_auc@fpr=0.01"] == "undefined: only one class"
    assert cells["average_precision"].startswith("undefined")


def test_performance_table_shows_every_headline_metric(bad_site):
    table = page(bad_site, "good").select_one("#performance ~ div table")
    names = [_name(tr.select("td")[0]) for tr in table.select("tbody tr")]
    assert names == [
        "roc_auc",
        "average_precision",
        "partial_auc@fpr=0.01",
        "log_loss",
        "brier",
        "ece",
        "ece_quantile",
    ]
    notes = {
        _name(tr.select("td")[0]): tr.select_one("td small").get_text()
        for tr in table.select("tbody tr")
        if tr.select_one("td small")
    }
    assert notes["ece"] == "(10 equal-width bins)"
    assert notes["ece_quantile"] == "(10 equal-count bins)"
    ece = table.select("tbody tr")[5].select_one("td")
    assert "equal-width" in ece["title"] and "lower is better" in ece["title"]
    run = next(r for r in bad_site.report.study.runs if r.id == "good")
    assert "partial_auc@fpr=0.01" in run.computed


def test_scores_that_are_not_probabilities_say_so(bad_site):
    text = page(bad_site, "scores-not-probabilities").get_text(" ")
    assert "scores are not probabilities" in text
    assert "Calibration" not in [
        h.get_text() for h in page(bad_site, "scores-not-probabilities").select("h3")
    ]


def test_slice_without_positives_is_flagged(bad_site):
    rows = page(bad_site, "good").select("#performance-by-slice + div table tbody tr")
    row_b = next(r for r in rows if "segment = b" in r.get_text())
    assert "few positives" in row_b.get_text()
    assert "undefined" in row_b.get_text()


def test_strict_fails_on_unusable_predictions(tmp_path):
    folder = tmp_path / "src" / "r"
    folder.mkdir(parents=True)
    (folder / "predictions.csv").write_text(_csv([0, 1, 2], [0.1, 0.2, 0.3]))
    config = make_project(tmp_path / "project", tmp_path / "src")
    with pytest.raises(BuildError):
        build_site(config, strict=True)


@pytest.mark.parametrize("slice_bootstrap", [None, 0])
def test_slice_bootstrap_zero_leaves_slices_the_roc_auc_interval(tmp_path, slice_bootstrap):
    """With `slice_bootstrap: 0` the slice table keeps ROC-AUC's interval, shows none for AP and
    says why; the run's own intervals are unchanged."""
    rng = np.random.default_rng(3)
    n = 600
    y = (rng.random(n) < 0.15).astype(int)
    s = np.round(np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1), 4)
    folder = tmp_path / "src" / "sliced"
    folder.mkdir(parents=True)
    segment = np.where(np.arange(n) % 3 == 0, "a", "b")
    (folder / "predictions.csv").write_text(_csv(y, s, {"segment": segment}))
    yml = MKDOCS_YML
    if slice_bootstrap is not None:
        option = f"      evaluation: {{slice_bootstrap: {slice_bootstrap}}}\n"
        yml = yml.replace("      runs: runs\n", "      runs: runs\n" + option)
    config = make_project(tmp_path / "project", tmp_path / "src", mkdocs_yml=yml)
    article = page(build_site(config), "sliced")
    overall = article.select_one("#performance ~ div table")
    intervals = {
        _name(tr.select("td")[0]): tr.select("td")[2].get_text(strip=True)
        for tr in overall.select("tbody tr")
    }
    assert "–" in intervals["roc_auc"] and "–" in intervals["average_precision"]
    sliced = article.select_one("#performance-by-slice ~ div table")
    rows = [tr.select("td") for tr in sliced.select("tbody tr")]
    assert len(rows) == 2
    for cells in rows:
        assert cells[3].select_one("small.reporter-ci")  # ROC-AUC's score interval
        assert bool(cells[4].select_one("small.reporter-ci")) == (slice_bootstrap is None)
    caption = sliced.find_parent("div").find_next_sibling("p").get_text(" ")
    assert ("slice_bootstrap: 0" in caption) == (slice_bootstrap == 0)
