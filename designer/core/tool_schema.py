"""JSON Schema of a function's parameters from its parsed source, and its docstring's parts.

Works on ``ast`` nodes only (see :mod:`designer.core.tool_introspect`): type hints are read
as written, never evaluated. Unknown types become an unconstrained schema rather than
an error, because the run builds the real schema from the imported function anyway.
"""

from __future__ import annotations

import ast
import re
from typing import Any

_SIMPLE: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string"},
    "None": {"type": "null"},
    "NoneType": {"type": "null"},
    "list": {"type": "array"},
    "List": {"type": "array"},
    "Sequence": {"type": "array"},
    "tuple": {"type": "array"},
    "Tuple": {"type": "array"},
    "set": {"type": "array"},
    "Set": {"type": "array"},
    "dict": {"type": "object"},
    "Dict": {"type": "object"},
    "Mapping": {"type": "object"},
    "Any": {},
    "object": {},
}
_ARRAYS = {"list", "List", "Sequence", "tuple", "Tuple", "set", "Set", "Iterable"}
_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Returns?|Raises|Yields|Examples?|Notes?)\s*:?\s*$")
_GOOGLE_PARAM = re.compile(r"^\s*\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*(\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_PARAM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[^\s].*$|^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_REST_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # typing.List, t.Optional
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ""


def _literal_schema(values: list[Any]) -> dict[str, Any]:
    kinds = {type(v) for v in values}
    schema: dict[str, Any] = {"enum": values}
    if kinds == {str}:
        schema["type"] = "string"
    elif kinds == {bool}:
        schema["type"] = "boolean"
    elif kinds <= {int}:
        schema["type"] = "integer"
    elif kinds <= {int, float}:
        schema["type"] = "number"
    return schema


def _union(members: list[ast.expr]) -> dict[str, Any]:
    schemas = [annotation_schema(m) for m in members]
    real = [s for s in schemas if s != {"type": "null"}]
    if len(real) == 1:
        return real[0]  # Optional[X]: the null case is the default, not another type
    return {"anyOf": real} if real else {}


def annotation_schema(node: ast.AST | None) -> dict[str, Any]:
    """JSON Schema for a type hint as written in the source."""
    if node is None:
        return {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:  # a string (forward) annotation: parse it, still without evaluating
            return annotation_schema(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return {}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([node.left, node.right])
    if isinstance(node, ast.Subscript):
        outer = _name(node.value)
        inner = node.slice
        args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer in ("Optional", "Union"):
            return _union(args)
        if outer == "Literal":
            values = [a.value for a in args if isinstance(a, ast.Constant)]
            return _literal_schema(values)
        if outer == "Annotated":
            schema = dict(annotation_schema(args[0]))
            notes = [a.value for a in args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if notes:
                schema["description"] = notes[0]
            return schema
        if outer in _ARRAYS:
            schema = {"type": "array"}
            item = annotation_schema(args[0]) if args else {}
            if item:
                schema["items"] = item
            return schema
        if outer in ("dict", "Dict", "Mapping"):
            return {"type": "object"}
        return annotation_schema(node.value)
    return dict(_SIMPLE.get(_name(node), {}))


def _default(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def parameters_schema(args: ast.arguments, docs: dict[str, str] | None = None) -> dict[str, Any]:
    """{"type": "object", "properties": ..., "required": [...]} from a function's arguments."""
    docs = docs or {}
    positional = [*args.posonlyargs, *args.args]
    with_default = [a.arg for a in positional][len(positional) - len(args.defaults):]  # the defaults are the last ones'
    defaults: dict[str, ast.expr] = dict(zip(with_default, args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    properties: dict[str, Any] = {}
    required: list[str] = []
    for arg in [*positional, *args.kwonlyargs]:
        if arg.arg in ("self", "cls"):
            continue
        schema = annotation_schema(arg.annotation)
        if arg.arg in docs and "description" not in schema:
            schema["description"] = docs[arg.arg]
        if arg.arg in defaults:
            known, value = _default(defaults[arg.arg])
            if known and value is not None:
                schema["default"] = value
        else:
            required.append(arg.arg)
        properties[arg.arg] = schema
    return {"type": "object", "properties": properties, "required": required}


def docstring_parts(doc: str) -> tuple[str, dict[str, str]]:
    """(summary, {parameter: description}) from a Google, NumPy or reST style docstring."""
    summary: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    numpy = False
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        rest = _REST_PARAM.match(line)
        heading = _SECTION.match(line)
        if rest:
            current, section = rest.group(1), "rest"
            params[current] = rest.group(2).strip()
        elif heading:
            section = heading.group(1).lower()
            current = None
            if i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
                i += 1  # NumPy underline: 'name : type' lines, the description indented below
                numpy = True
        elif line.strip().startswith(":") and section in (None, "rest"):
            section, current = "rest", None  # :returns: and friends end the summary
        elif section is None:
            summary.append(line)
        elif section in ("args", "arguments", "parameters", "params", "keyword args"):
            indent = len(line) - len(line.lstrip())
            google = None if numpy else _GOOGLE_PARAM.match(line)
            numpy_param = _NUMPY_PARAM.match(line) if numpy and indent == 0 else None
            if google and indent <= 8 and google.group(3):
                current = google.group(1)
                params[current] = google.group(3).strip()
            elif numpy_param:
                current = numpy_param.group(1) or numpy_param.group(2)
                params.setdefault(current, "")
            elif current and line.strip():
                params[current] = f"{params[current]} {line.strip()}".strip()
        elif section == "rest" and current and line.strip():
            params[current] = f"{params[current]} {line.strip()}".strip()
        i += 1
    text = "\n".join(summary).strip()
    return text, {k: v for k, v in params.items()}
