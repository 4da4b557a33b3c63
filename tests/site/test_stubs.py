"""Kept pages' stubs read without YAML (reporter.plugin.stubs): a build that keeps a page
hands MkDocs the Markdown and meta its stub gave when the page was rendered, and the site is
still the one a cold build makes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from reporter.plugin.stubs import STUBS, Stubs
from reporter.site.build import build_site

from .test_incremental import _assert_same_site, _cold, _outside_nav

STUB = '---\nhide:\n- navigation\ntags:\n- "a <b>"\n- x\ntitle: "Run: 1"\n---\n# Run: 1\n'


def _read_by_mkdocs(monkeypatch) -> list[str]:
    """The pages MkDocs reads itself (its `Page.read_source`, which parses YAML)."""
    seen: list[str] = []
    real = Page.read_source

    def read_source(self, config):
        seen.append(self.file.src_uri)
        return real(self, config)

    monkeypatch.setattr(Page, "read_source", read_source)
    return seen


def test_kept_pages_are_read_from_their_stubs_and_the_site_equals_a_cold_build(
    project, monkeypatch
):
    seen = _read_by_mkdocs(monkeypatch)
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result) > 0
    kept = [
        u for u in seen if u.startswith(("runs/", "experiments/")) and not u.endswith("/index.md")
    ]
    assert seen and kept == []
    _assert_same_site(result.site_dir, _cold(project, "cold"))


@pytest.mark.parametrize("content", ["not json", '{"version": "0:0", "stubs": {}}', "[1]"])
def test_an_unusable_stubs_file_is_read_around_and_written_again(project, monkeypatch, content):
    (stubs,) = (project.parent / ".reporter-cache").rglob(STUBS)
    recorded = json.loads(stubs.read_text())
    stubs.write_text(content)
    seen = _read_by_mkdocs(monkeypatch)
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result)
    assert not [uri for uri in seen if uri.startswith("runs/")]  # parsed once, by reporter
    _assert_same_site(result.site_dir, _cold(project, "cold"))
    assert json.loads(stubs.read_text()) == recorded


def _page(src_uri: str = "runs/a.md") -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), markdown=None, meta=None)


def _config(*read_source_hooks) -> SimpleNamespace:
    return SimpleNamespace(
        plugins=SimpleNamespace(events={"page_read_source": list(read_source_hooks)})
    )


def test_a_stub_read_back_is_what_mkdocs_parses(tmp_path):
    first = Stubs(tmp_path)
    first.fresh("k1", STUB)
    first.save()
    later = Stubs(tmp_path)
    later.kept_page("runs/a.md", "k1", "---\ntitle: not read\n---\n")
    page = _page()
    later.read(page, _config())
    page.read_source(None)
    assert (page.markdown, page.meta) == get_data(STUB)
    again = _page()
    later.read(again, _config())
    again.read_source(None)
    assert again.meta is not page.meta  # each page its own meta: plugins may change it


@pytest.mark.parametrize(
    "front",
    [
        "date: 2024-01-02",  # a date: JSON would give text back
        "1: one",  # a number as a key
        "ratio: .nan",  # not a number
        "flag: [yes, 1, 1.0]",  # JSON keeps these apart, and so must the check
    ],
)
def test_meta_json_cannot_give_back_unchanged_is_left_to_mkdocs(tmp_path, front):
    stubs = Stubs(tmp_path)
    stubs.fresh("k", f"---\n{front}\n---\n# T\n")
    markdown, meta = get_data(f"---\n{front}\n---\n# T\n")
    if front.startswith("flag"):  # a list of a bool, an int and a float survives JSON
        assert stubs.used["k"] == [markdown, json.dumps(meta)]
        assert [type(v) for v in meta["flag"]] == [bool, int, float]
    else:
        assert stubs.used == {}


def test_no_stub_is_used_while_a_plugin_supplies_sources_or_for_a_broken_entry(tmp_path):
    stubs = Stubs(tmp_path)
    stubs.fresh("k", STUB)
    stubs.save()
    recorded = json.loads((tmp_path / STUBS).read_text())
    damaged = {"short": ["# T\n"], "numbers": [1, 2], "text": ["# T\n", "{"], "list": ["", "[]"]}
    recorded["stubs"] |= damaged
    (tmp_path / STUBS).write_text(json.dumps(recorded))
    stubs = Stubs(tmp_path)
    stubs.kept_page("runs/a.md", "k", "---\ndate: 2024-01-02\n---\n")
    for key in damaged:  # read again from the stub, which JSON cannot hold: left to MkDocs
        stubs.kept_page(f"runs/{key}.md", key, "---\ndate: 2024-01-02\n---\n")
    supplied = _page("runs/a.md")
    stubs.read(supplied, _config(lambda **_: "source"))
    pages = [_page(f"runs/{key}.md") for key in damaged]
    for page in pages:
        stubs.read(page, _config())
    assert not any("read_source" in vars(p) for p in (supplied, *pages))
    read = _page("runs/a.md")
    stubs.read(read, _config())
    assert "read_source" in vars(read)
