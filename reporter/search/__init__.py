"""Search: a sharded static index of the runs and pages, answered behind Material's search box.

`tokens` cuts text (dotted and snake_case names whole and in pieces, `recall@fpr`, CJK as
characters and pairs) the way `worker.js` cuts queries; `documents` makes the documents (runs
from the model, other pages from Material's own index); `index` writes the shards; `material`
points Material's search box at the worker and empties Material's index.
"""

from __future__ import annotations

from reporter.search.documents import page_documents, run_documents
from reporter.search.index import Field, SearchDoc, index_files, write_index
from reporter.search.material import (
    material_search_on,
    point_to_worker,
    replace_material_index,
    replaces_material_search,
)

__all__ = [
    "Field",
    "SearchDoc",
    "index_files",
    "material_search_on",
    "page_documents",
    "point_to_worker",
    "replace_material_index",
    "replaces_material_search",
    "run_documents",
    "write_index",
]
