"""The build's settings from the plugin's validated options and MkDocs' config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from reporter.config import Settings
from reporter.config.files import absolute_runs, load_comparisons_file
from reporter.config.schema import ReporterConfig
from reporter.config.settings import settings_from_config
from reporter.errors import ConfigError
from reporter.search import replaces_material_search

log = get_plugin_logger("reporter")


def plugin_settings(
    options: ReporterConfig,
    config: MkDocsConfig,
    runs_override: str | None = None,
    storage_override: dict[str, Any] | None = None,
) -> Settings:
    """The settings of a build with these plugin `options` (`runs_override`, set by `reporter
    build --runs`, replaces their runs folder); a `PluginError` naming what is wrong."""
    base_dir = Path(config.config_file_path or ".").resolve().parent
    try:
        return settings_from_config(
            options,
            base_dir=base_dir,
            use_directory_urls=config.use_directory_urls,
            search_index=replaces_material_search(config.plugins),
            runs_override=absolute_runs(runs_override),
            storage_override=storage_override,
            extra_comparisons=load_comparisons_file(base_dir / options.comparisons_file),
        )
    except ConfigError as exc:
        raise PluginError(str(exc)) from exc


def uses_tabs(config: MkDocsConfig) -> bool:
    """Whether the theme navigates with tabs (else the sidebar is the navigation); a note when
    instant navigation cannot work."""
    features = config.theme.get("features") or []
    if "navigation.instant" in features and not config.site_url:
        log.info(
            "navigation.instant is on but site_url is not set: Material then falls back "
            "to full page loads. Set site_url to the address the site is served from."
        )
    return "navigation.tabs" in features
