"""Paired resamples at the operating point (`reporter.evaluation.at_point`) against the
evaluation itself run on each drawn set of rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from reporter.config import Settings
from reporter.config.operating import parse_operating_point
from reporter.evaluation.at_point import paired_point_replicates
from reporter.evaluation.evaluate import EvalOptions, evaluate
from reporter.evaluation.metrics import computed_metrics
from reporter.evaluation.paired import paired_difference
from reporter.evaluation.predictions import Predictions

POINTS = [
    "recall@fpr=0.05",
    "precision@recall=0.5",
    "recall@alerts_per_10k=800",
    "threshold=0.5",
]
EV = Settings.defaults(Path("runs")).evaluation


def value(op_text: str, y, score, w) -> float:
    """The operating point's metric as `evaluate` computes it (what pages show)."""
    op = parse_operating_point(op_text)
    options = EvalOptions.from_settings(replace(EV, operating_point=op, bootstrap=0))
    e = evaluate(Predictions.from_arrays(y, score, weight=w), options)
    return computed_metrics(e).get(op.metric, np.nan)


def runs(n: int = 400, seed: int = 0, weighted: bool = False):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.15
    a = np.round(1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.2 * y - 1))), 2)  # ties
    b = np.round(np.clip(a + rng.normal(0, 0.1, n) + 0.1 * y, 0, 1), 3)
    w = rng.choice([0.0, 0.5, 1.0, 2.0], n, p=[0.1, 0.3, 0.4, 0.2]) if weighted else None
    return y, a, b, w


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("op_text", POINTS)
def test_paired_resamples_equal_evaluating_each_drawn_set(op_text: str, weighted: bool) -> None:
    y, a, b, w = runs(weighted=weighted)
    op = parse_operating_point(op_text)
    estimate, values = paired_point_replicates(op, y, a, b, w, resamples=25, seed=4)
    assert estimate == pytest.approx(value(op_text, y, b, w) - value(op_text, y, a, w), abs=1e-12)
    kept = np.arange(len(y)) if w is None else np.flatnonzero(w)
    rng = np.random.default_rng(4)
    direct = []
    for _ in range(25):
        rows = kept[rng.integers(0, len(kept), len(kept))]
        wd = None if w is None else w[rows]
        if y[rows].all() or not y[rows].any():
            continue
        direct.append(value(op_text, y[rows], b[rows], wd) - value(op_text, y[rows], a[rows], wd))
    direct = np.array(direct)
    direct = direct[np.isfinite(direct)]
    np.testing.assert_allclose(values, direct, atol=1e-12)
    assert np.ptp(values) > 0  # the resamples do move the metric


def test_the_operating_point_gets_a_paired_interval() -> None:
    y, a, b, _ = runs(3000, seed=1)
    op = parse_operating_point("recall@fpr=0.05")
    d = paired_difference(
        Predictions.from_arrays(y, a),
        Predictions.from_arrays(y, b),
        resamples=300,
        seed=0,
        operating_point=op,
    )
    iv = d.intervals[op.metric]
    assert iv.estimate == pytest.approx(value(op.text, y, b, None) - value(op.text, y, a, None))
    assert iv.low <= iv.estimate <= iv.high and iv.low < iv.high
    _, values = paired_point_replicates(op, y, a, b, None, resamples=300, seed=0)
    assert (iv.low, iv.high) == pytest.approx(tuple(np.quantile(values, [0.025, 0.975])))


def test_too_many_row_draws_leave_the_operating_point_untested(monkeypatch) -> None:
    from reporter.evaluation import paired

    monkeypatch.setattr(paired, "MAX_ROW_DRAWS", 1000)
    y, a, b, _ = runs(400)
    op = parse_operating_point("recall@fpr=0.05")
    d = paired.paired_difference(
        Predictions.from_arrays(y, a),
        Predictions.from_arrays(y, b),
        resamples=50,
        seed=0,
        operating_point=op,
    )
    assert op.metric not in d.intervals and "roc_auc" in d.intervals
    assert "row draws" in d.untested[op.metric]
