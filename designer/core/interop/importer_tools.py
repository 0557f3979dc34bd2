"""Tools of an imported agent -> ``tools:`` entries and tool modules (data only).

A ``FunctionTool``'s ``source_code`` and ``global_imports`` become the text of a module for
``tools/`` beside the team file: the imports as Python import lines, then the source, as
written. It is parsed (never run) to find the function's name. The module is written by
:mod:`.save_import` and runs only after the user trusts it, like any tool module.
An ``McpWorkbench`` becomes an ``mcp:`` tool; secrets in its environment or headers are
replaced by references (a team file never holds one) and the report names the variable to set.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from typing import Any

from ..ids import to_identifier
from ..mcp_remote import secret_literal
from ..tool_introspect import shadows_python_module
from . import Note
from .components import as_dict, is_component, short_name

#: Environment variable names that hold secrets (the validator refuses literal values for them).
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_\-]{0,30} )?(env|keyring):[A-Za-z0-9_.\-/]{1,128}$")
_MCP_TRANSPORTS = {"StdioServerParams": "stdio", "SseServerParams": "sse", "StreamableHttpServerParams": "http"}


class ToolTable:
    """The tools found so far: one id per distinct tool, and the module texts."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.tools: dict[str, dict[str, Any]] = {}
        self.modules: dict[str, str] = {}
        #: A tool's name as AgentChat knew it -> its id (for FunctionCallTermination).
        self.by_name: dict[str, str] = {}
        self._by_identity: dict[str, str] = {}
        #: Variable -> the secret it stands for (in memory only): two different secrets never share one.
        self._secrets: dict[str, str] = {}

    def tool_id(self, name: str) -> str:
        return self.by_name.get(name) or to_identifier(name, fallback="tool", reserved=())

    def add(self, component: dict[str, Any], where: str) -> str | None:
        """The id of a tool component (FunctionTool or McpWorkbench), None when it is dropped."""
        kind = short_name(component["provider"])
        config = component.get("config") or {}
        identity = json.dumps([kind, config], sort_keys=True, default=str)
        if identity in self._by_identity:  # the same tool on several agents is one entry
            return self._by_identity[identity]
        if kind == "FunctionTool":
            made = self._function(config, where)
        elif kind == "McpWorkbench":
            made = self._mcp(config, component.get("label") or kind, where)
        else:
            made = None
            self.notes.append(Note("dropped", f"{kind} '{config.get('name') or component.get('label') or kind}' "
                                              f"of {where} — no equivalent tool"))
        if made is None:
            return None
        name, entry = made
        tool_id = to_identifier(name, self.tools, fallback="tool", reserved=())
        if "mcp" in entry:  # the tool's id names its secrets' variables: known only now
            self._hide_mcp_secrets(tool_id, entry["mcp"], where)
        self.tools[tool_id] = entry
        self.by_name.setdefault(name, tool_id)
        self._by_identity[identity] = tool_id
        return tool_id

    def _function(self, config: dict[str, Any], where: str) -> tuple[str, dict[str, Any]] | None:
        name = str(config.get("name") or "")
        source = config.get("source_code")
        if not isinstance(source, str) or not source.strip():
            self.notes.append(Note("dropped", f"FunctionTool '{name or '?'}' of {where} — it has no source code"))
            return None
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.notes.append(Note("dropped", f"FunctionTool '{name or '?'}' of {where} — its source code is not valid Python"))
            return None
        functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and not n.name.startswith("_")]
        if not functions:
            self.notes.append(Note("dropped", f"FunctionTool '{name or '?'}' of {where} — its source defines no function"))
            return None
        function = name if name in functions else functions[-1]
        name = name or function
        module = self._module_name(to_identifier(name, fallback="tool", reserved=()))
        self.modules[f"{module}.py"] = module_text(name, config.get("global_imports"), source,
                                                   self.notes, where)
        entry: dict[str, Any] = {"function": f"{module}:{function}"}
        description = config.get("description")
        if isinstance(description, str) and description.strip():
            entry["description"] = " ".join(description.split())
        if config.get("has_cancellation_support"):
            self.notes.append(Note("changed", f"FunctionTool '{name}' of {where}: it takes a cancellation token, "
                                              "which Team Designer does not pass"))
        return name, entry

    def _module_name(self, base: str) -> str:
        """A module name no other module of the import, Python's own modules or an installed
        package has (a tool module named 'json' or 'requests' would stand in for it)."""
        name = base if not _taken_module(base) else f"{base}_tool"
        stem, n = name, 2
        while f"{name}.py" in self.modules or _taken_module(name):
            name, n = f"{stem}_{n}", n + 1
        return name

    def _mcp(self, config: dict[str, Any], label: str, where: str) -> tuple[str, dict[str, Any]] | None:
        params = as_dict(config.get("server_params"))
        transport = _MCP_TRANSPORTS.get(str(params.get("type")))
        if transport is None:
            self.notes.append(Note("dropped", f"McpWorkbench '{label}' of {where} — its server is not stdio, SSE or HTTP"))
            return None
        server: dict[str, Any] = {"transport": transport} if transport != "stdio" else {}
        name = "mcp"
        if transport == "stdio":
            if not isinstance(params.get("command"), str) or not params["command"]:
                self.notes.append(Note("dropped", f"McpWorkbench '{label}' of {where} — its server has no command"))
                return None
            server["command"] = params["command"]
            name = re.sub(r"\W+", "_", params["command"].rsplit("/", 1)[-1])
            args = [str(a) for a in params.get("args") or []]
            if args:
                server["args"] = args
                name = next((a for a in args if not a.startswith("-")), name)
            env = {str(k): str(v) for k, v in as_dict(params.get("env")).items()}
            if env:  # secrets still in: _hide_mcp_secrets replaces them once the tool has its id
                server["env"] = env
            if isinstance(params.get("cwd"), str) and params["cwd"]:
                server["cwd"] = params["cwd"]
        else:
            server["url"] = str(params.get("url") or "")
            headers = {str(k): str(v) for k, v in as_dict(params.get("headers")).items()}
            if headers:
                server["headers"] = headers
            name = re.sub(r"^https?://", "", server["url"]).split("/", 1)[0].split(":", 1)[0] or name
        return to_identifier(name, fallback="mcp", reserved=()), {"mcp": server}

    def _hide_mcp_secrets(self, tool_id: str, server: dict[str, Any], where: str) -> None:
        """Replace the secrets of an MCP server's environment and headers by ``env:`` references.

        Each secret gets a variable of its own, named after the tool (two servers' bearer tokens
        are two tokens); an environment variable keeps its own name unless another server's
        different value already claimed it. The note names the server, never the value."""
        command = " ".join([server.get("command", "")] + [a for a in server.get("args", []) if not a.startswith("-")][:1])
        label = f"MCP server '{tool_id}' ({server.get('url') or command.strip()[:80]}) of {where}"
        stem = tool_id.upper() if "MCP" in tool_id.upper().split("_") else f"{tool_id.upper()}_MCP"
        env = server.get("env", {})
        for key, value in env.items():
            if _SECRET_NAME.search(key) and not _REFERENCE.match(value):
                variable = self._claim(key, value) or self._claim(f"{tool_id.upper()}_{key}", value) or f"{tool_id.upper()}_{key}"
                env[key] = f"env:{variable}"
                self.notes.append(Note("key", f"{label}: {key} was not imported; "
                                              f"the file refers to env:{variable}, set it before running"))
        headers = server.get("headers", {})
        for key, value in headers.items():
            if secret_literal(key, value):
                header = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper()
                base = f"{stem}_TOKEN" if header == "AUTHORIZATION" else f"{stem}_{header}"
                variable = self._claim(base, value) or f"{base}_{len(self._secrets)}"
                self._claim(variable, value)
                scheme = value.split(" ", 1)[0] + " " if " " in value.strip() else ""
                headers[key] = f"{scheme}env:{variable}"
                self.notes.append(Note("key", f"{label}: the {key} header was not imported; "
                                              f"the file refers to env:{variable}, set it before running"))

    def _claim(self, variable: str, value: str) -> str | None:
        """``variable`` when it is free or holds this same secret already (one variable, one value)."""
        if self._secrets.setdefault(variable, value) != value:
            return None
        return variable


def _taken_module(name: str) -> bool:
    if shadows_python_module(name):
        return True
    try:  # finds, never imports: a top-level name has no parent package to run
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return True


def module_text(name: str, imports: object, source: str, notes: list[Note], where: str) -> str:
    """A readable module: where it came from, its imports as import lines, then the source."""
    def plain(text: str) -> str:  # safe inside the docstring, whatever the file named things
        return re.sub(r"[^\w .,()&+-]", "", text)[:80]

    # Nothing of the team in the text: the same tool imported with another team is the same module.
    lines = [f'"""Tool {plain(name)}: an imported AgentChat FunctionTool\'s source code.',
             "",
             "Team Designer runs it only after you trust this file: read it first.",
             '"""', ""]
    import_lines = [line for line in (_import_line(i) for i in imports or []) if line] if isinstance(imports, list) else []
    if isinstance(imports, list) and len(import_lines) < len(imports):
        notes.append(Note("changed", f"FunctionTool '{name}' of {where}: an import that is not a module name was left out"))
    lines += list(dict.fromkeys(import_lines))
    return pep8_spaced("\n".join(lines) + "\n\n" + source.strip("\n") + "\n")


def pep8_spaced(text: str) -> str:
    """``text`` with PEP 8's blank lines between top-level statements: two around a def or class
    (and its comments and decorators), at most one elsewhere. Only lines between statements are
    touched (never one inside a string); text that does not parse is returned as it is."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text
    lines = text.split("\n")
    out: list[str] = []
    done = 0  # lines[:done] are in out
    previous: ast.stmt | None = None
    for node in body:
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno] + [d.lineno for d in decorators]) - 1
        floor = (previous.end_lineno or previous.lineno) if previous is not None else 0
        if start < floor:  # on the previous statement's line ("a = 1; b = 2"): nothing between them
            previous = node
            continue
        while start > floor and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # a comment right above a statement belongs to it
        out += lines[done:start]
        if previous is not None:
            blank = 0
            while out and not out[-1].strip():
                out.pop()
                blank += 1
            around_def = isinstance(node, _DEFS) or isinstance(previous, _DEFS)
            out += [""] * (2 if around_def else min(blank, 1))
        done = start
        previous = node
    out += lines[done:]
    return "\n".join(out)


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _import_line(item: object) -> str | None:
    """'os' -> 'import os'; {'module': 'typing', 'imports': ['List']} -> 'from typing import List'."""
    if isinstance(item, str):
        return f"import {item}" if _DOTTED.fullmatch(item) else None
    if not isinstance(item, dict) or not isinstance(item.get("module"), str) or not _DOTTED.fullmatch(item["module"]):
        return None
    names = []
    for entry in item.get("imports") or []:
        if isinstance(entry, str) and _NAME.fullmatch(entry):
            names.append(entry)
        elif isinstance(entry, dict) and _NAME.fullmatch(str(entry.get("name"))) and _NAME.fullmatch(str(entry.get("alias"))):
            names.append(f"{entry['name']} as {entry['alias']}")
        else:
            return None
    if not names:
        alias = item.get("alias")
        return f"import {item['module']}" + (f" as {alias}" if isinstance(alias, str) and _NAME.fullmatch(alias) else "")
    return f"from {item['module']} import {', '.join(names)}"


def is_agent_tool(component: object) -> bool:
    return is_component(component) and short_name(component["provider"]) in ("AgentTool", "TeamTool")
