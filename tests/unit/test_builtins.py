"""Built-in tools: correct answers, clear errors, nothing evaluated beyond arithmetic."""

from __future__ import annotations

import pytest

from designer.core.builtins import BUILTIN_TOOLS, calculate_rectangle_area, calculator


def test_rectangle_area():
    assert calculate_rectangle_area(10.5, 4) == 42.0
    with pytest.raises(ValueError):
        calculate_rectangle_area(-1, 2)


@pytest.mark.parametrize(
    "expression, value",
    [("(3 + 4) * 2", 14), ("sqrt(16) / 2", 2), ("2 ** 10", 1024), ("-7 // 2", -4), ("round(pi, 2)", 3.14), ("max(1, 5, 3)", 5)],
)
def test_calculator(expression: str, value: float):
    assert calculator(expression) == value


@pytest.mark.parametrize(
    "expression", ["__import__('os').system('true')", "open('x')", "().__class__", "a", "2 ** 100000", "lambda: 1", "[1, 2]"]
)
def test_calculator_refuses_anything_but_arithmetic(expression: str):
    with pytest.raises(ValueError):
        calculator(expression)


def test_builtins_have_ids_and_descriptions():
    assert {"calculate_rectangle_area", "calculator"} <= set(BUILTIN_TOOLS)
    assert all(tool.description for tool in BUILTIN_TOOLS.values())
