"""Evaluate one run's predictions for imbalanced binary classification.

Pure: arrays in (`Predictions`), an `Evaluation` out; no file system, no globals. Every
definition equals scikit-learn's (the tests compare to 1e-9). Metrics that do not exist for the
data (ROC-AUC with one class, precision with no alerts) are None, never 0 or NaN, and
`Evaluation.undefined` says why.

Weights: rows with weight 0 are dropped (as scikit-learn does); every count, rate, alert volume
and calibration bin counts a row by its weight. Only `top_k` and `*_rows` count raw rows.

What an evaluation holds and its JSON contract: `reporter.evaluation.results`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from reporter.evaluation import curves as _curves
from reporter.evaluation.curves import PrCurve, Ranked, RocCurve
from reporter.evaluation.intervals import run_intervals
from reporter.evaluation.metrics import NO_NEGATIVES, NO_POSITIVES, ONE_CLASS, row_values
from reporter.evaluation.predictions import Predictions
from reporter.evaluation.results import Calibration, Evaluation, OperatingPoint

if TYPE_CHECKING:
    from reporter.config import EvalSettings

NOT_PROBABILITIES = "scores are not probabilities (outside [0, 1])"

Reasons = dict[str, str]  # metric name -> why it is undefined


@dataclass(frozen=True, kw_only=True, slots=True)
class EvalOptions:
    """What to compute for one run: its threshold and the evaluation settings (see
    `reporter.config.schema`); `curve_points` bounds display curves only (metrics use the full
    curves), `threshold_rows` and `calibration_bins` are fixed by the page layout."""

    threshold: float
    fpr_targets: tuple[float, ...]
    recall_targets: tuple[float, ...]
    alert_budgets: tuple[float, ...]
    top_k: tuple[int, ...]
    min_positives: int
    bootstrap: int
    seed: int
    slice_bootstrap: int | None  # a slice's resamples; None: `bootstrap`
    fixed_thresholds: tuple[float, ...] = ()  # a `threshold=` operating point's
    primary_fpr: float | None = None  # a `recall@fpr=` operating point's budget
    threshold_rows: int = 20
    calibration_bins: int = 10
    curve_points: int = 500

    def __post_init__(self) -> None:
        problems = _option_problems(self)
        if problems:
            raise ValueError("invalid EvalOptions: " + "; ".join(problems))

    @classmethod
    def from_settings(cls, ev: EvalSettings, threshold: float | None = None) -> EvalOptions:
        """The options of a run: the settings, with the run's own threshold when it has one,
        and the operating point's target added to its family's targets."""
        op = ev.operating_point

        def targets(family: str, configured: tuple[float, ...]) -> tuple[float, ...]:
            if op is None or op.family != family or op.target in configured:
                return configured
            return (*configured, op.target)

        return cls(
            threshold=ev.threshold if threshold is None else threshold,
            fpr_targets=targets("recall@fpr", ev.fpr_targets),
            recall_targets=targets("precision@recall", ev.recall_targets),
            alert_budgets=targets("recall@alerts_per_10k", ev.alert_budgets),
            top_k=ev.top_k,
            min_positives=ev.min_positives,
            bootstrap=ev.bootstrap,
            seed=ev.seed,
            slice_bootstrap=ev.slice_bootstrap,
            fixed_thresholds=targets("threshold", ()),
            primary_fpr=op.target if op is not None and op.family == "recall@fpr" else None,
        )


def _option_problems(o: EvalOptions) -> list[str]:
    checks = {
        "threshold": math.isfinite(o.threshold),
        "fpr_targets": all(0 < t <= 1 for t in o.fpr_targets),
        "recall_targets": all(0 < t <= 1 for t in o.recall_targets),
        "alert_budgets": all(0 < t <= 10_000 for t in o.alert_budgets),
        "fixed_thresholds": all(math.isfinite(t) for t in o.fixed_thresholds),
        "primary_fpr": o.primary_fpr is None or 0 < o.primary_fpr <= 1,
        "top_k": all(k >= 1 for k in o.top_k),
        "threshold_rows": o.threshold_rows >= 2,
        "calibration_bins": o.calibration_bins >= 1,
        "min_positives": o.min_positives >= 0,
        "bootstrap": o.bootstrap >= 0,
        "slice_bootstrap": o.slice_bootstrap is None or o.slice_bootstrap >= 0,
        # room for first, last, the threshold point and one point per target
        "curve_points": o.curve_points
        >= 3 + len(o.fpr_targets) + len(o.recall_targets) + len(o.alert_budgets),
    }
    return [f"{name}={getattr(o, name)!r} is out of range" for name, ok in checks.items() if not ok]


def evaluate(preds: Predictions, options: EvalOptions) -> Evaluation:
    """Evaluate all rows, then each slice value on its own (slices of slices are not computed).

    Slices keep their numbers, not their curves (`roc`, `pr`, `calibration` None, no
    threshold table): pages show slice tables and heatmaps, and 10,000 runs x 10 slices of
    curves would not fit in memory."""
    ranked = _curves.rank(*_checked(preds))
    slices = {
        name: _slice(labels[ranked.order], ranked, options) for name, labels in preds.slices.items()
    }
    return _evaluate_ranked(ranked, options, slices)


def roc_curve(preds: Predictions) -> RocCurve | None:
    """The full ROC curve (`roc_curve(..., drop_intermediate=False)`); None with one class."""
    ranked = _curves.rank(*_checked(preds))
    return _curves.roc_points(ranked) if ranked.positives > 0 and ranked.negatives > 0 else None


def pr_curve(preds: Predictions) -> PrCurve | None:
    """The full precision-recall curve; None without positives."""
    ranked = _curves.rank(*_checked(preds))
    return _curves.pr_points(ranked) if ranked.positives > 0 else None


def _checked(preds: Predictions) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Guard against hand-built `Predictions`; `read_predictions` already rejects these."""
    if not np.isfinite(preds.y_score).all():
        raise ValueError("scores must be finite")
    if preds.weight is not None and not (np.isfinite(preds.weight) & (preds.weight >= 0)).all():
        raise ValueError("weights must be finite and >= 0")
    return preds.y_true, preds.y_score, preds.weight


def _slice(labels: np.ndarray, ranked: Ranked, options: EvalOptions) -> dict[str, Evaluation]:
    values, codes = np.unique(labels, return_inverse=True)
    return {
        str(value): _evaluate_ranked(_curves.subset(ranked, codes == i), options, None)
        for i, value in enumerate(values)
    }


def _evaluate_ranked(
    r: Ranked, options: EvalOptions, slices: dict[str, dict[str, Evaluation]] | None
) -> Evaluation:
    """All rows (with their `slices`), or a slice (`slices=None`: numbers only, no curves)."""
    curves = slices is not None
    roc_auc, average_precision, why_ranking = _ranking_scores(r)
    log_loss, brier, calibration, why_proba = _probability_scores(
        r, options.calibration_bins if curves else 0
    )
    at_threshold, why_threshold = _at_threshold(r, options.threshold)
    recall_at_fpr, why_fpr = _recall_at_fpr(r, options.fpr_targets)
    precision_at_recall, why_recall = _precision_at_recall(r, options.recall_targets)
    recall_at_alerts, why_alerts = _recall_at_alerts(r, options.alert_budgets)
    precision_at_k, why_k = _precision_at_k(r, options.top_k)
    keep = [
        at_threshold,
        *recall_at_fpr.values(),
        *precision_at_recall.values(),
        *recall_at_alerts.values(),
    ]
    roc, pr, why_curves = _display_curves(r, [p for p in keep if p], options.curve_points, curves)
    ci, why_ci = (
        run_intervals(r, options.bootstrap, options.seed)
        if curves or options.slice_bootstrap is None
        else run_intervals(
            r, options.slice_bootstrap, options.seed, score_only="not computed: slice_bootstrap=0"
        )
    )
    why = (why_ranking, why_proba, why_threshold, why_fpr, why_recall, why_alerts, why_k)
    why += (why_curves, why_ci)
    positive_rows = int(np.count_nonzero(r.y))
    return Evaluation(
        n=r.positives + r.negatives,
        positives=r.positives,
        negatives=r.negatives,
        n_rows=len(r.y),
        positive_rows=positive_rows,
        negative_rows=len(r.y) - positive_rows,
        prevalence=r.positives / (r.positives + r.negatives),
        roc_auc=roc_auc,
        average_precision=average_precision,
        log_loss=log_loss,
        brier=brier,
        calibration=calibration,
        at_threshold=at_threshold,
        recall_at_fpr=recall_at_fpr,
        precision_at_recall=precision_at_recall,
        recall_at_alerts=recall_at_alerts,
        at_thresholds={t: _point(r, _index_at(r, t), t) for t in options.fixed_thresholds},
        precision_at_k=precision_at_k,
        threshold_table=_threshold_table(r, options.threshold_rows) if curves else (),
        roc=roc,
        pr=pr,
        ci=ci,
        low_support=positive_rows < options.min_positives,
        undefined={k: v for reasons in why for k, v in reasons.items()},
        slices=slices or {},
        values=row_values(r, options),
    )


def _ranking_scores(r: Ranked) -> tuple[float | None, float | None, Reasons]:
    both = r.positives > 0 and r.negatives > 0
    auc = _curves.roc_auc(r.tps, r.fps) if both else None
    ap = _curves.average_precision(r.tps, r.fps) if r.positives > 0 else None
    why = {} if both else {"roc_auc": ONE_CLASS}
    return auc, ap, why | ({} if ap is not None else {"average_precision": NO_POSITIVES})


def _probability_scores(
    r: Ranked, n_bins: int
) -> tuple[float | None, float | None, Calibration | None, Reasons]:
    """Log loss, Brier score and (`n_bins` > 0) calibration."""
    if r.score[-1] < 0 or r.score[0] > 1:
        names = ("log_loss", "brier", "calibration")
        return None, None, None, dict.fromkeys(names, NOT_PROBABILITIES)
    eps = np.finfo(np.float64).eps
    # probability given to the true class, clipped as sklearn's log_loss clips it
    p_true = np.clip(np.where(r.y, r.score, 1.0 - r.score), eps, 1 - eps)
    log_loss = float(np.average(-np.log(p_true), weights=r.w))
    brier = float(np.average((r.y - r.score) ** 2, weights=r.w))
    return log_loss, brier, _calibration(r, n_bins) if n_bins else None, {}


def _calibration(r: Ranked, n_bins: int) -> Calibration:
    prob_true, prob_pred, weight = _curves.calibration_bins(r, n_bins)
    quantile = float(np.sum(weight * np.abs(prob_true - prob_pred)) / np.sum(weight))
    hits, mass, total = _curves.uniform_bins(r, n_bins)
    ece = float(np.sum(np.abs(hits - mass)) / np.sum(total))
    return Calibration(
        prob_true=prob_true, prob_pred=prob_pred, bin_weight=weight, ece=ece, ece_quantile=quantile
    )


def _index_at(r: Ranked, threshold: float) -> int:
    """Curve index of the lowest distinct score >= threshold; -1 when none is (no alerts)."""
    return int(np.searchsorted(-r.thresholds, -threshold, side="right")) - 1


def _point(r: Ranked, index: int, threshold: float) -> OperatingPoint:
    tp = float(r.tps[index]) if index >= 0 else 0.0
    fp = float(r.fps[index]) if index >= 0 else 0.0
    fn = r.positives - tp
    return OperatingPoint(
        threshold=threshold,
        tp=tp,
        fp=fp,
        tn=r.negatives - fp,
        fn=fn,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, r.positives),
        fpr=_ratio(fp, r.negatives),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        alerts=tp + fp,
        alerts_per_10k=10_000 * (tp + fp) / (r.positives + r.negatives),
    )


def _ratio(num: float, den: float) -> float | None:
    return num / den if den != 0 else None


def _at_threshold(r: Ranked, threshold: float) -> tuple[OperatingPoint, Reasons]:
    point = _point(r, _index_at(r, threshold), threshold)
    reasons = {
        "precision": f"undefined: no predicted positives at threshold {threshold!r}",
        "recall": NO_POSITIVES,
        "fpr": NO_NEGATIVES,
        "f1": "undefined: no positives and no predicted positives",
    }
    return point, {k: v for k, v in reasons.items() if getattr(point, k) is None}


def _threshold_at(r: Ranked, index: int) -> float:
    return float(r.thresholds[index]) if index >= 0 else math.inf


def _best_recall(r: Ranked, cost: np.ndarray, limit: float) -> OperatingPoint:
    """Highest recall with `cost` (ascending along the curve) <= limit, at the highest
    threshold reaching that recall (fewest alerts); recall 0 is alerting on nothing (inf)."""
    last = int(np.searchsorted(cost, limit, side="right")) - 1
    i = int(np.searchsorted(r.tps, r.tps[last], side="left")) if last >= 0 else -1
    i = i if i >= 0 and r.tps[i] > 0 else -1
    return _point(r, i, _threshold_at(r, i))


def _recall_at_fpr(
    r: Ranked, targets: tuple[float, ...]
) -> tuple[dict[float, OperatingPoint | None], Reasons]:
    """Highest recall with FPR <= target (see `_best_recall`)."""
    if r.positives == 0 or r.negatives == 0:
        return dict.fromkeys(targets), {"recall_at_fpr": ONE_CLASS}
    fpr = r.fps / r.negatives
    return {t: _best_recall(r, fpr, t) for t in targets}, {}


def _recall_at_alerts(
    r: Ranked, budgets: tuple[float, ...]
) -> tuple[dict[float, OperatingPoint | None], Reasons]:
    """Highest recall alerting on at most `budget` rows per 10,000 (by weight), as thresholding
    the scores at each distinct value and counting alerts would find it."""
    if r.positives == 0:
        return dict.fromkeys(budgets), {"recall_at_alerts_per_10k": NO_POSITIVES}
    per_10k = 10_000 * (r.tps + r.fps) / (r.positives + r.negatives)
    return {b: _best_recall(r, per_10k, b) for b in budgets}, {}


def _precision_at_recall(
    r: Ranked, targets: tuple[float, ...]
) -> tuple[dict[float, OperatingPoint | None], Reasons]:
    """Highest precision with recall >= target; among equals, the one with the most recall."""
    if r.positives == 0:
        return dict.fromkeys(targets), {"precision_at_recall": NO_POSITIVES}
    recall = r.tps / r.positives
    precision = r.tps / (r.tps + r.fps)  # never 0/0: each distinct score has a row
    points: dict[float, OperatingPoint | None] = {}
    for t in targets:
        first = int(np.searchsorted(recall, t, side="left"))
        tail = precision[first:][::-1]
        i = len(precision) - 1 - int(np.argmax(tail))
        points[t] = _point(r, i, _threshold_at(r, i))
    return points, {}


def _precision_at_k(r: Ranked, ks: tuple[int, ...]) -> tuple[dict[int, float | None], Reasons]:
    n_rows = len(r.y)
    values = {k: _curves.precision_at_k(r, k) if k <= n_rows else None for k in ks}
    why = f"undefined: only {n_rows} rows, fewer than k"
    return values, {f"precision_at_k.{k}": why for k, v in values.items() if v is None}


def _threshold_table(r: Ranked, rows: int) -> tuple[OperatingPoint, ...]:
    """About `rows` thresholds at evenly spaced quantiles of the distinct scores, descending."""
    picks = np.unique(np.round(np.linspace(0, len(r.ends) - 1, rows)).astype(np.int64))
    return tuple(_point(r, int(i), _threshold_at(r, int(i))) for i in picks)


def _display_curves(
    r: Ranked, points: list[OperatingPoint], budget: int, wanted: bool
) -> tuple[RocCurve | None, PrCurve | None, Reasons]:
    """Downsampled curves that still pass through every reported operating point (None when
    not `wanted`; the reasons say which cannot exist)."""
    indices = [_index_at(r, p.threshold) for p in points]
    roc = pr = None
    why = {} if r.positives > 0 and r.negatives > 0 else {"roc_curve": ONE_CLASS}
    why |= {} if r.positives > 0 else {"pr_curve": NO_POSITIVES}
    if not wanted:
        return None, None, why
    if r.positives > 0 and r.negatives > 0:
        full = _curves.roc_points(r)
        at = [i + 1 for i in indices]  # the ROC curve starts with the origin
        roc = full.take(_curves.display_indices(full.fpr, full.tpr, budget, at))
    if r.positives > 0:
        curve = _curves.pr_points(r)
        at = [len(r.ends) - 1 - i for i in indices if i >= 0]  # PR runs by ascending threshold
        pr = curve.take(_curves.display_indices(curve.recall, curve.precision, budget, at))
    return roc, pr, why
