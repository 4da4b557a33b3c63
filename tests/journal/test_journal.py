"""The journal: links and embeds in entries, checked at build time, backlinks, new-entry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from reporter.cli import cli
from reporter.journal.entries import parse_embed, scan
from reporter.site.build import build_site

from ..conftest import DATA

MKDOCS_YML = """\
site_name: Journal test
docs_dir: docs
theme: {name: material, font: false, features: [navigation.instant]}
plugins:
  - reporter: {runs: runs}
  - search
  - tags
  - blog: {blog_dir: journal, authors: false}
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details, pymdownx.superfences]
"""

GOOD_ENTRY = """\
---
date: 2026-10-10
title: First look
tags: [boosting]
---

# First look

The [full model](run:exp-a/good-full) beats [the other](run:exp-a/good-strings), see
[the pair](compare:pair).

```reporter
compare: [exp-a/good-full, exp-a/good-strings]
show: [table, history:valid_loss]
```

```python
# code blocks are left alone: [not a link](run:nope)
```

```reporter
run: exp-a/good-full
show: [metrics, history]
```
"""

LATER_ENTRY = """\
---
date: 2026-11-01
title: Later
---

# Later

Only [the full one](run:exp-a/good-full) again.
"""


def make_journal_project(dest: Path, entries: dict[str, str]) -> Path:
    (dest / "docs" / "journal" / "posts").mkdir(parents=True)
    (dest / "docs" / "index.md").write_text("# Home\n\n<!-- reporter:home -->\n")
    (dest / "docs" / "journal" / "index.md").write_text("# Journal\n")
    for name, text in entries.items():
        (dest / "docs" / "journal" / "posts" / name).write_text(text)
    (dest / "mkdocs.yml").write_text(MKDOCS_YML)
    (dest / "comparisons.yaml").write_text(
        "- {title: The pair, slug: pair, select: [exp-a/good-full, exp-a/good-strings]}\n"
    )
    shutil.copytree(DATA / "untidy", dest / "runs")
    shutil.rmtree(dest / "runs" / "exp-b" / "broken-json")  # keep this project warning-free
    return dest / "mkdocs.yml"


def test_scan_finds_links_and_embeds_with_lines_outside_code():
    links, embeds = scan(GOOD_ENTRY.split("---\n", 2)[2])
    assert [(lk.kind, lk.target, lk.line) for lk in links] == [
        ("run", "exp-a/good-full", 4),
        ("run", "exp-a/good-strings", 4),
        ("compare", "pair", 5),
    ]
    assert [e.line for e in embeds] == [7, 16]
    assert parse_embed(embeds[0].body)["show"] == ["table", "history:valid_loss"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("compare: [a\n", "invalid YAML: did not find expected ',' or ']' (line 2 of the block)"),
        ("show: [table]\n", "give exactly one of 'compare'"),
        ("compare: [a]\nrun: b\n", "give exactly one of 'compare'"),
        ("compare: [a]\ncolour: red\n", "unknown key(s) colour"),
    ],
)
def test_embed_errors(body, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_embed(body)


@pytest.fixture(scope="module")
def journal_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("journal")
    config = make_journal_project(
        root, {"2026-10-10-first.md": GOOD_ENTRY, "2026-11-01-later.md": LATER_ENTRY}
    )
    result = build_site(config, strict=True)
    return result


def _post(site: Path, slug: str) -> BeautifulSoup:
    (page,) = site.glob(f"journal/2026/*/*/{slug}/index.html")
    return BeautifulSoup(page.read_text(), "lxml").select_one("article")


def test_links_become_real_links_with_the_key_metric_on_hover(journal_site):
    article = _post(journal_site.site_dir, "first-look")
    link = next(a for a in article.select("a") if a.get_text() == "full model")
    assert link["href"].endswith("runs/exp-a/good-full/")
    assert link["title"] == "HGB lr=0.1 (full): pr_auc 0.52"
    page_dir = next(journal_site.site_dir.glob("journal/2026/*/*/first-look"))
    assert (page_dir / link["href"] / "index.html").resolve().is_file()
    compare = next(a for a in article.select("a") if a.get_text() == "the pair")
    assert compare["href"].endswith("compare/pair/") and compare["title"] == "The pair: 2 runs"
    assert "run:nope" in article.select_one("pre").get_text()  # code is left alone


def test_embeds_render_the_comparison_parts(journal_site):
    article = _post(journal_site.site_dir, "first-look")
    embeds = article.select(".reporter-embed")
    assert len(embeds) == 2
    rows = embeds[0].select(".reporter-compare-table tbody tr")
    assert len(rows) == 2
    (chart,) = embeds[0].select(".reporter-chart")
    assert json.loads(chart["data-figure"])["layout"]["title"]["text"] == "valid_loss"
    assert "Runs:" in embeds[0].get_text()  # explicit list: not marked as matched at build time
    single = embeds[1]
    assert "HGB lr=0.1 (full)" in single.get_text()
    assert [
        json.loads(c["data-figure"])["layout"]["title"]["text"]
        for c in single.select(".reporter-chart")
    ] == ["loss", "pr_auc"]


def test_run_pages_list_the_entries_that_discuss_them_newest_first(journal_site):
    page = BeautifulSoup(
        (journal_site.site_dir / "runs" / "exp-a" / "good-full" / "index.html").read_text(), "lxml"
    )
    para = next(p for p in page.select("article p") if "Discussed in the journal" in p.get_text())
    assert [a.get_text() for a in para.select("a")] == ["Later", "First look"]
    other = BeautifulSoup(
        (journal_site.site_dir / "runs" / "exp-a" / "good-strings" / "index.html").read_text(),
        "lxml",
    )
    para = next(p for p in other.select("article p") if "Discussed in the journal" in p.get_text())
    assert [a.get_text() for a in para.select("a")] == ["First look"]


def test_home_lists_the_latest_entries(journal_site):
    home = BeautifulSoup((journal_site.site_dir / "index.html").read_text(), "lxml")
    items = [li.get_text(" ", strip=True) for li in home.select(".reporter-journal-list li")]
    assert items == ["Later 2026-11-01", "First look 2026-10-10"]


BAD_ENTRY = """\
---
date: 2026-10-12
title: Bad
---

# Bad

A typo: [this run](run:exp-a/good-ful).

```reporter
compare: [exp-a/good-full]
show: [table, pie_chart]
```

```reporter
compare: {experiment: exp-a
```
"""


def test_bad_references_warn_with_file_line_and_suggestions(tmp_path):
    config = make_journal_project(tmp_path, {"2026-10-12-bad.md": BAD_ENTRY})
    result = build_site(config)
    warnings = result.report.warnings
    assert (
        "journal/posts/2026-10-12-bad.md, line 8: no run 'exp-a/good-ful'. "
        "Did you mean 'exp-a/good-full'"
    ) in warnings[0]
    assert (
        "line 10: reporter block: unknown part(s) pie_chart; valid parts: table, config_diff"
        in warnings[1]
    )
    assert "line 15: reporter block: invalid YAML" in warnings[2]
    article = _post(result.site_dir, "bad")
    assert "could not be drawn" in article.get_text()


def test_a_bad_link_fails_strict_with_exit_1_naming_file_and_line(tmp_path):
    config = make_journal_project(tmp_path, {"2026-10-12-bad.md": BAD_ENTRY})
    result = CliRunner().invoke(cli, ["build", "--config", str(config), "--strict"])
    assert result.exit_code == 1
    assert "journal/posts/2026-10-12-bad.md, line 8: no run 'exp-a/good-ful'" in result.stderr
    assert not (tmp_path / "site").exists()


def test_new_entry_links_recent_runs_refuses_to_overwrite_and_builds_cleanly(tmp_path):
    config = make_journal_project(
        tmp_path, {"2026-10-03-old.md": LATER_ENTRY.replace("2026-11-01", "2026-10-03")}
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["new-entry", "What <b>next</b>?", "--config", str(config), "--date", "2026-10-20"]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "docs" / "journal" / "posts" / "2026-10-20-what-b-next-b.md"
    text = path.read_text()
    for heading in ("## What we tried", "## What worked", "## What did not", "## Next"):
        assert heading in text
    assert "(run:exp-a/good-full)" in text  # created 2026-10-05, after the previous entry
    assert "(run:exp-a/good-strings)" not in text  # created 2026-10-02, before it
    assert "since the previous entry (2026-10-03)" in text
    again = runner.invoke(
        cli, ["new-entry", "What <b>next</b>?", "--config", str(config), "--date", "2026-10-20"]
    )
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert path.read_text() == text
    build = runner.invoke(cli, ["build", "--config", str(config), "--strict"])
    assert build.exit_code == 0, build.stderr
    article = _post(tmp_path / "site", "what-next")
    assert article.select_one("h1").get_text().rstrip("¶") == "What <b>next</b>?"


def test_a_link_to_a_run_that_could_not_be_read_says_so(tmp_path):
    config = make_journal_project(
        tmp_path,
        {"2026-10-12-x.md": "---\ndate: 2026-10-12\n---\n\n# X\n\n[it](run:exp-a/good-full)\n"},
    )
    run = tmp_path / "runs" / "exp-a" / "good-full"
    for path in run.iterdir():  # nothing of the run can be read: it is skipped
        path.unlink()
    (run / "metrics.json").write_text('{"auc": ')
    result = build_site(config)
    assert any(
        "line 7: run 'exp-a/good-full' was skipped: it could not be read" in w
        for w in result.report.warnings
    )
