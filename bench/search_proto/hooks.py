"""The prototype as MkDocs hooks: the shape reporter's plugin would take.

    # mkdocs.yml of a reporter site
    hooks: [path/to/bench/search_proto/hooks.py]

- `on_post_page`: name reporter's worker in Material's `__config` and link the snippet CSS
  (in reporter: two lines of `ReporterPlugin.on_post_page`; the CSS goes into reporter.css).
- `on_post_build`, after Material's search plugin wrote `search/search_index.json`: documents
  for the run pages from the `Run` objects reporter already holds (no HTML parsing), Material's
  own entries for every other page, then `write_index`, and Material's file is emptied of its
  documents. Hooks run after all plugins, so the search plugin has written its file by then;
  inside reporter the same needs `@mkdocs.plugins.event_priority(-100)` on `on_post_build`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index import Field, SearchDoc, write_index  # noqa: E402
from postbuild import CSS, CSS_URL, WORKER_URL, page_docs, point_to_worker  # noqa: E402


def on_post_page(output: str, page: Any, config: Any) -> str:
    return point_to_worker(output, WORKER_URL, CSS_URL)


def on_post_build(config: Any) -> None:
    site = Path(config.site_dir)
    index_file = site / "search" / "search_index.json"
    if not index_file.is_file():
        return  # no search plugin: nothing to replace
    material = json.loads(index_file.read_text(encoding="utf-8"))
    report = config.plugins["reporter"].report
    study = report.study
    runs = sorted(study.runs, key=lambda run: _best_first(run, study))
    docs = [run_doc(run, study.primary_metric, config.use_directory_urls) for run in runs]
    docs += page_docs(material["docs"], skip={d.location for d in docs})
    # small shards in tests make prefixes split (see tokens.shard_key); default 16 KB
    write_index(docs, site, shard_bytes=int(os.environ.get("SEARCH_PROTO_SHARD_BYTES", 16_000)))
    shutil.copyfile(CSS, site / "search" / "reporter" / "search.css")
    index_file.write_text(json.dumps({"config": material["config"], "docs": []}), encoding="utf-8")


def run_doc(run: Any, primary: str | None, directory_urls: bool) -> SearchDoc:
    """A run's document, from the model: what a search for it should find, and its key metric."""
    location = f"runs/{run.id}/" if directory_urls else f"runs/{run.id}.html"
    value = None
    if primary:
        value = run.metrics.get(primary, run.computed.get(primary))
    params = " · ".join(f"{k}={_value(v)}" for k, v in run.params.items())
    fields = (
        Field(label="id", text=run.id, weight=9),
        Field(label="experiment", text=run.experiment, weight=6),
        Field(label="author", text=run.author, weight=5),
        Field(label="status", text=run.status, weight=3),
        Field(label="params", text=params, weight=5),
        Field(label="notes", text=run.notes, weight=4),
        Field(label="card", text=run.card, weight=1),
    )
    return SearchDoc(
        location=location,
        title=run.name,
        fields=tuple(f for f in fields if f.text),
        tags=tuple(run.tags),
        metric=f"{primary} {value:.4g}" if value is not None else "",
    )


def _best_first(run: Any, study: Any) -> tuple[bool, float]:
    """Runs by their key metric, best first (equal search scores keep this order)."""
    column = study.best
    value = None if column is None else run.metrics.get(column.name, run.computed.get(column.name))
    if value is None:
        return (True, 0.0)
    return (False, value if column.lower_is_better else -value)


def _value(v: object) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else str(v)
