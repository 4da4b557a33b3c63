"""Synthetic runs for search benchmarks: varied names, tags, params and notes (seeded).

Notes mix English, Chinese sentences and tokens that tokenisers get wrong (`recall@fpr`,
`amp&and`, dotted and snake_case parameter names). No predictions: the build stays fast and
the runs carry what search indexes (name, tags, parameters, notes).

    python bench/search_corpus.py RUNS_DIR N
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import _write_history  # noqa: E402

FAMILIES = ("lgbm", "xgb", "catboost", "logreg", "mlp", "tabnet", "rf", "svm")
ADJECTIVES = (
    "amber",
    "brisk",
    "calm",
    "dusky",
    "eager",
    "frosty",
    "gentle",
    "hollow",
    "ivory",
    "jolly",
    "keen",
    "lunar",
    "misty",
    "noble",
    "olive",
    "proud",
    "quiet",
    "rusty",
    "silent",
    "tidy",
    "umber",
    "vivid",
    "windy",
    "young",
    "zesty",
)
NOUNS = (
    "falcon",
    "otter",
    "badger",
    "heron",
    "lynx",
    "marten",
    "osprey",
    "puffin",
    "raven",
    "stoat",
    "tern",
    "vole",
    "walrus",
    "yak",
    "zebu",
    "ibex",
    "koala",
    "lemur",
    "newt",
    "okapi",
)
TAGS = (
    "baseline",
    "boosting",
    "linear",
    "early-stopping",
    "seed-study",
    "slice",
    "tuned",
    "focal-loss",
    "class-weights",
    "smote",
    "night-shift",
    "cross-border",
    "new-merchants",
    "v2-features",
    "drift-check",
    "calibrated",
    "distilled",
    "ablation",
    "prod-candidate",
    "rejected",
    "gpu",
    "cpu-only",
    "quantised",
    "shadow",
    "champion",
)
OPTIMIZERS = ("adam", "adamw", "sgd", "lbfgs", "rmsprop")
SAMPLERS = ("none", "undersample", "smote", "adasyn")
SENTENCES_EN = (
    "Recall at a fixed false positive rate improved on cross-border payments.",
    "The model overfits after the learning rate warmup ends.",
    "Calibration drifted on weekend traffic; isotonic regression fixed most of it.",
    "Night transactions remain the weakest slice.",
    "Feature importance is dominated by merchant age and amount.",
    "Early stopping triggered well before the iteration budget.",
    "Shadow deployment showed stable latency under peak load.",
    "Class weights helped precision but hurt recall on rare fraud types.",
    "Compared with the champion the average precision gain is small but consistent.",
    "Threshold chosen for an alert budget of two thousand cases per day.",
)
SENTENCES_ZH = (
    "模型在夜间交易上的召回率明显下降。",
    "跨境支付的欺诈样本仍然太少。",
    "学习率调低以后验证损失更加稳定。",
    "新商户的特征分布与训练集差异很大。",
    "这次实验的精确率比基线高两个百分点。",
    "校准曲线在高分段偏离对角线。",
)
ODD_TOKENS = ("recall@fpr", "precision@k", "amp&and", "f1@0.5", "auc-pr", "top_k@1000")


def write_search_runs(root: Path, n: int, *, seed: int = 0, steps: int = 20) -> None:
    rng = np.random.default_rng(seed)
    for i in range(n):
        family = FAMILIES[i % len(FAMILIES)]
        experiment = f"{family}-study"
        name = (
            f"{family}-{ADJECTIVES[rng.integers(len(ADJECTIVES))]}-"
            f"{NOUNS[rng.integers(len(NOUNS))]}-{i:05d}"
        )
        folder = root / experiment / f"run-{i:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        auc = float(0.85 + 0.1 * rng.random())
        ap = auc - 0.45 * rng.random()
        metrics = {
            "roc_auc": round(auc, 6),
            "average_precision": round(ap, 6),
            "log_loss": round(0.02 + 0.05 * rng.random(), 6),
            "recall_at_fpr_1pct": round(0.3 + 0.5 * rng.random(), 6),
        }
        (folder / "metrics.json").write_text(json.dumps(metrics))
        config = {
            "model": {
                "type": family,
                "learning_rate": float(rng.choice([0.003, 0.01, 0.03, 0.05, 0.1, 0.2])),
                "max_depth": int(rng.integers(3, 13)),
                "n_estimators": int(rng.choice([100, 300, 1000, 3000])),
                "subsample": float(rng.choice([0.6, 0.8, 1.0])),
            },
            "optimizer": {
                "name": OPTIMIZERS[rng.integers(len(OPTIMIZERS))],
                "weight_decay": float(rng.choice([0.0, 1e-4, 1e-2])),
            },
            "data": {
                "sampler": SAMPLERS[rng.integers(len(SAMPLERS))],
                "window_days": int(rng.choice([30, 60, 90, 180])),
                "features": ["amount", "hour", "merchant_age"],
            },
            "seed": int(rng.integers(0, 10_000)),
        }
        (folder / "config.yaml").write_text(yaml.safe_dump(config))
        notes = [SENTENCES_EN[j] for j in rng.choice(len(SENTENCES_EN), 2, replace=False)]
        if i % 3 == 0:
            notes.append(SENTENCES_ZH[rng.integers(len(SENTENCES_ZH))])
        if i % 5 == 0:
            notes.append(f"Watch {ODD_TOKENS[rng.integers(len(ODD_TOKENS))]} on the next run.")
        meta = {
            "name": name,
            "created": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "author": ("ana", "bo", "chen", "dara")[i % 4],
            "tags": sorted({TAGS[rng.integers(len(TAGS))] for _ in range(1 + i % 3)}),
            "notes": " ".join(notes),
            "status": "completed",
        }
        (folder / "run.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
        _write_history(folder / "history.csv", rng, steps, 2)


if __name__ == "__main__":
    write_search_runs(Path(sys.argv[1]), int(sys.argv[2]))
