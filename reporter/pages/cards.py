"""Model cards out: a run as a Hugging Face `README.md` or as Model Card Toolkit JSON.

Pure functions of a `Run` (no file system): `hf_card(run) -> str`, `mct_card(run) -> dict`.
Both report the same numbers: the evaluation metrics the run logged (scores, rates, losses; not
counts or times), overridden by the ones computed from its predictions (`Run.computed`, else
`Run.evaluation`), overall and per slice, with the 95% intervals the evaluation
computed and the decision threshold of each threshold-dependent value. They state the task
only when it is known (binary labels, or the metrics' kind), the evaluation dataset only when
the run names one (`eval_dataset` in run.yaml, or a tracker's dataset inputs as
`info["datasets"]`), the team's operating point with the run's values there, and `license` and
`library_name` when the run declares them. The prose comes from the run's `card.md`, whose
sections (Intended use, Limitations, Ethical considerations, ...) map onto the Model Card
Toolkit's `considerations`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reporter.config.operating import OperatingPointSpec
from reporter.evaluation.metrics import MetricTypes, computed_metrics, metric_thresholds
from reporter.evaluation.names import CLASSIFICATION, REGRESSION
from reporter.model import Run
from reporter.pages.card_text import card_sections, data_sections, first_paragraph
from reporter.pages.filters import dump_plain_yaml

if TYPE_CHECKING:
    from reporter.evaluation.results import Evaluation

MCT_SCHEMA_VERSION = "0.0.2"
TASKS = {
    "binary": {"type": "tabular-classification", "name": "Binary classification"},
    CLASSIFICATION: {"type": "tabular-classification", "name": "Classification"},
    REGRESSION: {"type": "tabular-regression", "name": "Regression"},
}
EVAL_CONTEXTS = ("eval", "evaluation", "test", "testing", "validation", "valid", "holdout")


@dataclass(frozen=True, kw_only=True, slots=True)
class CardContext:
    """What a card needs beyond the run: what metrics mean, and the team's operating point."""

    types: MetricTypes = field(default_factory=MetricTypes)
    operating_point: OperatingPointSpec | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Result:
    """One metric value, on all rows (`slice` "") or on one slice, with its interval and the
    decision threshold it was taken at, when known."""

    metric: str
    value: float
    slice: str = ""
    ci: tuple[float, float] | None = None
    threshold: float | None = None


def card_results(run: Run, ctx: CardContext | None = None) -> list[Result]:
    """Every finite evaluation metric of the run, overall first, then per slice; by name."""
    ctx = ctx or CardContext()
    overall = {**run.metrics, **_computed(run)}
    cis = run.evaluation.ci if run.evaluation is not None else {}
    at = metric_thresholds(run.evaluation) if run.evaluation is not None else {}
    results = [
        Result(metric=k, value=v, ci=cis.get(k), threshold=at.get(k))
        for k, v in sorted(overall.items())
    ]
    for name, values in sorted(_slices(run).items()):
        results += [
            Result(metric=k, value=v, slice=name, ci=ci, threshold=t)
            for k, (v, ci, t) in sorted(values.items())
        ]
    return [r for r in results if math.isfinite(r.value) and ctx.types.of(r.metric).is_evaluation]


def card_task(run: Run, ctx: CardContext | None = None) -> dict[str, str] | None:
    """The task, when known: binary classification from binary labels, else what the logged
    evaluation metrics imply (classification, regression); None when unknown or mixed."""
    if run.evaluation is not None:
        return dict(TASKS["binary"])
    types = (ctx or CardContext()).types
    tasks = {types.of(m).task for m in run.metrics} - {""}
    return dict(TASKS[tasks.pop()]) if len(tasks) == 1 else None


def card_dataset(run: Run) -> str:
    """The evaluation dataset's name: `eval_dataset` in run.yaml, else a tracker's dataset input
    (`info["datasets"]`: {name, context}) used for evaluation, or the only one; "" when none."""
    declared = run.info.get("run.eval_dataset") or run.info.get("eval_dataset")
    if isinstance(declared, str | int | float) and str(declared).strip():
        return str(declared).strip()
    inputs = [d for d in run.info.get("datasets") or () if isinstance(d, dict) and d.get("name")]
    chosen = [d for d in inputs if str(d.get("context", "")).lower() in EVAL_CONTEXTS]
    picked = chosen or (inputs if len(inputs) == 1 else [])
    return str(picked[0]["name"]) if picked else ""


def operating_summary(run: Run, ctx: CardContext | None = None) -> list[tuple[str, str]]:
    """The operating point and the run's values there, as (label, value) lines."""
    op = (ctx or CardContext()).operating_point
    if op is None:
        return []
    lines = [("Operating point", f"{op.describe()} (`{op.metric}`)")]
    point = _op_point(run.evaluation, op) if run.evaluation is not None else None
    if point is None:
        value = run.metrics.get(op.metric)
        shown = f"{value:.6g}" if value is not None else "not evaluated for this run"
        return [*lines, (op.metric, shown)]
    for label, attr in (("Threshold", "threshold"), ("Precision", "precision"),
                        ("Recall", "recall"), ("F1", "f1"), ("False-positive rate", "fpr"),
                        ("Alerts per 10,000", "alerts_per_10k")):  # fmt: skip
        value = getattr(point, attr)
        if value is not None and math.isfinite(value):
            lines.append((label, f"{value:.6g}"))
        elif attr == "threshold":
            lines.append((label, "none reaches it: alert on nothing"))
    return lines


def _op_point(e: Evaluation, op: OperatingPointSpec) -> Any:
    points = {
        "recall@fpr": e.recall_at_fpr,
        "precision@recall": e.precision_at_recall,
        "recall@alerts_per_10k": e.recall_at_alerts,
        "threshold": e.at_thresholds,
    }[op.family]
    return points.get(op.target)


def _computed(run: Run) -> dict[str, float]:
    if run.computed:
        return dict(run.computed)
    if run.evaluation is None:
        return {}
    return computed_metrics(run.evaluation)


SliceValues = dict[str, tuple[float, tuple[float, float] | None, float | None]]


def _slices(run: Run) -> dict[str, SliceValues]:
    """Logged slices (`Run.slices`) and evaluated ones (`column=value`), evaluated winning."""
    slices: dict[str, SliceValues] = {
        name: {k: (float(v), None, None) for k, v in values.items()}
        for name, values in run.slices.items()
    }
    if run.evaluation is not None:
        for column, by_value in run.evaluation.slices.items():
            for value, sub in by_value.items():
                slices.setdefault(f"{column}={value}", {}).update(_evaluated(sub))
    return slices


def _evaluated(sub: Evaluation) -> SliceValues:
    at = metric_thresholds(sub)
    return {k: (v, sub.ci.get(k), at.get(k)) for k, v in computed_metrics(sub).items()}


# --- Hugging Face -----------------------------------------------------------------------------


def hf_card(run: Run, ctx: CardContext | None = None, results: list[Result] | None = None) -> str:
    """A Hugging Face style README.md: YAML front matter with `model-index`, then prose;
    `results` are `card_results(run, ctx)` when the caller has them already."""
    results = card_results(run, ctx) if results is None else results
    front: dict[str, Any] = {}
    license_ = run.info.get("run.license")
    if license_:
        front["license"] = str(license_)
    library = _library(run)
    if library:
        front["library_name"] = library
    if run.tags:
        front["tags"] = list(run.tags)
    front["model-index"] = [{"name": run.name, "results": _hf_results(run, results, ctx)}]
    header = dump_plain_yaml(front)
    return f"---\n{header}---\n\n{_hf_body(run, results, ctx)}"


def _hf_results(run: Run, results: list[Result], ctx: CardContext | None) -> list[dict[str, Any]]:
    """model-index results: one entry per slice; `task` and `dataset` only when known."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.slice, []).append(r)
    task, name_ = card_task(run, ctx), card_dataset(run)
    entries = []
    for name, group in groups.items():
        entry: dict[str, Any] = {}
        if task:
            entry["task"] = dict(task)  # a copy per entry: YAML would write anchors and aliases
        if name_:
            dataset: dict[str, Any] = {"name": name_, "type": _slug(name_)}
            if name:
                dataset.update(name=f"{name_} ({name})", config=name)
            entry["dataset"] = dataset
        entry["metrics"] = [_hf_metric(r) for r in group]
        entries.append(entry)
    return entries


def _hf_metric(r: Result) -> dict[str, Any]:
    metric: dict[str, Any] = {"type": r.metric, "value": r.value, "name": _pretty(r.metric)}
    if r.threshold is not None:
        metric["args"] = {"threshold": r.threshold}
    return metric


def _hf_body(run: Run, results: list[Result], ctx: CardContext | None = None) -> str:
    parts = []
    card = run.card.strip()
    if not card.startswith("# "):
        parts.append(f"# {_one_line(run.name)}")
    parts.append(card or "No model card was written for this run.")
    operating = operating_summary(run, ctx)
    if operating:
        parts.append("## Operating point\n\n" + "\n".join(f"- {k}: {v}" for k, v in operating))
    overall = [r for r in results if not r.slice]
    if overall:
        parts.append("## Evaluation results\n\n" + _table(overall, with_slice=False))
    sliced = [r for r in results if r.slice]
    if sliced:
        parts.append("### Per slice\n\n" + _table(sliced, with_slice=True))
    parts.append("## Provenance\n\n" + "\n".join(f"- {k}: {v}" for k, v in _provenance(run)))
    return "\n\n".join(parts) + "\n"


def _table(results: list[Result], *, with_slice: bool) -> str:
    head = ("| Slice " if with_slice else "") + "| Metric | Value | 95% interval | Threshold |"
    rule = ("|---" if with_slice else "") + "|---|---:|---|---:|"
    rows = [
        (f"| {_cell(r.slice)} " if with_slice else "")
        + f"| {_cell(r.metric)} | {r.value:.6g} | "
        + (f"{r.ci[0]:.4g} to {r.ci[1]:.4g}" if r.ci else "")
        + " | "
        + (f"{r.threshold:.4g}" if r.threshold is not None else "")
        + " |"
        for r in results
    ]
    return "\n".join([head, rule, *rows])


def _provenance(run: Run) -> list[tuple[str, str]]:
    rows = [("Run", f"`{run.id}`"), ("Experiment", _one_line(run.experiment))]
    dataset = card_dataset(run)
    if dataset:
        rows.append(("Evaluation dataset", _one_line(dataset)))
    if run.created:
        rows.append(("Created", run.created.isoformat()))
    for label, value in (("Status", run.status), ("Author", run.author)):
        if value:
            rows.append((label, _one_line(value)))
    if run.git_commit:
        rows.append(("Git commit", f"`{run.git_commit}`"))
    rows.append(("Read by", f"{run.reader} reader"))
    return rows


def _library(run: Run) -> str:
    """The model's library: `library_name` in run.yaml, else what the reader knows (MLflow
    flavour, modelstore library)."""
    declared = run.info.get("run.library_name")
    if declared:
        return str(declared)
    flavour = next((v for k, v in sorted(run.info.items()) if k.endswith(".flavour")), None)
    if flavour:
        return str(flavour).split()[0]
    return str(run.info.get("model.library") or "")


# --- Model Card Toolkit -----------------------------------------------------------------------


def mct_card(
    run: Run, ctx: CardContext | None = None, results: list[Result] | None = None
) -> dict[str, Any]:
    """Model Card Toolkit style JSON (schema 0.0.2 field names; metric values as strings);
    `results` as for `hf_card`."""
    results = card_results(run, ctx) if results is None else results
    sections = card_sections(run.card)
    overview = sections.get("overview", [])
    details: dict[str, Any] = {
        "name": run.name,
        "overview": overview[0] if overview else first_paragraph(run.notes),
        "documentation": run.card.strip(),
        "version": {"name": run.id},
        "owners": [{"name": run.author}] if run.author else [],
        "references": [],
        "licenses": [{"identifier": str(run.info["run.license"])}]
        if run.info.get("run.license")
        else [],
        "citations": [],
    }
    if run.created:
        details["version"]["date"] = run.created.date().isoformat()
    parameters: dict[str, Any] = {"data": [{"name": n, "description": d} for n, d in _data(run)]}
    dataset = card_dataset(run)
    if dataset and dataset not in {d["name"] for d in parameters["data"]}:
        parameters["data"].append({"name": dataset, "description": "evaluation data"})
    architecture = run.info.get("model.type") or _library(run)
    if architecture:
        parameters["model_architecture"] = str(architecture)
    return {
        "schema_version": MCT_SCHEMA_VERSION,
        "model_details": details,
        "model_parameters": parameters,
        "quantitative_analysis": {"performance_metrics": [_mct_metric(r) for r in results]},
        "considerations": {
            "users": _described(sections.get("users", [])),
            "use_cases": _described(sections.get("use_cases", [])),
            "limitations": _described(sections.get("limitations", [])),
            "tradeoffs": _described(sections.get("tradeoffs", [])),
            "ethical_considerations": [
                {"name": text, "mitigation_strategy": ""}
                for text in sections.get("ethical_considerations", [])
            ],
        },
    }


def _mct_metric(r: Result) -> dict[str, Any]:
    metric: dict[str, Any] = {"type": r.metric, "value": repr(float(r.value)), "slice": r.slice}
    if r.threshold is not None:
        metric["threshold"] = repr(float(r.threshold))
    if r.ci:
        metric["confidence_interval"] = {
            "lower_bound": repr(float(r.ci[0])),
            "upper_bound": repr(float(r.ci[1])),
        }
    return metric


def _described(items: list[str]) -> list[dict[str, str]]:
    return [{"description": text} for text in items]


def _data(run: Run) -> list[tuple[str, str]]:
    return data_sections(run.card)


# --- small text helpers -----------------------------------------------------------------------


def _pretty(metric: str) -> str:
    names = {"roc_auc": "ROC AUC", "average_precision": "Average precision", "f1": "F1"}
    return names.get(metric, metric.replace("_", " "))


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) or "dataset"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")
