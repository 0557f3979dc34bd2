"""Layering: core imports neither Qt, AutoGen nor another layer; runtime never imports Qt; only ui
imports Qt; only runtime imports AutoGen; and no two modules of the product import each other.

Every module of ``designer/`` is parsed. Relative imports are resolved (``from ..runtime import x``
inside ``designer/core`` is a runtime import), and imports inside functions and under
``if TYPE_CHECKING:`` count like any other: they are dependencies all the same.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "designer"
AUTOGEN = {"autogen_agentchat", "autogen_core", "autogen_ext"}


@dataclass(frozen=True)
class Import:
    target: str  # absolute dotted name: "designer.runtime.runner", "PySide6.QtCore", "yaml"
    line: int
    lazy: bool  # inside a function: loaded when it is called, not when the module is imported


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def product_modules() -> dict[str, Path]:
    """Every module of the product, by dotted name (packages by their own name)."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: list[Import] = []
        self._depth = 0

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815 - ast's names

    def _add(self, target: str, node: ast.stmt) -> None:
        self.found.append(Import(target, node.lineno, self._depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            head = ".".join(base + ([node.module] if node.module else []))
        else:
            head = node.module or ""
        self._add(head, node)
        modules = product_modules()
        for alias in node.names:  # `from package import submodule` imports that module too
            if f"{head}.{alias.name}" in modules:
                self._add(f"{head}.{alias.name}", node)


@functools.cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = product_modules()[module]
    collector = _Collector(module, path.name == "__init__.py")
    collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return tuple(collector.found)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else None


def layer_modules(layer: str) -> list[str]:
    return [m for m in product_modules() if layer_of(m) == layer]


def is_within(target: str, names: set[str]) -> bool:
    return any(target == name or target.startswith(name + ".") for name in names)


def offenders(modules: list[str], forbidden: set[str], *, lazy_too: bool = True) -> list[str]:
    return [
        f"{product_modules()[m].relative_to(ROOT)}:{i.line}: {i.target}"
        for m in modules
        for i in imports_of(m)
        if is_within(i.target, forbidden) and (lazy_too or not i.lazy)
    ]


def test_every_module_is_in_a_layer_and_relative_imports_are_resolved():
    """The checks below see every module of every layer, and a relative import by its real name."""
    assert {m for m in product_modules() if layer_of(m) is None} == {"designer", "designer.__main__"}
    for layer in ("core", "runtime", "ui", "cli"):
        assert len(layer_modules(layer)) > 1, layer
    assert "designer.runtime.runner" in {i.target for i in imports_of("designer.cli.run")}  # `from ..runtime.runner import`
    assert "designer.core.spec" in {i.target for i in imports_of("designer.core.validate")}  # `from .spec import`


#: What a layer must not import, directly or (checked below) by what it imports in turn.
FORBIDDEN = {
    "core": {"PySide6", *AUTOGEN, "llama_cpp", "designer.runtime", "designer.ui", "designer.cli"},
    "runtime": {"PySide6", "designer.ui", "designer.cli"},
    "cli": {"PySide6", *AUTOGEN, "llama_cpp"},
    "ui": {"designer.cli"},
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_do_not_import_what_they_must_not(layer: str):
    assert offenders(layer_modules(layer), FORBIDDEN[layer]) == []


def test_cli_opens_the_window_only_when_asked():
    """The CLI starts the window (and screenshots) by importing designer.ui inside the command
    that needs it, so no other command loads Qt."""
    assert offenders(layer_modules("cli"), {"designer.ui"}, lazy_too=False) == []


def test_only_runtime_imports_autogen():
    outside = [m for m in product_modules() if layer_of(m) != "runtime"]
    assert offenders(outside, AUTOGEN) == []


def test_only_ui_imports_qt():
    outside = [m for m in product_modules() if layer_of(m) != "ui"]
    assert offenders(outside, {"PySide6", "shiboken6"}) == []


@pytest.mark.parametrize(
    "layer, forbidden",
    [
        ("core", FORBIDDEN["core"]),
        ("runtime", FORBIDDEN["runtime"]),
        ("cli", FORBIDDEN["cli"] | {"designer.ui"}),
    ],
)
def test_importing_a_layer_loads_nothing_forbidden(layer: str, forbidden: set[str]):
    """Also catches indirect imports (a core module importing a module that imports runtime).
    One fresh interpreter per layer imports every module of it."""
    modules = layer_modules(layer)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"forbidden = {sorted(forbidden)!r}\n"
        "print(sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in forbidden)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"importing every module of designer/{layer} loaded {out.stdout.strip()}"


def import_graph() -> dict[str, set[str]]:
    """Module -> the product modules it imports. Importing ``a.b.c`` runs ``a.b``'s __init__ as
    well, so those count too; a module's own parent packages do not (every module needs them)."""
    modules = product_modules()
    graph: dict[str, set[str]] = {}
    for module in modules:
        ancestors = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
        edges: set[str] = set()
        for i in imports_of(module):
            parts = i.target.split(".")
            for n in range(1, len(parts) + 1):
                name = ".".join(parts[:n])
                if name in modules and name != module and name not in ancestors:
                    edges.add(name)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def shortest_cycle(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the component's first module: [a, b, ..., a]."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{component} is not a cycle")


def describe(component: list[str], graph: dict[str, set[str]]) -> str:
    """One cycle of a tangle, each step with the line that makes it, and the tangle's size."""
    cycle = shortest_cycle(component, graph)
    lines = [" -> ".join(cycle)]
    for module, imported in zip(cycle, cycle[1:], strict=False):
        where = next(i.line for i in imports_of(module) if i.target == imported or i.target.startswith(imported + "."))
        lines.append(f"  {product_modules()[module].relative_to(ROOT)}:{where}: imports {imported}")
    if len(component) > len(cycle) - 1:
        lines.append(f"  (one of the cycles among these {len(component)} modules: {', '.join(component)})")
    return "\n".join(lines)


def test_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": {"a"}, "e": {"e", "a"}, "f": set()}
    assert cycles(graph) == [["a", "b", "c", "d"]]
    assert shortest_cycle(["a", "b", "c", "d"], graph) == ["a", "b", "c", "a"]


def test_no_import_cycles():
    """No two modules of the product import each other, directly or through others (imports
    inside functions and under TYPE_CHECKING included): each layer's modules form a hierarchy."""
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph) for c in found)
