"""The Jinja environment reporter's pages are rendered in."""

from __future__ import annotations

from pathlib import Path

import jinja2

from reporter.pages import filters
from reporter.pages.cache import TemplateCode


def environment(templates: Path | None = None, code: Path | None = None) -> jinja2.Environment:
    """Jinja environment: user templates first, built-ins reachable as `builtin/<name>`;
    compiled templates kept in `code` when given."""
    builtin = jinja2.PackageLoader("reporter.pages", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=TemplateCode(code) if code is not None else None,
    )
    filters.register(env)
    return env
