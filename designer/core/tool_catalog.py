"""One description per tool of a team's library, for the window: what it does and what it takes.

Built-ins are described from their signatures here in core; user functions from their
parsed source (never imported); MCP servers only say that their tools are known once the
server runs. A declared ``parameters`` schema in the team file wins over both.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from .builtins import BUILTIN_TOOLS
from .mcp_remote import describe_server
from .spec import AgentSpec, TeamSpec, ToolSpec
from .tool_introspect import IntrospectionError, ToolLocations, introspect_function
from .tool_schema import annotation_schema, docstring_parts


@dataclass(frozen=True)
class ToolDescription:
    tool_id: str
    source: str  # "builtin", "function" or "mcp"
    description: str
    #: JSON Schema of the arguments; None when unknown before a run (MCP) or unresolvable.
    parameters: dict[str, Any] | None
    #: Why the tool cannot be described (unknown module, syntax error ...), else "".
    problem: str = ""
    where: str = ""

    @property
    def summary(self) -> str:
        return self.description.strip().splitlines()[0] if self.description.strip() else ""


def builtin_schema(function: Any) -> tuple[str, dict[str, Any]]:
    """(description, parameters schema) of a built-in from its signature and docstring."""
    summary, docs = docstring_parts(inspect.getdoc(function) or "")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in inspect.signature(function).parameters.values():
        annotation = param.annotation
        node = ast.parse(annotation, mode="eval").body if isinstance(annotation, str) else None
        schema = annotation_schema(node) if node is not None else {}
        if param.name in docs:
            schema["description"] = docs[param.name]
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
        elif param.default is not None:
            schema["default"] = param.default
        properties[param.name] = schema
    return summary, {"type": "object", "properties": properties, "required": required}


def describe_tool(tool_id: str, tool: ToolSpec, locations: ToolLocations | None = None) -> ToolDescription:
    """What the window shows about a tool; reads source files, imports nothing."""
    declared = tool.parameters if tool.parameters is not None else None
    if tool.builtin is not None:
        builtin = BUILTIN_TOOLS.get(tool.builtin)
        if builtin is None:
            return ToolDescription(tool_id, "builtin", f"unknown built-in tool {tool.builtin!r}", None,
                                   problem=f"unknown built-in tool {tool.builtin!r}")
        _, schema = builtin_schema(builtin.function)
        return ToolDescription(tool_id, "builtin", tool.description or builtin.description, declared or schema,
                               where=f"built-in {builtin.id}")
    if tool.function is not None:
        if locations is None:
            return ToolDescription(tool_id, "function", tool.description or f"Python function {tool.function}", declared,
                                   where=tool.function)
        try:
            info = introspect_function(tool.function, locations)
        except IntrospectionError as exc:
            return ToolDescription(tool_id, "function", tool.description or f"Python function {tool.function}", declared,
                                   problem=exc.message + (f" ({exc.hint})" if exc.hint else ""), where=tool.function)
        return ToolDescription(
            tool_id, "function", tool.description or info.description or f"Python function {tool.function}",
            declared or info.parameters, where=f"{info.module.path}:{info.line}",
        )
    assert tool.mcp is not None
    command = describe_server(tool.mcp)  # its command line, or its URL
    only = f" (only: {', '.join(tool.mcp.tools)})" if tool.mcp.tools else ""
    return ToolDescription(tool_id, "mcp", tool.description or f"Tools of the MCP server `{command}`{only}", declared,
                           where=command)


def schema_text(schema: dict[str, Any] | None) -> str:
    """'city: string, days?: integer' from a JSON Schema of the arguments."""
    if schema is None:
        return "known when the tool runs"
    props = schema.get("properties")
    if not isinstance(props, dict):
        return "any"
    required = schema.get("required")
    needed = set(required) if isinstance(required, list) else set(props)
    parts = []
    for name, prop in props.items():
        kind = prop.get("type", "any") if isinstance(prop, dict) else "any"
        if isinstance(prop, dict) and "enum" in prop:
            kind = " | ".join(repr(v) for v in prop["enum"])
        parts.append(f"{name}{'' if name in needed else '?'}: {kind}")
    return ", ".join(parts) or "no parameters"


def _annotation(value: Any) -> str:
    # builtins.py uses postponed annotations, so these are usually already strings.
    return value if isinstance(value, str) else getattr(value, "__name__", str(value))


def signature_text(fn: Callable[..., Any]) -> str:
    """'length: float, width: float = 1.0' from a function's signature."""
    parts = []
    for param in inspect.signature(fn).parameters.values():
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"
        parts.append(text)
    return ", ".join(parts) or "no parameters"


def tool_summary(tool: ToolSpec, locations: ToolLocations | None = None, tool_id: str = "") -> tuple[str, str]:
    """(description, parameters) of a library tool, read without importing any user module:
    a function tool's signature and docstring come from its parsed source (tool_introspect)."""
    if tool.builtin is not None:
        builtin = BUILTIN_TOOLS.get(tool.builtin)
        if builtin is None:
            return f"unknown built-in tool {tool.builtin!r}", "unknown"
        return tool.description or builtin.description, signature_text(builtin.function)
    info = describe_tool(tool_id, tool, locations)
    if info.problem:
        return info.description, f"unknown — {info.problem}"
    params = schema_text(info.parameters) if info.parameters is not None else "parameters known at run time"
    return info.description, params + (f"\nFrom: {info.where}" if info.where and tool.function else "")


def tool_entries(spec: TeamSpec, agent: AgentSpec, locations: ToolLocations | None = None) -> list[tuple[str, str, str]]:
    """(tool id, one-line label, tooltip) for every library tool an agent could use, then any
    tool it names that the library lacks, so a dangling reference stays visible and removable."""
    entries = []
    for tool_id, tool in spec.tools.items():
        description, params = tool_summary(tool, locations, tool_id)
        short = description.splitlines()[0] if description else ""
        short = short if len(short) <= 70 else short[:69] + "…"
        entries.append((tool_id, f"{tool_id} — {short}" if short else tool_id, f"{description}\nParameters: {params}"))
    for tool_id in agent.tools:
        if tool_id not in spec.tools:
            entries.append((tool_id, f"{tool_id} (unknown tool)", "Not in the team's tool library: uncheck to remove."))
    return entries
