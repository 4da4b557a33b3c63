"""The layout holds: imports point down the pipeline, no cycles, small modules (see
ARCHITECTURE.md). Read from the source with `ast`, so a wrong import fails here, not in a user's
build."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "reporter"
# Lowest first: a module may import its own layer and the layers below it.
LAYERS = (
    (
        "reporter",
        "reporter.errors",
        "reporter.model",
        "reporter.text",
        "reporter.files",
        "reporter.workers",
        "reporter.linking",
    ),
    ("reporter.config",),
    ("reporter.evaluation",),
    ("reporter.readers",),
    ("reporter.study",),
    ("reporter.journal",),
    ("reporter.charts",),
    ("reporter.pages",),
    ("reporter.search",),
    ("reporter.pipeline",),
    ("reporter.plugin",),
    ("reporter.site",),
    ("reporter.commands",),
    ("reporter.cli",),
)
MAX_LINES = 400
MAX_TOP_LEVEL = 8


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    best = None
    for i, names in enumerate(LAYERS):
        for name in names:
            if module == name or (name != "reporter" and module.startswith(name + ".")):
                best = i
    assert best is not None, f"{module} is in no layer: add it to LAYERS and ARCHITECTURE.md"
    return best


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """reporter modules imported by a file, leaving out `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            nested = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if (
                isinstance(child, ast.ImportFrom)
                and child.module
                and (nested or not top_level_only)
            ):
                if child.module.startswith("reporter"):
                    for alias in child.names:
                        full = f"{child.module}.{alias.name}"
                        found.add(full if full in MODULES else child.module)
            elif isinstance(child, ast.Import) and (nested or not top_level_only):
                found.update(a.name for a in child.names if a.name.startswith("reporter"))
            if not top_level_only or nested:
                visit(child, nested)

    visit(tree, True)
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_pipeline(module: str) -> None:
    mine = _layer(module)
    upward = sorted(m for m in _imports(MODULES[module], False) if _layer(m) > mine)
    assert not upward, f"{module} (layer {mine}) imports higher layers: {upward}"


def test_no_import_cycles() -> None:
    graph = {
        m: {i for i in _imports(p, True) if i in MODULES and i != m} for m, p in MODULES.items()
    }
    done: set[str] = set()

    def walk(node: str, stack: list[str]) -> None:
        if node in stack:
            cycle = stack[stack.index(node) :] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        for nxt in sorted(graph[node]):
            walk(nxt, [*stack, node])
        done.add(node)

    for module in sorted(graph):
        walk(module, [])


def test_modules_stay_small() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_few_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


def test_pandas_is_loaded_only_to_read_predictions() -> None:
    """Starting a build costs no pandas import (half a second): a build that reads no
    predictions (after a journal edit, `reporter list`) never loads it."""
    code = (
        "import sys, reporter.cli, reporter.site.build, reporter.plugin, reporter.pipeline;"
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
