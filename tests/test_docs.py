"""The README documents every command, option and plugin option, and CI runs its test command."""

from __future__ import annotations

import re

from reporter.cli import cli
from reporter.config.schema import EvaluationConfig, ReporterConfig

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_plugin_option_is_documented():
    for name, _option in ReporterConfig._schema:
        assert f"`{name}`" in README, name
    for name, _option in EvaluationConfig._schema:
        assert f"`{name}`" in README, f"evaluation.{name}"


def test_every_command_and_option_is_documented():
    for name, command in cli.commands.items():
        assert f"`reporter {name}" in README, name
        for param in command.params:
            for flag in param.opts:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"{name} {flag}"


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(pip install .*?)\s+#", README, flags=re.M)
    assert len(commands) >= 2, "the README starts with an install+build and a test command"
    test_command = commands[1].strip()
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text()
    assert "reporter build" in commands[0]
