"""What a metric means is declared once: computed metrics, logged names, user overrides."""

from __future__ import annotations

import pytest

from reporter.evaluation.metrics import METRICS, MetricTypes, canonical


@pytest.mark.parametrize(
    ("name", "direction", "kind"),
    [
        ("recall@fpr=0.01", "higher", "rate"),  # not caught by an `*fpr*` pattern
        ("precision@recall=0.8", "higher", "rate"),
        ("recall@alerts_per_10k=50", "higher", "rate"),
        ("f1@threshold=0.5", "higher", "score"),
        ("partial_auc@fpr=0.01", "higher", "score"),
        ("precision@100", "higher", "rate"),
        ("fpr", "lower", "rate"),
        ("alerts_per_10k", "neutral", "rate"),
        ("n_iter", "neutral", "count"),
        ("support", "neutral", "count"),
        ("macro avg_support", "neutral", "count"),
        ("1_support", "neutral", "count"),
        ("positives", "neutral", "count"),
        ("transactions_per_second", "neutral", "rate"),
        ("roc_auc_score", "higher", "score"),
        ("average_precision_score", "higher", "score"),
        ("f1_score", "higher", "score"),
        ("precision_score", "higher", "rate"),
        ("recall_score", "higher", "rate"),
        ("log_loss", "lower", "loss"),
        ("training_roc_auc", "higher", "score"),  # MLflow autologging
        ("training_log_loss", "lower", "loss"),
        ("val_loss", "lower", "loss"),
        ("ece", "lower", "loss"),
        ("ece_quantile", "lower", "loss"),
        ("rmse", "lower", "loss"),
        ("r2", "higher", "score"),
        ("fit_seconds", "lower", "time"),
        ("accuracy", "higher", "score"),
        ("anything_else", "higher", "score"),
    ],
)
def test_builtin_meanings(name: str, direction: str, kind: str) -> None:
    meaning = MetricTypes().of(name)
    assert (meaning.direction, meaning.kind) == (direction, kind)


def test_counts_show_as_integers_and_thresholds_are_known() -> None:
    types = MetricTypes()
    assert types.of("n_iter").format == "integer"
    assert types.of("precision").threshold and types.of("recall@fpr=0.01").threshold
    assert not types.of("roc_auc").threshold and not types.of("partial_auc@fpr=0.01").threshold


def test_aliases_name_the_computed_metric() -> None:
    assert canonical("roc_auc_score") == "roc_auc"
    assert canonical("AP") == "average_precision"
    assert canonical("brier_score_loss") == "brier"
    assert canonical("my_metric") == "my_metric"


def test_every_computed_metric_declares_what_it_means() -> None:
    for metric in METRICS:
        assert metric.type.direction in ("higher", "lower", "neutral"), metric.name
        assert metric.type.description, metric.name


def test_user_declarations_come_first() -> None:
    types = MetricTypes(
        declared=(
            ("my_metric", {"direction": "lower", "kind": "loss"}),
            ("cost_*", {"direction": "lower", "format": "percent"}),
            ("daily_alerts", {"kind": "count"}),
        ),
        lower=("*_drift",),
        neutral=("roc_auc",),
    )
    assert types.of("my_metric").direction == "lower"
    assert types.of("my_metric@fpr=0.01").direction == "lower"  # X@constraint means what X does
    assert types.of("cost_eur").format == "percent" and types.of("cost_eur").lower_is_better
    assert types.of("daily_alerts").format == "integer"
    assert types.of("score_drift").direction == "lower"
    assert types.of("roc_auc").neutral
    assert types.of("average_precision").direction == "higher"
