"""Reading the configuration from disk without building: mkdocs.yml's plugin options, the
comparisons file and the docs folder (for `list`, `show`, `render`, `new-entry`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reporter.config.settings import Settings, is_url, settings_from_config
from reporter.errors import ConfigError


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; they are irrelevant here."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _mkdocs_yml(config_file: Path) -> dict[str, Any]:
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read '{config_file}': {exc}") from exc
    return data if isinstance(data, dict) else {}


def plugin_options(config_file: Path, *names: str) -> dict[str, Any] | None:
    """A plugin's options (the `reporter` plugin's, or the first of `names` found), {} when
    enabled without options, None when absent."""
    names = names or ("reporter",)
    plugins = _mkdocs_yml(config_file).get("plugins") or []
    if isinstance(plugins, dict):  # plugins may be a mapping of name to options too
        plugins = [{name: options} for name, options in plugins.items()]
    for entry in plugins if isinstance(plugins, list) else []:
        if entry in names:
            return {}
        for name in names:
            if isinstance(entry, dict) and name in entry:
                return entry[name] if isinstance(entry[name], dict) else {}
    return None


def settings_from_config_file(
    config_file: Path, runs: str | None = None, storage_options: Mapping[str, Any] | None = None
) -> Settings:
    """Validated settings; without a config file, defaults (runs from --runs or ./runs)."""
    from reporter.config.schema import ReporterConfig

    found = config_file.is_file()
    options = plugin_options(config_file) if found else None
    base_dir = config_file.resolve().parent if found else Path.cwd()
    config = ReporterConfig(config_file_path=str(config_file))
    config.load_dict(options or {})
    failed, _warnings = config.validate()
    if failed:
        problems = "; ".join(f"Config value '{key}': {err}" for key, err in failed)
        raise ConfigError(f"Invalid reporter options in '{config_file}': {problems}")
    extra = load_comparisons_file(base_dir / config["comparisons_file"])
    return settings_from_config(
        config,
        base_dir=base_dir,
        runs_override=absolute_runs(runs),
        storage_override=storage_options,
        extra_comparisons=extra,
    )


def absolute_runs(runs: str | None) -> str | None:
    """`--runs` as typed: a URL stays a URL, a path becomes absolute (relative to the cwd)."""
    if runs is None or is_url(runs):
        return runs
    return str(Path(runs.removeprefix("file://")).expanduser().resolve())


def load_comparisons_file(path: Path) -> tuple[tuple[str, Any], ...]:
    """Comparisons declared in `comparisons.yaml` (a list, or a mapping with `comparisons:`)."""
    if not path.is_file():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read comparisons from '{path}': {exc}") from exc
    if isinstance(data, dict):
        data = data.get("comparisons")
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError(f"'{path}' must hold a list of comparisons (or 'comparisons: [...]').")
    return tuple((f"{path.name}, entry {i + 1}", raw) for i, raw in enumerate(data))


def site_dir(config_file: Path) -> Path:
    """The MkDocs site folder named by `config_file` (default `site`), as an absolute path."""
    data = _mkdocs_yml(config_file)
    return config_file.resolve().parent / str(data.get("site_dir") or "site")


def docs_dir(config_file: Path) -> Path:
    """The MkDocs docs folder named by `config_file` (default `docs`), as an absolute path."""
    data = _mkdocs_yml(config_file)
    return config_file.resolve().parent / str(data.get("docs_dir") or "docs")
