"""MLflow 3 logged models and dataset inputs: what the stores record of them, and how a run
page lists them (`model.<name>.*`, `dataset.<name>.*` information, the models' files)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import RunReadError
from reporter.model import Artifact
from reporter.readers import _parse

MODEL_STATUS = {0: "", 1: "PENDING", 2: "READY", 3: "FAILED"}


@dataclass(frozen=True, kw_only=True, slots=True)
class LoggedModel:
    """An MLflow 3 logged model (`models/m-<id>/`) produced by a run."""

    model_id: str
    name: str
    artifacts: Path | None
    status: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Dataset:
    """A dataset input of a run (`mlflow.log_input`), as the store records it."""

    name: str
    digest: str
    context: str = ""
    source_type: str = ""
    source: str = ""
    schema: str = ""
    profile: str = ""


def dataset_info(datasets: tuple[Dataset, ...]) -> dict[str, object]:
    """Dataset inputs as `dataset.<name>.*` (`<name>@<digest>` when a name comes twice)."""
    info: dict[str, object] = {}
    names = [d.name for d in datasets]
    for dataset in sorted(datasets, key=lambda d: (d.name, d.digest, d.context)):
        key = dataset.name if names.count(dataset.name) == 1 else f"{dataset.name}@{dataset.digest}"
        fields = {
            "digest": dataset.digest,
            "context": dataset.context,
            "source_type": dataset.source_type,
            "source": dataset.source,
            "schema": signature_text(_colspec(dataset.schema)) if dataset.schema else "",
            "profile": dataset.profile,
        }
        info.update({f"dataset.{key}.{k}": v for k, v in fields.items() if v})
    return info


def _colspec(schema: str) -> object:
    """A dataset schema (`{"mlflow_colspec": [...]}`) as the column list `signature_text` reads."""
    try:
        data = json.loads(schema)
    except (ValueError, RecursionError):
        return schema
    if isinstance(data, dict) and len(data) == 1:
        return next(iter(data.values()))
    return data


def artifacts_of(folder: Path | None, prefix: str = "") -> tuple[Artifact, ...]:
    if folder is None or not folder.is_dir():
        return ()
    found, _unlisted = _parse.list_artifacts(folder, set())
    return tuple(Artifact(name=f"{prefix}{a.name}", size=a.size, sha256=a.sha256) for a in found)


def models_info(models: tuple[LoggedModel, ...]) -> tuple[dict[str, object], tuple[Artifact, ...]]:
    """Logged models as `model.<name>.*` information plus their files as artifacts."""
    info: dict[str, object] = {}
    artifacts: list[Artifact] = []
    names = [m.name for m in models]
    for model in sorted(models, key=lambda m: (m.name, m.model_id)):
        files = artifacts_of(model.artifacts, f"models/{model.model_id}/")
        key = model.name if names.count(model.name) == 1 else f"{model.name}.{model.model_id}"
        described = {"id": model.model_id, "status": model.status, **_mlmodel(model, files)}
        info.update({f"model.{key}.{k}": v for k, v in described.items() if v not in ("", None)})
        artifacts += files
    return info, tuple(artifacts)


def _mlmodel(model: LoggedModel, files: tuple[Artifact, ...]) -> dict[str, object]:
    """Flavour, size and signature from the model's `MLmodel` file (YAML, never executed)."""
    described: dict[str, object] = {
        "files": f"{len(files)} files, {sum(a.size for a in files)} bytes"
    }
    mlmodel = model.artifacts / "MLmodel" if model.artifacts else None
    if mlmodel is None or not mlmodel.is_file():
        return described
    try:
        meta = _parse.load_yaml(mlmodel, f"models/{model.model_id}/MLmodel")
    except RunReadError as exc:
        return {**described, "problem": f"MLmodel: {exc.reason}"}
    if not isinstance(meta, dict):
        return described
    flavour = _flavour(meta.get("flavors"))
    if flavour:
        described["flavour"] = flavour
    if _parse.is_number(meta.get("model_size_bytes")):
        described["size_bytes"] = int(meta["model_size_bytes"])
    signature = meta.get("signature")
    if isinstance(signature, dict):
        for part in ("inputs", "outputs", "params"):
            if signature.get(part):
                described[f"signature.{part}"] = signature_text(signature[part])
    if meta.get("mlflow_version"):
        described["mlflow_version"] = str(meta["mlflow_version"])
    return described


def _flavour(flavors: object) -> str:
    """The model's own flavour (not the generic `python_function`), with its library version."""
    if not isinstance(flavors, dict) or not flavors:
        return ""
    name = next((str(f) for f in flavors if f != "python_function"), str(next(iter(flavors))))
    settings = flavors.get(name)
    version = settings.get(f"{name}_version") if isinstance(settings, dict) else None
    return f"{name} {version}" if version else name


def model_status(value: object) -> str:
    """Logged models store their status as a number in both stores."""
    if isinstance(value, int) and not isinstance(value, bool):
        return MODEL_STATUS.get(value, str(value))
    return str(value or "")


def signature_text(value: object) -> str:
    """An MLflow signature part (JSON text inside the YAML) as one readable line.

    Columns read `amount: double, country: string`; tensors read `tensor float64 [-1, 3]`.
    """
    try:
        specs = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError):
        return str(value)[:200]
    if not isinstance(specs, list):
        return str(value)
    parts = []
    for spec in specs:
        if not isinstance(spec, dict):
            parts.append(str(spec))
        elif "tensor-spec" in spec and isinstance(spec["tensor-spec"], dict):
            tensor = spec["tensor-spec"]
            name = f"{spec['name']}: " if spec.get("name") else ""
            parts.append(
                f"{name}tensor {tensor.get('dtype', '?')} {tensor.get('shape', '')}".strip()
            )
        else:
            kind = str(spec.get("type", "?"))
            parts.append(f"{spec['name']}: {kind}" if spec.get("name") else kind)
    return ", ".join(parts)
