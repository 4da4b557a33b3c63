"""Put the sharded search behind Material's search box in a built site.

    python bench/search_proto/postbuild.py SITE_DIR [--metric average_precision]

Steps (what reporter's plugin would do in `on_post_page` / `on_post_build`):
1. Documents: one per run page (name, id, experiment, author, tags, parameters as `key=value`,
   notes, model card; key metric for the snippet) and, for every other page, the sections of
   Material's own `search/search_index.json`.
2. `index.write_index` writes the shards and the worker under `search/reporter/`.
3. `search/search_index.json` keeps its config and loses its documents (Material's page
   script still fetches it on every full page load; it no longer carries the site's text).
4. Each page's `__config` names the new worker instead of Material's, and links `search.css`.

Here the run documents are read back from the built run pages; inside reporter they come
from the `Run` objects (see hooks.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index import Field, SearchDoc, write_index  # noqa: E402

PRIMARY_CANDIDATES = ("pr_auc", "average_precision", "roc_auc")
CSS = Path(__file__).with_name("search.css")
WORKER = Path(__file__).with_name("worker.js")
# the worker's URL changes with its content: a browser never runs an old worker on a new index
WORKER_URL = "search/reporter/worker.js?v=" + hashlib.sha256(WORKER.read_bytes()).hexdigest()[:10]
CSS_URL = "search/reporter/search.css?v=" + hashlib.sha256(CSS.read_bytes()).hexdigest()[:10]
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_TAG = re.compile(r"<[^>]+>")


def apply(site: Path, metric: str | None = None) -> dict[str, object]:
    index_file = site / "search" / "search_index.json"
    material = json.loads(index_file.read_text(encoding="utf-8"))
    run_pages = sorted((site / "runs").rglob("index.html")) if (site / "runs").is_dir() else []
    # Material's entries carry tags as reporter handed them to the theme: HTML-escaped
    tags = {e["location"]: tuple(unescape(t) for t in e.get("tags", ())) for e in material["docs"]}
    docs = [run_doc(site, page, metric, tags) for page in run_pages]
    docs.sort(key=_best_first)  # equal scores keep this order: the better run comes first
    run_locations = {d.location for d in docs}
    docs += page_docs(material["docs"], skip=run_locations)
    meta = write_index(docs, site)
    index_file.write_text(json.dumps({"config": material["config"], "docs": []}), encoding="utf-8")
    shutil.copyfile(CSS, site / "search" / "reporter" / "search.css")
    rewrite_pages(site, WORKER_URL, CSS_URL)
    return meta


def rewrite_pages(site: Path, worker: str, css: str | None) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = point_to_worker(text, worker, css)
        if new != text:
            page.write_text(new, encoding="utf-8")


def point_to_worker(html: str, worker: str, css: str | None) -> str:
    """Name another worker (a path from the site root) in Material's `__config`; link `css`."""
    match = _CONFIG.search(html)
    if not match:
        return html
    config = json.loads(match.group(2))
    prefix = config["search"].split("assets/javascripts/workers/")[0]
    config["search"] = prefix + worker
    body = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    html = html[: match.start(2)] + body + html[match.end(2) :]
    if css is None:
        return html
    link = f'<link rel="stylesheet" href="{prefix}{css}">'
    return html.replace("</head>", link + "</head>", 1)


def page_docs(entries: list[dict], skip: set[str]) -> list[SearchDoc]:
    """Material's entries (page, then its sections) for every page that is not a run page."""
    docs = []
    for e in entries:
        if e["location"].split("#")[0] in skip:
            continue
        text = _plain(e.get("text", ""))
        docs.append(
            SearchDoc(
                location=e["location"],
                title=_plain(e.get("title", "")),
                fields=(Field(label="", text=text, weight=1),) if text else (),
                tags=tuple(unescape(t) for t in e.get("tags", ())),
            )
        )
    return docs


def run_doc(site: Path, page: Path, metric: str | None, tags: dict[str, tuple]) -> SearchDoc:
    parsed = RunPage()
    html = page.read_text(encoding="utf-8")
    start, end = html.find("<article"), html.find("</article>")
    parsed.feed(html[start:end] if 0 <= start < end else html)
    location = page.parent.relative_to(site).as_posix() + "/"
    o = parsed.overview
    fields = [
        Field(label="id", text=o.get("Run id", ""), weight=9),
        Field(label="experiment", text=o.get("Experiment", ""), weight=6),
        Field(label="author", text=o.get("Author", ""), weight=5),
        Field(label="status", text=o.get("Status", ""), weight=3),
        Field(label="params", text=" · ".join(f"{k}={v}" for k, v in parsed.params), weight=5),
        Field(label="notes", text=parsed.text["notes"].strip(), weight=4),
        Field(label="card", text=parsed.text["card"].strip(), weight=1),
    ]
    metrics = dict(parsed.metrics)
    name = metric or next((m for m in PRIMARY_CANDIDATES if m in metrics), None)
    key = f"{name} {metrics[name]}" if name in metrics else ""
    return SearchDoc(
        location=location,
        title=parsed.title.strip(),
        fields=tuple(f for f in fields if f.text),
        metric=key,
        tags=tags.get(location, ()),
    )


class RunPage(HTMLParser):
    """Reads a reporter run page back: title, overview, notes, card, parameter and metric
    tables. (Only for this prototype; reporter itself has the Run.)"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.overview: dict[str, str] = {}
        self.text = {"notes": "", "card": ""}
        self.params: list[tuple[str, str]] = []
        self.metrics: list[tuple[str, str]] = []
        self._stack: list[str] = []  # open div classes / tags we care about
        self._in_h1 = False
        self._dt = self._dd = None  # type: str | None
        self._cells: list[str] | None = None
        self._table: list[list[str]] | None = None
        self._zone: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "h1":
            self._in_h1 = True
        elif tag == "div" and self._zone is None and cls in ("reporter-notes", "reporter-card"):
            self._zone, self._depth = cls.split("-")[1], 0
        elif tag == "div" and self._zone:
            self._depth += 1
        elif tag == "dt":
            self._dt = ""
        elif tag == "dd":
            self._dd = ""
        elif tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "div" and self._zone:
            if self._depth == 0:
                self._zone = None
            else:
                self._depth -= 1
        elif tag == "dd" and self._dd is not None and self._dt is not None:
            self.overview[self._dt.strip()] = " ".join(self._dd.split())
            self._dt = self._dd = None
        elif tag == "tr" and self._cells is not None and self._table is not None:
            self._table.append([" ".join(c.split()) for c in self._cells])
            self._cells = None
        elif tag == "table" and self._table:
            head, *rows = self._table
            if head[:1] == ["Parameter"]:
                self.params += [(r[0], r[1]) for r in rows if len(r) > 1]
            elif head[:1] == ["Metric"]:
                self.metrics += [(r[0], r[1]) for r in rows if len(r) > 1]
            self._table = None
        elif tag in ("p", "li") and self._zone:
            self.text[self._zone] += " "

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.title += data.replace("¶", "")
        if self._zone:
            self.text[self._zone] += data
        if self._dd is not None:
            self._dd += data
        elif self._dt is not None:
            self._dt += data
        if self._cells:
            self._cells[-1] += data


def _best_first(doc: SearchDoc) -> tuple[bool, float]:
    """The key metrics read back here (pr_auc, average_precision, roc_auc) are higher-better."""
    try:
        return (False, -float(doc.metric.rsplit(" ", 1)[1]))
    except (IndexError, ValueError):
        return (True, 0.0)


def _plain(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path)
    parser.add_argument(
        "--metric",
        help="key metric shown in run snippets (default: pr_auc, "
        "average_precision or roc_auc, the first a run has)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    meta = apply(args.site, args.metric)
    print(
        f"{meta['docs']} documents, {meta['shards']} shards, {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
