"""The plugin's options: one schema, validated by MkDocs' config machinery.

Every option's name, type, default and description are declared here and nowhere else: the
`Settings` of a build are made from a validated `ReporterConfig` (`reporter.config.settings`),
and `Settings.defaults()` validates an empty one. Every option is documented in the README
("Plugin options"); a test checks that.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError


def option(kind: Any, doc: str) -> Any:
    """A config option with its description (shown by `reporter init` and checked by tests)."""
    kind.doc = doc
    return kind


class Schema(base.Config):
    """A config section that reports every invalid option at once (MkDocs stops at the first)."""

    def _validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed: list[tuple[str, Exception]] = []
        warnings: list[tuple[str, str]] = []
        for key, kind in self._schema:
            try:
                self[key] = kind.validate(self.get(key))
            except ValidationError as exc:
                failed.append((key, exc))
            warnings.extend((key, w) for w in kind.warnings)
            kind.reset_warnings()
        warnings += [
            (key, f"Unrecognised configuration name: {key}")
            for key in sorted(set(self.keys()) - self._schema_keys)
        ]
        return failed, warnings


class Section(c.SubConfig):
    """A nested section whose invalid options are all named (`Sub-option 'x': ...; ...`)."""

    def __init__(self, config_class: type[base.Config]) -> None:
        super().__init__(config_class)
        self.config_class = config_class

    def run_validation(self, value: object) -> Any:
        config = self.config_class(config_file_path=self._config_file_path)
        try:
            config.load_dict(value)  # type: ignore[arg-type]
        except base.ConfigurationError as exc:
            raise ValidationError(str(exc)) from exc
        failed, warnings = config.validate()
        self.warnings.extend(f"Sub-option '{key}': {message}" for key, message in warnings)
        if failed:
            raise ValidationError("; ".join(f"Sub-option '{k}': {e}" for k, e in failed))
        return config


class EvaluationConfig(Schema):
    enabled = option(c.Type(bool, default=True), "Evaluate runs' predictions files.")
    threshold = option(
        c.Type((int, float), default=0.5),
        "The decision threshold, unless a run's run.yaml sets one.",
    )
    positive_label = option(
        c.Optional(c.Type((str, int))), "The positive class when labels are not 0/1."
    )
    y_true = option(c.Type(str, default="y_true"), "Column of the labels.")
    y_score = option(c.Type(str, default="y_score"), "Column of the scores.")
    weight = option(c.Type(str, default="weight"), "Column of the sample weights.")
    id_column = option(c.Type(str, default="id"), "Column of the row ids.")
    slice_columns = option(
        c.Optional(c.ListOfItems(c.Type(str))),
        "Columns to slice by (default: every low-cardinality text column).",
    )
    fpr_targets = option(
        c.ListOfItems(c.Type((int, float)), default=[0.001, 0.01, 0.05]),
        "False-positive-rate budgets for the best recall within each.",
    )
    recall_targets = option(
        c.ListOfItems(c.Type((int, float)), default=[0.5, 0.8, 0.9]),
        "Recall targets for the best precision at each.",
    )
    alert_budgets = option(
        c.ListOfItems(c.Type((int, float)), default=[]),
        "Alert budgets (alerts per 10,000 rows) for the best recall within each.",
    )
    top_k = option(
        c.ListOfItems(c.Type(int), default=[100, 1000]), "Alert volumes for precision at top k."
    )
    min_positives = option(c.Type(int, default=30), "Slices with fewer positives are flagged.")
    bootstrap = option(
        c.Type(int, default=200),
        "Resamples for the BCa confidence intervals and the paired differences of comparisons.",
    )
    slice_bootstrap = option(
        c.Optional(c.Type(int)),
        "Resamples for slices' AP intervals (default: bootstrap's); 0 computes none, and "
        "slices keep ROC-AUC's score interval, which needs no resamples.",
    )
    seed = option(c.Type(int, default=0), "Seed of the bootstrap.")


class ReporterConfig(Schema):
    runs = option(
        c.Type(str, default="runs"),
        "The runs root, relative to mkdocs.yml, or an fsspec URL (s3://bucket/runs).",
    )
    runs_storage_options = option(
        c.Type(dict, default={}), "fsspec storage options for a runs URL."
    )
    readers = option(
        c.ListOfItems(c.Type(str), default=[]), "Names of the readers to use (default: all)."
    )
    primary_metric = option(
        c.Optional(c.Type(str)),
        "The metric the home page and the leaderboard rank by (default: the operating point's).",
    )
    metrics = option(c.ListOfItems(c.Type(str), default=[]), "Leaderboard and table columns.")
    operating_point = option(
        c.Optional(c.Type(str)),
        "Where the team uses a model (recall@fpr=0.01, precision@recall=0.8, "
        "recall@alerts_per_10k=50, threshold=0.5): what runs are ranked by.",
    )
    metric_types = option(
        c.Type(dict, default={}),
        "Per metric (a name or a glob pattern): direction, kind, format and description.",
    )
    lower_is_better = option(
        c.ListOfItems(c.Type(str), default=[]),
        "More patterns of metric names where lower is better (beyond the built-in rules).",
    )
    neutral = option(
        c.ListOfItems(c.Type(str), default=[]),
        "More patterns of metrics that are counts or sizes: never ranked, no best value.",
    )
    unranked_status = option(
        c.ListOfItems(c.Type(str), default=["failed", "killed", "aborted", "crashed"]),
        "Run statuses (any case) shown but never ranked best.",
    )
    max_points = option(c.Type(int, default=2000), "Point budget per chart trace.")
    chart_points = option(
        c.Type(int, default=12_000), "Point budget per comparison chart, shared by its traces."
    )
    comparisons = option(
        c.ListOfItems(c.Type(dict), default=[]), "Named comparisons declared in mkdocs.yml."
    )
    comparisons_file = option(
        c.Type(str, default="comparisons.yaml"), "A file beside mkdocs.yml with comparisons."
    )
    newest = option(c.Type(int, default=10), "How many runs the home page lists as newest.")
    journal_dir = option(c.Type(str, default="journal"), "The blog plugin's folder.")
    cache_dir = option(
        c.Type(str, default=".reporter-cache"), "Where runs and pages are cached between builds."
    )
    cache = option(c.Type(bool, default=True), "Keep read and evaluated runs between builds.")
    incremental = option(
        c.Type(bool, default=True),
        "Keep run pages' HTML between builds: a build renders only the run pages whose "
        "inputs changed, and renders every page when the config, the docs, the theme or the "
        "navigation changed (needs cache).",
    )
    workers = option(c.Type(int, default=0), "Processes reading runs (0: one per core).")
    templates = option(
        c.Optional(c.Dir(exists=True)), "A folder of templates overriding the built-in ones."
    )
    plotly_bundle = option(
        c.Optional(c.File(exists=True)),
        "A smaller plotly.js bundle of the plotly package's plotly.js version (for example "
        "plotly-cartesian.min.js from npm's plotly.js-cartesian-dist-min) that pages load "
        "instead of the full one when it draws every trace type of their charts.",
    )
    evaluation = option(Section(EvaluationConfig), "How predictions are evaluated.")
