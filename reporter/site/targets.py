"""Where a site may be written: never over the runs, the docs, the project or a folder this tool
did not make.

`reporter build --site-dir`, `reporter render --out` and `reporter publish` to a folder all
check their target here first, and refuse with one line (exit 2) before anything is written.
A site built by reporter carries a marker file (`MARKER`); a folder published to carries the
publish manifest. Those, and empty or missing folders, are the only targets replaced.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from reporter import __version__
from reporter.errors import UsageError

MARKER = ".reporter-site"
PUBLISH_MANIFEST = ".reporter-manifest.json"
LEGACY_ASSET = Path("assets") / "reporter" / "reporter.js"  # sites built before the marker


def marker_text() -> str:
    return json.dumps({"generator": "reporter", "version": __version__}) + "\n"


def is_reporter_site(folder: Path) -> bool:
    """A folder reporter built (its marker), or published to (its manifest)."""
    if (folder / MARKER).is_file() or (folder / PUBLISH_MANIFEST).is_file():
        return True
    return (folder / LEGACY_ASSET).is_file() and (folder / "index.html").is_file()


def check_target(
    target: Path,
    *,
    what: str,
    protected: Iterable[tuple[str, Path]],
    inside_forbidden: Iterable[tuple[str, Path]],
    must_be_ours: bool = True,
) -> Path:
    """`target` resolved, or a `UsageError` naming why it is refused.

    A target may not be, or contain, any `protected` folder (the runs, the docs, the config's
    folder, the current folder), nor lie inside an `inside_forbidden` one (the runs, the docs);
    with `must_be_ours`, an existing non-empty folder must be one reporter made.
    """
    resolved = _resolved(target)
    for name, folder in protected:
        folder = _resolved(folder)
        if resolved == folder or resolved in folder.parents:
            relation = "is" if resolved == folder else "contains"
            raise UsageError(
                f"Refusing to use '{target}' as the {what}: it {relation} the {name} "
                f"('{folder}'), which would be replaced. Choose a separate folder."
            )
    for name, folder in inside_forbidden:
        folder = _resolved(folder)
        if folder in resolved.parents:
            raise UsageError(
                f"Refusing to use '{target}' as the {what}: it is inside the {name} "
                f"('{folder}'). Choose a folder outside it."
            )
    if must_be_ours and _non_empty_dir(resolved) and not is_reporter_site(resolved):
        raise UsageError(
            f"Refusing to use '{target}' as the {what}: it holds files reporter did not make "
            f"(no {MARKER} marker). Choose a new or empty folder, or remove it first."
        )
    if resolved.exists() and not resolved.is_dir():
        raise UsageError(f"Refusing to use '{target}' as the {what}: it is a file.")
    return resolved


def project_folders(
    runs: Path, docs: Path | None, config_dir: Path | None
) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(folders a target may not be or contain, folders it may not lie inside)."""
    protected = [("runs root", runs), ("current folder", Path.cwd())]
    inside = [("runs root", runs)]
    if docs is not None:
        protected.append(("docs folder", docs))
        inside.append(("docs folder", docs))
    if config_dir is not None:
        protected.append(("config's folder", config_dir))
    return protected, inside


def umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser())).resolve()


def _non_empty_dir(path: Path) -> bool:
    try:
        return path.is_dir() and any(path.iterdir())
    except OSError:
        return True  # cannot look inside: do not replace it
