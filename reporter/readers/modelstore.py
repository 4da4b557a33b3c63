"""modelstore file-system stores (`operatorai-model-store/`), read without modelstore.

    operatorai-model-store/domains/<domain>.json                    the domain's latest version
    operatorai-model-store/model_states/<state>.json                the states that exist
    operatorai-model-store/<domain>/versions/<model id>.json        one version's metadata
    operatorai-model-store/<domain>/versions/<state>/<model id>.json   the version is in <state>
    operatorai-model-store/<domain>/<time>/<model id>/artifacts.tar.gz the archive

Every version is a run `<store>/<domain>/<model id>`: its experiment is the domain, its states
are tags, the model's parameters are params, `extra` metadata is information (numbers under
`extra.metrics` are metrics), and the archive is listed member by member from the tar stream
(names and sizes: nothing is extracted, nothing unpickled). A producing run named in `extra`
(`run_id`, `mlflow_run_id`, `run_name`, `source_run`) is kept as `info["source_run"]`.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporter.errors import RunReadError
from reporter.model import Artifact, Run
from reporter.readers import _parse, rel_id, run_errors

STORE = "operatorai-model-store"
ARCHIVE = "artifacts.tar.gz"
NOT_DOMAINS = {"domains", "model_states"}
SOURCE_KEYS = ("source_run", "run_id", "mlflow_run_id", "run_name")
MAX_LISTED_ARCHIVE = 256 * 1024 * 1024  # a .tar.gz has no index: listing reads it all
IN_ARCHIVE = "(inside artifacts.tar.gz; not extracted)"


@dataclass(frozen=True, kw_only=True, slots=True)
class Version:
    """One model version: its metadata file, its archive (if found) and its states."""

    meta: Path
    archive: Path | None
    domain: str
    model_id: str
    states: tuple[str, ...]

    @property
    def cache_target(self) -> Path:
        """The metadata file (archives are immutable in modelstore; states are in the salt)."""
        return self.meta

    @property
    def cache_salt(self) -> str:
        return repr((self.archive, self.states))


class ModelstoreReader:
    """Model versions of a modelstore file-system store; see the module docstring."""

    name = "modelstore"
    priority = 30
    looks_for = "a modelstore file-system store (an operatorai-model-store/ folder)"

    def matches(self, path: Path) -> bool:
        return path.name == STORE and (
            (path / "domains").is_dir() or (path / "model_states").is_dir()
        )

    def list_runs(self, path: Path, *, root: Path) -> list[tuple[str, Version]]:
        prefix = rel_id(path, root)
        found = []
        for domain in _folders(path):
            if domain.name in NOT_DOMAINS:
                continue
            states = _states(domain / "versions")
            for meta in sorted((domain / "versions").glob("*.json")):
                model_id = meta.stem
                version = Version(
                    meta=meta,
                    archive=_archive(domain, model_id),
                    domain=domain.name,
                    model_id=model_id,
                    states=tuple(sorted(states.get(model_id, ()))),
                )
                found.append((f"{prefix}/{domain.name}/{model_id}", version))
        return sorted(found, key=lambda f: f[0])

    def read(self, handle: Version, *, run_id: str, root: Path) -> Run:
        rel = handle.meta.relative_to(root).as_posix()
        with run_errors(run_id):
            meta = _parse.load_mapping(handle.meta, rel)
            return _run(meta, handle, run_id=run_id, root=root)


def _folders(path: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return []
    return [
        Path(e.path)
        for e in entries
        if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)
    ]


def _states(versions: Path) -> dict[str, set[str]]:
    """model id -> the states it is in (`versions/<state>/<model id>.json`)."""
    states: dict[str, set[str]] = {}
    for folder in _folders(versions) if versions.is_dir() else []:
        for entry in folder.glob("*.json"):
            states.setdefault(entry.stem, set()).add(folder.name)
    return states


def _archive(domain: Path, model_id: str) -> Path | None:
    found = sorted(p for p in domain.glob(f"*/{model_id}/{ARCHIVE}") if not p.is_symlink())
    return found[-1] if found else None


def _run(meta: dict[str, Any], handle: Version, *, run_id: str, root: Path) -> Run:
    model = _mapping(meta.get("model"))
    code = _mapping(meta.get("code"))
    extra = _mapping(meta.get("extra"))
    model_type = _mapping(model.get("model_type"))
    parameters = _mapping(model.get("parameters"))
    git = _mapping(code.get("git"))
    kind = str(model_type.get("type") or model_type.get("library") or "model")
    artifacts, problems = _artifacts(handle, root)
    return Run(
        id=run_id,
        name=f"{kind} {handle.model_id[:8]}",
        experiment=str(model.get("domain") or handle.domain),
        reader=ModelstoreReader.name,
        path=str(handle.meta),
        store=rel_id(handle.meta.parents[2], root),
        created=parse_created(code.get("created")),
        author=str(code.get("user") or ""),
        git_commit=str(git.get("sha") or ""),
        tags=handle.states,
        params=_parse.flatten(parameters),
        config=parameters,
        metrics=_metrics(extra),
        info=dict(sorted(_info(meta, model, code, extra, handle).items())),
        artifacts=artifacts,
        problems=problems,
    )


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def parse_created(value: Any) -> datetime | None:
    """modelstore writes `2024/01/31/17:05:09` (local time of the uploader; taken as UTC)."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%Y/%m/%d/%H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            pass
    return _parse.parse_time(value)


def _metrics(extra: dict[str, Any]) -> dict[str, float]:
    numbers = _mapping(extra.get("metrics"))
    return {k: float(v) for k, v in sorted(numbers.items()) if _parse.is_number(v)}


def _info(
    meta: dict[str, Any],
    model: dict[str, Any],
    code: dict[str, Any],
    extra: dict[str, Any],
    handle: Version,
) -> dict[str, Any]:
    model_type = _mapping(model.get("model_type"))
    info: dict[str, Any] = {
        "modelstore.model_id": handle.model_id,
        "modelstore.domain": handle.domain,
        "modelstore.version": meta.get("modelstore"),
        "model.library": model_type.get("library"),
        "model.type": model_type.get("type"),
        "model.models": model_type.get("models"),
        "runtime": code.get("runtime"),
        "dependencies": code.get("dependencies"),
        "states": list(handle.states),
    }
    git = _mapping(code.get("git"))
    info.update({f"git.{k}": v for k, v in git.items() if k != "sha"})
    data = _mapping(model.get("data"))
    info.update({f"data.{k}": v for k, v in _parse.flatten(data).items()})
    info.update({f"extra.{k}": v for k, v in extra.items() if k != "metrics"})
    source = next((str(extra[k]) for k in SOURCE_KEYS if extra.get(k)), None)
    if source:
        info["source_run"] = source
    return {k: v for k, v in info.items() if v not in (None, "", [], {})}


def _artifacts(handle: Version, root: Path) -> tuple[tuple[Artifact, ...], tuple[str, ...]]:
    """The archive (size, sha256) and its members (name, size) read from the tar stream.

    An archive that cannot be listed keeps the run, with the problem shown on its page.
    """
    if handle.archive is None:
        return (), ("no artifacts.tar.gz found for this version",)
    archive = handle.archive
    rel = archive.relative_to(root).as_posix()
    if not _parse.is_regular(archive):
        return (), (f"{rel}: not a regular file; not read",)
    size = archive.stat().st_size
    try:
        listed = [Artifact(name=ARCHIVE, size=size, sha256=_parse.sha256_of(archive, rel))]
    except RunReadError as exc:
        return (), (f"{rel}: {exc.reason}",)
    if size > MAX_LISTED_ARCHIVE:
        return tuple(listed), (f"{rel}: larger than 256 MB, members not listed",)
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            members = tar.getmembers()  # reads headers only; nothing is extracted
    except (tarfile.TarError, OSError, EOFError) as exc:
        return tuple(listed), (f"{rel}: cannot list the archive ({exc})",)
    listed += [
        Artifact(name=f"{ARCHIVE}/{m.name}", size=m.size, sha256=IN_ARCHIVE)
        for m in sorted(members, key=lambda m: m.name)
        if m.isfile()
    ]
    return tuple(listed), ()
