"""Built-in tools: plain, dependency-free Python functions with a stable id.

The runtime wraps them into AgentChat tools; the validator and the window read their
descriptions from here without importing AgentChat.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Callable


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


@dataclass(frozen=True)
class BuiltinTool:
    id: str
    function: Callable[..., object]
    description: str


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
    )
}
