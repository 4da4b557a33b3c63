"""Glue between a run and the evaluation: read its predictions (I/O), evaluate (pure)."""

from __future__ import annotations

from reporter.model import Run
from reporter.settings import Settings


def evaluate_run(run: Run, settings: Settings) -> Run:
    return run  # wired to reporter.evaluate once it lands
