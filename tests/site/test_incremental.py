"""Incremental builds: run pages whose inputs did not change keep their HTML from the previous
build, and the site is byte for byte the one a cold build of the same inputs makes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.site.build import build_site


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _assert_same_site(built: Path, cold: Path) -> None:
    one, two = _files(built), _files(cold)
    assert sorted(one) == sorted(two)
    differ = [k for k in sorted(one) if one[k] != two[k]]
    assert differ == [], f"{len(differ)} files differ from a cold build, e.g. {differ[:5]}"


def _cold(config: Path, name: str) -> Path:
    """A build that renders every page: a new site folder has no kept pages."""
    result = build_site(config, site_dir=config.parent / name)
    assert result.pages_kept == 0
    return result.site_dir


def _run_dirs(runs: Path) -> list[Path]:
    return sorted(p.parent for p in runs.rglob("metrics.json"))


def test_added_changed_and_removed_runs_render_only_their_pages(project):
    runs = project.parent / "runs"
    dirs = _run_dirs(runs)
    total = len(dirs)
    added = dirs[0].with_name(dirs[0].name + "-again")
    shutil.copytree(dirs[0], added)
    changed = dirs[1] / "metrics.json"
    metrics = json.loads(changed.read_text())
    key = next(k for k, v in metrics.items() if isinstance(v, float))
    metrics[key] = round(metrics[key] * 0.9, 6)
    changed.write_text(json.dumps(metrics))
    shutil.rmtree(dirs[-1])

    result = build_site(project)

    # the added, changed and removed runs are rendered or gone; the others keep their HTML
    # (a run whose related runs or rank changed renders again too), as do experiment and
    # comparison pages that did not change
    assert total // 2 <= result.pages_kept <= _outside_nav(result) - 2
    _assert_same_site(result.site_dir, _cold(project, "cold"))
    again = build_site(project)
    assert again.pages_kept == _outside_nav(again)  # nothing changed: all kept
    _assert_same_site(again.site_dir, result.site_dir)


def _outside_nav(result) -> int:
    """Generated pages outside the navigation: runs', experiments' and comparisons'."""
    study = result.report.study
    return len(study.runs) + len(study.experiments) + len(result.report.comparisons)


def test_a_journal_edit_renders_every_page_and_equals_a_cold_build(project):
    post = sorted((project.parent / "site_src" / "journal" / "posts").glob("*.md"))[-1]
    post.write_text(post.read_text() + "\nOne more finding, written later.\n")
    result = build_site(project)
    assert result.pages_kept == 0  # the docs changed: every page is rendered
    assert (
        "One more finding"
        in (result.site_dir / "journal").joinpath(*_post_html(result.site_dir)).read_text()
    )
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def _post_html(site: Path) -> tuple[str, ...]:
    for page in sorted((site / "journal").rglob("index.html")):
        if "One more finding" in page.read_text():
            return page.relative_to(site / "journal").parts
    raise AssertionError("the edited post is not in the site")


def test_a_navigation_unlike_the_recorded_one_renders_every_page(project):
    """The digest of what pages share is checked against the navigation MkDocs made: when
    they disagree, nothing kept is used."""
    contexts = list((project.parent / ".reporter-cache").rglob("html/context-*"))
    assert len(contexts) == 1
    contexts[0].write_text("0" * 64)
    result = build_site(project)
    assert result.pages_kept == 0
    _assert_same_site(result.site_dir, _cold(project, "cold"))
    # the kept pages were forgotten with the navigation: the next build renders and keeps
    # them again (it does not find the old record and build twice, every time)
    assert build_site(project).pages_kept == 0
    assert build_site(project).pages_kept == _outside_nav(result)


def test_a_run_page_kept_from_the_last_build_is_the_page_a_cold_build_renders(project):
    run = _run_dirs(project.parent / "runs")[2]
    (run / "notes.md").write_text("A file that only this run's page lists.\n")
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result) - 1
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def test_incremental_off_renders_every_page(project):
    config = project.read_text()
    project.write_text(
        config.replace("  - reporter:\n", "  - reporter:\n      incremental: false\n", 1)
    )
    assert "incremental: false" in project.read_text()
    build_site(project)
    assert build_site(project).pages_kept == 0


def test_a_hook_file_is_part_of_what_pages_share(project):
    """MkDocs hooks (`hooks:` in mkdocs.yml) may change every page: editing one renders all."""
    hook = project.parent / "hook.py"
    hook.write_text("def on_post_page(output, page, config):\n    return output\n")
    project.write_text(project.read_text() + "\nhooks: [hook.py]\n")
    build_site(project)
    assert build_site(project).pages_kept > 0
    hook.write_text(hook.read_text().replace("return output", "return output + '<!-- -->'"))
    # a new process: MkDocs keeps a hook module loaded for the life of the process
    command = [sys.executable, "-m", "reporter.cli", "build", "-q", "--config", str(project)]
    subprocess.run(command, check=True, capture_output=True)
    pages = sorted((project.parent / "site" / "runs").rglob("index.html"))
    assert pages and all(p.read_text().endswith("<!-- -->") for p in pages)


def test_with_materials_offline_search_every_page_is_rendered(project):
    """Material's offline search inlines its own index before reporter could add kept pages'
    text to it: such a build keeps no page, so it still equals a cold build."""
    project.write_text(project.read_text().replace("  - search\n", "  - search\n  - offline\n", 1))
    build_site(project)
    run = _run_dirs(project.parent / "runs")[2]
    (run / "notes.md").write_text("A file that only this run's page lists.\n")
    result = build_site(project)
    assert result.pages_kept == 0
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def test_kept_experiment_pages_keep_their_search_text(project):
    """Experiment and comparison pages kept from the last build are found by search as when
    they were rendered: their entries come from the build that rendered them."""
    run = _run_dirs(project.parent / "runs")[2]
    (run / "notes.md").write_text("A file that only this run's page lists.\n")
    result = build_site(project)
    assert result.pages_kept > len(result.report.study.runs)  # more than run pages kept
    index = "".join(
        p.read_text() for p in sorted((result.site_dir / "search" / "reporter").rglob("*.json"))
    )
    for experiment in result.report.study.experiments:
        assert f"Experiment: {experiment.name}" in index


def _kept_html(project: Path) -> dict[int, Path]:
    """The page cache's kept HTML files, by inode."""
    return {p.stat().st_ino: p for p in (project.parent / ".reporter-cache").rglob("html/*.html")}


def test_kept_pages_are_linked_from_the_cache_and_not_reported_as_skipped(project, caplog):
    caplog.set_level(logging.INFO)
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result)
    kept = _kept_html(project)
    linked = [p for p in result.site_dir.rglob("*.html") if p.stat().st_ino in kept]
    assert len(linked) == result.pages_kept
    assert not [r for r in caplog.records if "Page skipped" in r.getMessage()]
    assert not logging.getLogger("mkdocs.commands.build").filters  # removed after the build


def test_where_links_fail_kept_pages_are_copied(project, monkeypatch):
    def refuse(src: str, dst: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result)
    kept = _kept_html(project)
    assert not [p for p in result.site_dir.rglob("*.html") if p.stat().st_ino in kept]
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def test_a_plain_mkdocs_build_with_stale_kept_pages_fails_in_one_line_then_builds(project):
    """Only reporter's drivers build again on stale kept pages; a plain `mkdocs build` ends
    with one clear line (no traceback), and its next build renders every page."""
    build_site(project)  # the second build: the pages are kept from now on
    next((project.parent / ".reporter-cache").rglob("html/context-*")).write_text("0" * 64)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project)]
    failed = subprocess.run(command, cwd=project.parent, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "the pages kept from the previous build cannot be used" in failed.stderr
    assert "the navigation changed" in failed.stderr and "Traceback" not in failed.stderr
    again = subprocess.run(command, cwd=project.parent, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    _assert_same_site(project.parent / "site", _cold(project, "cold"))


def test_a_page_whose_html_is_gone_is_rendered_from_its_cached_markdown(project):
    """The page cache hands kept builds each page's digest and heading only; a page whose HTML
    is missing reads its Markdown then, and the site is still the cold build's."""
    victim = sorted(_kept_html(project).values())[0]
    victim.unlink()
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result) - 1
    _assert_same_site(result.site_dir, _cold(project, "cold"))


@pytest.mark.parametrize("process_from", [0, 10**9], ids=["linking process", "in process"])
def test_a_kept_page_gone_before_it_is_linked_makes_the_build_render_every_page(
    project, monkeypatch, process_from
):
    """Kept HTML is linked beside the build (by a process when there are many links): an
    entry that vanishes after the build chose to keep it fails that link, and the build
    renders every page instead."""
    from reporter import linking
    from reporter.plugin.kept import KeptPages

    monkeypatch.setattr(linking, "PROCESS_FROM", process_from)
    chosen = KeptPages.has

    def has_then_vanishes(self, key, src_uri):
        found = chosen(self, key, src_uri)
        if found and src_uri.startswith("runs/"):
            os.unlink(os.path.join(self.folder, f"{key}.html"))
        return found

    monkeypatch.setattr(KeptPages, "has", has_then_vanishes)
    result = build_site(project)
    assert result.pages_kept == 0
    monkeypatch.setattr(KeptPages, "has", chosen)  # (not undo: SOURCE_DATE_EPOCH stays set)
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def test_a_linking_process_links_what_one_process_would(project, monkeypatch):
    """Many links are made by a process of their own: kept pages and data files are the
    cache's files, linked, and the site is a cold build's."""
    from reporter import linking

    monkeypatch.setattr(linking, "PROCESS_FROM", 0)
    result = build_site(project)
    assert result.pages_kept == _outside_nav(result)
    kept = _kept_html(project)
    linked = [p for p in result.site_dir.rglob("*.html") if p.stat().st_ino in kept]
    assert len(linked) == result.pages_kept
    data = [p for p in (result.site_dir / "assets" / "reporter").rglob("*/*/*.js")]
    assert data and all(p.stat().st_nlink > 1 for p in data)
    _assert_same_site(result.site_dir, _cold(project, "cold"))


def test_a_cached_page_gone_during_a_build_makes_it_render_every_page(project, monkeypatch):
    from reporter.pages.cache import CachedMarkdown, EntryGone

    def gone(self):
        raise EntryGone(f"a cached page is gone ({self.path})")

    monkeypatch.setattr(CachedMarkdown, "text", gone)
    sorted(_kept_html(project).values())[0].unlink()
    result = build_site(project)
    assert result.pages_kept == 0  # built again without kept pages, each page read whole
    _assert_same_site(result.site_dir, _cold(project, "cold"))
