"""Make tracker fixtures with SEVERAL versions of the real libraries (tests/data/trackers/).

Users have MLflow stores and dvclive folders written by many versions. For each row of VERSIONS
this script makes a throwaway virtual environment under /tmp, pip-installs that version (with
the older numpy/pandas/scikit-learn an old release needs), then runs `tracker_study.py` in it
with no network (`unshare -n` when available): a small logging study, read back with the
library's own client into `expected.json` beside the store. The outputs are copied to
`tests/data/trackers/<library>-<version>-<kind>/` and README.md there is rewritten.

    python scripts/make_tracker_versions.py                    # every row (slow: installs)
    python scripts/make_tracker_versions.py --only mlflow-2.9.2 --keep-venvs

The project never depends on these libraries; `tests/readers/test_tracker_versions.py` reads only the
stores and expected.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "data" / "trackers"
VENVS = Path("/tmp/tracker-venvs")


@dataclass(frozen=True)
class Version:
    library: str
    version: str
    python: str  # the interpreter's minor version
    requirements: tuple[str, ...]  # besides the library itself
    kinds: tuple[str, ...]
    holds: str  # what the store holds beyond the common study (README)

    @property
    def key(self) -> str:
        return f"{self.library}-{self.version}"


VERSIONS = (
    # MLflow 1.30.1 is the last 1.x; it installs and runs on Python 3.11 (its own pins: numpy<2,
    # pandas<2, SQLAlchemy<2, protobuf<5). numpy<1.25 and scikit-learn<1.4 keep to the 2022 era.
    Version(
        "mlflow",
        "1.30.1",
        "3.11",
        ("scikit-learn<1.4", "numpy<1.25", "pandas<2"),
        ("file", "sqlite"),
        "no dataset inputs (log_input came in 2.4), no logged models",
    ),
    # MLflow 2.x imports sqlalchemy.pool.FallbackAsyncAdaptedQueuePool, gone in SQLAlchemy 2.1.
    Version(
        "mlflow",
        "2.9.2",
        "3.11",
        ("scikit-learn<1.4", "numpy<2", "pandas<2.2", "sqlalchemy<2.1"),
        ("file", "sqlite"),
        "a dataset input (mlflow.log_input)",
    ),
    Version(
        "mlflow",
        "2.22.5",
        "3.11",
        ("scikit-learn<1.7", "numpy<2", "sqlalchemy<2.1"),
        ("file", "sqlite"),
        "a dataset input",
    ),
    # 3.1.4: early MLflow 3 (logged models are new); 3.17.2: recent. 3.18.0 does not install
    # here: its pin mlflow-tracing==3.18.0 is not on the index (newest there is 3.17.2).
    Version(
        "mlflow",
        "3.1.4",
        "3.11",
        ("scikit-learn<1.8", "sqlalchemy<2.1"),
        ("file", "sqlite"),
        "a dataset input and an MLflow 3 logged model",
    ),
    Version(
        "mlflow",
        "3.17.2",
        "3.11",
        ("scikit-learn",),
        ("file", "sqlite"),
        "a dataset input and an MLflow 3 logged model",
    ),
    # dvclive 0.4.6: Live writes dvclive.json beside dvclive/ and flat dvclive/<metric>.tsv; it
    # has no params and no plots. From 0.5 the histories move to dvclive/scalars/.
    Version(
        "dvclive",
        "0.4.6",
        "3.11",
        ("pyyaml", "numpy<2", "scikit-learn"),
        ("project",),
        "`dvclive.json` + `dvclive/<metric>.tsv`; no params, no plots",
    ),
    # dvclive 0.12.1 calls precision_recall_curve(probas_pred=...), removed in scikit-learn 1.7.
    Version(
        "dvclive",
        "0.12.1",
        "3.11",
        ("pyyaml", "scikit-learn<1.6"),
        ("project",),
        "dvclive.json + dvclive/scalars/*.tsv, dvclive/params.yaml; dvclive/plots/*.json only in "
        "no-steps (0.x refuses plots once a step was taken)",
    ),
    Version(
        "dvclive",
        "2.16.0",
        "3.11",
        ("pyyaml", "scikit-learn<1.6"),  # probas_pred, as 0.12
        ("project",),
        "dvclive/{metrics.json,params.yaml,dvc.yaml}, plots/metrics/*.tsv, plots/sklearn/*.json; "
        'NaN written as the string "nan"',
    ),
    Version(
        "dvclive",
        "3.49.1",
        "3.11",
        ("pyyaml", "scikit-learn"),
        ("project",),
        "as 2.16, but dvc.yaml at the project root (not in dvclive/)",
    ),
)


def interpreter(minor: str) -> str:
    found = shutil.which(f"python{minor}")
    if found:
        return found
    pyenv = Path.home() / ".pyenv" / "versions"
    for candidate in sorted(pyenv.glob(f"{minor}.*"), reverse=True):
        if (candidate / "bin" / "python3").exists():
            return str(candidate / "bin" / "python3")
    raise SystemExit(f"no Python {minor} interpreter found")


def venv_for(spec: Version) -> Path:
    """A virtual environment holding exactly this version; reused while its pins are the same."""
    venv = VENVS / spec.key
    wanted = [f"{spec.library}=={spec.version}", *spec.requirements]
    stamp = venv / "requirements.json"
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([interpreter(spec.python), "-m", "venv", str(venv)], check=True)
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *wanted],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        errors = [
            line for line in result.stderr.splitlines() if "is ignored: it is neither" not in line
        ]
        raise RuntimeError(f"pip install {' '.join(wanted)} failed:\n" + "\n".join(errors[-25:]))
    stamp.write_text(json.dumps(wanted))
    return venv


def run_study(venv: Path, spec: Version, kind: str, store: Path) -> None:
    command = [
        str(venv / "bin" / "python"),
        str(HERE / "tracker_study.py"),
        spec.library,
        kind,
        str(store),
    ]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
        command = ["unshare", "-n", *command]  # offline: the study must not need the network
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONWARNINGS": "ignore"}
    env.pop("MLFLOW_TRACKING_URI", None)
    result = subprocess.run(command, cwd=store.parent, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"study failed for {spec.key} {kind}:\n{result.stderr[-4000:]}")


MARKER = "reporter-unpickled-marker"


class BoobyTrap:
    """Unpickling this creates MARKER in the working directory (and nothing else)."""

    def __reduce__(self):
        return (open, (MARKER, "w"))


def arm_pickles(root: Path) -> None:
    """Model pickles (MLflow 3.1's sklearn `model.pkl`) become booby traps: a test that reads
    the store proves nothing is unpickled. Their size and hash change; nothing else does."""
    for path in root.rglob("*.pkl"):
        path.write_bytes(pickle.dumps(BoobyTrap(), protocol=4))


def prune_empty_folders(root: Path) -> None:
    """git keeps no empty folder (MLflow's empty `artifacts/`): the tests see what git holds."""
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def make(spec: Version, keep_venv: bool) -> list[Path]:
    venv = venv_for(spec)
    made = []
    try:
        with tempfile.TemporaryDirectory(prefix=f"trackers-{spec.key}-") as tmp:
            for kind in spec.kinds:
                store = Path(tmp) / f"{spec.key}-{kind}"
                run_study(venv, spec, kind, store)
                target = OUT / store.name
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(store, target)
                prune_empty_folders(target)
                arm_pickles(target)
                made.append(target)
                print(f"{target.relative_to(HERE.parent)}: {folder_size(target) / 1024:.0f} KB")
    finally:
        if not keep_venv:
            shutil.rmtree(venv, ignore_errors=True)
    return made


def write_readme(failures: dict[str, str]) -> None:
    rows = []
    by_key = {spec.key: spec for spec in VERSIONS}

    def order(folder: Path) -> tuple:
        library, version, kind = folder.name.split("-")
        return library, tuple(int(n) for n in version.split(".")), kind

    for folder in sorted((p for p in OUT.iterdir() if (p / "expected.json").exists()), key=order):
        expected = json.loads((folder / "expected.json").read_text())
        spec = by_key.get(f"{expected['library']}-{expected['version']}")
        packages = ", ".join(
            f"{k} {v}" for k, v in sorted(expected["packages"].items()) if k != expected["library"]
        )
        rows.append(
            f"| `{folder.name}/` | {expected['library']} | {expected['version']} "
            f"| {expected['python']} | {expected['kind']} | {len(expected['runs'])} "
            f"| {spec.holds if spec else ''} | {packages} | {folder_size(folder) / 1024:.0f} KB |"
        )
    failed = "".join(f"- {key}: {reason}\n" for key, reason in sorted(failures.items()))
    (OUT / "README.md").write_text(
        f"""# Tracker stores written by several library versions

Generated by `scripts/make_tracker_versions.py` (last run {datetime.now(UTC):%Y-%m-%d}), each
version in its own throwaway virtual environment, with no network during the study
(`scripts/tracker_study.py`). `expected.json` in each folder is what the library's own client
returned after logging: `MlflowClient` for MLflow; for dvclive the `Live` object and dvclive's own
readers (`parse_metrics` from 1.x on, `parse_scalars` in late 0.x; 0.4.6 has no reader, so its
TSV files are read with the csv module). NaN is stored as null. Tests: `tests/readers/test_tracker_versions.py`.

| Folder | Library | Version | Python | Kind | Runs | Holds | With | Size |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

The same study in every MLflow store: experiments `fraud` and `churn`; runs `baseline` (params
of five types: float, int, bool, string, list; `train/loss` and `val/roc_auc` over 5 steps; a
note; tag `owner`), `search` with a nested child `search-C10`, one run started without a name
(the library names it), `diverged` (FAILED, its last `train/loss` is NaN), and in `churn` a run
created as `draft` and renamed to `gbm-depth4` by setting the tag `mlflow.runName`. SQLite
stores were vacuumed with 512-byte pages before the client read them. Empty folders (MLflow's
empty `artifacts/`) are pruned, as git keeps none; absolute paths inside the stores point at the
generation folder under /tmp, not here. Every `*.pkl` (MLflow 3.1's sklearn `model.pkl`) was
replaced by a booby-trapped pickle: unpickling it creates `reporter-unpickled-marker` in the
working directory, so the tests prove nothing is unpickled.

Every dvclive store holds two experiment folders (`fraud/`, `churn/`) of DVC-style project
folders, one per run: `params.yaml` at the project root (what DVC tracks), the Live folder
`dvclive/` (plus `dvclive.json` in 0.x), and `dvc.yaml` where the version writes one. Runs:
`baseline`, `deep`, `diverged` (NaN loss at the last step, no plots), `small`, `no-steps`
(summary metrics only). dvclive has no run status, run names, nesting or notes.
{"" if not failed else chr(10) + "Not made:" + chr(10) + chr(10) + failed}"""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="e.g. mlflow-2.9.2")
    parser.add_argument("--keep-venvs", action="store_true")
    parser.add_argument("--readme-only", action="store_true", help="rewrite README.md only")
    args = parser.parse_args()
    unknown = set(args.only) - {spec.key for spec in VERSIONS}
    if unknown:
        parser.error(f"no such row: {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    failures_file = OUT / "not-made.json"
    failures = json.loads(failures_file.read_text()) if failures_file.exists() else {}
    for spec in VERSIONS:
        if args.readme_only or (args.only and spec.key not in args.only):
            continue
        try:
            make(spec, args.keep_venvs)
            failures.pop(spec.key, None)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            failures[spec.key] = str(error).strip().splitlines()[-1]
            print(f"{spec.key}: {error}", file=sys.stderr)
    failures_file.write_text(json.dumps(failures, indent=2, sort_keys=True) + "\n")
    write_readme(failures)


if __name__ == "__main__":
    main()
