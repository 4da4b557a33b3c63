"""Configuration: the plugin options' schema (`schema`), the pure `Settings` made from it
(`settings`), and reading mkdocs.yml and comparisons.yaml without building (`files`)."""

from reporter.config.settings import EvalSettings, Settings, build_time

__all__ = ["EvalSettings", "Settings", "build_time"]
