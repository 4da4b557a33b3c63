"""The shipped intervals (`reporter.evaluation.intervals`): for one run, the Hanley-McNeil score
interval of ROC-AUC and bootstrap intervals of AP; BCa for the paired difference of two runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from reporter.config import Settings
from reporter.evaluation import intervals as iv
from reporter.evaluation import resampling
from reporter.evaluation.evaluate import EvalOptions, evaluate
from reporter.evaluation.predictions import Predictions
from reporter.evaluation.score_interval import hanley_mcneil_variance


def data(name: str, n: int = 3000, seed: int = 0):
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
    return y, score, rng.gamma(2.0, 0.5, n)


def sk(y: np.ndarray, score: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
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
    ivs = iv.ranking_intervals(y, score, weight, resamples=300, seed=1)
    assert ivs is not None
    for k, metric in enumerate(iv.METRICS):
        assert ivs[metric].estimate == pytest.approx(sk(y, score, weight)[k], abs=1e-12)
        assert 0 <= ivs[metric].low < ivs[metric].estimate < ivs[metric].high <= 1


@pytest.mark.parametrize("name", SETS)
def test_evaluation_ci_is_the_shipped_interval(name: str) -> None:
    """`Evaluation.ci` (run pages, JSON) is this module's interval with the configured
    resamples and seed; the point estimates stay scikit-learn's. (Rows come sorted by score:
    the evaluation draws rows in ranked order, so the same draws then pick the same rows.)"""
    y, score, weight = data(name, n=2000)
    order = np.argsort(-score, kind="stable")
    y, score, weight = y[order], score[order], None if weight is None else weight[order]
    base = EvalOptions.from_settings(Settings.defaults(Path("runs")).evaluation)
    e = evaluate(
        Predictions.from_arrays(y, score, weight=weight), replace(base, bootstrap=250, seed=4)
    )
    ivs = iv.ranking_intervals(y, score, weight, resamples=250, seed=4)
    assert ivs is not None
    for k, metric in enumerate(iv.METRICS):
        assert e.ci[metric] == pytest.approx((ivs[metric].low, ivs[metric].high), abs=1e-12)
        assert getattr(e, metric) == pytest.approx(sk(y, score, weight)[k], abs=1e-12)
    none = evaluate(Predictions.from_arrays(y, score, weight=weight), replace(base, bootstrap=0))
    assert none.ci == {"roc_auc": None, "average_precision": None}
    assert none.undefined["ci.roc_auc"] == "not computed: bootstrap=0"


def test_influence_of_roc_auc_is_delongs_placement_values() -> None:
    y, score, _ = data("continuous", n=600)
    pos, neg = score[y], score[~y]
    v10 = (neg[None, :] < pos[:, None]).mean(axis=1)
    v01 = (pos[None, :] > neg[:, None]).mean(axis=1)
    auc = v10.mean()
    u = iv.influence(y, score)[:, 0]
    np.testing.assert_allclose(u[y], (v10 - auc) / len(pos), atol=1e-12)
    np.testing.assert_allclose(u[~y], (v01 - auc) / len(neg), atol=1e-12)


def test_perfect_separation_one_class_and_bad_input() -> None:
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(30, bool), np.zeros(970, bool)]
    score = np.r_[rng.uniform(2, 3, 30), rng.uniform(0, 1, 970)]
    ivs = iv.ranking_intervals(y, score, resamples=200, seed=0)
    assert ivs is not None
    ap, auc = ivs["average_precision"], ivs["roc_auc"]
    assert (ap.low, ap.estimate, ap.high) == (1.0, 1.0, 1.0)  # every resample ranks perfectly
    # 30 perfectly ranked positives do not prove a perfect ROC-AUC: the score interval reaches
    # down to where the Hanley-McNeil variance makes 1 plausible
    assert auc.estimate == auc.high == 1.0 and 0.9 < auc.low < 1.0
    assert (1 - auc.low) ** 2 == pytest.approx(
        1.959964**2 * hanley_mcneil_variance(auc.low, 30, 970), rel=1e-6
    )
    assert iv.ranking_intervals(np.zeros(10, bool), np.linspace(0, 1, 10), resamples=10) is None
    with pytest.raises(ValueError):
        iv.paired_difference_intervals(y, score, score[:-1], resamples=10)


def test_deterministic_for_a_seed() -> None:
    y, score, weight = data("weights")
    first = iv.ranking_intervals(y, score, weight, resamples=200, seed=7)
    assert first == iv.ranking_intervals(y, score, weight, resamples=200, seed=7)
    assert first != iv.ranking_intervals(y, score, weight, resamples=200, seed=8)


def _direct_scores(y: np.ndarray, score: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(ROC-AUC, AP) per row of `counts` (resamples x rows, the rows' weights in each
    resample), from the definitions scikit-learn uses: cumulative weighted positives and
    negatives at each distinct score, the trapezoid under ROC, precision summed over recall
    steps."""
    order = np.argsort(-score, kind="stable")
    ranked, hit, c = score[order], y[order], counts[:, order]
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    tps = np.cumsum(c * hit, axis=1)[:, ends]
    fps = np.cumsum(c * ~hit, axis=1)[:, ends]
    zero = np.zeros((len(c), 1))
    tpr = np.hstack([zero, tps / tps[:, -1:]])
    fpr = np.hstack([zero, fps / fps[:, -1:]])
    auc = np.trapezoid(tpr, fpr, axis=1)
    precision = np.divide(tps, tps + fps, out=np.zeros_like(tps), where=tps + fps > 0)
    ap = np.sum(np.diff(tpr, axis=1) * precision, axis=1)
    return np.stack([auc, ap], axis=1)


def _naive_paired(y, score_a, score_b, weight, resamples: int, seed: int) -> np.ndarray:
    """A paired bootstrap written from its definition: draw n row indices with replacement,
    score both runs on the drawn rows, keep B - A (resamples missing a class dropped)."""
    kept = np.arange(len(y)) if weight is None else np.flatnonzero(weight)
    base = np.ones(len(y)) if weight is None else weight
    rng = np.random.default_rng(seed)
    counts = np.zeros((resamples, len(y)))
    for row in counts:
        row[kept] = np.bincount(rng.integers(0, len(kept), len(kept)), minlength=len(kept))
    drawn = counts * base
    usable = ((drawn * y).sum(axis=1) > 0) & ((drawn * ~y).sum(axis=1) > 0)
    drawn = drawn[usable]
    for row in drawn[:3]:  # the test's arithmetic is scikit-learn's
        np.testing.assert_allclose(
            _direct_scores(y, score_b, row[None])[0], sk(y, score_b, row), atol=1e-12
        )
    return _direct_scores(y, score_b, drawn) - _direct_scores(y, score_a, drawn)


def _two_runs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    score_a = rng.normal(0, 1, n) + 1.0 * y
    score_b = 0.7 * score_a + rng.normal(0, 0.7, n) + 0.6 * y
    return y, score_a, score_b, rng.choice([0.0, 1.0, 2.5], n, p=[0.1, 0.6, 0.3])


@pytest.mark.parametrize("weighted", [False, True])
def test_paired_intervals_equal_a_direct_paired_bootstrap_with_the_same_seed(
    weighted: bool,
) -> None:
    """Drawn row by row, the replicates are exactly the direct paired bootstrap's, and the
    BCa interval is read from them."""
    y, score_a, score_b, w = _two_runs(500, 4)
    weight = w if weighted else None
    boot = iv.paired_replicates(y, score_a, score_b, weight, resamples=150, seed=9, exact_rows=None)
    assert boot is not None
    naive = _naive_paired(y, score_a, score_b, weight, 150, 9)
    np.testing.assert_allclose(boot.values, naive, atol=1e-12)
    np.testing.assert_allclose(boot.estimate, sk(y, score_b, weight) - sk(y, score_a, weight))
    ivs = iv.bca_interval(boot)
    assert ivs is not None
    for k, metric in enumerate(iv.METRICS):
        assert ivs[metric].low <= ivs[metric].estimate <= ivs[metric].high
        assert np.quantile(naive[:, k], 0.001) <= ivs[metric].low
        assert ivs[metric].high <= np.quantile(naive[:, k], 0.999)


def test_shipped_paired_intervals_match_the_direct_paired_bootstrap() -> None:
    """The shipped (cell-drawn) paired intervals against the direct row-by-row bootstrap of
    the test: the same distribution of replicates, endpoints within a few percent of the
    interval's width. Dropping a run's sign, a class or a cell would move them by far more."""
    y, score_a, score_b, w = _two_runs(3000, 5)
    boot = iv.paired_replicates(y, score_a, score_b, w, resamples=2000, seed=1)
    assert boot is not None
    naive = _naive_paired(y, score_a, score_b, w, 2000, 2)
    for k in range(2):
        assert stats.ks_2samp(boot.values[:, k], naive[:, k]).pvalue > 1e-3
        assert boot.values[:, k].std() == pytest.approx(naive[:, k].std(), rel=0.08)
    shipped = iv.paired_difference_intervals(y, score_a, score_b, w, resamples=2000, seed=1)
    direct = iv.bca_interval(replace(boot, values=naive))
    assert shipped is not None and direct is not None
    for metric in iv.METRICS:
        width = direct[metric].high - direct[metric].low
        assert shipped[metric].low == pytest.approx(direct[metric].low, abs=0.1 * width)
        assert shipped[metric].high == pytest.approx(direct[metric].high, abs=0.1 * width)


def test_pairing_removes_shared_noise_and_identical_runs_give_zero() -> None:
    rng = np.random.default_rng(5)
    y = rng.random(4000) < 0.02
    score_a = rng.normal(0, 1, 4000) + 1.5 * y
    score_b = score_a + rng.normal(0, 0.2, 4000)
    paired = iv.paired_replicates(y, score_a, score_b, resamples=500, seed=1)
    alone = [iv.replicates(y, s, resamples=500, seed=i) for i, s in enumerate((score_a, score_b))]
    assert paired is not None and all(a is not None for a in alone)
    independent = alone[1].values - alone[0].values
    assert (paired.values.std(axis=0) < 0.5 * independent.std(axis=0)).all()
    same = iv.paired_difference_intervals(y, score_a, score_a.copy(), resamples=200, seed=1)
    assert same is not None
    assert all((i.low, i.estimate, i.high) == (0.0, 0.0, 0.0) for i in same.values())
    assert not any(i.excludes_zero for i in same.values())


def test_deep_negatives_resampled_to_first_order_match_drawing_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(7)
    y = rng.random(20000) < 0.02
    noise = rng.normal(0, 1, 20000)
    score_a = noise + 1.2 * y
    score_b = 0.8 * noise + 0.6 * rng.normal(0, 1, 20000) + 1.5 * y
    weight = rng.gamma(2.0, 0.5, 20000)
    monkeypatch.setattr(resampling, "JOINT_CELLS", 0)
    monkeypatch.setattr(resampling, "TOP_NEGATIVES", 500)
    fast = iv.paired_replicates(y, score_a, score_b, weight, resamples=2000, seed=1)
    exact = iv.paired_replicates(
        y, score_a, score_b, weight, resamples=2000, seed=2, exact_rows=None
    )
    assert fast is not None and exact is not None
    for k in range(2):
        assert stats.ks_2samp(fast.values[:, k], exact.values[:, k]).pvalue > 1e-3
        assert fast.values[:, k].std() == pytest.approx(exact.values[:, k].std(), rel=0.1)


@pytest.mark.parametrize("name", ["ties", "weights"])
def test_large_cells_drawn_from_moments_match_drawing_every_row(name: str) -> None:
    y, score, weight = data(name, n=6000, seed=3)
    fast = iv.replicates(y, score, weight, resamples=3000, seed=11)
    exact = iv.replicates(y, score, weight, resamples=3000, seed=12, exact_rows=None)
    assert fast is not None and exact is not None
    for k in range(2):
        assert stats.ks_2samp(fast.values[:, k], exact.values[:, k]).pvalue > 1e-3
        assert fast.values[:, k].std() == pytest.approx(exact.values[:, k].std(), rel=0.08)


def _hm_variance_by_its_definition(a: float, m: int, n: int) -> float:
    """Hanley and McNeil (1982), eq. 2, with Q1 = A / (2 - A) and Q2 = 2A^2 / (1 + A)."""
    q1, q2 = a / (2 - a), 2 * a**2 / (1 + a)
    return (a * (1 - a) + (m - 1) * (q1 - a**2) + (n - 1) * (q2 - a**2)) / (m * n)


@pytest.mark.parametrize("name", ["continuous", "ties", "weights"])
def test_roc_auc_interval_is_the_hanley_mcneil_score_interval(name: str) -> None:
    """Its ends solve (A_hat - A)^2 = z^2 V(A) on either side of the estimate, found here by
    a dense grid, independently of the shipped bisection; weights count as Kish's effective
    class sizes."""
    y, score, weight = data(name, n=3000)
    ivs = iv.ranking_intervals(y, score, weight, resamples=200, seed=3)
    assert ivs is not None
    est = ivs["roc_auc"].estimate
    assert est == pytest.approx(skm.roc_auc_score(y, score, sample_weight=weight), abs=1e-12)
    if weight is None:
        m, n = int(y.sum()), int((~y).sum())
    else:
        m, n = ((weight[c].sum() ** 2 / (weight[c] ** 2).sum()) for c in (y, ~y))
    grid = np.linspace(0, 1, 2_000_001)
    inside = (est - grid) ** 2 <= 1.959964**2 * np.array(
        [_hm_variance_by_its_definition(a, m, n) for a in grid[::1000]]
    ).repeat(1000)[: len(grid)]
    # a coarse grid of the variance suffices to bracket the ends within 1e-3
    low, high = grid[inside].min(), grid[inside].max()
    assert ivs["roc_auc"].low == pytest.approx(low, abs=2e-3)
    assert ivs["roc_auc"].high == pytest.approx(high, abs=2e-3)
    assert ivs["roc_auc"].low < est < ivs["roc_auc"].high


def test_average_precision_interval_is_the_widest_of_bca_and_logit_t() -> None:
    y, score, weight = data("continuous", n=3000)
    boot = iv.replicates(y, score, weight, resamples=300, seed=5)
    assert boot is not None
    bca = iv.bca_interval(boot)["average_precision"]
    logits = np.log(boot.values[:, 1] / (1 - boot.values[:, 1]))
    z = iv._small_sample_z(boot.influence[:, 1], boot.positive, 0.025)
    estimate = np.log(boot.estimate[1] / (1 - boot.estimate[1]))
    ends = [
        1 / (1 + np.exp(-(centre + np.array([-1, 1]) * z * logits.std(ddof=1))))
        for centre in (estimate, 2 * estimate - logits.mean())  # plain, bias-corrected
    ]
    shipped = iv.run_interval(boot)["average_precision"]
    assert shipped.low == pytest.approx(min(bca.low, ends[0][0], ends[1][0]), abs=1e-12)
    assert shipped.high == pytest.approx(max(bca.high, ends[0][1], ends[1][1]), abs=1e-12)
    assert shipped.low <= bca.low and shipped.high >= bca.high


def test_quantiles_are_numpys_to_the_last_bit() -> None:
    """The BCa ends' quantiles skip np.quantile's set-up, not its arithmetic: ties, one value,
    the ends of [0, 1] and interpolation weights on both sides of 0.5 give numpy's numbers."""
    rng = np.random.default_rng(8)
    for size in (1, 2, 3, 7, 200, 199, 1000):
        for values in (rng.random(size), np.round(rng.standard_normal(size), 1)):
            qs = [0.0, 1.0, 0.5, 0.025, 0.975, *rng.random(6).tolist()]
            assert iv.quantiles_of(values, qs) == np.quantile(values, qs).tolist()
