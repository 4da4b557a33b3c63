"""Settings of one report build, independent of MkDocs (the plugin translates its options)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PRIMARY_CANDIDATES = ("pr_auc", "average_precision", "roc_auc")
LOWER_IS_BETTER = (
    "*loss*", "*error*", "*brier*", "*mse", "*mae", "*rmse", "*fpr*", "*ece*", "*seconds*",
    "*_time", "*latency*",
)  # fmt: skip


# Metrics that are counts or sizes, not scores: no "best" value is highlighted.
NEUTRAL = (
    "n",
    "n_*",
    "*_count",
    "count*",
    "*iter*",
    "epoch*",
    "step*",
    "*_rows",
    "positives",
    "negatives",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class EvalSettings:
    """How predictions are read and evaluated (see `reporter.evaluate.EvalOptions`)."""

    enabled: bool = True
    threshold: float = 0.5
    positive_label: str | None = None
    y_true: str = "y_true"
    y_score: str = "y_score"
    weight: str = "weight"
    id_column: str = "id"
    slice_columns: tuple[str, ...] | None = None
    fpr_targets: tuple[float, ...] = (0.001, 0.01, 0.05)
    recall_targets: tuple[float, ...] = (0.5, 0.8, 0.9)
    top_k: tuple[int, ...] = (100, 1000)
    min_positives: int = 30
    bootstrap: int = 200
    seed: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    runs: Path
    readers: tuple[str, ...] = ()
    primary_metric: str | None = None
    metrics: tuple[str, ...] = ()
    lower_is_better: tuple[str, ...] = LOWER_IS_BETTER
    neutral: tuple[str, ...] = NEUTRAL
    max_points: int = 2000
    chart_points: int = 12_000
    newest: int = 10
    journal_dir: str = "journal"
    cache_dir: Path = Path(".reporter-cache")
    cache: bool = True
    workers: int = 0  # 0: one per core
    templates: Path | None = None
    use_directory_urls: bool = True
    evaluation: EvalSettings = field(default_factory=EvalSettings)
    comparisons: tuple[tuple[str, Any], ...] = ()  # (where it was declared, raw declaration)
    build_time: datetime = field(default_factory=lambda: build_time())


def build_time() -> datetime:
    """Now, or `SOURCE_DATE_EPOCH` when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def settings_from_options(
    options: dict,
    *,
    base_dir: Path,
    use_directory_urls: bool = True,
    runs_override: Path | None = None,
    extra_comparisons: tuple[tuple[str, Any], ...] = (),
) -> Settings:
    """Settings from validated plugin options (see `reporter.plugin.ReporterConfig`)."""
    ev = dict(options.get("evaluation") or {})
    cache_dir = _under(base_dir, str(options.get("cache_dir") or ".reporter-cache"))
    runs_text = str(options.get("runs") or "runs")
    if runs_override is None and "://" in runs_text and not runs_text.startswith("file://"):
        from reporter.remote import mirror_runs  # the runs live in object storage

        runs_override = mirror_runs(runs_text, cache_dir, options.get("runs_storage_options"))
    runs = Path(runs_text.removeprefix("file://")).expanduser()
    slices = ev.get("slice_columns")
    return Settings(
        runs=(runs_override or (runs if runs.is_absolute() else base_dir / runs)).resolve(),
        readers=tuple(options.get("readers") or ()),
        primary_metric=options.get("primary_metric"),
        metrics=tuple(options.get("metrics") or ()),
        lower_is_better=tuple(options.get("lower_is_better") or LOWER_IS_BETTER),
        neutral=tuple(options.get("neutral") if options.get("neutral") is not None else NEUTRAL),
        max_points=int(options.get("max_points") or 2000),
        chart_points=int(options.get("chart_points") or 12_000),
        newest=int(options.get("newest") or 10),
        journal_dir=str(options.get("journal_dir") or "journal"),
        cache_dir=cache_dir,
        cache=bool(options.get("cache", True)),
        workers=int(options.get("workers") or 0),
        templates=Path(options["templates"]) if options.get("templates") else None,
        use_directory_urls=use_directory_urls,
        comparisons=tuple(
            (f"mkdocs.yml, plugins.reporter.comparisons[{i}]", raw)
            for i, raw in enumerate(options.get("comparisons") or ())
        )
        + extra_comparisons,
        evaluation=EvalSettings(
            enabled=bool(ev.get("enabled", True)),
            threshold=float(ev.get("threshold", 0.5)),
            positive_label=ev.get("positive_label"),
            y_true=ev.get("y_true", "y_true"),
            y_score=ev.get("y_score", "y_score"),
            weight=ev.get("weight", "weight"),
            id_column=ev.get("id_column", "id"),
            slice_columns=tuple(slices) if slices is not None else None,
            fpr_targets=tuple(float(x) for x in ev.get("fpr_targets", (0.001, 0.01, 0.05))),
            recall_targets=tuple(float(x) for x in ev.get("recall_targets", (0.5, 0.8, 0.9))),
            top_k=tuple(int(x) for x in ev.get("top_k", (100, 1000))),
            min_positives=int(ev.get("min_positives", 30)),
            bootstrap=int(ev.get("bootstrap", 200)),
            seed=int(ev.get("seed", 0)),
        ),
    )


def _under(base: Path, path: str) -> Path:
    p = Path(path).expanduser()
    return (p if p.is_absolute() else base / p).resolve()
