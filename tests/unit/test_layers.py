"""Layering: core imports neither Qt nor AutoGen; runtime never imports Qt; only ui imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "designer"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    "layer, forbidden",
    [
        ("core", {"PySide6", "autogen_agentchat", "autogen_core", "autogen_ext", "llama_cpp"}),
        ("runtime", {"PySide6"}),
        ("cli", {"PySide6"}),
    ],
)
def test_layers_do_not_import_what_they_must_not(layer: str, forbidden: set[str]):
    offenders = {path: names & forbidden for path, names in imported_modules(PACKAGE / layer).items() if names & forbidden}
    assert offenders == {}


def test_only_runtime_imports_autogen():
    offenders = {
        path: names
        for path, names in imported_modules(PACKAGE).items()
        if not path.startswith("designer/runtime") and names & {"autogen_agentchat", "autogen_core", "autogen_ext"}
    }
    assert offenders == {}


def test_only_ui_imports_qt():
    offenders = [p for p, names in imported_modules(PACKAGE).items() if "PySide6" in names and not p.startswith("designer/ui")]
    assert offenders == []


@pytest.mark.parametrize(
    "module, forbidden",
    [
        ("designer.core.validate", ("PySide6", "autogen_agentchat", "autogen_core")),
        ("designer.core.teamfile", ("PySide6", "autogen_agentchat", "autogen_core")),
        ("designer.runtime.runner", ("PySide6",)),
        ("designer.cli.main", ("PySide6", "autogen_agentchat")),
    ],
)
def test_importing_a_layer_loads_nothing_forbidden(module: str, forbidden: tuple[str, ...]):
    """Also catches indirect imports (a core module importing a runtime module, say)."""
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
