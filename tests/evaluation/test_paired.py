"""Pairing two runs' rows (`reporter.evaluation.paired`): by id, else by order; anything that
makes them different rows is a reason, never a silent pairing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from reporter.evaluation.intervals import paired_difference_intervals
from reporter.evaluation.paired import pair_rows, paired_difference
from reporter.evaluation.predictions import Predictions


def preds(y, score, ids=None, weight=None) -> Predictions:
    p = Predictions.from_arrays(y, score, weight=weight)
    return replace(p, ids=None if ids is None else np.asarray(ids).astype(str))


def two_runs(n: int = 800, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    a = rng.normal(0, 1, n) + 1.0 * y
    b = a + rng.normal(0, 0.5, n) + 0.5 * y
    return y, a, b, np.array([f"row-{i}" for i in range(n)])


def test_rows_are_matched_by_id_in_any_order() -> None:
    y, a, b, ids = two_runs()
    shuffle = np.random.default_rng(1).permutation(len(y))
    base, other = preds(y, a, ids), preds(y[shuffle], b[shuffle], ids[shuffle])
    pairing = pair_rows(base, other)
    assert not isinstance(pairing, str) and pairing.matched_by == "ids"
    assert (base.ids[pairing.base] == other.ids[pairing.other]).all()
    d = paired_difference(base, other, resamples=300, seed=2)
    order = np.argsort(ids)
    direct = paired_difference_intervals(y[order], a[order], b[order], resamples=300, seed=2)
    assert d.intervals == direct and d.rows == len(y) and d.reason == ""


def test_without_ids_the_same_labels_in_the_same_order_pair() -> None:
    y, a, b, _ = two_runs()
    d = paired_difference(preds(y, a), preds(y, b), resamples=300, seed=2)
    assert d.matched_by == "order"
    assert d.intervals == paired_difference_intervals(y, a, b, resamples=300, seed=2)
    swapped = y.copy()
    swapped[[0, 1]] = swapped[[1, 0]] if swapped[0] != swapped[1] else ~swapped[[0, 1]]
    assert "labels differ" in pair_rows(preds(y, a), preds(swapped, b))  # type: ignore[operator]
    assert "800 and 799" in pair_rows(preds(y, a), preds(y[1:], b[1:]))  # type: ignore[operator]


def test_what_makes_rows_different_is_said() -> None:
    y, a, b, ids = two_runs()
    base = preds(y, a, ids)
    other_ids = ids.copy()
    other_ids[5] = "row-x"
    cases = {
        "the ids differ": preds(y, b, other_ids),
        "ids repeat": preds(y, b, np.r_[ids[:-1], ids[:1]]),
        "labels differ on the same ids": preds(~y, b, ids),
        "one run has weights": preds(y, b, ids, weight=np.ones(len(y))),
    }
    for why, other in cases.items():
        reason = pair_rows(base, other)
        assert isinstance(reason, str) and reason.startswith("different rows") and why in reason
    weighted = preds(y, a, ids, weight=np.full(len(y), 2.0))
    assert "weights differ" in pair_rows(weighted, preds(y, b, ids, weight=np.ones(len(y))))
    d = paired_difference(base, cases["the ids differ"], resamples=100, seed=0)
    assert not d.intervals and d.verdict("roc_auc") == ""


def test_verdicts_follow_the_interval_and_the_direction() -> None:
    y, a, b, _ = two_runs(3000)
    d = paired_difference(preds(y, a), preds(y, b), resamples=400, seed=0)
    assert d.intervals["roc_auc"].low > 0
    assert d.verdict("roc_auc") == "better"
    assert d.verdict("roc_auc", lower_is_better=True) == "worse"
    same = paired_difference(preds(y, a), preds(y, a + 1e-9 * 0), resamples=100, seed=0)
    assert same.verdict("roc_auc") == "unclear"
