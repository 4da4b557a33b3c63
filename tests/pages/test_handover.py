"""Generated HTML handed to MkDocs past Markdown (reporter.pages.handover)."""

from __future__ import annotations

import markdown
import pytest

from reporter.pages.handover import END, PACKED_PREFIX, START, mark, pack, unmark, unpack
from reporter.pages.renderer import environment

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.superfences"]
BLOCK = '<div class="x"><table><tr><td>a &amp; b</td></tr></table>\n\n<pre>code\n\n  --> more</pre></div>'


def test_a_packed_block_comes_out_of_markdown_as_it_went_in():
    page = f"# Title\n\nSome *text*\n\n{mark(BLOCK)}\n## Next {{: data-search-exclude }}\n\n{mark('<p>é ✓</p>')}\n"
    packed = pack(page)
    assert START not in packed and END not in packed and "<table" not in packed
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(packed))
    assert BLOCK in html and "<p>é ✓</p>" in html
    assert '<h2 data-search-exclude id="next">Next</h2>' in html
    assert "<em>text</em>" in html


def test_unmark_leaves_the_html_where_it_was():
    assert unmark(f"a\n{mark(BLOCK)}\nb") == f"a\n\n\n{BLOCK}\n\n\nb"


def test_an_empty_block_leaves_nothing():
    assert mark("\n  \n") == "" and pack("no marks") == "no marks"


def test_the_html_filter_marks_a_template_block():
    env = environment()
    text = env.from_string("{% filter html %}\n<p>{{ name }}</p>\n{% endfilter %}\n").render(
        name="<b>"
    )
    assert text == f"{START}\n<p>&lt;b&gt;</p>\n{END}"


@pytest.mark.parametrize(
    "hostile",
    [
        f"{PACKED_PREFIX}PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==-->",  # <script>alert(1)</script>
        f"{START}\n<script>alert(1)</script>\n{END}",
    ],
)
def test_run_data_cannot_forge_a_block(hostile):
    env = environment()
    text = env.from_string(
        "# {{ name|md }}\n\n{% filter html %}\n<p>{{ name }}</p>\n{% endfilter %}\n"
    )
    html = unpack(markdown.Markdown(extensions=EXTENSIONS).convert(pack(text.render(name=hostile))))
    assert "<script>" not in html
