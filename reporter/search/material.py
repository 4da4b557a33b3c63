"""Reporter's index behind Material's search box.

Material lets a site name its search worker (`search` in the page's `__config`) and talks to it
with four messages (SETUP -> READY, QUERY -> RESULT). Reporter keeps Material's search UI and
replaces the worker: pages name `search/reporter/worker.js`, which answers from the sharded
index, and Material's `search_index.json` (which Material's page script downloads on every full
page load) keeps its config and loses its documents.

It replaces Material's search only where Material's would work: with Material's search plugin
on, and its offline plugin (Material's search from `file://`, index inlined) off.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reporter.files import is_regular, write_inside
from reporter.search.documents import page_documents
from reporter.search.index import ROOT, SearchDoc, worker_version, write_index

MATERIAL_INDEX = "search/search_index.json"
Complete = Callable[[list[Any]], list[Any]]  # Material's entries, completed
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/search\.[^"]*?\.js(")')


def replaces_material_search(plugins: Mapping[str, Any]) -> bool:
    """Whether reporter's index should answer Material's search box in this build."""
    return _enabled(plugins, "search") and not _enabled(plugins, "offline")


def material_search_on(plugins: Mapping[str, Any]) -> bool:
    """Whether Material's search plugin writes an index in this build."""
    return _enabled(plugins, "search")


def _enabled(plugins: Mapping[str, Any], name: str) -> bool:
    for plugin in plugins.values():
        config = getattr(plugin, "config", None)
        enabled = bool(config.get("enabled", True)) if isinstance(config, Mapping) else True
        if type(plugin).__module__.startswith(f"material.plugins.{name}") and enabled:
            return True
    return False


@functools.cache
def worker_path() -> str:
    """The worker's path from the site root, versioned by its content."""
    return f"{ROOT}/worker.js?v={worker_version()}"


def point_to_worker(html: str) -> str:
    """A page whose `__config` names reporter's worker instead of Material's (the rest of the
    page, and of the config, byte for byte as Material wrote it)."""
    config = _CONFIG.search(html)
    if config is None:
        return html
    start, end = config.span(2)
    named = _WORKER.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{worker_path()}{m.group(3)}", html[start:end], count=1
    )
    return html[:start] + named + html[end:]


def replace_material_index(
    site: Path,
    run_docs: Sequence[SearchDoc],
    complete: Complete = list,
    token_cache: Path | None = None,
) -> dict[str, object] | None:
    """Write reporter's index of the runs and of every page Material indexed (its entries
    passed through `complete`: kept pages' filled in); empty Material's. None when Material
    wrote no index (its search plugin did not run)."""
    material_file = site / MATERIAL_INDEX
    if not is_regular(material_file):
        return None
    material = json.loads(material_file.read_text(encoding="utf-8"))
    runs = {doc.location for doc in run_docs}
    docs = [*run_docs, *page_documents(complete(material.get("docs") or []), runs)]
    meta = write_index(docs, site, token_cache)
    emptied = {"config": material.get("config", {}), "docs": []}
    write_inside(site, MATERIAL_INDEX, json.dumps(emptied, ensure_ascii=False))
    return meta
