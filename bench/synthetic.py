"""Synthetic runs of realistic shape for benchmarks (seeded, native layout)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

EXPERIMENTS = ("baselines", "boosting", "features", "tuning", "slices")
TAGS = ("baseline", "boosting", "linear", "early-stopping", "seed-study", "slice", "tuned")


def write_runs(
    root: Path,
    n: int,
    *,
    steps: int = 200,
    predictions: int = 0,
    seed: int = 0,
    experiments: tuple[str, ...] = EXPERIMENTS,
    metrics: int = 3,
) -> None:
    """`n` runs under `root/<experiment>/run-<five digits>` with metrics, config, history and metadata."""
    rng = np.random.default_rng(seed)
    n_metrics = metrics
    for i in range(n):
        experiment = experiments[i % len(experiments)]
        folder = root / experiment / f"run-{i:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        auc = float(0.85 + 0.1 * rng.random())
        metrics = {
            "roc_auc": round(auc, 6),
            "average_precision": round(auc - 0.45 * rng.random(), 6),
            "log_loss": round(0.02 + 0.05 * rng.random(), 6),
            "brier": round(0.01 * rng.random(), 6),
        }
        (folder / "metrics.json").write_text(json.dumps(metrics))
        config = {
            "model": {
                "type": "HistGradientBoostingClassifier",
                "learning_rate": float(rng.choice([0.05, 0.1, 0.2])),
                "max_iter": steps,
                "max_depth": int(rng.integers(3, 12)),
            },
            "data": {"features": ["amount", "hour", "age"], "train_rows": 36000},
            "seed": i,
        }
        (folder / "config.yaml").write_text(yaml.safe_dump(config))
        meta = {
            "name": f"Run {i}",
            "created": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "author": "bench",
            "tags": sorted({TAGS[i % len(TAGS)], TAGS[(i * 7) % len(TAGS)]}),
            "notes": f"Synthetic run number {i} with learning rate {config['model']['learning_rate']}.",
            "status": "completed",
        }
        (folder / "run.yaml").write_text(yaml.safe_dump(meta))
        _write_history(folder / "history.csv", rng, steps, n_metrics)
        if predictions:
            _write_predictions(folder / "predictions.csv", rng, predictions)


def _write_history(path: Path, rng: np.random.Generator, steps: int, metrics: int = 3) -> None:
    import pandas as pd

    step = np.arange(1, steps + 1)
    train = 0.3 * np.exp(-step / (steps / 4)) + 0.02 + 0.002 * rng.random(steps)
    columns = {
        "train_loss": train,
        "valid_loss": train + 0.01 + 0.004 * rng.random(steps),
        "valid_average_precision": 0.5 * (1 - np.exp(-step / (steps / 5)))
        + 0.01 * rng.random(steps),
        "valid_roc_auc": 0.9 * (1 - np.exp(-step / (steps / 6))) + 0.01 * rng.random(steps),
    }
    frame = pd.DataFrame({"step": step, **dict(list(columns.items())[:metrics])})
    frame.to_csv(path, index=False, float_format="%.6g")


def _write_predictions(path: Path, rng: np.random.Generator, rows: int) -> None:
    y = rng.random(rows) < 0.015
    score = np.clip(rng.normal(0.2 + 0.5 * y, 0.15), 0, 1)
    segment = rng.choice(["retail", "travel", "digital", "gaming"], size=rows)
    lines = ["y_true,y_score,segment"] + [
        f"{int(a)},{b:.5f},{c}" for a, b, c in zip(y, score, segment, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
