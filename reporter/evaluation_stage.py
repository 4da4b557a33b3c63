"""Glue between a run and the evaluation: read its predictions (I/O), evaluate (pure).

The raw predictions live only inside `evaluate_run`; the run keeps the evaluation summary and
downsampled curves, so memory does not grow with the number of runs times their rows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reporter.evaluate import EvalOptions, Evaluation, evaluate
from reporter.model import Run
from reporter.predictions import PredictionColumns, read_predictions
from reporter.settings import EvalSettings, Settings


def evaluate_run(run: Run, settings: Settings) -> Run:
    assert run.predictions is not None
    ev = settings.evaluation
    path = Path(run.predictions)
    preds = read_predictions(path, columns(ev), run_id=run.id, rel_path=f"{run.id}/{path.name}")
    threshold = run.threshold if run.threshold is not None else ev.threshold
    evaluation = compact(evaluate(preds, options(ev, threshold)))
    return replace(
        run,
        evaluation=evaluation,
        computed=computed_metrics(evaluation),
        eval_fingerprint=f"{preds.n_rows}:{preds.label_hash[:16]}",
    )


def compact(e: Evaluation) -> Evaluation:
    """Slices keep their numbers, not their curves: pages show slice tables and heatmaps, and
    10,000 runs x 10 slices of curves would not fit in memory."""
    slim = {
        column: {
            value: replace(sub, roc=None, pr=None, threshold_table=(), calibration=None)
            for value, sub in values.items()
        }
        for column, values in e.slices.items()
    }
    return replace(e, slices=slim)


def columns(ev: EvalSettings) -> PredictionColumns:
    return PredictionColumns(
        y_true=ev.y_true,
        y_score=ev.y_score,
        weight=ev.weight,
        id=ev.id_column,
        slices=ev.slice_columns,
        positive_label=ev.positive_label,
    )


def options(ev: EvalSettings, threshold: float) -> EvalOptions:
    return EvalOptions(
        threshold=threshold,
        fpr_targets=ev.fpr_targets,
        recall_targets=ev.recall_targets,
        top_k=ev.top_k,
        min_positives=ev.min_positives,
        bootstrap=ev.bootstrap,
        seed=ev.seed,
    )


def computed_metrics(e: Evaluation) -> dict[str, float]:
    """Flat, leaderboard-ready names for what the evaluation computed (None left out)."""
    at = e.at_threshold
    values: dict[str, float | None] = {
        "roc_auc": e.roc_auc,
        "average_precision": e.average_precision,
        "log_loss": e.log_loss,
        "brier": e.brier,
        "ece": e.calibration.ece if e.calibration else None,
        "precision": at.precision,
        "recall": at.recall,
        "f1": at.f1,
        "fpr": at.fpr,
        "alerts_per_10k": at.alerts_per_10k,
    }
    for target, point in e.recall_at_fpr.items():
        values[f"recall@fpr={target:g}"] = point.recall if point else None
    for target, point in e.precision_at_recall.items():
        values[f"precision@recall={target:g}"] = point.precision if point else None
    for k, value in e.precision_at_k.items():
        values[f"precision@{k}"] = value
    return {k: float(v) for k, v in sorted(values.items()) if v is not None}
