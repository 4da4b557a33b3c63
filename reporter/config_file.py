"""Plugin options read from mkdocs.yml without building (for `list`, `show`, `render`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reporter.errors import ConfigError
from reporter.settings import Settings, settings_from_options


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; they are irrelevant here."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def plugin_options(config_file: Path) -> dict[str, Any] | None:
    """The `reporter` plugin's options, {} when enabled without options, None when absent."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read '{config_file}': {exc}") from exc
    for entry in (data or {}).get("plugins") or []:
        if entry == "reporter":
            return {}
        if isinstance(entry, dict) and "reporter" in entry:
            return entry["reporter"] or {}
    return None


def settings_from_config_file(config_file: Path, runs: Path | None) -> Settings:
    """Validated settings; without a config file, defaults (runs from --runs or ./runs)."""

    from reporter.plugin_config import ReporterConfig

    options = plugin_options(config_file) if config_file.is_file() else None
    base_dir = config_file.resolve().parent if config_file.is_file() else Path.cwd()
    config = ReporterConfig(config_file_path=str(config_file))
    config.load_dict(options or {})
    failed, warnings = config.validate()
    if failed:
        problems = "; ".join(f"'{key}': {err}" for key, err in failed)
        raise ConfigError(f"Invalid reporter options in '{config_file}': {problems}")
    del warnings
    extra = load_comparisons_file(base_dir / str(config["comparisons_file"]))
    return settings_from_options(
        dict(config), base_dir=base_dir, runs_override=runs, extra_comparisons=extra
    )


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


def docs_dir(config_file: Path) -> Path:
    """The MkDocs docs folder named by `config_file` (default `docs`), as an absolute path."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read '{config_file}': {exc}") from exc
    return config_file.resolve().parent / str((data or {}).get("docs_dir") or "docs")
