"""A team file's tools as AgentChat tool components, read from source as text (never imported).

``FunctionToolConfig`` holds a function's source and the imports it needs; AgentChat runs them
with ``exec`` when the JSON is loaded. The function's source segment comes first (AgentChat takes
the tool's function from the first ``def`` of the source), then the module-level helpers it uses,
and only the imports those need. A built-in tool is inlined the same way when its module holds all
it needs; one that needs the run (its workspace, an allow-list, the code executor) is dropped.
"""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path
from typing import Any

from autogen_core.code_executor import Alias, ImportFromModule
from autogen_core.tools import FunctionTool
from autogen_core.tools._function_tool import FunctionToolConfig
from autogen_ext.tools.mcp import McpWorkbench, SseServerParams, StdioServerParams, StreamableHttpServerParams
from autogen_ext.tools.mcp._workbench import McpWorkbenchConfig

from ..core.builtins import BUILTIN_TOOLS
from ..core.spec import McpServerSpec
from ..core.tool_introspect import IntrospectionError, ToolLocations, introspect_function, parse_source
from ..core.validate_parts import remember_tool_name
from .export_json_base import Component, Export, component

Import = str | ImportFromModule | Alias


class _Unexportable(Exception):
    """A tool whose source cannot travel; the message says why."""


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _used_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _segment(source: str, node: ast.stmt) -> str:
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        # Without the annotation: evaluating it would need imports the tool does not.
        return f"{ast.get_source_segment(source, node.target)} = {ast.get_source_segment(source, node.value)}"
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    lines = source.splitlines()[start - 1: node.end_lineno]
    return inspect.cleandoc("\n".join(lines)) if lines and lines[0][:1].isspace() else "\n".join(lines)


def _imports_of(tree: ast.Module, needed: set[str]) -> tuple[list[Import], list[str], bool]:
    """The module's top-level imports binding a ``needed`` name, the names of relative imports
    among them (a local module: they cannot travel), and whether it uses postponed annotations."""
    out: list[Import] = []
    local: list[str] = []
    future = False
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound in needed:
                    out.append(Alias(alias.name, alias.asname) if alias.asname else alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                future = future or any(a.name == "annotations" for a in node.names)
                continue
            names: list[str | Alias] = [Alias(a.name, a.asname) if a.asname else a.name for a in node.names
                                        if (a.asname or a.name) in needed]
            if not names:
                continue
            if node.level:
                local.extend(a if isinstance(a, str) else a.alias for a in names)
            else:
                out.append(ImportFromModule(node.module or "", tuple(names)))
    return out, local, future


def function_source(path: Path, func_name: str) -> tuple[str, list[Import], list[str]]:
    """(source code, global imports, helper names included) of ``func_name`` in the module at ``path``."""
    try:
        tree = parse_source(path)
        source = path.read_text(encoding="utf-8")
    except (IntrospectionError, OSError, UnicodeDecodeError) as exc:
        raise _Unexportable(f"its module cannot be read ({exc})") from None
    defined: dict[str, ast.stmt] = {}
    for node in tree.body:
        for name in _bound_names(node):
            defined[name] = node
    func = defined.get(func_name)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise _Unexportable(f"{path.name} has no function {func_name!r}")
    # The helpers it reaches at module level (transitively), in file order after the function.
    wanted: list[ast.stmt] = [func]
    queue: list[ast.stmt] = [func]
    while queue:
        for name in sorted(_used_names(queue.pop())):
            helper = defined.get(name)
            if helper is not None and helper not in wanted:
                wanted.append(helper)
                queue.append(helper)
    helpers = sorted(wanted[1:], key=lambda n: n.lineno)
    needed = set().union(*(_used_names(n) for n in wanted)) - set(dir(builtins))
    imports, local, future = _imports_of(tree, needed)
    if local:
        raise _Unexportable(f"it imports {', '.join(sorted(local))} from a module of its own folder, which the JSON cannot carry")
    parts = [_segment(source, func), *(_segment(source, n) for n in helpers)]
    # Postponed annotations keep the helper classes a signature names resolvable after the exec.
    head = "from __future__ import annotations\n\n" if future else ""
    return head + "\n\n\n".join(parts) + "\n", imports, [h for n in helpers for h in _bound_names(n)]


def _takes_token(path: Path, func_name: str) -> bool:
    node = next((n for n in parse_source(path).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == func_name), None)
    return node is not None and any(a.arg == "cancellation_token" for a in node.args.args + node.args.kwonlyargs)


def _function_tool(name: str, description: str, path: Path, func_name: str) -> Component:
    source, imports, _helpers = function_source(path, func_name)
    config = FunctionToolConfig(source_code=source, name=name, description=description, global_imports=imports,
                                has_cancellation_support=_takes_token(path, func_name))
    return component(FunctionTool, config)


def tool_component(x: Export, tool_id: str) -> Component | None:
    """A function or built-in tool's component; None (with a ``dropped`` note) when it cannot travel."""
    spec = x.spec.tools[tool_id]
    if "timeout" in spec.model_fields_set:
        x.note("dropped", f"tool {tool_id!r}: timeout {spec.timeout:g} s (AgentChat's FunctionTool has no time limit)")
    try:
        if spec.builtin is not None:
            builtin = BUILTIN_TOOLS.get(spec.builtin)
            if builtin is None:
                raise _Unexportable(f"{spec.builtin!r} is no built-in tool")
            if builtin.bind is not None or builtin.in_runtime:
                raise _Unexportable("it is a built-in that needs this product's run (its workspace, allow-list or code executor)")
            path = Path(inspect.getfile(builtin.function))  # already imported with the product: read, not run
            return _function_tool(tool_id, spec.description or builtin.description, path, builtin.function.__name__)
        assert spec.function is not None  # MCP tools are workbenches (mcp_workbench)
        try:
            info = introspect_function(spec.function, ToolLocations.for_file(x.team_file))
        except IntrospectionError as exc:
            raise _Unexportable(exc.message) from None
        module = info.module.path
        description = spec.description or ast.get_docstring(_find(module, info.name)) or f"Calls {spec.function}"
        out = _function_tool(tool_id, description, module, info.name)
        x.note("info", f"tool {tool_id!r}: the source of {spec.function} is in the JSON; AgentChat runs it when the team is loaded")
        return out
    except _Unexportable as exc:
        x.note("dropped", f"tool {tool_id!r}: {exc}")
        return None


def _find(path: Path, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    return next(n for n in parse_source(path).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)


_REMEMBER = '''def {name}(text: str) -> str:
    """{doc}"""
    text = text.strip()[:200]
    if not text:
        return "nothing to remember: the text is empty"
    _NOTES.append(text)
    return f"remembered in {memory} (note {{len(_NOTES)}})"


_NOTES: list = []
'''


def remember_component(x: Export, memory_id: str, agent_id: str) -> Component:
    """``remember_<memory>(text)`` written inline. Its notes stay in the tool: AgentChat's JSON
    cannot hand one ListMemory instance to a tool and to the agents that read it."""
    memory = x.spec.memories[memory_id]
    about = f" ({memory.description})" if memory.description else ""
    doc = f"Add a note to the shared memory '{memory_id}'{about}."
    name = remember_tool_name(memory_id)
    x.note("changed", f"memory {memory_id!r}: {name} (the tool of {agent_id}) keeps its notes to itself; its readers see "
                      "only the entries the file lists (JSON cannot share one ListMemory between a tool and agents)")
    source = _REMEMBER.format(name=name, doc=doc.replace('"', "'"), memory=memory_id)
    config = FunctionToolConfig(source_code=source, name=name, description=doc, global_imports=[], has_cancellation_support=False)
    return component(FunctionTool, config)


def _plain(x: Export, tool_id: str, values: dict[str, str], what: str) -> dict[str, str]:
    """``values`` without secret references: those are left for the user to set (never resolved)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if "env:" in value or "keyring:" in value:
            ref = value[value.find("env:") if "env:" in value else value.find("keyring:"):]
            x.note("key", f"tool {tool_id!r}: {what} {key} is left out (it refers to {ref}); add it with its value "
                          "when you load the team")
        else:
            out[key] = value
    return out


def mcp_workbench(x: Export, tool_id: str) -> Component:
    spec = x.spec.tools[tool_id]
    mcp: McpServerSpec | None = spec.mcp
    assert mcp is not None
    params: Any
    if mcp.transport == "stdio":
        assert mcp.command is not None
        env = _plain(x, tool_id, dict(mcp.env), "environment variable")
        params = StdioServerParams(command=mcp.command, args=list(mcp.args), env=env or None, cwd=mcp.cwd)
        if mcp.cwd is not None and not Path(mcp.cwd).expanduser().is_absolute():
            x.note("changed", f"tool {tool_id!r}: cwd {mcp.cwd!r} is relative to where the team is run, not to the team file")
    else:
        headers = _plain(x, tool_id, dict(mcp.headers), "header")
        kind = SseServerParams if mcp.transport == "sse" else StreamableHttpServerParams
        params = kind(url=mcp.url or "", headers=headers or None)
    if mcp.tools is not None:
        x.note("changed", f"tool {tool_id!r}: every tool of the MCP server is offered (McpWorkbench has no list of "
                          f"tools to keep; the file keeps {', '.join(mcp.tools) or 'none'})")
    return component(McpWorkbench, McpWorkbenchConfig(server_params=params))
