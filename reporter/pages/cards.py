"""Model cards out: a run as a Hugging Face `README.md` or as Model Card Toolkit JSON.

Pure functions of a `Run` (no file system): `hf_card(run) -> str`, `mct_card(run) -> dict`.
Both report the same numbers: the metrics the run logged, overridden by the ones computed from
its predictions (`Run.computed`, else `Run.evaluation`), overall and per slice, with the
bootstrap 95% intervals the evaluation computed. The prose comes from the run's `card.md`,
whose sections (Intended use, Limitations, Ethical considerations, ...) map onto the Model Card
Toolkit's `considerations`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reporter.evaluation.metrics import computed_metrics
from reporter.model import Run
from reporter.pages.filters import dump_yaml

if TYPE_CHECKING:
    from reporter.evaluation.results import Evaluation

MCT_SCHEMA_VERSION = "0.0.2"
TASK = {"type": "tabular-classification", "name": "Binary classification"}

# card.md headings (lower case, punctuation dropped) -> where the section goes
SECTIONS = {
    "overview": "overview", "model details": "overview", "description": "overview",
    "summary": "overview", "model": "overview",
    "intended use": "use_cases", "intended uses": "use_cases", "use cases": "use_cases",
    "primary intended uses": "use_cases", "uses": "use_cases",
    "users": "users", "intended users": "users", "primary intended users": "users",
    "limitations": "limitations", "known limitations": "limitations", "caveats": "limitations",
    "caveats and recommendations": "limitations", "out of scope use": "limitations",
    "out of scope uses": "limitations",
    "tradeoffs": "tradeoffs", "trade offs": "tradeoffs",
    "ethical considerations": "ethical_considerations", "ethics": "ethical_considerations",
    "risks": "ethical_considerations",
    "training data": "data", "evaluation data": "data", "data": "data", "datasets": "data",
}  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class Result:
    """One metric value, on all rows (`slice` "") or on one slice, with its interval if known."""

    metric: str
    value: float
    slice: str = ""
    ci: tuple[float, float] | None = None


def card_results(run: Run) -> list[Result]:
    """Every finite metric of the run, overall first, then per slice; sorted by name."""
    overall = {**run.metrics, **_computed(run)}
    cis = run.evaluation.ci if run.evaluation is not None else {}
    results = [Result(metric=k, value=v, ci=cis.get(k)) for k, v in sorted(overall.items())]
    for name, values in sorted(_slices(run).items()):
        results += [
            Result(metric=k, value=v, slice=name, ci=ci) for k, (v, ci) in sorted(values.items())
        ]
    return [r for r in results if math.isfinite(r.value)]


def _computed(run: Run) -> dict[str, float]:
    if run.computed:
        return dict(run.computed)
    if run.evaluation is None:
        return {}
    return computed_metrics(run.evaluation)


SliceValues = dict[str, tuple[float, tuple[float, float] | None]]


def _slices(run: Run) -> dict[str, SliceValues]:
    """Logged slices (`Run.slices`) and evaluated ones (`column=value`), evaluated winning."""
    slices: dict[str, SliceValues] = {
        name: {k: (float(v), None) for k, v in values.items()}
        for name, values in run.slices.items()
    }
    if run.evaluation is not None:
        for column, by_value in run.evaluation.slices.items():
            for value, sub in by_value.items():
                slices.setdefault(f"{column}={value}", {}).update(_evaluated(sub))
    return slices


def _evaluated(sub: Evaluation) -> SliceValues:
    return {k: (v, sub.ci.get(k)) for k, v in computed_metrics(sub).items()}


# --- Hugging Face -----------------------------------------------------------------------------


def hf_card(run: Run) -> str:
    """A Hugging Face style README.md: YAML front matter with `model-index`, then prose."""
    results = card_results(run)
    front: dict[str, Any] = {}
    library = _library(run)
    if library:
        front["library_name"] = library
    if run.tags:
        front["tags"] = list(run.tags)
    front["model-index"] = [{"name": run.name, "results": _hf_results(run, results)}]
    header = dump_yaml(front, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n\n{_hf_body(run, results)}"


def _hf_results(run: Run, results: list[Result]) -> list[dict[str, Any]]:
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.slice, []).append(r)
    entries = []
    for name, group in groups.items():
        dataset: dict[str, Any] = {"name": run.experiment, "type": _slug(run.experiment)}
        if name:
            dataset.update(name=f"{run.experiment} ({name})", config=name)
        metrics = [{"type": r.metric, "value": r.value, "name": _pretty(r.metric)} for r in group]
        entries.append({"task": dict(TASK), "dataset": dataset, "metrics": metrics})
    return entries


def _hf_body(run: Run, results: list[Result]) -> str:
    parts = []
    card = run.card.strip()
    if not card.startswith("# "):
        parts.append(f"# {_one_line(run.name)}")
    parts.append(card or "No model card was written for this run.")
    overall = [r for r in results if not r.slice]
    if overall:
        parts.append("## Evaluation results\n\n" + _table(overall, with_slice=False))
    sliced = [r for r in results if r.slice]
    if sliced:
        parts.append("### Per slice\n\n" + _table(sliced, with_slice=True))
    parts.append("## Provenance\n\n" + "\n".join(f"- {k}: {v}" for k, v in _provenance(run)))
    return "\n\n".join(parts) + "\n"


def _table(results: list[Result], *, with_slice: bool) -> str:
    head = ("| Slice " if with_slice else "") + "| Metric | Value | 95% interval |"
    rule = ("|---" if with_slice else "") + "|---|---:|---|"
    rows = [
        (f"| {_cell(r.slice)} " if with_slice else "")
        + f"| {_cell(r.metric)} | {r.value:.6g} | "
        + (f"{r.ci[0]:.4g} to {r.ci[1]:.4g}" if r.ci else "")
        + " |"
        for r in results
    ]
    return "\n".join([head, rule, *rows])


def _provenance(run: Run) -> list[tuple[str, str]]:
    rows = [("Run", f"`{run.id}`"), ("Experiment", _one_line(run.experiment))]
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
    """The model's library when the reader knows it (MLflow flavour, modelstore library)."""
    flavour = next((v for k, v in sorted(run.info.items()) if k.endswith(".flavour")), None)
    if flavour:
        return str(flavour).split()[0]
    return str(run.info.get("model.library") or "")


# --- Model Card Toolkit -----------------------------------------------------------------------


def mct_card(run: Run) -> dict[str, Any]:
    """Model Card Toolkit style JSON (schema 0.0.2 field names; metric values as strings)."""
    sections = card_sections(run.card)
    overview = sections.get("overview", [])
    details: dict[str, Any] = {
        "name": run.name,
        "overview": overview[0] if overview else _first_paragraph(run.notes),
        "documentation": run.card.strip(),
        "version": {"name": run.id},
        "owners": [{"name": run.author}] if run.author else [],
        "references": [],
        "licenses": [],
        "citations": [],
    }
    if run.created:
        details["version"]["date"] = run.created.date().isoformat()
    parameters: dict[str, Any] = {"data": [{"name": n, "description": d} for n, d in _data(run)]}
    architecture = run.info.get("model.type") or _library(run)
    if architecture:
        parameters["model_architecture"] = str(architecture)
    return {
        "schema_version": MCT_SCHEMA_VERSION,
        "model_details": details,
        "model_parameters": parameters,
        "quantitative_analysis": {
            "performance_metrics": [_mct_metric(r) for r in card_results(run)]
        },
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
    if r.ci:
        metric["confidence_interval"] = {
            "lower_bound": repr(float(r.ci[0])),
            "upper_bound": repr(float(r.ci[1])),
        }
    return metric


def _described(items: list[str]) -> list[dict[str, str]]:
    return [{"description": text} for text in items]


def _data(run: Run) -> list[tuple[str, str]]:
    """card.md's data sections, by heading ("Training data", "Evaluation data")."""
    return [(heading, text) for heading, kind, text in _raw_sections(run.card) if kind == "data"]


def card_sections(card: str) -> dict[str, list[str]]:
    """card.md as {kind: [entries]}: a bulleted section gives one entry per bullet.

    Text before the first heading (other than a title) is the overview.
    """
    sections: dict[str, list[str]] = {}
    for _, kind, text in _raw_sections(card):
        if kind and text:
            sections.setdefault(kind, []).extend(_entries(text))
    return sections


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _raw_sections(card: str) -> list[tuple[str, str, str]]:
    """(heading, kind, body text) per section; a level-1 title starts no section."""
    found: list[tuple[str, str, list[str]]] = [("", "overview", [])]
    for line in card.splitlines():
        match = _HEADING.match(line)
        untouched = len(found) == 1 and not any(ln.strip() for ln in found[0][2])
        if match and len(match.group(1)) == 1 and untouched:
            continue  # the card's title
        if match:
            heading = match.group(2)
            found.append((heading, SECTIONS.get(_key(heading), ""), []))
        else:
            found[-1][2].append(line)
    return [(h, k, "\n".join(b).strip()) for h, k, b in found]


def _key(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


def _entries(text: str) -> list[str]:
    bullets = re.findall(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$", text, flags=re.MULTILINE)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if bullets and len(bullets) == len(lines):
        return [b.strip() for b in bullets]
    return [" ".join(text.split())]


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split()) if text.strip() else ""


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
