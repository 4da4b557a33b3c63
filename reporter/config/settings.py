"""Settings of one report build, made from the validated schema (`reporter.config.schema`).

Pure: no file system, no network. A runs URL (`s3://bucket/runs`) is kept as `runs_url`, and
`runs` names the local mirror folder it will be synced into by the pipeline; nothing is
downloaded here. Defaults live in the schema only: `Settings.defaults()` validates an empty
configuration.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporter.config.operating import OperatingPointSpec, parse_operating_point
from reporter.errors import ConfigError

REMOTE_DIR = "remote"


def build_time() -> datetime:
    """Now, or `SOURCE_DATE_EPOCH` when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


@dataclass(frozen=True, kw_only=True, slots=True)
class EvalSettings:
    """How predictions are read and evaluated (the schema's `evaluation` section)."""

    enabled: bool
    threshold: float
    positive_label: str | int | None
    y_true: str
    y_score: str
    weight: str
    id_column: str
    slice_columns: tuple[str, ...] | None
    fpr_targets: tuple[float, ...]
    recall_targets: tuple[float, ...]
    alert_budgets: tuple[float, ...]
    top_k: tuple[int, ...]
    min_positives: int
    bootstrap: int
    seed: int
    slice_bootstrap: int | None  # None: as `bootstrap`
    # The top-level `operating_point` again: it decides what is computed (its target), so the
    # evaluation (and the run cache, keyed by these settings) sees it.
    operating_point: OperatingPointSpec | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything a build needs to know, with paths made absolute."""

    runs: Path  # the local runs root (for a runs URL: the mirror folder)
    runs_url: str | None  # the remote runs root, synced into `runs` before reading
    runs_storage_options: Mapping[str, Any]
    readers: tuple[str, ...]
    primary_metric: str | None
    operating_point: OperatingPointSpec | None
    metrics: tuple[str, ...]
    metric_types: tuple[tuple[str, Mapping[str, str]], ...]  # (name or pattern, declaration)
    lower_is_better: tuple[str, ...]
    neutral: tuple[str, ...]
    unranked_status: tuple[str, ...]
    max_points: int
    chart_points: int
    newest: int
    journal_dir: str
    cache_dir: Path
    cache: bool
    workers: int  # 0: one per core
    templates: Path | None
    plotly_bundle: Path | None  # a smaller plotly.js (reporter.pipeline.plotly_js)
    use_directory_urls: bool
    search_index: (
        bool  # reporter's index answers Material's search box (run pages leave Material's)
    )
    evaluation: EvalSettings
    comparisons: tuple[tuple[str, Any], ...]  # (where it was declared, raw declaration)
    build_time: datetime = field(default_factory=build_time)

    @property
    def processes(self) -> int:
        """The processes a build may use: `workers`, or one per core when it is 0."""
        return self.workers or os.cpu_count() or 1

    @classmethod
    def defaults(cls, runs: Path, **changes: Any) -> Settings:
        """The schema's defaults for a runs folder (tests, scripts), with `changes` applied."""
        from reporter.config.schema import ReporterConfig

        config = ReporterConfig()
        config.load_dict({})
        failed, _warnings = config.validate()
        assert not failed, failed
        settings = settings_from_config(config, base_dir=Path(runs).parent, runs_override=str(runs))
        evaluation = changes.pop("evaluation", None)
        if isinstance(evaluation, dict):
            evaluation = replace(settings.evaluation, **evaluation)
        return replace(settings, **changes, **({"evaluation": evaluation} if evaluation else {}))


def is_url(runs: str) -> bool:
    """A runs root in object storage (`s3://...`), as opposed to a local path or `file://`."""
    return "://" in runs and not runs.startswith("file://")


def settings_from_config(
    config: Mapping[str, Any],
    *,
    base_dir: Path,
    use_directory_urls: bool = True,
    search_index: bool = False,
    runs_override: str | None = None,
    storage_override: Mapping[str, Any] | None = None,
    extra_comparisons: tuple[tuple[str, Any], ...] = (),
) -> Settings:
    """Settings from a validated `ReporterConfig`.

    `runs_override` is `--runs`: a URL, or a path (relative paths are taken relative to
    `base_dir`, so callers pass what the user typed made absolute). `use_directory_urls` and
    `search_index` come from the MkDocs build (the plugin sets `search_index` when Material's
    search plugin is on: `reporter.search.material`).
    """
    ev = config["evaluation"]
    cache_dir = _under(base_dir, config["cache_dir"])
    runs_text = runs_override if runs_override is not None else config["runs"]
    runs_url = runs_text if is_url(runs_text) else None
    storage = dict(storage_override if storage_override else config["runs_storage_options"])
    operating_point = _operating_point(config["operating_point"])
    evaluation = EvalSettings(
        enabled=ev["enabled"],
        threshold=float(ev["threshold"]),
        positive_label=ev["positive_label"],
        y_true=ev["y_true"],
        y_score=ev["y_score"],
        weight=ev["weight"],
        id_column=ev["id_column"],
        slice_columns=tuple(ev["slice_columns"]) if ev["slice_columns"] is not None else None,
        fpr_targets=tuple(float(x) for x in ev["fpr_targets"]),
        recall_targets=tuple(float(x) for x in ev["recall_targets"]),
        alert_budgets=tuple(float(x) for x in ev["alert_budgets"]),
        top_k=tuple(int(x) for x in ev["top_k"]),
        min_positives=ev["min_positives"],
        bootstrap=ev["bootstrap"],
        slice_bootstrap=ev["slice_bootstrap"],
        seed=ev["seed"],
        operating_point=operating_point,
    )
    _check_ranges(evaluation)
    return Settings(
        runs=mirror_folder(cache_dir, runs_url) if runs_url else _local_runs(runs_text, base_dir),
        runs_url=runs_url,
        runs_storage_options=storage,
        readers=tuple(config["readers"]),
        primary_metric=config["primary_metric"],
        operating_point=operating_point,
        metrics=tuple(config["metrics"]),
        metric_types=metric_declarations(config["metric_types"]),
        lower_is_better=tuple(config["lower_is_better"]),
        neutral=tuple(config["neutral"]),
        unranked_status=tuple(s.lower() for s in config["unranked_status"]),
        max_points=config["max_points"],
        chart_points=config["chart_points"],
        newest=config["newest"],
        journal_dir=config["journal_dir"],
        cache_dir=cache_dir,
        cache=config["cache"],
        workers=config["workers"],
        templates=Path(config["templates"]) if config["templates"] else None,
        plotly_bundle=Path(config["plotly_bundle"]) if config["plotly_bundle"] else None,
        use_directory_urls=use_directory_urls,
        search_index=search_index,
        evaluation=evaluation,
        comparisons=tuple(
            (f"mkdocs.yml, plugins.reporter.comparisons[{i}]", raw)
            for i, raw in enumerate(config["comparisons"])
        )
        + extra_comparisons,
    )


def _operating_point(text: str | None) -> OperatingPointSpec | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_operating_point(text)
    except ValueError as exc:
        raise ConfigError(f"Config value 'operating_point': {exc}") from None


# What `metric_types` may declare, and the values each key takes.
DECLARATION_KEYS = {
    "direction": ("higher", "lower", "neutral"),
    "kind": ("score", "rate", "loss", "count", "time"),
    "format": ("decimal", "percent", "integer"),
    "description": None,  # any text
}


def metric_declarations(raw: Mapping[str, Any]) -> tuple[tuple[str, Mapping[str, str]], ...]:
    """`metric_types` checked: every problem at once, named as in mkdocs.yml."""
    problems, found = [], []
    for name, declared in raw.items():
        where = f"metric_types.{name}"
        if not isinstance(declared, Mapping):
            problems.append(
                f"Config value '{where}': expected a mapping such as {{direction: lower}}"
            )
            continue
        for key, value in declared.items():
            allowed = DECLARATION_KEYS.get(str(key), ())
            if key not in DECLARATION_KEYS:
                problems.append(
                    f"Config value '{where}': unknown key '{key}'; valid keys: direction, kind, "
                    "format, description"
                )
            elif allowed is not None and value not in allowed:
                problems.append(
                    f"Config value '{where}.{key}': expected one of {', '.join(allowed)}, got {value!r}"
                )
        found.append((str(name), {str(k): str(v) for k, v in declared.items()}))
    if problems:
        raise ConfigError("; ".join(problems))
    return tuple(found)


def mirror_folder(cache_dir: Path, url: str) -> Path:
    """Where the runs at `url` are mirrored (see `reporter.readers.remote`)."""
    return cache_dir / REMOTE_DIR / hashlib.sha1(url.encode()).hexdigest()[:16]


def _local_runs(text: str, base: Path) -> Path:
    return _under(base, text.removeprefix("file://"))


def _under(base: Path, path: str) -> Path:
    p = Path(path).expanduser()
    return (p if p.is_absolute() else base / p).resolve()


def _check_ranges(ev: EvalSettings) -> None:
    """Every out-of-range evaluation option at once, named as in mkdocs.yml."""
    checks = {
        "threshold": "a finite number",
        "fpr_targets": "numbers in (0, 1]",
        "recall_targets": "numbers in (0, 1]",
        "alert_budgets": "numbers in (0, 10000]",
        "top_k": "whole numbers >= 1",
        "min_positives": "a whole number >= 0",
        "bootstrap": "a whole number >= 0",
        "slice_bootstrap": "a whole number >= 0",
    }
    ok = {
        "threshold": ev.threshold == ev.threshold and abs(ev.threshold) != float("inf"),
        "fpr_targets": all(0 < t <= 1 for t in ev.fpr_targets),
        "recall_targets": all(0 < t <= 1 for t in ev.recall_targets),
        "alert_budgets": all(0 < t <= 10_000 for t in ev.alert_budgets),
        "top_k": all(k >= 1 for k in ev.top_k),
        "min_positives": ev.min_positives >= 0,
        "bootstrap": ev.bootstrap >= 0,
        "slice_bootstrap": ev.slice_bootstrap is None or ev.slice_bootstrap >= 0,
    }
    problems = [
        f"Config value 'evaluation.{name}': expected {expected}, got {getattr(ev, name)!r}"
        for name, expected in checks.items()
        if not ok[name]
    ]
    if problems:
        raise ConfigError("; ".join(problems))
