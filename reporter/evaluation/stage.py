"""Glue between a run and the evaluation: read its predictions (I/O), evaluate (pure).

The raw predictions live only inside `evaluate_run`; the run keeps the evaluation summary and
downsampled curves, so memory does not grow with the number of runs times their rows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reporter.config import EvalSettings
from reporter.evaluation.evaluate import EvalOptions, evaluate
from reporter.evaluation.metrics import computed_metrics
from reporter.evaluation.predictions import PredictionColumns, Predictions, read_predictions
from reporter.model import Run


def evaluate_run(run: Run, ev: EvalSettings) -> Run:
    """The run with its evaluation and computed metrics; raises `PredictionsError`."""
    assert run.predictions is not None
    path = Path(run.predictions)
    preds = read_predictions(
        path, PredictionColumns.from_settings(ev), run_id=run.id, rel_path=f"{run.id}/{path.name}"
    )
    evaluation = evaluate(preds, EvalOptions.from_settings(ev, run.threshold))
    return replace(
        run,
        evaluation=evaluation,
        computed=computed_metrics(evaluation),
        eval_fingerprint=f"{preds.n_rows}:{preds.label_hash[:16]}",
    )


def read_for_pairing(run: Run, ev: EvalSettings) -> Predictions:
    """A run's labels, scores, weights and ids (no slices), to pair its rows with another
    run's; raises `PredictionsError`."""
    assert run.predictions is not None
    path = Path(run.predictions)
    return read_predictions(
        path,
        PredictionColumns.from_settings(ev),
        run_id=run.id,
        rel_path=f"{run.id}/{path.name}",
        with_ids=True,
    )
