"""Built-in tools: plain Python functions with a stable id, and their registry.

The runtime wraps them into AgentChat tools; the validator and the window read their
descriptions, signatures and accepted options from here without importing AgentChat.
Tools that need a run (its workspace folder, the tool's options) are listed with a
``bind`` that builds the implementation for that run; ``run_python`` needs AgentChat's
code executor, so the runtime implements it.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from .builtin_tools import web, workspace
from .builtin_tools.clock import current_datetime
from .builtin_tools.web import HttpGet
from .builtin_tools.workspace import WorkspaceFiles


def calculate_rectangle_area(length: float, width: float) -> float:
    """Calculate the area of a rectangle from its length and width."""
    if length < 0 or width < 0:
        raise ValueError("length and width must not be negative")
    return length * width


_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "log": math.log,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
_MAX_EXPONENT = 1000


def _evaluate(node: ast.AST) -> float:
    # A whitelist walk over the parsed expression: nothing is ever passed to eval().
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ValueError(f"exponent larger than {_MAX_EXPONENT}")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](*(_evaluate(arg) for arg in node.args))
    raise ValueError(f"unsupported expression element: {ast.dump(node)[:60]}")


def calculator(expression: str) -> float:
    """Evaluate an arithmetic expression such as '(3 + 4) * 2' or 'sqrt(16) / 2'.

    Supports + - * / // % **, parentheses, pi, e and sqrt, abs, round, min, max, log, exp, sin, cos, tan.
    """
    if len(expression) > 500:
        raise ValueError("expression longer than 500 characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an arithmetic expression: {exc.msg}") from None
    result = _evaluate(tree)
    return int(result) if isinstance(result, float) and result.is_integer() and abs(result) < 2**53 else result


def run_python(code: str) -> str:
    """Run a Python program in the run's workspace folder and return what it printed.

    Args:
        code: A complete Python program; print() what you want to see. Files it writes stay in the workspace.
    """
    raise RuntimeError("run_python runs only inside a run, which provides the code executor")


@dataclass(frozen=True)
class ToolContext:
    """What a run gives a built-in tool: the workspace folder, the tool's options and time limit."""

    tool_id: str
    workspace: Path | None = None
    options: Mapping[str, object] = field(default_factory=dict)
    timeout: float = 30.0


@dataclass(frozen=True)
class BuiltinOption:
    name: str
    #: "hosts" (list of host names), "bytes" (a size), or "choice" (one of ``choices``), "text"
    kind: str
    meaning: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuiltinTool:
    id: str
    #: The signature and docstring the model sees (for bound tools, a stub with the same signature).
    function: Callable[..., object]
    description: str
    #: Builds the real implementation for one run; None: ``function`` itself is the implementation.
    bind: Callable[[ToolContext], Callable[..., object]] | None = None
    options: tuple[BuiltinOption, ...] = ()
    #: Implemented by the runtime (it needs AgentChat's code executor), not here.
    in_runtime: bool = False

    def implementation(self, context: ToolContext) -> Callable[..., object]:
        return self.bind(context) if self.bind is not None else self.function


def _files(context: ToolContext) -> WorkspaceFiles:
    if context.workspace is None:
        raise RuntimeError(f"{context.tool_id} needs the run's workspace folder")
    return WorkspaceFiles(context.workspace, max_bytes=_int_option(context.options, "max_bytes", workspace.DEFAULT_MAX_BYTES))


def _int_option(options: Mapping[str, object], name: str, default: int) -> int:
    value = options.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _bind_http_get(context: ToolContext) -> Callable[..., object]:
    hosts = context.options.get("allow_hosts") or []
    getter = HttpGet(
        allow_hosts=tuple(str(h) for h in hosts) if isinstance(hosts, list) else (),
        max_bytes=_int_option(context.options, "max_bytes", web.DEFAULT_MAX_BYTES),
        timeout=context.timeout,
        tool_id=context.tool_id,
    )
    return functools.update_wrapper(lambda url: getter(url), web.http_get)


_MAX_BYTES = BuiltinOption("max_bytes", "bytes", "largest file or answer in bytes")
EXECUTORS = ("local", "docker")

BUILTIN_TOOLS: dict[str, BuiltinTool] = {
    tool.id: tool
    for tool in (
        BuiltinTool(
            "calculate_rectangle_area",
            calculate_rectangle_area,
            "Calculate the area of a rectangle given its length and width.",
        ),
        BuiltinTool(
            "calculator",
            calculator,
            "Evaluate an arithmetic expression, e.g. '(3 + 4) * 2' or 'sqrt(16)'.",
        ),
        BuiltinTool(
            "current_datetime",
            current_datetime,
            "The current date, time and weekday, optionally in an IANA timezone such as 'Europe/Paris'.",
        ),
        BuiltinTool(
            "read_text_file",
            workspace.read_text_file,
            "Read a text file from the run's workspace folder (paths relative to it; nothing outside).",
            bind=lambda c: functools.update_wrapper(lambda path: _files(c).read_text_file(path), workspace.read_text_file),
            options=(_MAX_BYTES,),
        ),
        BuiltinTool(
            "write_text_file",
            workspace.write_text_file,
            "Write a text file into the run's workspace folder (paths relative to it; nothing outside).",
            bind=lambda c: functools.update_wrapper(
                lambda path, content: _files(c).write_text_file(path, content), workspace.write_text_file
            ),
            options=(_MAX_BYTES,),
        ),
        BuiltinTool(
            "http_get",
            web.http_get,
            "Fetch a web page with HTTP GET, only from the hosts listed in the tool's allow_hosts option.",
            bind=_bind_http_get,
            options=(
                BuiltinOption("allow_hosts", "hosts", "host names it may fetch from ('*.example.com' for sub-domains); none by default"),
                _MAX_BYTES,
            ),
        ),
        BuiltinTool(
            "run_python",
            run_python,
            "Run a Python program in the run's workspace folder and return its output (with a time limit).",
            options=(
                BuiltinOption("executor", "choice", "where the code runs: 'local' (this computer) or 'docker' (a container)", EXECUTORS),
                BuiltinOption("image", "text", "the Docker image for executor 'docker' (default python:3-slim)"),
            ),
            in_runtime=True,
        ),
    )
}

_HOST_RE = re.compile(r"^(\*\.)?[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$|^[0-9A-Fa-f:]+$")


def option_problems(builtin: BuiltinTool, options: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """(option name, message, hint) for each option a built-in does not accept as given."""
    known = {o.name: o for o in builtin.options}
    out: list[tuple[str, str, str]] = []
    for name, value in options.items():
        option = known.get(name)
        if option is None:
            accepted = ", ".join(known) or "none"
            out.append((name, f"{builtin.id} has no option {name!r}", f"its options: {accepted}"))
        elif option.kind == "hosts":
            if not isinstance(value, list) or not all(isinstance(h, str) and _HOST_RE.fullmatch(h) for h in value):
                out.append((name, f"{name} must be a list of host names", "e.g. [example.com, '*.wikipedia.org', 127.0.0.1]"))
        elif option.kind == "bytes":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= workspace.MAX_BYTES_LIMIT:
                out.append((name, f"{name} must be a whole number from 1 to {workspace.MAX_BYTES_LIMIT}", ""))
        elif option.kind == "choice":
            if value not in option.choices:
                out.append((name, f"{name} must be one of {', '.join(option.choices)}", ""))
        elif not isinstance(value, str) or not value.strip():
            out.append((name, f"{name} must be a non-empty text", ""))
    return out
