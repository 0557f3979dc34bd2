"""Validation of the tool library, from source only.

Function references are checked by parsing the module's source (never importing it);
MCP servers by looking at their command and folder (never starting them), or at their URL
and headers (never contacting them). Checks that
need the team file's folder run only when the caller knows it (``locations``).
"""

from __future__ import annotations

import importlib.util
import re

from .builtins import BUILTIN_TOOLS, option_problems
from .mcp_remote import remote_problems
from .problems import Path, Problem
from .spec import TeamSpec, ToolSpec
from .tool_introspect import IntrospectionError, ToolLocations, introspect_function
from .trust import mcp_cwd, mcp_program, used_tool_ids

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
_REFERENCE = re.compile(r"^(env|keyring):[A-Za-z0-9_.\-/]{1,128}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def docker_problem() -> str | None:
    """Why the Docker executor cannot work here (found without starting anything), or None."""
    if importlib.util.find_spec("docker") is None:
        return "the 'docker' Python package is not installed (pip install docker)"
    return None


def _tool(tool_id: str, tool: ToolSpec, locations: ToolLocations | None, out: list[Problem], used: bool) -> None:
    path: Path = ("tools", tool_id)

    def error(message: str, where: Path, hint: str = "") -> None:
        out.append(Problem(message, where, hint))

    def unresolved(message: str, where: Path, hint: str = "") -> None:
        # Blocks the run only when an agent of the run uses the tool; a spare library entry warns.
        out.append(Problem(message, where, hint, severity="error" if used else "warning"))

    if tool.source != "builtin" and tool.options:
        error("options apply to built-in tools only", path + ("options",), "remove 'options' from this tool")
    if tool.builtin is not None:
        builtin = BUILTIN_TOOLS.get(tool.builtin)
        if builtin is None:
            return  # reported by the main validator
        for name, message, hint in option_problems(builtin, tool.options):
            error(message, path + ("options", name), hint)
        if builtin.id == "run_python" and tool.options.get("executor") == "docker":
            reason = docker_problem()
            if reason:
                out.append(Problem(f"run_python is set to run code in Docker, but {reason}", path + ("options", "executor"),
                                   "install Docker and the docker package, or use executor: local", severity="warning"))
    elif tool.function is not None and locations is not None:
        try:
            introspect_function(tool.function, locations)
        except IntrospectionError as exc:
            unresolved(exc.message, path + ("function",), exc.hint)
    elif tool.mcp is not None:
        server = tool.mcp
        for name, value in server.env.items():
            if not _ENV_NAME.fullmatch(name):
                error(f"{name!r} is not an environment variable name", path + ("mcp", "env", name))
            elif _SECRET_NAME.search(name) and not _REFERENCE.fullmatch(value):
                error(f"{name} looks like a secret: write a reference, never the value", path + ("mcp", "env", name),
                      f"e.g. env:{name} or keyring:{name.lower()}")
        if server.tools is not None and not server.tools:
            error("the tool filter lists no tool", path + ("mcp", "tools"), "remove 'tools' to use all the server's tools")
        if server.transport != "stdio":  # a URL: checked as written, nothing on this computer to find
            out.extend(remote_problems(path + ("mcp",), server))
            return
        if locations is None or server.command is None:
            return
        cwd = mcp_cwd(server, locations)
        if server.cwd is not None and (cwd is None or not cwd.is_dir()):
            unresolved(f"no folder {server.cwd!r} for the MCP server to run in", path + ("mcp", "cwd"),
                  "a path relative to the team file's folder, or an absolute one")
            return
        if mcp_program(server, cwd) is None:
            where = "on PATH" if "/" not in server.command else f"at {server.command}"
            unresolved(f"the MCP server's command {server.command!r} is not found {where}", path + ("mcp", "command"),
                  "install the program, or give its full path")


def tool_problems(spec: TeamSpec, locations: ToolLocations | None) -> list[Problem]:
    """Problems of the tool library; ``locations`` None skips checks that need the file's folder."""
    out: list[Problem] = []
    used = set(used_tool_ids(spec))
    for tool_id, tool in spec.tools.items():
        _tool(tool_id, tool, locations, out, tool_id in used)
    return out
