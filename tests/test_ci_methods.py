"""bench/ci_methods.py: bootstrap intervals for ROC-AUC, AP and paired differences."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import ci_methods as cm  # noqa: E402
import ci_resampling as rs  # noqa: E402


def data(
    name: str, n: int = 3000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Fraud-like sets (5% positives): continuous scores, ties, and both kinds of weights."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.05
    score = rng.normal(0, 1, n) + 1.5 * y
    if name == "continuous":
        return y, score, None
    if name == "ties":
        return y, np.round(score, 1), None
    if name == "integer":
        return y, np.round(score, 1), rng.choice([0.0, 1.0, 2.0, 3.0], n, p=[0.1, 0.4, 0.3, 0.2])
    if name == "weights":
        return y, score, rng.gamma(2.0, 0.5, n)
    raise ValueError(name)


def sklearn_scores(y: np.ndarray, score: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    return np.array(
        [
            skm.roc_auc_score(y, score, sample_weight=weight),
            skm.average_precision_score(y, score, sample_weight=weight),
        ]
    )


SETS = ["continuous", "ties", "integer", "weights"]


@pytest.mark.parametrize("name", SETS)
def test_estimates_equal_sklearn_and_lie_in_their_intervals(name: str) -> None:
    y, score, weight = data(name)
    ivs = cm.ranking_intervals(y, score, weight, resamples=300, seed=1)
    assert ivs is not None
    expected = sklearn_scores(y, score, weight)
    for k, metric in enumerate(cm.METRICS):
        iv = ivs[metric]
        assert iv.estimate == pytest.approx(expected[k], abs=1e-12)
        assert 0 <= iv.low < iv.estimate < iv.high <= 1


@pytest.mark.parametrize("name", SETS)
def test_influence_is_the_derivative_in_a_rows_weight(name: str) -> None:
    y, score, weight = data(name, n=800)
    u = cm.influence(y, score, weight)
    base = np.ones(len(y)) if weight is None else weight
    rows = [int(np.flatnonzero(y & (base > 0))[2]), int(np.flatnonzero(~y & (base > 0))[7])]
    for row in rows:
        step = 1e-6
        bumped = base.copy()
        bumped[row] += step * base[row]  # one more "copy" of the row, scaled down
        diff = (sklearn_scores(y, score, bumped) - sklearn_scores(y, score, base)) / step
        np.testing.assert_allclose(u[row], diff, rtol=1e-4, atol=1e-9)
    assert np.abs(u.sum(axis=0)).max() < 1e-12  # scaling every weight alike changes nothing


def test_influence_of_roc_auc_is_delongs_placement_variance() -> None:
    y, score, _ = data("continuous", n=600)
    pos, neg = score[y], score[~y]
    v10 = (neg[None, :] < pos[:, None]).mean(axis=1)  # placement of each positive
    v01 = (pos[None, :] > neg[:, None]).mean(axis=1)
    auc = v10.mean()
    u = cm.influence(y, score)[:, 0]
    np.testing.assert_allclose(u[y], (v10 - auc) / len(pos), atol=1e-12)
    np.testing.assert_allclose(u[~y], (v01 - auc) / len(neg), atol=1e-12)


def test_perfect_separation_gives_the_degenerate_interval_at_one() -> None:
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(30, bool), np.zeros(970, bool)]
    score = np.r_[rng.uniform(2, 3, 30), rng.uniform(0, 1, 970)]
    with np.errstate(all="raise"):
        ivs = cm.ranking_intervals(y, score, resamples=200, seed=0)
    assert ivs is not None
    for iv in ivs.values():
        assert (iv.low, iv.estimate, iv.high) == pytest.approx((1.0, 1.0, 1.0), abs=1e-12)


def test_one_class_gives_none_and_bad_input_raises() -> None:
    score = np.linspace(0, 1, 10)
    assert cm.ranking_intervals(np.zeros(10, bool), score, resamples=10) is None
    only_negatives_weighted = np.r_[np.ones(5), np.zeros(5)]
    y = np.r_[np.zeros(5, bool), np.ones(5, bool)]
    assert cm.ranking_intervals(y, score, only_negatives_weighted, resamples=10) is None
    with pytest.raises(ValueError):
        cm.ranking_intervals(y, score[:-1], resamples=10)
    with pytest.raises(ValueError):
        cm.ranking_intervals(y, score, -only_negatives_weighted, resamples=10)
    with pytest.raises(ValueError):
        cm.paired_difference_intervals(y, score, score[:-1], resamples=10)


def test_deterministic_for_a_seed() -> None:
    y, score, weight = data("weights")
    first = cm.ranking_intervals(y, score, weight, resamples=200, seed=7)
    again = cm.ranking_intervals(y, score, weight, resamples=200, seed=7)
    other = cm.ranking_intervals(y, score, weight, resamples=200, seed=8)
    assert first == again
    assert first != other


def test_resamples_is_honoured_and_few_usable_resamples_give_none() -> None:
    y, score, _ = data("continuous")
    boot = cm.bootstrap_replicates(y, score, resamples=123, seed=0)
    assert boot is not None and boot.values.shape == (123, 2)
    tiny_y, tiny_score = np.array([True, False]), np.array([0.8, 0.3])
    tiny = cm.bootstrap_replicates(tiny_y, tiny_score, resamples=400, seed=0)
    assert tiny is not None and 0 < len(tiny.values) < 200  # half the resamples miss a class
    assert cm.bca_interval(tiny) is None and cm.percentile_interval(tiny) is None


def test_a_replicate_equals_sklearn_on_the_drawn_rows() -> None:
    """With every cell drawn row by row, a resample is `rng.integers(0, n, n)` over the rows:
    the replicates are scikit-learn's scores with the drawn counts as weights."""
    y, score, weight = data("integer", n=400)
    boot = cm.bootstrap_replicates(y, score, weight, resamples=5, seed=3, exact_rows=None)
    assert boot is not None
    kept = np.flatnonzero(weight)
    rng = np.random.default_rng(3)
    for replicate in boot.values:
        counts = np.zeros(len(y))
        counts[kept] = np.bincount(rng.integers(0, len(kept), len(kept)), minlength=len(kept))
        np.testing.assert_allclose(replicate, sklearn_scores(y, score, counts * weight), atol=1e-12)


def test_paired_replicates_equal_a_naive_paired_bootstrap_with_the_same_seed() -> None:
    rng = np.random.default_rng(4)
    y = rng.random(500) < 0.1
    score_a = rng.normal(0, 1, 500) + 1.0 * y
    score_b = 0.7 * score_a + rng.normal(0, 0.7, 500) + 0.6 * y
    boot = cm.paired_replicates(y, score_a, score_b, resamples=150, seed=9, exact_rows=None)
    assert boot is not None
    draw = np.random.default_rng(9)
    naive = []
    for _ in range(150):
        counts = np.bincount(draw.integers(0, 500, 500), minlength=500)
        if y[counts > 0].all() or not y[counts > 0].any():
            continue
        naive.append(sklearn_scores(y, score_b, counts) - sklearn_scores(y, score_a, counts))
    np.testing.assert_allclose(boot.values, np.array(naive), atol=1e-12)
    np.testing.assert_allclose(
        boot.estimate, sklearn_scores(y, score_b, None) - sklearn_scores(y, score_a, None)
    )
    low, high = np.quantile(np.array(naive), [0.025, 0.975], axis=0)
    ivs = cm.percentile_interval(boot)
    assert ivs is not None
    for k, metric in enumerate(cm.METRICS):
        assert (ivs[metric].low, ivs[metric].high) == pytest.approx((low[k], high[k]), abs=1e-12)


def test_pairing_removes_the_shared_noise() -> None:
    """Two nearly equal runs: the paired interval of the difference is far narrower than the
    difference of independent bootstraps, and identical runs give exactly zero."""
    rng = np.random.default_rng(5)
    y = rng.random(4000) < 0.02
    score_a = rng.normal(0, 1, 4000) + 1.5 * y
    score_b = score_a + rng.normal(0, 0.2, 4000)
    paired = cm.paired_replicates(y, score_a, score_b, resamples=500, seed=1)
    alone = [
        cm.bootstrap_replicates(y, s, resamples=500, seed=i)
        for i, s in enumerate((score_a, score_b))
    ]
    assert paired is not None and alone[0] is not None and alone[1] is not None
    independent = alone[1].values - alone[0].values
    assert (paired.values.std(axis=0) < 0.5 * independent.std(axis=0)).all()
    same = cm.paired_difference_intervals(y, score_a, score_a.copy(), resamples=200, seed=1)
    assert same is not None
    assert all((iv.low, iv.estimate, iv.high) == (0.0, 0.0, 0.0) for iv in same.values())


def _fast_and_exact(
    y: np.ndarray, score: np.ndarray, weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    fast = cm.bootstrap_replicates(y, score, weight, resamples=3000, seed=11)
    exact = cm.bootstrap_replicates(y, score, weight, resamples=3000, seed=12, exact_rows=None)
    assert fast is not None and exact is not None
    return fast.values, exact.values


@pytest.mark.parametrize("name", ["ties", "weights"])
def test_large_cells_drawn_from_moments_match_drawing_every_row(name: str) -> None:
    """Long runs of negatives (and heavily tied scores) take the moment-matched path; its
    replicates have the distribution of a row-by-row bootstrap."""
    y, score, weight = data(name, n=6000, seed=3)
    fast, exact = _fast_and_exact(y, score, weight)
    for k in range(2):
        assert stats.ks_2samp(fast[:, k], exact[:, k]).pvalue > 1e-3
        assert fast[:, k].std() == pytest.approx(exact[:, k].std(), rel=0.08)


def test_integer_weights_are_rows_that_carry_their_weight() -> None:
    """A row of weight 3 has the point estimates of three copies of the row, but the bootstrap
    resamples rows: a weighted row moves as one (down-sampled negatives with weight 1/rate
    carry the information of one row each). Its intervals match a row-by-row bootstrap of the
    weighted rows, and are wider than those of the replicated rows."""
    y, score, weight = data("integer", n=4000, seed=6)
    copies = weight.astype(np.int64)
    y_rep, score_rep = np.repeat(y, copies), np.repeat(score, copies)
    weighted = cm.bootstrap_replicates(y, score, weight, resamples=2000, seed=1)
    exact = cm.bootstrap_replicates(y, score, weight, resamples=2000, seed=2, exact_rows=None)
    replicated = cm.bootstrap_replicates(y_rep, score_rep, resamples=2000, seed=3)
    assert weighted is not None and exact is not None and replicated is not None
    np.testing.assert_allclose(weighted.estimate, replicated.estimate, atol=1e-12)
    width = {
        name: np.subtract(*np.quantile(b.values, [0.975, 0.025], axis=0))
        for name, b in (("weighted", weighted), ("exact", exact), ("replicated", replicated))
    }
    np.testing.assert_allclose(width["weighted"], width["exact"], rtol=0.12)
    assert (width["replicated"] < 0.9 * width["weighted"]).all()


def test_t_quantile_matches_scipy() -> None:
    for dof in (5, 8, 19, 49, 200, 5000):
        for p, tolerance in ((0.9, 1e-4), (0.975, 3e-4), (0.995, 4e-3)):
            assert cm._t_quantile(p, dof) == pytest.approx(stats.t.ppf(p, dof), abs=tolerance)
    assert cm._t_quantile(0.975, 2) == cm._t_quantile(0.975, 5)


def test_expansion_widens_small_samples_only() -> None:
    y_small, score_small, _ = data("continuous", n=400, seed=8)  # ~20 positives
    y_large, score_large, _ = data("continuous", n=20000, seed=8)  # ~1000 positives
    for y, score, least, most in (
        (y_small, score_small, 1.04, 1.3),
        (y_large, score_large, 1.0, 1.01),
    ):
        boot = cm.bootstrap_replicates(y, score, resamples=2000, seed=0)
        assert boot is not None
        wide, plain = cm.bca_interval(boot), cm.bca_interval(boot, expanded=False)
        assert wide is not None and plain is not None
        ratio = (wide["roc_auc"].high - wide["roc_auc"].low) / (
            plain["roc_auc"].high - plain["roc_auc"].low
        )
        assert least <= ratio <= most


def test_deep_negatives_of_two_runs_resampled_to_first_order_match_drawing_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many joint cells: negatives below the top ones of both runs are resampled to first
    order; the replicates of the difference keep the row-by-row bootstrap's distribution."""
    rng = np.random.default_rng(7)
    y = rng.random(20000) < 0.02
    noise = rng.normal(0, 1, 20000)
    score_a = noise + 1.2 * y
    score_b = 0.8 * noise + 0.6 * rng.normal(0, 1, 20000) + 1.5 * y
    weight = rng.gamma(2.0, 0.5, 20000)
    monkeypatch.setattr(rs, "JOINT_CELLS", 0)
    monkeypatch.setattr(rs, "TOP_NEGATIVES", 500)
    fast = cm.paired_replicates(y, score_a, score_b, weight, resamples=2000, seed=1)
    exact = cm.paired_replicates(
        y, score_a, score_b, weight, resamples=2000, seed=2, exact_rows=None
    )
    assert fast is not None and exact is not None
    for k in range(2):
        assert stats.ks_2samp(fast.values[:, k], exact.values[:, k]).pvalue > 1e-3
        assert fast.values[:, k].std() == pytest.approx(exact.values[:, k].std(), rel=0.1)
