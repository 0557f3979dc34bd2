"""What a team can add from the window's tool library: built-ins and the user's own functions.

Built-ins come from :data:`designer.core.builtins.BUILTIN_TOOLS`; ``module:function`` tools
from PARSING the ``.py`` files of the tool folders (``tools/`` beside the team file, then the
folders in settings), never importing them: listing a folder must not run its code, exactly
as opening a team file must not. A file that cannot be read is listed with its problem.

Each entry has a ``key`` ("builtin:http_get", "function:weather:forecast", "team:calc") that
the palette puts on a drag and the canvas hands back on a drop; :func:`tool_for_key` turns
it into the :class:`ToolSpec` to add.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .builtin_tools import web, workspace
from .builtins import BUILTIN_TOOLS, BuiltinTool
from .errors import EditError
from .mcp_remote import url_name
from .spec import ToolSpec
from .tool_catalog import builtin_schema, signature_text
from .tool_introspect import (
    IntrospectionError,
    ToolLocations,
    find_module,
    parse_source,
    shadows_python_module,
)
from .tool_schema import docstring_parts, parameters_schema

#: A bound on the files one scan parses, so a huge folder cannot stall the window.
MAX_SCANNED_FILES = 300

#: What a built-in does when an option is not set (shown as the field's placeholder).
OPTION_DEFAULTS: dict[tuple[str, str], str] = {
    ("http_get", "allow_hosts"): "none: every host is refused",
    ("http_get", "max_bytes"): f"{web.DEFAULT_MAX_BYTES}",
    ("read_text_file", "max_bytes"): f"{workspace.DEFAULT_MAX_BYTES}",
    ("write_text_file", "max_bytes"): f"{workspace.DEFAULT_MAX_BYTES}",
    ("run_python", "executor"): "local",
    ("run_python", "image"): "python:3-slim",
}


@dataclass(frozen=True)
class OptionInfo:
    name: str
    kind: str  # "hosts", "bytes", "choice" or "text" (see BuiltinOption)
    meaning: str
    default: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryEntry:
    """One tool that can be added to a team."""

    key: str
    source: str  # "builtin" or "function"
    #: The built-in id, or the function's name (the base of the tool id it gets).
    name: str
    #: The built-in id, or ``module:function``.
    ref: str
    description: str
    signature: str
    parameters: dict[str, Any] | None = None
    options: tuple[OptionInfo, ...] = ()
    #: "built-in", or the file and line the function is defined at.
    where: str = ""
    is_async: bool = False


@dataclass(frozen=True)
class FileProblem:
    """A file of a tool folder that lists no tool, and why (in the user's words)."""

    path: Path
    message: str


@dataclass(frozen=True)
class FunctionScan:
    folders: tuple[Path, ...]
    entries: tuple[LibraryEntry, ...] = ()
    problems: tuple[FileProblem, ...] = field(default_factory=tuple)


def option_infos(builtin: BuiltinTool) -> tuple[OptionInfo, ...]:
    return tuple(
        OptionInfo(o.name, o.kind, o.meaning, OPTION_DEFAULTS.get((builtin.id, o.name), ""), o.choices)
        for o in builtin.options
    )


def builtin_entries() -> list[LibraryEntry]:
    """Every built-in, with its parameters and options, in registry order."""
    out = []
    for builtin in BUILTIN_TOOLS.values():
        _, schema = builtin_schema(builtin.function)
        out.append(LibraryEntry(
            key=f"builtin:{builtin.id}", source="builtin", name=builtin.id, ref=builtin.id,
            description=builtin.description, signature=signature_text(builtin.function), parameters=schema,
            options=option_infos(builtin), where="built-in",
        ))
    return out


def _module_files(folder: Path) -> list[tuple[str, Path]]:
    """(module name, file) for the modules directly in a folder and one package level below."""
    found: list[tuple[str, Path]] = []
    try:
        files = sorted(folder.glob("*.py")) + sorted(folder.glob("*/*.py"))
    except OSError:
        return found
    for path in files:
        if path.parent == folder:
            name = path.stem
        elif path.name == "__init__.py":
            name = path.parent.name
        else:
            name = f"{path.parent.name}.{path.stem}"
        if name != "__init__":
            found.append((name, path))
    return found


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    try:
        text = ast.unparse(node.args)
        returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    except (ValueError, RecursionError):  # an exotic tree: the name alone still helps
        return ""
    return f"({text}){returns}"


def _functions_in(name: str, path: Path, tree: ast.Module) -> list[LibraryEntry]:
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
            continue
        summary, docs = docstring_parts(ast.get_docstring(node) or "")
        ref = f"{name}:{node.name}"
        out.append(LibraryEntry(
            key=f"function:{ref}", source="function", name=node.name, ref=ref, description=summary,
            signature=_signature(node), parameters=parameters_schema(node.args, docs), where=f"{path}:{node.lineno}",
            is_async=isinstance(node, ast.AsyncFunctionDef),
        ))
    return out


def scan_functions(locations: ToolLocations) -> FunctionScan:
    """Every public top-level function of the tool folders' modules, read from source only."""
    folders = tuple(locations.folders)
    entries: list[LibraryEntry] = []
    problems: list[FileProblem] = []
    seen: set[str] = set()
    parsed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for name, path in _module_files(folder):
            if not all(part.isidentifier() for part in name.split(".")):
                problems.append(FileProblem(path, f"{path.name}: not importable as a module (use letters, digits and '_')"))
                continue
            if shadows_python_module(name):
                problems.append(FileProblem(path, f"{path.name}: {name.split('.')[0]!r} is one of Python's own modules; rename it"))
                continue
            found = find_module(name, locations)
            if name in seen or found is None or found.path != path.resolve():
                problems.append(FileProblem(path, f"{path.name}: hidden by another module named {name!r} in an earlier folder"))
                continue
            seen.add(name)
            parsed += 1
            if parsed > MAX_SCANNED_FILES:
                problems.append(FileProblem(folder, f"more than {MAX_SCANNED_FILES} modules: the rest are not listed"))
                return FunctionScan(folders, tuple(entries), tuple(problems))
            try:
                tree = parse_source(path)
            except IntrospectionError as exc:
                problems.append(FileProblem(path, exc.message))
                continue
            entries.extend(_functions_in(name, path, tree))
    return FunctionScan(folders, tuple(entries), tuple(problems))


def tool_for_key(key: str) -> ToolSpec:
    """The new library entry a palette key stands for ("builtin:ID" or "function:module:function")."""
    kind, _, ref = key.partition(":")
    if kind == "builtin" and ref in BUILTIN_TOOLS:
        return ToolSpec(builtin=ref)
    if kind == "function":
        try:
            return ToolSpec(function=ref)
        except ValueError:
            raise EditError(f"{ref!r} is not a module:function reference") from None
    raise EditError(f"{key!r} is not a tool of the library")


def base_id(tool: ToolSpec) -> str:
    """The id a new library entry is named after: the built-in's id, the function's name, 'mcp'."""
    if tool.builtin is not None:
        return tool.builtin
    if tool.function is not None:
        return tool.function.rpartition(":")[2]
    assert tool.mcp is not None
    if tool.mcp.command is None:
        return url_name(tool.mcp)  # a server at a URL: its host names it
    # The server's package or script names it better than the program that starts it (npx, python).
    named = next((a for a in tool.mcp.args if not a.startswith("-")), tool.mcp.command)
    stem = re.sub(r"\W+", "_", Path(named.rstrip("/")).stem).strip("_")
    return stem if stem and not stem[0].isdigit() else "mcp"
