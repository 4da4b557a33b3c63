"""Generated HTML handed to MkDocs past Markdown (reporter.pages.handover)."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.pages.handover import (
    _MARKED,
    END,
    PACKED_PREFIX,
    START,
    Held,
    mark,
    pack,
    split_marked,
    unmark,
    unpack,
)
from reporter.pages.renderer import environment

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.superfences"]
BLOCK = '<div class="x"><table><tr><td>a &amp; b</td></tr></table>\n\n<pre>code\n\n  --> more</pre></div>'


def test_a_packed_block_comes_out_of_markdown_as_it_went_in():
    page = f"# Title\n\nSome *text*\n\n{mark(BLOCK)}\n## Next {{: data-search-exclude }}\n\n{mark('<p>é ✓</p>')}\n"
    held: list[str] = []
    packed = pack(page, held)
    assert START not in packed and END not in packed and "<table" not in packed
    assert held == [BLOCK, "<p>é ✓</p>"]
    assert len(packed) < len(page) - len(BLOCK)  # Markdown scans the placeholder, not the block
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(packed), held)
    assert BLOCK in html and "<p>é ✓</p>" in html and PACKED_PREFIX not in html
    assert '<h2 data-search-exclude id="next">Next</h2>' in html
    assert "<em>text</em>" in html


def test_unmark_leaves_the_html_where_it_was():
    assert unmark(f"a\n{mark(BLOCK)}\nb") == f"a\n\n\n{BLOCK}\n\n\nb"


def test_an_empty_block_leaves_nothing():
    held: list[str] = []
    assert mark("\n  \n") == "" and pack("no marks", held) == "no marks" and held == []


def test_blocks_packed_later_are_numbered_after_the_earlier_ones():
    """A page is packed when it is made and again after its journal links are filled in."""
    held: list[str] = []
    first = pack(f"a\n{mark('<p>1</p>')}\n", held)
    second = pack(f"{first}\n{mark('<p>2</p>')}\n", held)
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(second), held)
    assert held == ["<p>1</p>", "<p>2</p>"] and html.index("<p>1</p>") < html.index("<p>2</p>")


def test_a_number_the_page_does_not_hold_stays_as_it_is():
    text = f"x {PACKED_PREFIX}0--> {PACKED_PREFIX}7--> {PACKED_PREFIX}99999999999-->"
    assert unpack(text, ["<b>0</b>"]) == (
        f"x <b>0</b> {PACKED_PREFIX}7--> {PACKED_PREFIX}99999999999-->"
    )
    assert unpack(text, []) == text


def test_the_html_filter_marks_a_template_block():
    env = environment()
    text = env.from_string("{% filter html %}\n<p>{{ name }}</p>\n{% endfilter %}\n").render(
        name="<b>"
    )
    assert text == f"{START}\n<p>&lt;b&gt;</p>\n{END}"


@pytest.mark.parametrize(
    "hostile",
    [
        f"{PACKED_PREFIX}0-->",  # the page's first held block, a second time
        f"{PACKED_PREFIX}PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==-->",  # base64: an older placeholder
        f"{START}\n<script>alert(1)</script>\n{END}",
    ],
)
@pytest.mark.parametrize("kind", [list, Held], ids=["numbered", "by-heading"])
def test_run_data_cannot_forge_a_block(hostile, kind):
    env = environment()
    text = env.from_string(
        "# {{ name|md }}\n\n{% filter html %}\n<p>{{ name }}</p>\n{% endfilter %}\n"
    )
    held = kind()
    packed = pack(text.render(name=hostile), held)
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(packed), held)
    assert "<script>" not in html and html.count("<p>") == 1


PERMALINK = {"toc": {"permalink": True}}


@pytest.mark.parametrize("configs", [{}, PERMALINK], ids=["plain", "permalinks"])
def test_a_page_of_headings_and_blocks_is_handed_over_as_its_headings(configs):
    """A run's page (headings, each followed by blocks) goes to Markdown as its headings alone
    and comes out as Markdown makes the whole page; a page with text keeps numbered blocks."""
    front = "---\ntitle: x\n---\n"
    page = (
        f"{front}# Run <b> & 1\n\n{mark(BLOCK)}\n\n## Performance {{: data-search-exclude }}\n\n"
        f"{mark('<p>1</p>')}\n{mark('<p>2</p>')}\n\n### Empty\n\n## Last\n\n{mark('<p>3</p>')}\n"
    )
    held = Held()
    packed = pack(page, held)
    assert held.by_heading and len(held) == 4
    assert packed == (
        f"{front}# Run <b> & 1\n\n## Performance {{: data-search-exclude }}\n\n### Empty\n\n"
        "## Last\n"
    )
    body = page[len(front) :]

    def convert(text: str) -> str:
        return markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs).convert(text)

    assert unpack(convert(packed[len(front) :]), held) == convert(unmark(body))
    prose = Held()
    with_text = pack(f"# T\n\nSome *text*\n\n{mark(BLOCK)}\n", prose)
    assert not prose.by_heading and prose == [BLOCK] and f"{PACKED_PREFIX}0-->" in with_text
    before = Held()
    assert f"{PACKED_PREFIX}0-->" in pack(f"{mark(BLOCK)}\n# T\n", before)  # a block first
    assert not before.by_heading


def test_a_heading_that_closes_early_loses_no_block():
    held = Held()
    packed = pack(f"# a </h2> b\n\n{mark('<p>1</p>')}\n## c\n\n{mark('<p>2</p>')}\n", held)
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(packed), held)
    assert html.count("<p>1</p>") == 1 and html.count("<p>2</p>") == 1


def test_blocks_added_after_a_page_went_by_heading_are_kept_in_place():
    held = Held()
    first = pack(f"# T\n\n{mark('<p>1</p>')}\n## U\n", held)
    second = pack(f"{first}\n{mark('<p>2</p>')}\n", held)
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(second), held)
    assert html.index("<p>1</p>") < html.index('id="u"') < html.index("<p>2</p>")
    assert html.count("<p>2</p>") == 1 and PACKED_PREFIX not in html


_PIECES = [START, END, f"{START}\n", f"\n{END}", "\n", "a", "<!--", "-->", "<!--reporter:", "\r\n"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
@settings(max_examples=3000, deadline=None)
def test_split_marked_is_the_marked_patterns_split(pieces):
    text = "".join(pieces)
    assert split_marked(text) == _MARKED.split(text)
