"""Checks written compactly, as one table cell: ``contains: 12; tool-called: calculate_rectangle_area``.

Each item is ``type: value`` (or the type alone, e.g. ``is-json``), items are separated by
``;``; a value with a ``;`` in it is quoted (``contains: "a; b"``), and a check with more than
a type and a value is written as a YAML flow mapping (``{type: llm-rubric, value: polite,
threshold: 0.8}``). The text becomes the check dicts an evaluation file holds; whether they
are valid checks is decided by :func:`designer.core.eval_file.load_eval`, as for the CLI, so
this module only reads the text's shape. Pure Python: no Qt here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ...core.eval_spec import LIST_VALUED, NUMBER_VALUED, THRESHOLD_VALUED, base_type

# A list value is written "a, b, c" (or a YAML flow list); latency and cost's number is their threshold.
HELP = ("Checks, separated by ';': type: value, e.g. contains: 12; tool-called: calculate_rectangle_area; "
        "max-messages: 6; contains-any: yes, ok; is-json; handoff: source -> target. "
        "Quote a value holding ';' (contains: \"a; b\"); write other fields as {type: llm-rubric, value: ..., threshold: 0.8}.")


class CheckTextError(ValueError):
    """The text cannot be read as checks; the message says where."""


def _split(text: str) -> list[str]:
    """The items between ';' outside quotes, braces and brackets."""
    items: list[str] = []
    depth, quote, start = 0, "", 0
    for at, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == ";" and depth <= 0:
            items.append(text[start:at])
            start = at + 1
    if quote:
        raise CheckTextError(f"a quote ({quote}) is not closed")
    if depth > 0:
        raise CheckTextError("a '{' or '[' is not closed")
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _yaml(text: str, what: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem", None) or "not valid YAML"
        raise CheckTextError(f"{what}: {mark}") from None


def _scalar(text: str) -> str:
    """A text value: as written, or the quoted text unquoted."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        value = _yaml(text, f"cannot read {text}")
        return value if isinstance(value, str) else text
    return text


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # left as text: validation says the check needs a number
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def parse_item(item: str) -> dict[str, Any]:
    if item.startswith("{"):
        value = _yaml(item, f"cannot read {item[:40]}")
        if not isinstance(value, dict):
            raise CheckTextError(f"{item[:40]} is not a mapping")
        return value
    kind, sep, rest = item.partition(":")
    kind, rest = kind.strip(), rest.strip()
    if not kind or " " in kind:
        raise CheckTextError(f"{item[:40]!r}: write 'type: value' (e.g. contains: 12)")
    check: dict[str, Any] = {"type": kind}
    if not sep or not rest:
        return check
    base, _ = base_type(kind)
    if base in LIST_VALUED:
        listed = _yaml(rest, f"cannot read {rest[:40]}") if rest.startswith("[") else \
            [_scalar(v.strip()) for v in rest.split(",") if v.strip()]
        check["value"] = listed
    elif kind in NUMBER_VALUED:
        check["value"] = _number(rest)
    elif kind in THRESHOLD_VALUED:
        check["threshold"] = _number(rest)
    elif kind == "finish-reason":
        reasons = [v.strip() for v in rest.split(",") if v.strip()]
        check["value"] = reasons[0] if len(reasons) == 1 else reasons
    elif kind == "json-schema":
        check["value"] = _yaml(rest, "cannot read the JSON Schema")
    elif kind in ("tool-called", "not-tool-called") and "{" in rest:
        name, _, arguments = rest.partition("{")
        check["value"] = name.strip()
        check["arguments"] = _yaml("{" + arguments, "cannot read the tool's arguments")
    elif kind == "handoff" and "->" in rest:
        source, _, target = rest.partition("->")
        if source.strip():
            check["source"] = source.strip()
        if target.strip() and target.strip() != "*":
            check["value"] = target.strip()
    else:
        check["value"] = _scalar(rest)
    return check


def parse_checks(text: str) -> list[dict[str, Any]]:
    """The checks a cell holds, in order (CheckTextError for text of the wrong shape)."""
    return [parse_item(item) for item in _split(text)]


_PLAIN = re.compile(r"^[^\s;\"'{\[,][^;]*$")


def _text(value: str, *, in_list: bool = False) -> str:
    plain = _PLAIN.match(value) and value == value.strip() and not (in_list and "," in value)
    return value if plain else json.dumps(value, ensure_ascii=False)


def _flow(check: dict[str, Any]) -> str:
    return yaml.safe_dump(check, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000).strip()


def format_check(check: dict[str, Any]) -> str:
    """One check dict as the cell shows it (the flow mapping when the short form cannot say it)."""
    kind = check.get("type")
    if not isinstance(kind, str) or not kind or " " in kind or ":" in kind:
        return _flow(check)
    rest = {k: v for k, v in check.items() if k != "type"}
    value = rest.pop("value", None)
    base, _ = base_type(kind)
    if kind in THRESHOLD_VALUED and value is None and set(rest) == {"threshold"}:
        value = rest.pop("threshold")
    if kind == "handoff" and set(rest) <= {"source"} and (value is None or isinstance(value, str)):
        source = rest.pop("source", None)
        if source is not None:
            return f"handoff: {source} -> {value or '*'}"
    if kind in ("tool-called", "not-tool-called") and set(rest) == {"arguments"} and isinstance(value, str):
        arguments = rest.pop("arguments")
        if isinstance(arguments, dict):
            return f"{kind}: {_text(value)} {_flow(arguments)}"
    if rest:
        return _flow(check)
    if value is None:
        return kind
    if isinstance(value, bool):
        return _flow(check)
    if isinstance(value, (int, float)):
        return f"{kind}: {value}"
    if isinstance(value, str):
        return f"{kind}: {_text(value)}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
        if base in LIST_VALUED:
            return f"{kind}: " + ", ".join(_text(v, in_list=True) for v in value)
        if kind == "finish-reason":
            return f"{kind}: " + ", ".join(value)
    if isinstance(value, dict) and kind == "json-schema":
        return f"{kind}: {_flow(value)}"
    return _flow(check)


def format_checks(checks: list[Any]) -> str:
    return "; ".join(format_check(c) if isinstance(c, dict) else _flow({"type": c}) for c in checks)
