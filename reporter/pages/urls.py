"""Page paths and relative links, following MkDocs' rules without importing MkDocs."""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import PurePath
from urllib.parse import quote

from reporter.study.pages import PageNames

RUNS_DIR = "runs"
EXPERIMENTS_DIR = "experiments"
COMPARE_DIR = "compare"
CHART_DATA_DIR = "assets/reporter/charts"
RUN_DATA_DIR = "assets/reporter/runs"
RUN_DATA_DIGITS = 24  # hex digits of the id's SHA-256 in a run's data file name


class Paths:
    """Where each run's and experiment's pages and files are, by the study's page names
    (`reporter.study.pages`: unique whatever the names)."""

    def __init__(self, names: PageNames | None = None) -> None:
        self.names = names or PageNames()

    def run_page(self, run_id: str) -> str:
        return f"{RUNS_DIR}/{self.names.run(run_id)}.md"

    def run_file(self, run_id: str, filename: str) -> str:
        """A file published beside a run's page (its history, its exported cards)."""
        return f"{RUNS_DIR}/{self.names.run(run_id)}/{filename}"

    def card_file(self, run_id: str, kind: str) -> str:
        """A run's model card exported for other tools ("hf": Hugging Face README, "mct")."""
        # Not ".md": MkDocs would build a page from it; the link's `download` names it README.md.
        name = "model-card.README.md.txt" if kind == "hf" else "model-card.json"
        return self.run_file(run_id, name)

    def experiment_page(self, name: str) -> str:
        return f"{EXPERIMENTS_DIR}/{self.names.experiment(name)}.md"

    def own_files(self, run_id: str, history_file: str | None) -> tuple[tuple[str, str], ...]:
        """A run's own files published beside its page (its history): (src_uri, source)."""
        if not history_file:
            return ()
        return ((self.run_file(run_id, PurePath(history_file).name), history_file),)


def compare_page(slug: str) -> str:
    return f"{COMPARE_DIR}/{slug}.md"


def chart_data(digest: str) -> str:
    """Where a page's figures are published: named by the digest of their content, so a cached
    page can never meet another build's data, a browser may cache the file for good, and the
    name stays short whatever the page's name."""
    return f"{CHART_DATA_DIR}/{digest[:2]}/{digest}.js"


def run_data(run_id: str) -> str:
    """A run's data file for the ad-hoc comparison page: named by the SHA-256 of its id (UTF-8),
    never by the id itself, so any id makes a short, safe name the page can work out from the
    id alone (compare.js computes the same digest)."""
    digest = hashlib.sha256(run_id.encode("utf-8")).hexdigest()[:RUN_DATA_DIGITS]
    return f"{RUN_DATA_DIR}/{digest[:2]}/{digest}.js"


def page_url(src_uri: str, directory_urls: bool) -> str:
    """The URL (relative to the site root) MkDocs gives the page built from `src_uri`."""
    if not src_uri.endswith(".md"):
        return src_uri  # a file copied as it is
    stem = src_uri.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


def relative_url(target: str, current: str) -> str:
    """Link from the page at URL `current` to the URL `target`, both relative to the root."""
    here = current.rsplit("/", 1)[0] if "/" in current else ""
    rel = relpath(target.rstrip("/") or ".", here or ".")
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else f"{rel}/"
    return quote(rel)


def relpath(path: str, start: str) -> str:
    """`posixpath.relpath` of two paths relative to the same root, without its two `abspath`
    calls (each asks the system for the working folder): links are made for every run on every
    page. Paths that climb (`..`) go to `posixpath.relpath` itself."""
    if ".." in path or ".." in start:
        return posixpath.relpath(path, start)
    to = [part for part in posixpath.normpath(f"/{path}").split("/") if part]
    at = [part for part in posixpath.normpath(f"/{start}").split("/") if part]
    common = 0
    for a, b in zip(to, at, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(at) - common) + to[common:]
    return "/".join(parts) if parts else "."
