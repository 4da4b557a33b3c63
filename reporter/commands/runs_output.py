"""Runs as data for other tools: the JSON contract of `reporter list` and `reporter show`.

Keys are stable; other tools rely on them (README, "CLI").
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import orjson

from reporter.config import Settings
from reporter.errors import ReporterError, UsageError
from reporter.model import Run
from reporter.study.analyse import Ranking, aliases, resolve_alias
from reporter.text import suggest


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def run_record(run: Run) -> dict[str, Any]:
    """The `reporter list` object of a run."""
    return {
        "id": run.id,
        "name": run.name,
        "experiment": run.experiment,
        "created": run.created.isoformat() if run.created else None,
        "status": run.status,
        "tags": list(run.tags),
        "params": run.params,
        "metrics": {k: _finite(v) for k, v in run.metrics.items()},
        "slices": {s: {k: _finite(v) for k, v in m.items()} for s, m in run.slices.items()},
    }


def run_detail(run: Run) -> dict[str, Any]:
    """The `reporter show --format json` object: the list record plus everything else."""
    return {
        **run_record(run),
        "reader": run.reader,
        "author": run.author,
        "git_commit": run.git_commit,
        "notes": run.notes,
        "baseline": run.baseline,
        "threshold": run.threshold,
        "info": run.info,
        "histories": [
            {
                "name": s.name,
                "x": s.x_name,
                "points": len(s.y),
                "last": _finite(float(s.y[-1])) if len(s.y) else None,
            }
            for s in run.histories
        ],
        "plots": [
            {"name": p.name, "kind": p.kind, "title": p.title, "points": p.size} for p in run.plots
        ],
        "artifacts": [{"name": a.name, "size": a.size, "sha256": a.sha256} for a in run.artifacts],
        "card": run.card,
        "problems": list(run.problems),
        "evaluation": run.evaluation.to_json() if run.evaluation is not None else None,
    }


def sort_runs(runs: list[Run], metric: str | None, settings: Settings) -> list[Run]:
    """By `metric`, best first by what the metric means (failed runs after the ranked ones,
    runs without it last), else by creation time then id. A computed metric sorts when the
    runs were evaluated (`--with-evaluation`)."""
    if not metric:
        return sorted(runs, key=lambda r: (r.created is not None, r.created or 0, r.id))
    known = sorted({m for r in runs for m in (*r.metrics, *r.computed)})
    if runs and metric not in known:
        listed = ", ".join(known[:20]) or "none"
        more = f" and {len(known) - 20} more" if len(known) > 20 else ""
        raise UsageError(
            f"Cannot sort by '{metric}': no run has that metric.{suggest(metric, known)} "
            f"Metrics: {listed}{more}."
        )
    return Ranking.from_settings(settings).order(runs, metric)


def find_run(runs: list[Run], run_id: str) -> Run:
    """The run with this id, else the one run with this alias (a former id)."""
    for run in runs:
        if run.id == run_id:
            return run
    exact, patterns = aliases(tuple(runs))
    named = resolve_alias(run_id, exact, patterns)
    for run in runs if named != run_id else ():
        if run.id == named:
            return run
    ids = [r.id for r in runs]
    raise ReporterError(
        f"No run '{run_id}' among {len(ids)} runs.{suggest(run_id, ids, cutoff=0.5)}"
    )


def evaluated(run: Run, settings: Settings) -> Run:
    if not run.predictions or not settings.evaluation.enabled:
        return run
    from reporter.pipeline.loading import evaluate_one

    return evaluate_one(run, settings)[0]


def format_runs(runs: list[Run], fmt: str, *, with_evaluation: bool = False) -> str:
    records = [run_record(r) for r in runs]
    if with_evaluation:
        for record, run in zip(records, runs, strict=True):
            record["evaluation"] = run.evaluation.to_json() if run.evaluation else None
    if fmt == "json":
        return orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n"
    metrics = sorted({m for r in runs for m in r.metrics})
    header = ["id", "name", "experiment", "created", "status", "tags", *metrics]
    rows = [
        [
            rec["id"],
            rec["name"],
            rec["experiment"],
            rec["created"] or "",
            rec["status"],
            " ".join(rec["tags"]),
            *(_cell(rec["metrics"].get(m)) for m in metrics),
        ]
        for rec in records
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    return _table(header, rows)


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=False)).rstrip()
        for line in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def format_run(run: Run, fmt: str) -> str:
    detail = run_detail(run)
    if fmt == "json":
        return orjson.dumps(detail, option=orjson.OPT_INDENT_2, default=str).decode() + "\n"
    lines = [f"{run.name}  ({run.id})", ""]
    for key in ("experiment", "created", "status", "author", "git_commit", "reader"):
        if detail[key]:
            lines.append(f"  {key:<11} {detail[key]}")
    if run.tags:
        lines.append(f"  {'tags':<11} {', '.join(run.tags)}")
    for title, mapping in (("Metrics", detail["metrics"]), ("Parameters", run.params)):
        if mapping:
            lines += ["", title] + [f"  {k:<32} {v}" for k, v in mapping.items()]
    if run.artifacts:
        lines += ["", "Artifacts"] + [
            f"  {a.name}  {a.size:,} B  {a.sha256[:12]}" for a in run.artifacts
        ]
    if run.evaluation is not None:
        ev = detail["evaluation"]
        lines += ["", "Evaluation (computed from predictions)"]
        lines += [
            f"  {k:<32} {ev[k]}"
            for k in ("n", "positives", "roc_auc", "average_precision", "log_loss", "brier")
            if k in ev
        ]
    return "\n".join(lines) + "\n"
