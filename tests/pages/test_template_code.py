"""Compiled templates kept between builds: used when their source is unchanged, never a reason
for a build to fail."""

from __future__ import annotations

from pathlib import Path

import jinja2

from reporter.pages.cache import TemplateCode


def _env(folder: Path, source: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=TemplateCode(folder)
    )


def test_a_template_compiles_once_and_follows_its_source(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    assert _env(folder, "Hello {{ name }}").get_template("page.html").render(name="a") == "Hello a"
    cached = list(folder.iterdir())
    assert len(cached) == 1
    compiled: list[str] = []

    class Counting(jinja2.Environment):
        def _compile(self, source: str, filename: str):
            compiled.append(filename)
            return super()._compile(source, filename)

    again = Counting(loader=jinja2.DictLoader({"page.html": "Hello {{ name }}"}))
    again.bytecode_cache = TemplateCode(folder)
    assert again.get_template("page.html").render(name="b") == "Hello b"
    assert compiled == []  # loaded, not compiled
    changed = _env(folder, "Bye {{ name }}").get_template("page.html")
    assert changed.render(name="c") == "Bye c"


def test_a_broken_or_unwritable_cache_only_costs_the_compile(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    _env(folder, "x{{ 1 }}").get_template("page.html")
    for entry in folder.iterdir():
        entry.write_bytes(b"not bytecode")
    assert _env(folder, "x{{ 1 }}").get_template("page.html").render() == "x1"
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert _env(blocked / "templates", "y").get_template("page.html").render() == "y"
