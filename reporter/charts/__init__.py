"""Charts as plain Plotly figure dicts (pure; no plotly import, no I/O): `base` (the house
layout, downsampling), `history`, `evaluation` (PR, ROC, calibration, confusion, slices) and
`params` (parallel coordinates, metric by parameter)."""
