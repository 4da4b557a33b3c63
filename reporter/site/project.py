"""The projects reporter makes itself: the starter project `reporter init` writes, and the
default site built for a folder of runs when there is no mkdocs.yml.

Both come from the files in `starter/` (the default site takes its mkdocs.yml and its pages from
`default/`), so a `reporter init` project and the default site look alike. The default site is
written into the cache folder, because MkDocs builds from a docs folder on disk; its runs, site
and cache stay the user's folders, and nothing else is written beside them.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from reporter.config.files import absolute_runs
from reporter.config.schema import EvaluationConfig, ReporterConfig
from reporter.config.settings import is_url
from reporter.errors import BuildError, ReporterError, UsageError
from reporter.pipeline.site_files import write_if_changed
from reporter.text import markdown_text

HERE = Path(__file__).resolve().parent
STARTER = HERE / "starter"
DEFAULT_PAGES = HERE / "default"
CACHE = ".reporter-cache"
DEFAULT_PROJECT = "default-site"  # the default site's config and pages, inside the cache
GITIGNORE_LINES = ("/site/", "/.site.lock", "/.site-*/", ".reporter-cache/")


@dataclass(frozen=True, kw_only=True, slots=True)
class Written:
    """What `init_project` did: files written, and files left alone because they exist."""

    written: tuple[str, ...]
    skipped: tuple[str, ...]


def starter_config(name: str, runs: str) -> str:
    """The starter mkdocs.yml: the site's name and runs root filled in, and every other plugin
    option listed as a comment with its default and description (from the schema)."""
    text = (STARTER / "mkdocs.yml").read_text(encoding="utf-8")
    return (
        text.replace('"@SITE_NAME@"', json.dumps(name, ensure_ascii=False))
        .replace('"@RUNS@"', json.dumps(runs, ensure_ascii=False))
        .replace("      # @OPTIONS@\n", options_comment(indent=6))
    )


def options_comment(indent: int) -> str:
    """The plugin's options but `runs`, as YAML comments: `# name: default  # description`."""
    pad = " " * indent
    lines = [f"{pad}# Every other option, with its default (uncomment one to change it):"]
    for name, kind in ReporterConfig._schema:
        if name == "runs":
            continue
        if name == "evaluation":
            lines.append(f"{pad}# evaluation:  # {kind.doc}")
            lines += [f"{pad}#   {_setting(n, k)}" for n, k in EvaluationConfig._schema]
        else:
            lines.append(f"{pad}# {_setting(name, kind)}")
    return "\n".join(lines) + "\n"


def _setting(name: str, kind: Any) -> str:
    flow = yaml.safe_dump({name: kind.default}, default_flow_style=True, width=math.inf)
    return f"{flow.strip()[1:-1]}  # {kind.doc}"


def starter_files(name: str, runs: str, day: date) -> dict[str, str]:
    """Every file of a starter project, by path relative to the project folder."""
    files = {
        "mkdocs.yml": starter_config(name, runs),
        "comparisons.yaml": (STARTER / "comparisons.yaml").read_text(encoding="utf-8"),
        ".gitignore": (STARTER / "gitignore").read_text(encoding="utf-8"),
    }
    for path in sorted((STARTER / "site_src").rglob("*.md")):
        rel = path.relative_to(STARTER).as_posix()
        if rel.endswith("/posts/welcome.md"):
            rel = rel.replace("welcome.md", f"{day.isoformat()}-welcome.md")
        text = path.read_text(encoding="utf-8")
        files[rel] = text.replace("@DATE@", day.isoformat()).replace(
            "@TITLE@", str(markdown_text(name))
        )
    return files


def init_project(dest: Path, *, runs: str | None, day: date) -> Written:
    """Write a starter project into `dest`, never overwriting a file. `runs` is the runs root
    as typed (relative to the current folder; written relative to `dest`), default `runs`.

    An existing mkdocs.yml refuses the whole project (nothing is written): it belongs to a
    site of its own, which takes the plugin instead. Other existing files are skipped.
    """
    dest = Path(os.path.abspath(dest))
    if (dest / "mkdocs.yml").exists():
        raise UsageError(
            f"'{dest / 'mkdocs.yml'}' exists; reporter init starts a new project and wrote "
            "nothing. To add reporter to an existing MkDocs site, add 'reporter' to its plugins."
        )
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"'{dest}' is a file; reporter init needs a folder.")
    if runs is None:
        runs_text = "runs"
    elif is_url(runs):
        runs_text = runs
    else:
        runs_text = Path(os.path.relpath(absolute_runs(runs) or runs, dest)).as_posix()
    written, skipped = [], []
    for rel, text in starter_files(dest.name or "Experiment reports", runs_text, day).items():
        path = dest / rel
        if path.exists() or path.is_symlink():
            skipped.append(rel)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
                fh.write(text)
        except FileExistsError:
            skipped.append(rel)
            continue
        except OSError as exc:
            raise ReporterError(f"Cannot write '{path}': {exc.strerror or exc}.") from exc
        written.append(rel)
    return Written(written=tuple(written), skipped=tuple(skipped))


def default_site(runs: str | None, *, cwd: Path) -> Path:
    """The default site's mkdocs.yml for the runs at `runs` (a folder or a URL; default
    `./runs`), written with its pages into `<cwd>/.reporter-cache/default-site/`.

    The site goes to `<cwd>/site`, the cache to `<cwd>/.reporter-cache`, and a
    `comparisons.yaml` in `cwd` is read, as in a project made by `reporter init`.
    """
    cwd = Path(os.path.abspath(cwd))
    if runs is None and not (cwd / "runs").is_dir():
        raise UsageError(
            "No mkdocs.yml and no runs/ folder here. Pass --runs DIR to build a site for a "
            "folder of runs, or run 'reporter init' to start a project of your own."
        )
    runs_text = absolute_runs(runs or str(cwd / "runs"))
    assert runs_text is not None
    here = cwd.resolve()
    if not is_url(runs_text) and (here == Path(runs_text) or Path(runs_text) in here.parents):
        raise UsageError(
            f"The current folder is inside the runs folder '{runs_text}', which reporter never "
            "writes into (the site and the cache go in the current folder). Run it from "
            "outside, e.g. the folder that holds the runs."
        )
    config = yaml.safe_load(starter_config(site_title(runs_text), runs_text))
    config.update(docs_dir="docs", site_dir=str(cwd / "site"))
    options = next(
        p["reporter"] for p in config["plugins"] if isinstance(p, dict) and "reporter" in p
    )
    options.update(
        runs=runs_text, cache_dir=str(cwd / CACHE), comparisons_file=str(cwd / "comparisons.yaml")
    )
    header = (
        "# The default site of `reporter build --runs` in a folder without mkdocs.yml, written\n"
        "# by reporter on every build (edits are lost: run `reporter init` for a project).\n"
    )
    files = {"mkdocs.yml": header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)}
    for path in sorted(DEFAULT_PAGES.rglob("*.md")):
        files[f"docs/{path.relative_to(DEFAULT_PAGES).as_posix()}"] = path.read_text(
            encoding="utf-8"
        )
    project = cwd / CACHE / DEFAULT_PROJECT
    try:
        for rel, text in files.items():
            write_if_changed(project / rel, text)
        for stale in (project / "docs").rglob("*"):
            if stale.is_file() and stale.relative_to(project).as_posix() not in files:
                stale.unlink()
    except OSError as exc:
        raise BuildError(
            f"Cannot write the default site's pages into '{project}': {exc.strerror or exc}."
        ) from exc
    return project / "mkdocs.yml"


def site_title(runs: str) -> str:
    """The default site's name: the runs folder's name (the last part of a URL's path)."""
    if is_url(runs):
        parts = urlsplit(runs)
        return next((p for p in reversed(parts.path.split("/")) if p), parts.netloc or "runs")
    return Path(runs).name or "runs"
