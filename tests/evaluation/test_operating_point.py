"""The operating point's arithmetic and the usual ECE, against scikit-learn and plain numpy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from reporter.config import Settings
from reporter.config.operating import parse_operating_point
from reporter.evaluation.evaluate import EvalOptions, evaluate
from reporter.evaluation.metrics import computed_metrics, metric_thresholds
from reporter.evaluation.predictions import Predictions

from ..conftest import options
from .test_evaluate import SETS, approx, close, dataset


def _sk_recall_within_alerts(p: Predictions, budget: float) -> tuple[float, float]:
    """Best recall alerting on at most `budget` rows per 10,000, by thresholding at every
    distinct score with scikit-learn; ties broken towards the highest threshold."""
    total = len(p.y_true) if p.weight is None else p.weight.sum()
    best, best_threshold = 0.0, np.inf
    for t in np.unique(p.y_score)[::-1]:
        predicted = p.y_score >= t
        weights = np.ones(len(predicted)) if p.weight is None else p.weight
        alerts = weights[predicted].sum()
        if 10_000 * alerts / total > budget:
            break
        recall = skm.recall_score(p.y_true, predicted, sample_weight=p.weight)
        if recall > best:
            best, best_threshold = recall, t
    return best, best_threshold


@pytest.mark.parametrize("name", SETS)
def test_recall_within_an_alert_budget_equals_thresholding_with_sklearn(name: str) -> None:
    p = dataset(name, n=1500)
    budgets = (10.0, 50.0, 333.0, 2500.0, 10_000.0)
    e = evaluate(p, options(bootstrap=0, alert_budgets=budgets))
    for budget in budgets:
        recall, threshold = _sk_recall_within_alerts(p, budget)
        point = e.recall_at_alerts[budget]
        assert point is not None
        assert close(point.recall, recall), budget
        assert point.threshold == threshold
        assert point.alerts_per_10k <= budget + 1e-9
    values = computed_metrics(e)
    assert close(values["recall@alerts_per_10k=50"], _sk_recall_within_alerts(p, 50)[0])
    assert e.to_json()["recall_at_alerts_per_10k"]["50.0"] == values["recall@alerts_per_10k=50"]


def test_an_alert_budget_below_the_first_tie_group_alerts_on_nothing() -> None:
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    s = np.array([0.9, 0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    e = evaluate(Predictions.from_arrays(y, s), options(bootstrap=0, alert_budgets=(1000.0,)))
    point = e.recall_at_alerts[1000.0]  # 1 alert allowed, but the top score is shared by 2 rows
    assert point is not None and point.recall == 0.0 and point.threshold == np.inf
    assert "recall@alerts_per_10k=1000" not in metric_thresholds(e)  # no threshold to report


@pytest.mark.parametrize("name", ["ties", "weighted"])
def test_a_fixed_threshold_operating_point_ranks_by_f1_there(name: str) -> None:
    p = dataset(name)
    ev = replace(
        Settings.defaults(Path("runs")).evaluation,
        operating_point=parse_operating_point("threshold=0.42"),
        bootstrap=0,
    )
    e = evaluate(p, EvalOptions.from_settings(ev, threshold=0.5))
    expected = skm.f1_score(p.y_true, p.y_score >= 0.42, sample_weight=p.weight)
    assert close(computed_metrics(e)["f1@threshold=0.42"], expected)
    assert metric_thresholds(e)["f1@threshold=0.42"] == 0.42
    assert e.at_threshold.threshold == 0.5  # the run's own threshold is untouched


def test_the_operating_points_target_is_evaluated_even_when_not_configured() -> None:
    defaults = Settings.defaults(Path("runs")).evaluation
    for text, family in (
        ("recall@fpr=0.02", "fpr_targets"),
        ("precision@recall=0.66", "recall_targets"),
        ("recall@alerts_per_10k=75", "alert_budgets"),
    ):
        spec = parse_operating_point(text)
        opts = EvalOptions.from_settings(replace(defaults, operating_point=spec))
        assert spec.target in getattr(opts, family)
        assert spec.target not in getattr(defaults, family)
        e = evaluate(dataset("ties"), replace(opts, bootstrap=0))
        assert spec.metric in computed_metrics(e)


def test_partial_auc_takes_the_operating_points_fpr_budget() -> None:
    p = dataset("continuous")
    ev = replace(
        Settings.defaults(Path("runs")).evaluation,
        operating_point=parse_operating_point("recall@fpr=0.2"),
        bootstrap=0,
    )
    values = computed_metrics(evaluate(p, EvalOptions.from_settings(ev)))
    assert close(values["partial_auc@fpr=0.2"], skm.roc_auc_score(p.y_true, p.y_score, max_fpr=0.2))
    assert not any(k.startswith("partial_auc@fpr=0.01") for k in values)


# --- ECE ------------------------------------------------------------------------------------


def _numpy_ece(y: np.ndarray, s: np.ndarray, bins: int = 10) -> float:
    """The usual ECE, written out: equal-width bins over [0, 1] (an inner edge belongs to the
    bin below, as calibration_curve(strategy='uniform') does), each weighted by its rows."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for i in range(bins):
        low, high = edges[i], edges[i + 1]
        inside = (s > low) & (s <= high) if i else (s >= low) & (s <= high)
        if inside.any():
            total += inside.sum() * abs(y[inside].mean() - s[inside].mean())
    return total / len(s)


@pytest.mark.parametrize("name", ["ties", "continuous"])
def test_ece_uses_ten_equal_width_bins(name: str) -> None:
    p = dataset(name)
    e = evaluate(p, options(bootstrap=0))
    assert e.calibration is not None
    assert close(e.calibration.ece, _numpy_ece(p.y_true, p.y_score))
    prob_true, prob_pred = calibration_curve(p.y_true, p.y_score, n_bins=10, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p.y_score), minlength=10)
    counts = counts[counts > 0]
    expected = np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum()
    assert close(e.calibration.ece, expected)
    assert e.to_json()["ece"] == approx(expected)
    assert e.to_json()["ece_quantile"] == approx(e.calibration.ece_quantile)


def test_ece_scores_on_bin_edges_go_to_the_lower_bin() -> None:
    y = np.array([1, 0, 0, 1, 0, 1], dtype=bool)
    s = np.array([0.1, 0.1, 0.2, 0.5, 0.7, 1.0])
    e = evaluate(Predictions.from_arrays(y, s), options(bootstrap=0))
    assert e.calibration is not None
    assert close(e.calibration.ece, _numpy_ece(y, s))


def test_ece_with_integer_weights_equals_replicated_rows() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(400) < 0.2
    s = np.round(np.clip(rng.normal(0.2 + 0.4 * y, 0.2), 0, 1), 2)
    w = rng.integers(0, 4, 400).astype(float)
    weighted = evaluate(Predictions.from_arrays(y, s, weight=w), options(bootstrap=0))
    copies = w.astype(int)
    replicated = evaluate(
        Predictions.from_arrays(np.repeat(y, copies), np.repeat(s, copies)), options(bootstrap=0)
    )
    assert weighted.calibration is not None and replicated.calibration is not None
    assert close(weighted.calibration.ece, replicated.calibration.ece)
    assert close(weighted.calibration.ece, _numpy_ece(np.repeat(y, copies), np.repeat(s, copies)))
