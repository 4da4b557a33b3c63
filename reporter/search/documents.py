"""What search finds: one document per run, made from the model (pure), and the other pages'
documents, made from the entries Material's search plugin wrote for them.

A run's document holds what a search for it should find (name, id, experiment, author, status,
commit, tags, parameters as `key=value`, notes, model card) and its key metric, shown on every
result: the study's primary metric (the operating point's when one is set). Runs come best
first, so runs that score equally for a query are listed best first.

Only what a run summary keeps is read (from 500 runs a build holds summaries: histories and
evaluation stay in the run cache), so indexing never loads a full run.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Container, Iterable, Mapping
from html import unescape
from typing import Any

from reporter.model import Run
from reporter.pages import urls
from reporter.pages.filters import ROW_LIMIT, value_text
from reporter.search.index import Field, SearchDoc
from reporter.study.analyse import Study, metric_value
from reporter.text import metric_text

PARAM_SEPARATOR = " · "
_TAG = re.compile(r"<[^>]+>")


def run_documents(study: Study, directory_urls: bool) -> list[SearchDoc]:
    """A document per run, best first by the key metric (then by id)."""
    paths = urls.Paths(study.pages)
    key = study.primary_metric
    runs = study.ranking.order(study.runs, key) if key else sorted(study.runs, key=lambda r: r.id)
    return [
        run_document(
            run, urls.page_url(paths.run_page(run.id), directory_urls), key_metric(run, study)
        )
        for run in runs
    ]


def run_document(run: Run, location: str, metric: str = "") -> SearchDoc:
    """A run's document: what a search for it should find."""
    params = PARAM_SEPARATOR.join(
        f"{k}={value_text(v)}" for k, v in itertools.islice(run.params.items(), ROW_LIMIT)
    )
    fields = (
        Field(label="id", text=run.id, weight=9),
        Field(label="experiment", text=run.experiment, weight=6),
        Field(label="author", text=run.author, weight=5),
        Field(label="status", text=run.status, weight=3),
        Field(label="commit", text=run.git_commit, weight=3),
        Field(label="params", text=params, weight=5),
        Field(label="notes", text=run.notes, weight=4),
        Field(label="card", text=run.card, weight=1),
    )
    return SearchDoc(
        location=location,
        title=run.name,
        fields=tuple(f for f in fields if f.text),
        tags=tuple(run.tags),
        metric=metric,
    )


def key_metric(run: Run, study: Study) -> str:
    """ "average_precision 0.8585": the run's value of the study's primary metric, in its format."""
    name = study.primary_metric
    value = metric_value(run, name) if name else None
    if name is None or value is None:
        return ""
    return f"{name} {metric_text(value, study.types.of(name).format)}"


def page_documents(
    entries: Iterable[Mapping[str, Any]], skip: Container[str] = frozenset()
) -> list[SearchDoc]:
    """Documents from the entries of Material's `search_index.json` (a page, then its sections),
    as plain text, for every page whose location is not in `skip` (the run pages)."""
    docs = []
    for e in entries:
        if str(e.get("location", "")).split("#")[0] in skip:
            continue
        text = plain(str(e.get("text", "")))
        docs.append(
            SearchDoc(
                location=str(e.get("location", "")),
                title=plain(str(e.get("title", ""))),
                fields=(Field(label="", text=text, weight=1),) if text else (),
                tags=tuple(plain(str(t)) for t in e.get("tags") or ()),
            )
        )
    return docs


def plain(html: str) -> str:
    """Text of the HTML Material stores (tags dropped, entities decoded, spaces collapsed); the
    worker escapes it again when it shows it."""
    return " ".join(unescape(_TAG.sub(" ", html)).split())
