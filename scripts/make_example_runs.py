"""Generate the bundled example study in ``runs/`` from real scikit-learn training.

The study is a synthetic, payment-fraud-like tabular problem: about 60,000
transactions with roughly 1.5% fraud, numeric features, and two categorical
columns (``segment`` and ``country``). A dozen models are trained on it and
each run is written in the *native* layout that ``reporter`` reads::

    <out>/fraud/<run-name>/
        run.yaml                    name, experiment, created, author, tags, notes, ...
        metrics.json                test-split metrics (deliberately untidy in a few runs)
        config.yaml | config.json | params.yaml
        history.csv | history.jsonl (boosting runs only)
        predictions.csv             the shared test split, same ids and order in every run
        feature_importance.csv      (random-forest runs only)
        card.md                     (the logistic baseline and the best HGB run)
        model.pkl                   (logistic runs and the best HGB run)

Everything is seeded: running the script twice gives byte-identical files,
except ``model.pkl``, whose bytes may change between library versions.
No wall-clock times are recorded anywhere.

Usage::

    python scripts/make_example_runs.py --out runs [--force] [--seed 2026]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.base import ClassifierMixin
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

STUDY = "fraud"
N_ROWS = 60_000
N_VALID = 12_000
N_TEST = 8_000
TRAIN_LOSS_SAMPLE = 5_000  # train rows scored per boosting iteration for `train_loss`

SEGMENTS = ("retail", "travel", "digital", "gaming")
SEGMENT_SHARE = (0.50, 0.15, 0.25, 0.10)
SEGMENT_FRAUD_RATE = {"retail": 0.008, "travel": 0.012, "digital": 0.026, "gaming": 0.024}
SEGMENT_LOG_AMOUNT = {"retail": 3.6, "travel": 5.6, "digital": 3.0, "gaming": 2.6}
COUNTRIES = ("US", "GB", "DE", "FR", "BR")
COUNTRY_SHARE = (0.35, 0.20, 0.20, 0.15, 0.10)
COUNTRY_EFFECT = {"US": 0.0, "GB": -0.2, "DE": -0.6, "FR": 0.2, "BR": 1.0}
NUMERIC_FEATURES = (
    "amount",
    "hour",
    "account_age_days",
    "n_tx_24h",
    "distance_km",
    "device_change",
    "noise_1",
    "noise_2",
    "noise_3",
)

AUTHORS = ("Priya Raman", "Tomás Lindqvist", "Ada Okafor")
FIRST_DAY = datetime(2026, 10, 1)  # runs are spread over 2026-10-01 .. 2026-11-20
LAST_DAY = datetime(2026, 11, 20)
DST_END = datetime(2026, 10, 25, 3, 0)  # Europe/Berlin: +02:00 before, +01:00 after


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Dataset:
    """The generated transactions, split into train / valid / test frames."""

    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame
    feature_names: tuple[str, ...]
    seed: int

    def xy(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return the model matrix and labels of one split."""
        return frame[list(self.feature_names)].to_numpy(dtype=np.float64), frame["y"].to_numpy()


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _intercept_for_rate(z: np.ndarray, rate: float) -> float:
    """Find the shift `b` with mean(sigmoid(z + b)) == rate, by bisection."""
    lo, hi = -30.0, 30.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if _sigmoid(z + mid).mean() < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def generate_transactions(seed: int, n_rows: int = N_ROWS) -> pd.DataFrame:
    """Simulate transactions whose fraud probability is non-linear in the features.

    The signal has thresholds and interactions (new account x device change,
    night x burst of transactions, far from home outside the travel segment) so
    tree ensembles beat a linear model. The intercept is solved per segment so
    each segment hits its target fraud rate.
    """
    rng = np.random.default_rng(seed)
    segment = rng.choice(np.array(SEGMENTS), size=n_rows, p=SEGMENT_SHARE)
    country = rng.choice(np.array(COUNTRIES), size=n_rows, p=COUNTRY_SHARE)
    seg_mu = np.array([SEGMENT_LOG_AMOUNT[s] for s in segment])

    log_amount = rng.normal(seg_mu, 1.0)
    amount = np.round(np.exp(log_amount), 2)
    hour_weights = 1.0 + 2.0 * np.exp(-(((np.arange(24) - 14) / 5.0) ** 2))
    hour = rng.choice(24, size=n_rows, p=hour_weights / hour_weights.sum())
    account_age_days = np.minimum(rng.gamma(1.3, 420.0, size=n_rows), 3650).astype(int)
    n_tx_24h = rng.poisson(np.where(segment == "gaming", 4.0, 2.0))
    is_travel = segment == "travel"
    distance_km = np.round(np.exp(rng.normal(np.where(is_travel, 6.0, 2.2), 1.2)), 1)
    device_change = (rng.random(n_rows) < 0.08).astype(int)
    noise = rng.normal(size=(n_rows, 3))

    night = (hour <= 5).astype(float)
    new_account = (account_age_days < 45).astype(float)
    z = (
        3.2 * _sigmoid(3.0 * (log_amount - seg_mu - 1.0))
        + 1.4 * device_change
        + 3.6 * device_change * new_account
        + 1.2 * new_account
        + 2.8 * night * (n_tx_24h >= 5)
        + 1.0 * np.sqrt(np.maximum(n_tx_24h - 3, 0))
        + np.where(is_travel, 0.0, 3.0 * (np.log(distance_km + 1) > 5.0))
        + np.where(segment == "digital", 1.8 * device_change * (n_tx_24h >= 4), 0.0)
        - 1.6 * (account_age_days > 900)
        + 1.0 * np.cos(2 * np.pi * (hour - 3) / 24)
        + np.array([COUNTRY_EFFECT[c] for c in country])
    )
    p = np.empty(n_rows)
    for seg in SEGMENTS:
        mask = segment == seg
        p[mask] = _sigmoid(z[mask] + _intercept_for_rate(z[mask], SEGMENT_FRAUD_RATE[seg]))
    y = (rng.random(n_rows) < p).astype(int)

    return pd.DataFrame(
        {
            "id": [f"tx{i:05d}" for i in range(n_rows)],
            "amount": amount,
            "hour": hour,
            "account_age_days": account_age_days,
            "n_tx_24h": n_tx_24h,
            "distance_km": distance_km,
            "device_change": device_change,
            "noise_1": np.round(noise[:, 0], 4),
            "noise_2": np.round(noise[:, 1], 4),
            "noise_3": np.round(noise[:, 2], 4),
            "segment": segment,
            "country": country,
            "y": y,
        }
    )


def one_hot(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Append fixed-order one-hot columns for `segment` and `country`."""
    columns = list(NUMERIC_FEATURES)
    out = frame.copy()
    for name, levels in (("segment", SEGMENTS), ("country", COUNTRIES)):
        for level in levels:
            col = f"{name}_{level}"
            out[col] = (frame[name] == level).astype(int)
            columns.append(col)
    return out, tuple(columns)


def make_dataset(seed: int) -> Dataset:
    """Generate, encode and split the data (stratified on label x segment)."""
    frame, features = one_hot(generate_transactions(seed))
    strata = frame["segment"] + "/" + frame["y"].astype(str)
    rest, test = train_test_split(frame, test_size=N_TEST, stratify=strata, random_state=seed)
    train, valid = train_test_split(
        rest, test_size=N_VALID, stratify=strata.loc[rest.index], random_state=seed + 1
    )
    return Dataset(
        train=train.sort_values("id").reset_index(drop=True),
        valid=valid.sort_values("id").reset_index(drop=True),
        test=test.sort_values("id").reset_index(drop=True),
        feature_names=features,
        seed=seed,
    )


# --------------------------------------------------------------------------- runs


@dataclass
class RunSpec:
    """What to train for one run and how to describe it."""

    slug: str
    name: str
    experiment: str
    tags: list[str]
    model: dict[str, Any]
    seed: int = 0
    segments: tuple[str, ...] = SEGMENTS
    config_file: str = "config.yaml"
    history_file: str | None = None
    metrics_extras: tuple[str, ...] = ()
    status: str = "completed"
    baseline: bool = False
    tune_threshold: bool = False
    quote_created: bool = False


@dataclass
class RunResult:
    """Everything computed for one run, ready to be written."""

    spec: RunSpec
    estimator: ClassifierMixin
    n_iter: int
    valid_ap: float
    test_scores: np.ndarray
    metrics: dict[str, float]
    slices: dict[str, dict[str, float | int]]
    confusion: dict[str, int]
    history: list[dict[str, float]] = field(default_factory=list)
    threshold: float = 0.5
    train_rows: int = 0


def run_specs() -> list[RunSpec]:
    """The study, in training order."""
    hgb = {"type": "HistGradientBoostingClassifier", "max_leaf_nodes": 15, "min_samples_leaf": 40}
    return [
        RunSpec(
            slug="logreg-c0.1",
            name="Logistic regression, C=0.1",
            experiment="baselines",
            tags=["baseline", "linear"],
            model={"type": "LogisticRegression", "C": 0.1, "class_weight": None, "scaler": True},
            metrics_extras=("run_name", "created_at", "confusion_matrix", "slices"),
            baseline=True,
        ),
        RunSpec(
            slug="logreg-c1.0",
            name="Logistic regression, C=1.0, balanced",
            experiment="baselines",
            tags=["baseline", "linear", "class-weight"],
            model={
                "type": "LogisticRegression",
                "C": 1.0,
                "class_weight": "balanced",
                "scaler": True,
            },
            config_file="params.yaml",
            metrics_extras=("confusion_matrix",),
        ),
        RunSpec(
            slug="rf-100-d8",
            name="Random forest, 100 trees, depth 8",
            experiment="baselines",
            tags=["baseline", "trees"],
            model={"type": "RandomForestClassifier", "n_estimators": 100, "max_depth": 8},
            seed=11,
            metrics_extras=("confusion_matrix",),
        ),
        RunSpec(
            slug="rf-300-d12",
            name="Random forest, 300 trees, depth 12",
            experiment="baselines",
            tags=["baseline", "trees"],
            model={
                "type": "RandomForestClassifier",
                "n_estimators": 300,
                "max_depth": 12,
                "min_samples_leaf": 5,
            },
            seed=11,
            config_file="config.json",
            metrics_extras=("run_name",),
        ),
        RunSpec(
            slug="hgb-lr0.05",
            name="HGB lr=0.05",
            experiment="boosting",
            tags=["boosting"],
            model={**hgb, "learning_rate": 0.05, "max_iter": 300, "early_stopping": False},
            seed=1,
            history_file="history.csv",
            metrics_extras=("slices",),
        ),
        RunSpec(
            slug="hgb-lr0.2",
            name="HGB lr=0.2",
            experiment="boosting",
            tags=["boosting"],
            model={**hgb, "learning_rate": 0.2, "max_iter": 300, "early_stopping": False},
            seed=1,
            history_file="history.csv",
            metrics_extras=("slices", "confusion_matrix"),
        ),
        RunSpec(
            slug="hgb-lr1.5",
            name="HGB lr=1.5 (diverged)",
            experiment="boosting",
            tags=["boosting", "learning-rate"],
            model={**hgb, "learning_rate": 1.5, "max_iter": 100, "early_stopping": False},
            seed=1,
            history_file="history.csv",
            metrics_extras=("run_name",),
            status="failed",
        ),
        RunSpec(
            slug="hgb-lr0.2-es",
            name="HGB lr=0.2, early stopping",
            experiment="boosting",
            tags=["boosting", "early-stopping"],
            model={
                **hgb,
                "learning_rate": 0.2,
                "max_iter": 300,
                "early_stopping": True,
                "validation_fraction": 0.1,
                "n_iter_no_change": 15,
            },
            seed=1,
            history_file="history.jsonl",
            metrics_extras=("early_stopped", "slices", "confusion_matrix"),
            tune_threshold=True,
        ),
        *[
            RunSpec(
                slug=f"hgb-lr0.1-seed{s}",
                name=f"HGB lr=0.1, seed {s}",
                experiment="boosting",
                tags=["boosting", "seed-study"],
                model={
                    **hgb,
                    "learning_rate": 0.1,
                    "max_iter": 200,
                    "early_stopping": False,
                    "max_features": 0.7,
                },
                seed=s,
                history_file="history.csv",
                metrics_extras=("created_at", "slices"),
            )
            for s in (1, 2, 3)
        ],
        RunSpec(
            slug="gb-lr0.1",
            name="Gradient boosting (sklearn GB), lr=0.1",
            experiment="boosting",
            tags=["boosting", "exact-gb"],
            model={
                "type": "GradientBoostingClassifier",
                "learning_rate": 0.1,
                "n_estimators": 150,
                "max_depth": 3,
                "subsample": 0.8,
            },
            seed=5,
            history_file="history.csv",
            metrics_extras=("run_name", "created_at", "slices"),
            quote_created=True,
        ),
        RunSpec(
            slug="hgb-digital-only",
            name="HGB trained on digital only",
            experiment="slice-study",
            tags=["slice", "boosting"],
            model={
                **hgb,
                "learning_rate": 0.1,
                "max_iter": 200,
                "early_stopping": False,
                "max_features": 0.7,
            },
            seed=1,
            segments=("digital",),
            history_file="history.csv",
            metrics_extras=("slices", "confusion_matrix"),
        ),
    ]


def build_estimator(model: dict[str, Any], seed: int) -> ClassifierMixin:
    """Instantiate the scikit-learn estimator described by a run's `model` config."""
    params = {k: v for k, v in model.items() if k not in ("type", "scaler")}
    kind = model["type"]
    if kind == "LogisticRegression":
        clf = LogisticRegression(max_iter=2000, **params)
        return Pipeline([("scale", StandardScaler()), ("clf", clf)])
    if kind == "RandomForestClassifier":
        return RandomForestClassifier(n_jobs=-1, random_state=seed, **params)
    if kind == "HistGradientBoostingClassifier":
        return HistGradientBoostingClassifier(random_state=seed, **params)
    if kind == "GradientBoostingClassifier":
        return GradientBoostingClassifier(random_state=seed, **params)
    raise ValueError(f"unknown model type {kind!r}")


def fitted_iterations(estimator: ClassifierMixin) -> int:
    """A deterministic stand-in for training time: iterations / trees actually fitted."""
    if isinstance(estimator, Pipeline):
        return int(estimator[-1].n_iter_[0])
    if isinstance(estimator, HistGradientBoostingClassifier):
        return int(estimator.n_iter_)
    if isinstance(estimator, GradientBoostingClassifier):
        return int(estimator.n_estimators_)
    return len(estimator.estimators_)


def staged_scores(estimator: ClassifierMixin, x: np.ndarray) -> Iterator[np.ndarray]:
    """Positive-class probability after each boosting iteration."""
    for proba in estimator.staged_predict_proba(x):
        yield proba[:, 1]


def boosting_history(
    estimator: ClassifierMixin,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_valid: np.ndarray,
    y_valid: np.ndarray,
) -> list[dict[str, float]]:
    """Per-iteration losses and ranking metrics (train loss on a fixed subsample)."""
    idx = np.linspace(0, len(y_train) - 1, min(TRAIN_LOSS_SAMPLE, len(y_train))).astype(int)
    x_sub, y_sub = x_train[idx], y_train[idx]
    rows = []
    stages = zip(staged_scores(estimator, x_sub), staged_scores(estimator, x_valid), strict=True)
    for step, (p_train, p_valid) in enumerate(stages, start=1):
        rows.append(
            {
                "step": step,
                "train_loss": sig6(log_loss(y_sub, p_train, labels=[0, 1])),
                "valid_loss": sig6(log_loss(y_valid, p_valid, labels=[0, 1])),
                "valid_average_precision": sig6(average_precision_score(y_valid, p_valid)),
                "valid_roc_auc": sig6(roc_auc_score(y_valid, p_valid)),
            }
        )
    return rows


def sig6(value: float) -> float:
    """Round to 6 significant digits (keeps files short and platform-stable)."""
    return float(f"{float(value):.6g}")


def score_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Headline test metrics."""
    return {
        "roc_auc": sig6(roc_auc_score(y, p)),
        "average_precision": sig6(average_precision_score(y, p)),
        "log_loss": sig6(log_loss(y, p, labels=[0, 1])),
        "brier": sig6(brier_score_loss(y, p)),
    }


def slice_metrics(frame: pd.DataFrame, p: np.ndarray) -> dict[str, dict[str, float | int]]:
    """Per-segment ranking metrics; AUC/AP are left out of a slice lacking both classes."""
    out: dict[str, dict[str, float | int]] = {}
    for seg in SEGMENTS:
        mask = (frame["segment"] == seg).to_numpy()
        y = frame["y"].to_numpy()[mask]
        entry: dict[str, float | int] = {}
        if 0 < y.sum() < len(y):
            entry["roc_auc"] = sig6(roc_auc_score(y, p[mask]))
            entry["average_precision"] = sig6(average_precision_score(y, p[mask]))
        entry["n"] = int(mask.sum())
        entry["positives"] = int(y.sum())
        out[f"segment={seg}"] = entry
    return out


def confusion_at(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, int]:
    """Confusion-matrix counts at a score threshold."""
    tn, fp, fn, tp = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """Threshold (on a 0.01 grid) that maximises F1 on the given split."""
    best_t, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.02, 0.96, 0.01), 2):
        c = confusion_at(y, p, float(t))
        f1 = 2 * c["tp"] / max(2 * c["tp"] + c["fp"] + c["fn"], 1)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return best_t


def train_run(spec: RunSpec, data: Dataset) -> RunResult:
    """Fit one run's model and evaluate it on the shared test split."""
    train = data.train[data.train["segment"].isin(spec.segments)]
    valid = data.valid[data.valid["segment"].isin(spec.segments)]
    x_train, y_train = data.xy(train)
    x_valid, y_valid = data.xy(valid)
    x_test, y_test = data.xy(data.test)

    estimator = build_estimator(spec.model, spec.seed)
    estimator.fit(x_train, y_train)
    p_valid = estimator.predict_proba(x_valid)[:, 1]
    p_test = np.round(estimator.predict_proba(x_test)[:, 1], 5)
    history = []
    if spec.history_file:
        history = boosting_history(estimator, x_train, y_train, x_valid, y_valid)
    threshold = best_f1_threshold(y_valid, p_valid) if spec.tune_threshold else 0.5
    return RunResult(
        spec=spec,
        estimator=estimator,
        n_iter=fitted_iterations(estimator),
        valid_ap=float(average_precision_score(y_valid, p_valid)),
        test_scores=p_test,
        metrics=score_metrics(y_test, p_test),
        slices=slice_metrics(data.test, p_test),
        confusion=confusion_at(y_test, p_test, 0.5),
        history=history,
        threshold=threshold,
        train_rows=len(train),
    )


# --------------------------------------------------------------------------- text


def run_times(n_runs: int) -> list[datetime]:
    """Fixed start times in training order: evenly spaced days, office hours, Berlin offsets."""
    span_days = (LAST_DAY - FIRST_DAY).days
    times = []
    for i in range(n_runs):
        day = FIRST_DAY + timedelta(days=round(i * span_days / max(n_runs - 1, 1)))
        local = day + timedelta(minutes=9 * 60 + 10 + (i * 137) % 520)  # 09:10 .. 17:50
        offset = timedelta(hours=2 if local < DST_END else 1)
        times.append(local.replace(tzinfo=timezone(offset)))
    return times


def describe(result: RunResult, by_slug: dict[str, RunResult]) -> str:
    """One or two sentences about the run, quoting its real numbers."""
    m, s = result.metrics, result.spec.slug
    base = by_slug["logreg-c0.1"].metrics
    ap, auc = m["average_precision"], m["roc_auc"]
    dig = result.slices["segment=digital"]
    if s == "logreg-c0.1":
        return (
            f"Linear baseline on one-hot features; test AP {ap:.3f}, ROC AUC {auc:.3f}. "
            "Everything else is compared against this run."
        )
    if s == "logreg-c1.0":
        c = result.confusion
        return (
            f"Balanced class weights leave ranking about the same (AP {ap:.3f} vs "
            f"{base['average_precision']:.3f}) but wreck calibration: log loss {m['log_loss']:.3f} "
            f"and {c['fp']} false positives at 0.5."
        )
    if s.startswith("rf-"):
        return (
            f"Random forest reaches AP {ap:.3f} (baseline {base['average_precision']:.3f}); "
            f"Brier {m['brier']:.5f}. Feature importances are in feature_importance.csv."
        )
    if s == "hgb-lr1.5":
        first, last = result.history[0]["valid_loss"], result.history[-1]["valid_loss"]
        worst = max(r["valid_loss"] for r in result.history)
        return (
            f"Learning rate 1.5 diverged: validation log loss went from {first:.3f} after one "
            f"iteration to a peak of {worst:.2f} and ended at {last:.3f}; test AP {ap:.3f}, "
            f"ROC AUC {auc:.3f}. Kept for the record; do not use."
        )
    if s == "hgb-lr0.2-es":
        return (
            f"Early stopping halted at {result.n_iter} of {result.spec.model['max_iter']} "
            f"iterations with test AP {ap:.3f}. Threshold {result.threshold:.2f} "
            "maximises F1 on the validation split."
        )
    if s.startswith("hgb-lr0.1-seed"):
        seeds = [by_slug[f"hgb-lr0.1-seed{i}"].metrics["average_precision"] for i in (1, 2, 3)]
        return (
            f"Seed study with 70% features per split; test AP {ap:.3f} here, "
            f"{min(seeds):.3f}-{max(seeds):.3f} across the three seeds."
        )
    if s == "hgb-digital-only":
        ref = by_slug["hgb-lr0.1-seed1"]
        ref_dig = ref.slices["segment=digital"]["average_precision"]
        worst_key, worst = min(
            ((k, v["average_precision"]) for k, v in result.slices.items()), key=lambda kv: kv[1]
        )
        return (
            f"Same config as hgb-lr0.1-seed1 but trained on the {result.train_rows:,} digital "
            f"transactions only: digital-slice AP {dig['average_precision']:.3f} vs {ref_dig:.3f} "
            f"with all segments, {worst_key} drops to {worst:.3f}, overall test AP {ap:.3f} "
            f"vs {ref.metrics['average_precision']:.3f}."
        )
    best_valid = min(r["valid_loss"] for r in result.history)
    return (
        f"{result.n_iter} iterations, test AP {ap:.3f} and ROC AUC {auc:.3f}; "
        f"lowest validation log loss {best_valid:.4f}."
    )


def _para(*parts: str) -> str:
    """Join sentence fragments into one paragraph wrapped at 88 columns."""
    return textwrap.fill(" ".join(parts), width=88, break_on_hyphens=False)


def _bullet(*parts: str) -> str:
    """A wrapped Markdown list item."""
    return textwrap.fill(
        " ".join(parts),
        width=88,
        initial_indent="- ",
        subsequent_indent="  ",
        break_on_hyphens=False,
    )


def _fmt(value: float | None, spec: str = ".3f") -> str:
    """Format a metric, or `n/a` when a slice has no value."""
    return "n/a" if value is None else format(value, spec)


def _seg(slice_key: str) -> str:
    """`segment=travel` -> `travel`."""
    return slice_key.split("=", 1)[1]


def model_card(result: RunResult, data: Dataset, seed_runs: list[RunResult]) -> str:
    """Model-card prose (Markdown) grounded in the study's data and this run's numbers."""
    spec, m, c = result.spec, result.metrics, result.confusion
    train, test = data.train, data.test
    n_pos, train_pos = int(test["y"].sum()), int(train["y"].sum())
    model_desc = ", ".join(f"{k}={v}" for k, v in spec.model.items() if k != "type")
    slice_rows = [
        f"| {_seg(key)} | {v['n']:,} | {v['positives']} "
        f"| {_fmt(v.get('roc_auc'))} | {_fmt(v.get('average_precision'))} |"
        for key, v in result.slices.items()
    ]
    weakest_key, weakest = min(
        result.slices.items(), key=lambda kv: kv[1].get("average_precision", 1.0)
    )
    small_key, small = min(result.slices.items(), key=lambda kv: kv[1]["positives"])
    small_aps = [r.slices[small_key]["average_precision"] for r in seed_runs]
    seed_names = ", ".join(f"`{r.spec.slug}`" for r in seed_runs)
    country_rate = train.groupby("country")["y"].mean()
    top = np.argsort(-result.test_scores, kind="stable")[: len(test) // 100]
    br_share_top = float((test["country"].to_numpy()[top] == "BR").mean())
    br_share_all = float((test["country"] == "BR").mean())
    new_acct_top = float((test["account_age_days"].to_numpy()[top] < 45).mean())
    new_acct_all = float((test["account_age_days"] < 45).mean())

    sections = [
        f"# Model card: {spec.name}",
        _para(f"`{spec.model['type']}` ({model_desc}), run `{spec.slug}`."),
        "## Intended use",
        _para(
            "Ranks payment transactions by fraud risk so that an analyst queue can review the",
            "riskiest ones first. The score is a probability-like value in [0, 1]; the run's",
            f"operating threshold is {result.threshold:g}. This is an example model for the",
            "`reporter` documentation, trained on synthetic data; it must not be used to block",
            "real payments.",
        ),
        "## Training data",
        _para(
            f"{len(train):,} synthetic transactions, {train_pos} of them labelled fraud",
            f"({train_pos / len(train):.2%}), from the same seeded generator as the evaluation",
            "data. Numeric features:",
            ", ".join(f"`{f}`" for f in NUMERIC_FEATURES) + ";",
            f"plus one-hot `segment` ({', '.join(SEGMENTS)}) and `country`",
            f"({', '.join(COUNTRIES)}). The three `noise_*` columns carry no signal by",
            f"construction. A further {len(data.valid):,} transactions were held out for",
            "validation (learning curves, threshold and model selection).",
        ),
        "## Evaluation data",
        _para(
            f"The shared test split: {len(test):,} transactions, {n_pos} of them fraud",
            f"({n_pos / len(test):.2%}), stratified by segment and label and identical for",
            f"every run of the study. On it this model scores ROC AUC {m['roc_auc']:.3f},",
            f"average precision {m['average_precision']:.3f}, log loss {m['log_loss']:.4f}",
            f"and Brier score {m['brier']:.5f}. Per segment:",
        ),
        "\n".join(
            [
                "| Segment | Transactions | Fraud | ROC AUC | Average precision |",
                "|---|---:|---:|---:|---:|",
                *slice_rows,
            ]
        ),
        "## Limitations",
        "\n".join(
            [
                _bullet(
                    "The data are simulated. Real fraud drifts as fraudsters adapt, and labels",
                    "arrive weeks late (chargebacks); neither is modelled here.",
                ),
                _bullet(
                    f"Test counts are small: the {_seg(small_key)} segment has only",
                    f"{small['positives']} fraud cases. Even for one fixed HGB configuration its",
                    f"average precision ranges from {min(small_aps):.3f} to {max(small_aps):.3f}",
                    f"across seeds ({seed_names}), so small slice differences are noise.",
                ),
                _bullet(
                    f"Performance is weakest on the {_seg(weakest_key)} segment (average precision",
                    f"{_fmt(weakest.get('average_precision'))}); the headline number does not",
                    "hold for every segment.",
                ),
                _bullet(
                    "Scores are not recalibrated. At a threshold of 0.5 the test confusion",
                    f"matrix is TN {c['tn']:,}, FP {c['fp']:,}, FN {c['fn']:,}, TP {c['tp']:,},",
                    f"so {c['fn'] / max(c['fn'] + c['tp'], 1):.0%} of fraud is missed at that",
                    "threshold.",
                ),
            ]
        ),
        "## Ethical considerations",
        "\n".join(
            [
                _bullet(
                    "`country` is an input, and in a real deployment it can act as a proxy for",
                    "nationality. In the training data `BR` has a fraud rate of",
                    f"{country_rate['BR']:.2%} against {country_rate['DE']:.2%} for `DE`; `BR`",
                    f"makes up {br_share_all:.1%} of the test set but {br_share_top:.1%} of",
                    "its top 1% of scores. Review false-positive rates per country before any",
                    "use.",
                ),
                _bullet(
                    "New accounts (under 45 days) are",
                    f"{new_acct_all:.1%} of test transactions but {new_acct_top:.1%} of the top",
                    "1% of scores, which penalises new customers regardless of intent.",
                ),
                _bullet(
                    "A false positive blocks or delays a legitimate customer's payment; keep a",
                    "human in the loop with an appeal path, and monitor false-positive rates",
                    "per segment.",
                ),
            ]
        ),
    ]
    return "\n\n".join(sections) + "\n"


# --------------------------------------------------------------------------- writers


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with Unix newlines."""
    path.write_text(text, encoding="utf-8", newline="\n")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes datetimes as plain ISO 8601 (`2026-10-01T09:10:00+02:00`)."""


_Dumper.add_representer(
    datetime,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat()),
)


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    """Write block-style YAML, keeping key order."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)
    write_text(path, text)


def write_json(path: Path, data: Any) -> None:
    """Write indented JSON with a trailing newline."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write a CSV file with Unix line endings."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def config_dict(result: RunResult, data: Dataset) -> dict[str, Any]:
    """The nested config written to config.yaml / config.json / params.yaml."""
    return {
        "model": dict(result.spec.model),
        "data": {
            "dataset": "synthetic-payments-v1",
            "seed": data.seed,
            "train_rows": result.train_rows,
            "valid_rows": int(data.valid["segment"].isin(result.spec.segments).sum()),
            "test_rows": len(data.test),
            "features": list(data.feature_names),
            "segments": list(result.spec.segments),
        },
        "seed": result.spec.seed,
    }


def metrics_dict(result: RunResult, created: datetime) -> dict[str, Any]:
    """metrics.json content: numeric scalars plus the run's chosen untidy extras."""
    extras = result.spec.metrics_extras
    out: dict[str, Any] = {}
    if "run_name" in extras:
        out["run_name"] = result.spec.slug
    out.update(result.metrics)
    out["n_iter"] = result.n_iter
    if "early_stopped" in extras:
        out["early_stopped"] = result.n_iter < result.spec.model["max_iter"]
    if "created_at" in extras:
        # Naive local time, as `str(datetime.now())`-style scripts write it.
        done = created.replace(tzinfo=None) + timedelta(minutes=3 + result.n_iter // 40)
        out["created_at"] = done.isoformat()
    if "confusion_matrix" in extras:
        out["confusion_matrix"] = result.confusion
    if "slices" in extras:
        out["slices"] = result.slices
    return out


def run_yaml(result: RunResult, created: datetime, index: int, notes: str) -> dict[str, Any]:
    """run.yaml content (metadata of the run)."""
    spec = result.spec
    out: dict[str, Any] = {
        "name": spec.name,
        "experiment": spec.experiment,
        "created": created.isoformat() if spec.quote_created else created,
        "author": AUTHORS[index % len(AUTHORS)],
        "git_commit": hashlib.sha1(spec.slug.encode()).hexdigest(),
        "tags": list(spec.tags),
        "status": spec.status,
        "threshold": result.threshold,
        "notes": notes,
    }
    if spec.baseline:
        out["baseline"] = True
    return out


def write_run(
    run_dir: Path,
    result: RunResult,
    data: Dataset,
    created: datetime,
    index: int,
    notes: str,
    extras: dict[str, Callable[[Path], None]],
) -> None:
    """Write all files of one run into `run_dir`."""
    spec = result.spec
    run_dir.mkdir(parents=True)
    write_yaml(run_dir / "run.yaml", run_yaml(result, created, index, notes))
    write_json(run_dir / "metrics.json", metrics_dict(result, created))

    config = config_dict(result, data)
    if spec.config_file.endswith(".json"):
        write_json(run_dir / spec.config_file, config)
    else:
        write_yaml(run_dir / spec.config_file, config)

    columns = ["step", "train_loss", "valid_loss", "valid_average_precision", "valid_roc_auc"]
    if spec.history_file == "history.csv":
        rows = ([row[c] for c in columns] for row in result.history)
        write_csv(run_dir / "history.csv", columns, rows)
    elif spec.history_file == "history.jsonl":
        lines = (json.dumps(row) for row in result.history)
        write_text(run_dir / "history.jsonl", "".join(line + "\n" for line in lines))

    test = data.test
    write_csv(
        run_dir / "predictions.csv",
        ["id", "y_true", "y_score", "segment", "country"],
        zip(
            test["id"],
            test["y"],
            (f"{p:.5f}" for p in result.test_scores),
            test["segment"],
            test["country"],
            strict=True,
        ),
    )

    if isinstance(result.estimator, RandomForestClassifier):
        importances = result.estimator.feature_importances_
        order = np.argsort(-importances, kind="stable")
        rows = ([data.feature_names[i], f"{importances[i]:.6g}"] for i in order)
        write_csv(run_dir / "feature_importance.csv", ["feature", "importance"], rows)

    for write in extras.values():
        write(run_dir)


def pickle_model(estimator: ClassifierMixin) -> Callable[[Path], None]:
    """Return a writer that stores the fitted estimator as model.pkl."""

    def write(run_dir: Path) -> None:
        with (run_dir / "model.pkl").open("wb") as fh:
            pickle.dump(estimator, fh, protocol=5)

    return write


def card_writer(text: str) -> Callable[[Path], None]:
    """Return a writer that stores a model card as card.md."""
    return lambda run_dir: write_text(run_dir / "card.md", text)


# --------------------------------------------------------------------------- main


def check_out(out: Path, force: bool) -> None:
    """Refuse a non-directory or (without --force) a non-empty output folder."""
    if out.exists() and not out.is_dir():
        sys.exit(f"error: {out} exists and is not a directory")
    if out.exists() and any(out.iterdir()) and not force:
        sys.exit(f"error: {out} is not empty; pass --force to overwrite the example runs")


def fresh_study_dir(out: Path) -> Path:
    """Return `<out>/fraud`, emptied: only the folder this script owns is removed."""
    study = out / STUDY
    if study.exists():
        shutil.rmtree(study)
    study.mkdir(parents=True)
    return study


def main(argv: list[str] | None = None) -> int:
    """Train every run, then (re)write `<out>/fraud/`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs"), help="output folder")
    parser.add_argument("--force", action="store_true", help="overwrite a non-empty --out")
    parser.add_argument("--seed", type=int, default=2026, help="data generation/split seed")
    args = parser.parse_args(argv)

    check_out(args.out, args.force)
    data = make_dataset(args.seed)
    specs = run_specs()
    results: list[RunResult] = []
    for spec in specs:
        print(f"training {spec.slug} ...", flush=True)
        results.append(train_run(spec, data))
    by_slug = {r.spec.slug: r for r in results}

    candidates = [
        r
        for r in results
        if r.spec.experiment == "boosting"
        and r.spec.status == "completed"
        and isinstance(r.estimator, HistGradientBoostingClassifier)
    ]
    best_hgb = max(candidates, key=lambda r: r.valid_ap)  # chosen on validation, not test
    extras: dict[str, dict[str, Callable[[Path], None]]] = {r.spec.slug: {} for r in results}
    for r in results:
        if r.spec.model["type"] == "LogisticRegression" or r is best_hgb:
            extras[r.spec.slug]["model.pkl"] = pickle_model(r.estimator)
    seed_runs = [r for r in results if "seed-study" in r.spec.tags]
    for r in (by_slug["logreg-c0.1"], best_hgb):
        extras[r.spec.slug]["card.md"] = card_writer(model_card(r, data, seed_runs))

    study = fresh_study_dir(args.out)
    for index, (result, created) in enumerate(zip(results, run_times(len(results)), strict=True)):
        notes = describe(result, by_slug)
        if result is best_hgb:
            notes += " Best HGB by validation AP; model card and pickle attached."
        write_run(
            study / result.spec.slug,
            result,
            data,
            created,
            index,
            notes,
            extras[result.spec.slug],
        )

    print(f"\n{'run':<20} {'status':<10} {'AP':>7} {'ROC AUC':>8}")
    for r in results:
        ap, auc = r.metrics["average_precision"], r.metrics["roc_auc"]
        print(f"{r.spec.slug:<20} {r.spec.status:<10} {ap:>7.4f} {auc:>8.4f}")
    print(f"\nwrote {len(results)} runs to {study}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
