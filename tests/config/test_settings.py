"""Settings come from the one schema: defaults declared once, values kept as given, no I/O."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from reporter.config import EvalSettings, Settings
from reporter.config.files import settings_from_config_file
from reporter.config.schema import EvaluationConfig, ReporterConfig
from reporter.errors import ConfigError
from reporter.evaluation.evaluate import EvalOptions
from reporter.evaluation.predictions import PredictionColumns


def _config(tmp_path: Path, options: str) -> Path:
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: t\nplugins:\n  - reporter:\n{options}")
    return config


@pytest.mark.parametrize("cls", [Settings, EvalSettings])
def test_settings_declare_no_defaults_of_their_own(cls: type) -> None:
    own = [
        f.name for f in fields(cls) if f.default is not MISSING or f.default_factory is not MISSING
    ]
    assert own in ([], ["build_time"])  # the build time is not an option


def test_evaluation_parameters_take_every_option_from_the_settings() -> None:
    options = {f.name: f.default for f in fields(EvalOptions)}
    names = ("threshold", "fpr_targets", "bootstrap", "slice_bootstrap", "top_k")
    assert all(options[n] is MISSING for n in names)
    columns = {f.name: f.default for f in fields(PredictionColumns)}
    assert all(columns[n] is MISSING for n in ("y_true", "y_score", "weight", "id"))


def test_every_schema_option_reaches_the_settings() -> None:
    names = {f.name for f in fields(Settings)}
    for name, _option in ReporterConfig._schema:
        # read by the plugin itself: where comparisons come from, whether pages are kept
        assert name in names or name in {"comparisons_file", "incremental"}, name
    eval_names = {f.name for f in fields(EvalSettings)}
    # the top-level operating point is carried into the evaluation: it decides what is computed
    assert {name for name, _ in EvaluationConfig._schema} | {"operating_point"} == eval_names


def test_falsy_values_are_kept_not_replaced_by_defaults(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "      newest: 0\n      lower_is_better: []\n      neutral: []\n      workers: 0\n"
        "      evaluation: {bootstrap: 0, top_k: [], threshold: 0, slice_bootstrap: 0}\n",
    )
    settings = settings_from_config_file(config)
    assert settings.newest == 0
    assert settings.lower_is_better == () and settings.neutral == ()
    assert settings.evaluation.bootstrap == 0 and settings.evaluation.top_k == ()
    assert settings.evaluation.slice_bootstrap == 0
    assert Settings.defaults(Path("runs")).evaluation.slice_bootstrap is None  # as bootstrap
    assert settings.evaluation.threshold == 0.0


def test_defaults_come_from_the_schema() -> None:
    settings = Settings.defaults(Path("/data/runs"))
    assert settings.runs == Path("/data/runs")
    assert settings.evaluation.fpr_targets == (0.001, 0.01, 0.05)
    assert settings.max_points == ReporterConfig.max_points.default


def test_a_runs_url_is_not_fetched_while_making_settings(tmp_path: Path) -> None:
    config = _config(tmp_path, "      runs: s3://no-such-bucket-anywhere/runs\n")
    settings = settings_from_config_file(config)  # no network, no folder made
    assert settings.runs_url == "s3://no-such-bucket-anywhere/runs"
    assert settings.runs.is_relative_to(tmp_path / ".reporter-cache" / "remote")
    assert not (tmp_path / ".reporter-cache").exists()


def test_out_of_range_evaluation_options_are_reported_together(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "      evaluation: {fpr_targets: [0, 2], bootstrap: -1, top_k: [0], slice_bootstrap: -5}\n",
    )
    with pytest.raises(ConfigError) as caught:
        settings_from_config_file(config)
    message = str(caught.value)
    names = ("fpr_targets", "bootstrap", "top_k", "slice_bootstrap")
    for name in (f"evaluation.{n}" for n in names):
        assert f"Config value '{name}'" in message


def test_wrong_types_name_the_option(tmp_path: Path) -> None:
    config = _config(tmp_path, "      max_points: many\n      newest: lots\n")
    with pytest.raises(ConfigError) as caught:
        settings_from_config_file(config)
    assert "Config value 'max_points'" in str(caught.value)
    assert "Config value 'newest'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "metric", "described"),
    [
        ("recall@fpr=0.01", "recall@fpr=0.01", "best recall at FPR ≤ 1%"),
        ("precision@recall=0.8", "precision@recall=0.8", "best precision at recall ≥ 80%"),
        (
            "recall@alerts_per_10k=50",
            "recall@alerts_per_10k=50",
            "best recall with at most 50 alerts per 10,000",
        ),
        ("threshold=0.5", "f1@threshold=0.5", "F1 at threshold 0.5"),
    ],
)
def test_the_operating_point_names_what_runs_are_ranked_by(
    tmp_path: Path, text: str, metric: str, described: str
) -> None:
    settings = settings_from_config_file(_config(tmp_path, f"      operating_point: '{text}'\n"))
    op = settings.operating_point
    assert op is not None and op.metric == metric and op.describe() == described
    assert settings.evaluation.operating_point == op  # and so keys the run cache


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("recall@fpr=2", "(0, 1]"),
        ("recall@fpr=0", "(0, 1]"),
        ("auc@fpr=0.1", "expected one of recall@fpr=0.01"),
        ("recall@fpr", "expected one of"),
        ("threshold=nan", "finite"),
    ],
)
def test_a_bad_operating_point_says_what_is_accepted(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_config_file(_config(tmp_path, f"      operating_point: '{text}'\n"))
    assert "Config value 'operating_point'" in str(caught.value) and why in str(caught.value)


def test_metric_types_are_checked_all_at_once(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "      metric_types:\n        a: {direction: down}\n        b: {colour: red}\n"
        "        c: lower\n        d: {direction: lower, kind: loss, format: percent}\n",
    )
    with pytest.raises(ConfigError) as caught:
        settings_from_config_file(config)
    message = str(caught.value)
    assert "'metric_types.a'.direction" not in message  # named as in mkdocs.yml
    assert "Config value 'metric_types.a.direction': expected one of higher, lower, neutral" in (
        message
    )
    assert "Config value 'metric_types.b': unknown key 'colour'" in message
    assert "Config value 'metric_types.c': expected a mapping" in message
    assert "metric_types.d" not in message
