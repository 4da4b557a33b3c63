"""Page paths and relative links, following MkDocs' rules without importing MkDocs."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from reporter.text import slug

RUNS_DIR = "runs"
EXPERIMENTS_DIR = "experiments"
COMPARE_DIR = "compare"


def run_page(run_id: str) -> str:
    return f"{RUNS_DIR}/{run_id}.md"


def experiment_page(name: str) -> str:
    return f"{EXPERIMENTS_DIR}/{slug(name)}.md"


def compare_page(slug: str) -> str:
    return f"{COMPARE_DIR}/{slug}.md"


def history_file(run_id: str, filename: str) -> str:
    """Where a run's full history file is published, beside its page."""
    return f"{RUNS_DIR}/{run_id}/{filename}"


CHART_DATA_DIR = "assets/reporter/charts"


def chart_data(src_uri: str, digest: str) -> str:
    """Where the figures of the page built from `src_uri` are published. The name carries a
    digest of the content: a cached page can never meet another build's data, and browsers may
    cache the file for good."""
    return f"{CHART_DATA_DIR}/{src_uri.removesuffix('.md')}.{digest}.js"


def card_file(run_id: str, kind: str) -> str:
    """A run's model card exported for other tools ("hf": Hugging Face README, "mct": JSON)."""
    # Not ".md": MkDocs would build a page from it; the link's `download` names it README.md.
    name = "model-card.README.md.txt" if kind == "hf" else "model-card.json"
    return f"{RUNS_DIR}/{run_id}/{name}"


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
    rel = posixpath.relpath(target.rstrip("/") or ".", here or ".")
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else f"{rel}/"
    return quote(rel)
