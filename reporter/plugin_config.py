"""The plugin's options: one schema, validated by MkDocs' config machinery.

Every option is documented in the README ("Plugin options"); a test checks that.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from reporter.settings import LOWER_IS_BETTER, NEUTRAL


class EvaluationConfig(base.Config):
    enabled = c.Type(bool, default=True)
    threshold = c.Type((int, float), default=0.5)
    positive_label = c.Optional(c.Type((str, int)))
    y_true = c.Type(str, default="y_true")
    y_score = c.Type(str, default="y_score")
    weight = c.Type(str, default="weight")
    id_column = c.Type(str, default="id")
    slice_columns = c.Optional(c.ListOfItems(c.Type(str)))
    fpr_targets = c.ListOfItems(c.Type((int, float)), default=[0.001, 0.01, 0.05])
    recall_targets = c.ListOfItems(c.Type((int, float)), default=[0.5, 0.8, 0.9])
    top_k = c.ListOfItems(c.Type(int), default=[100, 1000])
    min_positives = c.Type(int, default=30)
    bootstrap = c.Type(int, default=200)
    seed = c.Type(int, default=0)


class ReporterConfig(base.Config):
    runs = c.Type(str, default="runs")
    runs_storage_options = c.Type(dict, default={})
    readers = c.ListOfItems(c.Type(str), default=[])
    primary_metric = c.Optional(c.Type(str))
    metrics = c.ListOfItems(c.Type(str), default=[])
    lower_is_better = c.ListOfItems(c.Type(str), default=list(LOWER_IS_BETTER))
    neutral = c.ListOfItems(c.Type(str), default=list(NEUTRAL))
    max_points = c.Type(int, default=2000)
    chart_points = c.Type(int, default=12_000)
    comparisons = c.ListOfItems(c.Type(dict), default=[])
    comparisons_file = c.Type(str, default="comparisons.yaml")
    newest = c.Type(int, default=10)
    journal_dir = c.Type(str, default="journal")
    cache_dir = c.Type(str, default=".reporter-cache")
    cache = c.Type(bool, default=True)
    workers = c.Type(int, default=0)
    templates = c.Optional(c.Dir(exists=True))
    evaluation = c.SubConfig(EvaluationConfig)
