"""Evaluation of a run's predictions: ranking arithmetic (`curves`), the bootstrap (`slots`,
`resampling`, `intervals`, `at_point`, and `paired` for two runs on the same rows), the metrics
table (`metrics`), the pure `evaluate` and its results, and the I/O edge (`predictions`, `stage`)."""
