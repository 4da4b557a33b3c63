"""Evaluation of a run's predictions: ranking arithmetic (`curves`, `bootstrap`), the metrics
table (`metrics`), the pure `evaluate` and its results, and the I/O edge (`predictions`, `stage`)."""
