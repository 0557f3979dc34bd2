"""One description per tool of a team's library, for the window: what it does and what it takes.

Built-ins are described from their signatures here in core; user functions from their
parsed source (never imported); MCP servers only say that their tools are known once the
server runs. A declared ``parameters`` schema in the team file wins over both.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from typing import Any

from .builtins import BUILTIN_TOOLS
from .spec import ToolSpec
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
    command = " ".join([tool.mcp.command, *tool.mcp.args])
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
