"""`reporter.evaluate` against scikit-learn on the same arrays, to 1e-9."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from reporter.evaluation import intervals, resampling
from reporter.evaluation.evaluate import (
    NOT_PROBABILITIES,
    Evaluation,
    evaluate,
    pr_curve,
    roc_curve,
)
from reporter.evaluation.metrics import ONE_CLASS, computed_metrics
from reporter.evaluation.predictions import Predictions
from reporter.evaluation.slots import Ranking

from ..conftest import options

FAST = options(bootstrap=0)
REQUIRED_KEYS = {
    "n",
    "positives",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "recall_at_fpr",
    "precision_at_recall",
    "confusion",
    "ci",
    "slices",
}


def approx(expected: object) -> object:
    return pytest.approx(expected, rel=1e-9, abs=1e-9)


def close(a: float | None, b: float) -> bool:
    return a is not None and a == approx(b)


def assert_arrays(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9)


def dataset(name: str, n: int = 3000, seed: int = 0) -> Predictions:
    """Small fraud-like sets; every one has ties, except 'continuous'."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.05
    signal = np.clip(rng.normal(0.25 + 0.35 * y, 0.18), 0, 1)
    if name == "ties":
        return Predictions.from_arrays(y, np.round(signal, 2))
    if name == "weighted":
        weight = rng.choice([0.0, 0.5, 1.0, 3.0], n, p=[0.1, 0.3, 0.4, 0.2])
        return Predictions.from_arrays(y, np.round(signal, 2), weight=weight)
    if name == "continuous":
        return Predictions.from_arrays(y, signal * (1 - 1e-6) + rng.random(n) * 1e-6)
    if name == "logits":  # scores, not probabilities
        return Predictions.from_arrays(y, np.round(rng.normal(3 * y - 2, 1.5), 1))
    raise ValueError(name)


SETS = ["ties", "weighted", "continuous", "logits"]


def sk_args(p: Predictions) -> dict:
    return {"y_true": p.y_true, "sample_weight": p.weight}


# --- ranking metrics and full curves ------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_auc_and_average_precision_equal_sklearn(name: str) -> None:
    p = dataset(name)
    e = evaluate(p, FAST)
    assert close(e.roc_auc, skm.roc_auc_score(p.y_true, p.y_score, sample_weight=p.weight))
    ap = skm.average_precision_score(p.y_true, p.y_score, sample_weight=p.weight)
    assert close(e.average_precision, ap)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("targets", [(0.001, 0.01, 0.05), (0.2,), (0.05, 0.5), (1.0,)])
def test_partial_auc_equals_sklearn_at_the_primary_fpr_budget(name: str, targets: tuple) -> None:
    p = dataset(name)
    e = evaluate(p, options(bootstrap=0, fpr_targets=targets))
    budget = sorted(targets)[len(targets) // 2]
    expected = skm.roc_auc_score(p.y_true, p.y_score, sample_weight=p.weight, max_fpr=budget)
    assert close(e.values[f"partial_auc@fpr={budget:g}"], expected)
    assert computed_metrics(e)[f"partial_auc@fpr={budget:g}"] == approx(expected)
    assert e.to_json()[f"partial_auc@fpr={budget:g}"] == approx(expected)


def test_partial_auc_is_undefined_with_one_class() -> None:
    e = evaluate(Predictions.from_arrays([0, 0, 0], [0.1, 0.2, 0.3]), FAST)
    assert e.values == {"partial_auc@fpr=0.01": None}
    assert "partial_auc@fpr=0.01" not in computed_metrics(e)


@pytest.mark.parametrize("name", SETS)
def test_full_curves_equal_sklearn(name: str) -> None:
    p = dataset(name)
    fpr, tpr, thr = skm.roc_curve(
        p.y_true, p.y_score, sample_weight=p.weight, drop_intermediate=False
    )
    roc = roc_curve(p)
    assert roc is not None
    assert_arrays(roc.fpr, fpr)
    assert_arrays(roc.tpr, tpr)
    assert_arrays(roc.thresholds, thr)
    precision, recall, thr = skm.precision_recall_curve(p.y_true, p.y_score, sample_weight=p.weight)
    pr = pr_curve(p)
    assert pr is not None
    assert_arrays(pr.precision, precision[:-1])  # sklearn's last point has no threshold
    assert_arrays(pr.recall, recall[:-1])
    assert_arrays(pr.thresholds, thr)


def test_zero_weight_rows_are_dropped_like_sklearn() -> None:
    p = Predictions.from_arrays([1, 0, 1, 0], [0.9, 0.7, 0.5, 0.3], weight=[1, 0, 1, 1])
    roc = roc_curve(p)
    assert roc is not None
    _, _, thr = skm.roc_curve(p.y_true, p.y_score, sample_weight=p.weight, drop_intermediate=False)
    assert_arrays(roc.thresholds, thr)
    e = evaluate(p, FAST)
    assert (e.n_rows, e.n) == (3, 3)


# --- probability metrics and calibration --------------------------------------------------------


@pytest.mark.parametrize("name", ["ties", "weighted", "continuous"])
def test_log_loss_and_brier_equal_sklearn(name: str) -> None:
    p = dataset(name)
    e = evaluate(p, FAST)
    assert close(e.log_loss, skm.log_loss(p.y_true, p.y_score, sample_weight=p.weight))
    assert close(e.brier, skm.brier_score_loss(p.y_true, p.y_score, sample_weight=p.weight))


def test_log_loss_clips_certain_mistakes_like_sklearn() -> None:
    p = Predictions.from_arrays([1, 0, 1, 0], [0.0, 1.0, 1.0, 0.0])
    assert close(evaluate(p, FAST).log_loss, skm.log_loss(p.y_true, p.y_score))


def test_scores_outside_unit_interval_have_no_probability_metrics() -> None:
    e = evaluate(dataset("logits"), FAST)
    assert (e.log_loss, e.brier, e.calibration) == (None, None, None)
    assert e.undefined["log_loss"] == NOT_PROBABILITIES
    assert e.undefined["brier"] == NOT_PROBABILITIES
    assert e.roc_auc is not None


@pytest.mark.parametrize("name", ["ties", "continuous"])
@pytest.mark.parametrize("bins", [1, 5, 10, 23])
def test_calibration_equals_sklearn_quantile_curve(name: str, bins: int) -> None:
    p = dataset(name)
    e = evaluate(p, options(bootstrap=0, calibration_bins=bins))
    prob_true, prob_pred = calibration_curve(p.y_true, p.y_score, n_bins=bins, strategy="quantile")
    assert e.calibration is not None
    assert_arrays(e.calibration.prob_true, prob_true)
    assert_arrays(e.calibration.prob_pred, prob_pred)


def test_calibration_with_heavy_ties_on_bin_edges() -> None:
    y = np.array([0, 0, 1, 0, 1, 1, 0, 0, 0, 1] * 7, dtype=bool)
    s = np.array([0.1, 0.1, 0.1, 0.2, 0.2, 0.5, 0.5, 0.5, 0.5, 0.9] * 7)
    e = evaluate(Predictions.from_arrays(y, s), options(bootstrap=0, calibration_bins=4))
    prob_true, prob_pred = calibration_curve(y, s, n_bins=4, strategy="quantile")
    assert e.calibration is not None
    assert_arrays(e.calibration.prob_true, prob_true)
    assert_arrays(e.calibration.prob_pred, prob_pred)


def test_ece_quantile_is_bin_weighted_mean_gap_over_the_curves_bins() -> None:
    p = dataset("ties")
    e = evaluate(p, FAST)
    prob_true, prob_pred = calibration_curve(p.y_true, p.y_score, n_bins=10, strategy="quantile")
    edges = np.percentile(p.y_score, np.linspace(0, 100, 11))
    counts = np.bincount(np.searchsorted(edges[1:-1], p.y_score), minlength=10)
    counts = counts[counts > 0]
    assert e.calibration is not None
    assert_arrays(e.calibration.bin_weight, counts)
    expected = np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum()
    assert close(e.calibration.ece_quantile, expected)
    assert not close(e.calibration.ece, expected)  # the usual ECE uses equal-width bins


def test_weighted_calibration_weights_rows_within_unweighted_quantile_bins() -> None:
    p = dataset("weighted", n=500)
    assert p.weight is not None
    keep = p.weight > 0
    y, s, w = p.y_true[keep], p.y_score[keep], p.weight[keep]
    e = evaluate(p, options(bootstrap=0, calibration_bins=5))
    edges = np.percentile(s, np.linspace(0, 100, 6))
    ids = np.searchsorted(edges[1:-1], s)
    total = np.bincount(ids, weights=w, minlength=5)
    used = np.bincount(ids, minlength=5) > 0
    assert e.calibration is not None
    assert_arrays(e.calibration.prob_true, (np.bincount(ids, weights=w * y) / total)[used])
    assert_arrays(e.calibration.prob_pred, (np.bincount(ids, weights=w * s) / total)[used])


# --- operating points ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_confusion_at_threshold_equals_sklearn(name: str) -> None:
    p = dataset(name)
    for threshold in (0.5, 0.3, float(np.median(p.y_score)), float(p.y_score.max())):
        at = evaluate(p, options(bootstrap=0, threshold=threshold)).at_threshold
        predicted = p.y_score >= threshold
        tn, fp, fn, tp = skm.confusion_matrix(
            p.y_true, predicted, labels=[False, True], sample_weight=p.weight
        ).ravel()
        assert [at.tp, at.fp, at.tn, at.fn] == approx([tp, fp, tn, fn])
        kw = {"sample_weight": p.weight, "zero_division": np.nan}
        assert close(at.precision, skm.precision_score(p.y_true, predicted, **kw))
        assert close(at.recall, skm.recall_score(p.y_true, predicted, **kw))
        assert close(at.f1, skm.f1_score(p.y_true, predicted, **kw))
        assert close(at.fpr, fp / (fp + tn))
        total = len(p.y_true) if p.weight is None else p.weight.sum()
        assert close(at.alerts_per_10k, 10_000 * (tp + fp) / total)


def test_no_predicted_positives_leaves_precision_undefined() -> None:
    p = dataset("ties")
    e = evaluate(p, options(bootstrap=0, threshold=2.0))
    assert e.at_threshold.precision is None
    assert "no predicted positives" in e.undefined["precision"]
    assert math.isnan(skm.precision_score(p.y_true, p.y_score >= 2, zero_division=np.nan))
    assert e.at_threshold.f1 == skm.f1_score(p.y_true, p.y_score >= 2) == 0.0
    assert e.at_threshold.recall == 0.0


def _sk_curves(p: Predictions) -> tuple[np.ndarray, ...]:
    fpr, tpr, roc_thr = skm.roc_curve(
        p.y_true, p.y_score, sample_weight=p.weight, drop_intermediate=False
    )
    precision, recall, pr_thr = skm.precision_recall_curve(
        p.y_true, p.y_score, sample_weight=p.weight
    )
    return fpr, tpr, roc_thr, precision[:-1], recall[:-1], pr_thr


@pytest.mark.parametrize("name", SETS)
def test_recall_at_fpr_is_best_recall_within_budget(name: str) -> None:
    p = dataset(name)
    fpr, tpr, thr, *_ = _sk_curves(p)
    targets = (0.001, 0.01, 0.05, 0.2, 1.0)
    e = evaluate(p, options(bootstrap=0, fpr_targets=targets))
    for target in targets:
        within = fpr <= target
        best = tpr[within].max()
        point = e.recall_at_fpr[target]
        assert point is not None
        assert close(point.recall, best)
        # the highest threshold reaching that recall: fewest false alerts
        assert point.threshold == thr[within & (tpr == best)].max()
        assert point.fpr is not None and point.fpr <= target


@pytest.mark.parametrize("name", SETS)
def test_precision_at_recall_is_best_precision_reaching_recall(name: str) -> None:
    p = dataset(name)
    *_, precision, recall, thr = _sk_curves(p)
    e = evaluate(p, FAST)
    for target in (0.5, 0.8, 0.9):
        reaching = recall >= target
        best = precision[reaching].max()
        point = e.precision_at_recall[target]
        assert point is not None
        assert close(point.precision, best)
        # among equal precisions, the most recall: the lowest such threshold
        assert point.threshold == thr[reaching & (precision == best)].min()


def test_precision_at_k_without_ties_is_precision_of_top_rows() -> None:
    p = dataset("continuous")
    top = p.y_true[np.argsort(-p.y_score)]
    e = evaluate(p, options(bootstrap=0, top_k=(1, 10, 100, 3000)))
    for k in (1, 10, 100, 3000):
        assert close(e.precision_at_k[k], top[:k].mean())


def test_precision_at_k_averages_over_every_order_of_a_straddling_tie() -> None:
    """Top 3 of: 0.9 (pos), then 0.5 x 4 (pos, neg, neg, pos), then 0.1 (neg)."""
    y = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    s = np.array([0.9, 0.5, 0.5, 0.5, 0.5, 0.1])
    tied = y[1:5]
    orders = list(itertools.permutations(tied))
    expected = np.mean([(1 + sum(order[:2])) / 3 for order in orders])
    e = evaluate(Predictions.from_arrays(y, s), options(bootstrap=0, top_k=(3, 5, 6, 7)))
    assert close(e.precision_at_k[3], expected)  # (1 + 2 * 2/4) / 3
    assert close(e.precision_at_k[5], 3 / 5)
    assert close(e.precision_at_k[6], 3 / 6)
    assert e.precision_at_k[7] is None
    assert "fewer than k" in e.undefined["precision_at_k.7"]


def test_precision_at_k_weighted_counts_rows_and_weighs_labels() -> None:
    p = Predictions.from_arrays([1, 0, 1], [0.9, 0.8, 0.1], weight=[1.0, 3.0, 1.0])
    e = evaluate(p, options(bootstrap=0, top_k=(1, 2)))
    assert (e.precision_at_k[1], e.precision_at_k[2]) == (1.0, 0.25)


def test_threshold_table_spans_scores_descending_and_equals_sklearn() -> None:
    p = dataset("weighted")
    e = evaluate(p, options(bootstrap=0, threshold_rows=12))
    thresholds = [row.threshold for row in e.threshold_table]
    assert p.weight is not None
    distinct = np.unique(p.y_score[p.weight > 0])
    assert len(thresholds) == 12
    assert thresholds == sorted(set(thresholds), reverse=True)
    assert (thresholds[0], thresholds[-1]) == (distinct.max(), distinct.min())
    for row in e.threshold_table:
        predicted = p.y_score >= row.threshold
        tn, fp, fn, tp = skm.confusion_matrix(
            p.y_true, predicted, labels=[False, True], sample_weight=p.weight
        ).ravel()
        assert [row.tp, row.fp, row.alerts] == approx([tp, fp, tp + fp])
        assert close(row.precision, tp / (tp + fp))
        assert close(row.recall, tp / (tp + fn))
        assert close(row.fpr, fp / (fp + tn))


def test_threshold_table_with_few_distinct_scores_is_deduplicated() -> None:
    p = Predictions.from_arrays([1, 0, 1, 0, 0], [0.9, 0.9, 0.4, 0.4, 0.1])
    e = evaluate(p, FAST)
    assert [row.threshold for row in e.threshold_table] == [0.9, 0.4, 0.1]


# --- display curves -----------------------------------------------------------------------------


def test_display_curves_are_bounded_and_keep_ends_and_operating_points() -> None:
    p = dataset("continuous", n=5000)
    opts = options(bootstrap=0, curve_points=60)
    e = evaluate(p, opts)
    full_roc, full_pr = roc_curve(p), pr_curve(p)
    assert e.roc is not None and e.pr is not None and full_roc is not None and full_pr is not None
    assert len(e.roc.fpr) <= 60 and len(e.pr.recall) <= 60
    assert (e.roc.thresholds[0], e.roc.thresholds[-1]) == (np.inf, full_roc.thresholds[-1])
    assert (e.pr.thresholds[0], e.pr.thresholds[-1]) == (
        full_pr.thresholds[0],
        full_pr.thresholds[-1],
    )
    points = [e.at_threshold, *e.recall_at_fpr.values(), *e.precision_at_recall.values()]
    for point in points:
        assert point is not None and point.recall is not None
        at = np.flatnonzero(e.roc.thresholds >= point.threshold)[-1]  # its curve point
        assert close(point.recall, e.roc.tpr[at])
    for point in e.precision_at_recall.values():
        assert point is not None and point.threshold in set(e.pr.thresholds)
    # every display point is a point of the full curve
    assert set(e.roc.thresholds) <= set(full_roc.thresholds)


def test_short_curves_are_not_downsampled() -> None:
    p = dataset("ties")
    e, full = evaluate(p, FAST), roc_curve(p)
    assert e.roc is not None and full is not None
    assert_arrays(e.roc.fpr, full.fpr)


# --- edge cases: one class, slices --------------------------------------------------------------


def test_all_negative_reports_undefined_metrics_with_reasons() -> None:
    p = Predictions.from_arrays(np.zeros(50, bool), np.linspace(0, 1, 50))
    e = evaluate(p, FAST)
    assert (e.roc_auc, e.average_precision, e.roc, e.pr) == (None, None, None, None)
    assert e.undefined["roc_auc"] == "undefined: only one class"
    assert e.undefined["average_precision"] == "undefined: no positives"
    assert e.ci == {"roc_auc": None, "average_precision": None}
    assert set(e.recall_at_fpr.values()) == set(e.precision_at_recall.values()) == {None}
    assert e.at_threshold.recall is None and "recall" in e.undefined
    assert e.low_support
    assert close(e.log_loss, skm.log_loss(p.y_true, p.y_score, labels=[False, True]))
    assert close(e.brier, skm.brier_score_loss(p.y_true, p.y_score, pos_label=True))
    json.dumps(e.to_json(), allow_nan=False)


def test_all_positive_has_average_precision_but_no_auc() -> None:
    p = Predictions.from_arrays(np.ones(40, bool), np.linspace(0, 1, 40))
    e = evaluate(p, FAST)
    assert e.roc_auc is None and e.roc is None
    assert e.average_precision == skm.average_precision_score(p.y_true, p.y_score) == 1.0
    assert e.at_threshold.fpr is None and e.undefined["fpr"] == "undefined: no negatives"
    assert e.recall_at_fpr[0.01] is None
    assert e.precision_at_recall[0.5] is not None
    assert close(e.log_loss, skm.log_loss(p.y_true, p.y_score, labels=[False, True]))
    json.dumps(e.to_json(), allow_nan=False)


def _sliced(seed: int = 1) -> Predictions:
    rng = np.random.default_rng(seed)
    n = 4000
    country = rng.choice(["DE", "FR", "UK"], n)
    y = (rng.random(n) < 0.05) & (country != "UK")  # UK has no positives
    s = np.round(np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1), 2)
    channel = rng.choice(["app", "web"], n)
    return Predictions.from_arrays(y, s, slices={"country": country, "channel": channel})


def test_slices_equal_sklearn_on_each_subset() -> None:
    p = _sliced()
    e = evaluate(p, FAST)
    assert list(e.slices) == ["country", "channel"]
    assert list(e.slices["country"]) == ["DE", "FR", "UK"]
    for column, values in e.slices.items():
        for value, sub in values.items():
            rows = p.slices[column] == value
            y, s = p.y_true[rows], p.y_score[rows]
            assert sub.n_rows == rows.sum() and sub.slices == {}
            assert close(sub.log_loss, skm.log_loss(y, s, labels=[False, True]))
            if y.any():
                assert close(sub.roc_auc, skm.roc_auc_score(y, s))
                assert close(sub.average_precision, skm.average_precision_score(y, s))


def test_slices_keep_numbers_not_curves() -> None:
    e = evaluate(_sliced(), FAST)
    assert e.roc is not None and e.pr is not None and e.calibration and e.threshold_table
    for values in e.slices.values():
        for sub in values.values():
            assert (sub.roc, sub.pr, sub.calibration, sub.threshold_table) == (None, None, None, ())
            assert sub.log_loss is not None and "ci.average_precision" in sub.undefined
    uk = e.slices["country"]["UK"]
    assert uk.undefined["roc_curve"] and uk.undefined["pr_curve"]
    assert "roc_curve" not in e.slices["country"]["DE"].undefined


def test_slice_without_positives_is_undefined_and_low_support() -> None:
    uk = evaluate(_sliced(), FAST).slices["country"]["UK"]
    assert uk.positives == 0 and uk.low_support
    assert uk.roc_auc is None and uk.undefined["roc_auc"] == "undefined: only one class"
    assert uk.average_precision is None


def test_low_support_uses_min_positives() -> None:
    e = evaluate(_sliced(), options(bootstrap=0, min_positives=70))
    de = e.slices["country"]["DE"]
    assert de.low_support == (de.positive_rows < 70)
    assert not e.low_support


def test_slice_bootstrap_sets_the_slices_resamples_alone() -> None:
    """`slice_bootstrap` resamples slices only: the run's intervals are `bootstrap`'s, and each
    slice's are those `bootstrap` set to that number gives."""
    p = _sliced()
    shipped = evaluate(p, options(bootstrap=200))
    fewer = evaluate(p, options(bootstrap=200, slice_bootstrap=50))
    reference = evaluate(p, options(bootstrap=50))
    assert fewer.ci == shipped.ci
    de = fewer.slices["country"]["DE"]
    assert de.ci == reference.slices["country"]["DE"].ci
    assert de.ci != shipped.slices["country"]["DE"].ci


def test_slice_bootstrap_zero_keeps_the_score_interval_of_roc_auc() -> None:
    """No slice is resampled; ROC-AUC's Hanley-McNeil interval needs no resamples and stays
    (to the last bits of the AUC it is made from); AP says why it has none."""
    p = _sliced()
    shipped = evaluate(p, options(bootstrap=200))
    off = evaluate(p, options(bootstrap=200, slice_bootstrap=0))
    assert off.ci == shipped.ci
    for column, values in off.slices.items():
        for value, sub in values.items():
            before = shipped.slices[column][value]
            if before.ci["roc_auc"] is None:  # one class: no interval either way
                assert sub.ci["roc_auc"] is None and sub.undefined["ci.roc_auc"] == ONE_CLASS
                continue
            assert sub.ci["roc_auc"] == pytest.approx(before.ci["roc_auc"], abs=1e-12)
            assert sub.ci["average_precision"] is None
            assert sub.undefined["ci.average_precision"] == "not computed: slice_bootstrap=0"
    assert off.slices["country"]["UK"].ci["roc_auc"] is None  # UK has no positives


def test_bootstrap_zero_still_computes_no_interval_for_slices() -> None:
    e = evaluate(_sliced(), options(bootstrap=0))
    de = e.slices["country"]["DE"]
    assert de.ci == {"roc_auc": None, "average_precision": None}
    assert de.undefined["ci.roc_auc"] == "not computed: bootstrap=0"


# --- bootstrap ----------------------------------------------------------------------------------


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    p = dataset("ties")
    first = evaluate(p, options(bootstrap=50, seed=7)).ci
    again = evaluate(p, options(bootstrap=50, seed=7)).ci
    other = evaluate(p, options(bootstrap=50, seed=8)).ci
    assert first == again and first != other
    e = evaluate(p, options(bootstrap=50, seed=7))
    low, high = first["roc_auc"]  # type: ignore[misc]
    assert low < e.roc_auc < high  # type: ignore[operator]


def _drawn_counts(rng: np.random.Generator, rows: int, resamples: int) -> np.ndarray:
    """The row-by-row bootstrap: each resample draws `rows` row indices with replacement."""
    return np.array(
        [np.bincount(rng.integers(0, rows, rows), minlength=rows) for _ in range(resamples)]
    )


def _balanced(n: int = 3000) -> Predictions:
    """Continuous scores and half positives: nearly every row is its own bootstrap cell."""
    rng = np.random.default_rng(5)
    y = rng.random(n) < 0.5
    return Predictions.from_arrays(y, rng.random(n) + 0.2 * y)


def _resamples_equal_sklearn(p: Predictions, resamples: int, seed: int) -> None:
    """Drawn row by row, every resample's ROC-AUC and AP are scikit-learn's with the drawn
    counts as weights (resamples missing a class are NaN)."""
    y, s, w = _reference(p)
    ranking = Ranking.of(y, s)
    _, values, _ = resampling.replicate(
        y, w, (ranking,), (1.0,), resamples=resamples, seed=seed, exact_rows=None
    )
    counts = _drawn_counts(np.random.default_rng(seed), len(y), resamples)
    for value, count in zip(values, counts, strict=True):
        weight = count if w is None else count * w
        if weight[y].sum() > 0 and weight[~y].sum() > 0:
            assert close(value[0], skm.roc_auc_score(y, s, sample_weight=weight))
            assert close(value[1], skm.average_precision_score(y, s, sample_weight=weight))
        else:
            assert np.isnan(value).all()


@pytest.mark.parametrize("name", ["ties", "weighted", "continuous", "balanced"])
def test_a_resample_equals_sklearn_with_count_weights(name: str) -> None:
    _resamples_equal_sklearn(_balanced() if name == "balanced" else dataset(name), 3, 3)


def test_interval_needs_half_the_resamples_usable() -> None:
    p = Predictions.from_arrays([1, 0], [0.8, 0.3])  # half the resamples miss a class
    outcomes = set()
    for seed in range(12):
        boot = intervals.replicates(p.y_true, p.y_score, resamples=20, seed=seed)
        usable = len(boot.values) if boot is not None else 0
        e = evaluate(p, options(bootstrap=20, seed=seed))
        outcomes.add(e.ci["roc_auc"] is None)
        assert (e.ci["roc_auc"] is None) == (2 * usable < 20)
        if e.ci["roc_auc"] is None:
            assert "resamples had both classes" in e.undefined["ci.roc_auc"]
    assert outcomes == {True, False}


def test_no_bootstrap_gives_no_interval_with_a_reason() -> None:
    e = evaluate(dataset("ties"), FAST)
    assert e.ci == {"roc_auc": None, "average_precision": None}
    assert "bootstrap=0" in e.undefined["ci.roc_auc"]


# --- JSON contract and options ------------------------------------------------------------------


def test_to_json_has_the_documented_keys_and_plain_values() -> None:
    e = evaluate(_sliced(), options(bootstrap=20))
    data = e.to_json()
    assert set(data) >= REQUIRED_KEYS
    assert set(data["recall_at_fpr"]) == {"0.001", "0.01", "0.05"}
    assert set(data["precision_at_recall"]) == {"0.5", "0.8", "0.9"}
    assert set(data["confusion"]) == {"threshold", "tp", "fp", "tn", "fn"}
    assert set(data["ci"]) == {"roc_auc", "average_precision"}
    assert isinstance(data["ci"]["roc_auc"], list) and isinstance(data["n"], int)
    assert data["recall_at_fpr"]["0.01"] == e.recall_at_fpr[0.01].recall  # type: ignore[union-attr]
    uk = data["slices"]["country"]["UK"]
    assert set(uk) >= REQUIRED_KEYS - {"slices"} and "slices" not in uk
    assert uk["roc_auc"] is None and uk["low_support"] is True
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_to_json_has_no_infinite_thresholds() -> None:
    y = np.array([0] * 10 + [1], dtype=bool)  # the top score is a negative
    e = evaluate(Predictions.from_arrays(y, np.linspace(1, 0, 11)), FAST)
    point = e.recall_at_fpr[0.001]
    assert point is not None and point.recall == 0.0 and point.threshold == math.inf
    assert e.to_json()["thresholds"]["recall_at_fpr"]["0.001"] is None
    json.dumps(e.to_json(), allow_nan=False)


def test_weighted_counts_are_floats_in_json() -> None:
    e = evaluate(Predictions.from_arrays([1, 0], [0.9, 0.1], weight=[0.5, 2.0]), FAST)
    assert e.to_json()["n"] == 2.5 and e.n_rows == 2


def test_options_report_every_problem_at_once() -> None:
    with pytest.raises(ValueError) as info:
        options(fpr_targets=(0.0,), bootstrap=-1, curve_points=3)
    message = str(info.value)
    assert "fpr_targets" in message and "bootstrap" in message and "curve_points" in message


def _hand_built(score: list[float], weight: list[float] | None = None) -> Predictions:
    y = np.array([True, False])
    w = None if weight is None else np.array(weight)
    return Predictions(
        y_true=y, y_score=np.array(score), weight=w, slices={}, n_rows=2, label_hash=""
    )


def test_invalid_hand_built_predictions_are_rejected() -> None:
    with pytest.raises(ValueError, match="scores must be finite"):
        evaluate(_hand_built([np.nan, 0.1]), FAST)
    with pytest.raises(ValueError, match="weights must be finite"):
        evaluate(_hand_built([0.9, 0.1], [1.0, -1.0]), FAST)
    with pytest.raises(ValueError, match="zero weight"):
        evaluate(_hand_built([0.9, 0.1], [0.0, 0.0]), FAST)


# --- property-based -----------------------------------------------------------------------------


@st.composite
def small_sets(draw: st.DrawFn) -> Predictions:
    n = draw(st.integers(1, 30))
    y = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    s = draw(
        st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), min_size=n, max_size=n)
    )
    weighted = draw(st.booleans())
    w = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=n, max_size=n))
    if weighted and any(w):
        return Predictions.from_arrays(y, s, weight=w)
    return Predictions.from_arrays(y, s)


def _reference(p: Predictions) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    keep = np.ones(p.n_rows, bool) if p.weight is None else p.weight > 0
    return p.y_true[keep], p.y_score[keep], None if p.weight is None else p.weight[keep]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_sets(), st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0]))
def test_random_sets_equal_sklearn(p: Predictions, threshold: float) -> None:
    e = evaluate(p, options(bootstrap=10, threshold=threshold, top_k=(1, 5)))
    y, s, w = _reference(p)
    both = y.any() and not y.all()
    assert (e.roc_auc is None) == (not both) == ("roc_auc" in e.undefined)
    if both:
        assert close(e.roc_auc, skm.roc_auc_score(y, s, sample_weight=w))
    if y.any():
        assert close(e.average_precision, skm.average_precision_score(y, s, sample_weight=w))
    assert close(e.log_loss, skm.log_loss(y, s, sample_weight=w, labels=[False, True]))
    assert close(e.brier, skm.brier_score_loss(y, s, sample_weight=w, pos_label=True))
    tn, fp, fn, tp = skm.confusion_matrix(
        y, s >= threshold, labels=[False, True], sample_weight=w
    ).ravel()
    at = e.at_threshold
    assert [at.tp, at.fp, at.tn, at.fn] == approx([tp, fp, tn, fn])
    assert (at.precision is None) == (tp + fp == 0)
    json.dumps(e.to_json(), allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(small_sets())
def test_random_resamples_equal_sklearn(p: Predictions) -> None:
    y = _reference(p)[0]
    if y.any() and not y.all():  # intervals are computed only then
        _resamples_equal_sklearn(p, 2, 0)


def test_evaluation_is_frozen() -> None:
    e = evaluate(dataset("ties"), FAST)
    assert isinstance(e, Evaluation)
    with pytest.raises(AttributeError):
        e.roc_auc = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("name", ["ties", "weighted", "continuous", "balanced"])
def test_batched_resamples_score_exactly_as_one_at_a_time(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resamples are scored in batches of a bounded size; the batch size changes nothing."""
    p = _balanced(600) if name == "balanced" else dataset(name)
    y, s, w = _reference(p)
    ranking = (Ranking.of(y, s),)
    run = lambda: resampling.replicate(  # noqa: E731
        y, w, ranking, (1.0,), resamples=25, seed=11, exact_rows=None
    )[1]
    together = run()
    monkeypatch.setattr(resampling, "_BATCH_NUMBERS", 1)
    one_at_a_time = run()
    assert together.shape == (25, 2)
    np.testing.assert_array_equal(together, one_at_a_time)
