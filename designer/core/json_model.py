"""An agent's ``output_schema`` (a small JSON Schema) as a pydantic model: AgentChat's
``output_content_type``, which makes the agent's reply a StructuredMessage.

Only a subset of JSON Schema is taken, the part every structured-output backend (OpenAI's
strict mode, llama.cpp's grammar) understands the same way: objects with ``properties`` and
``required``; properties of type string, integer, number, boolean, array (with ``items``) or a
nested object; ``enum``; ``description`` and ``title``; ``additionalProperties: false``.
Anything else is refused with the sub-key it was found at, rather than half-honoured.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

#: A location inside the schema: keys and list indexes from the ``output_schema`` down.
SchemaPath = tuple[str | int, ...]

_SCALARS: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
_TYPES = (*_SCALARS, "array", "object")
_KEYS = {
    "object": {"type", "properties", "required", "description", "title", "additionalProperties"},
    "array": {"type", "items", "description", "title"},
    "scalar": {"type", "enum", "description", "title"},
}
SUPPORTED = "type (string, integer, number, boolean, array, object), properties, required, items, enum, description, title"


class SchemaError(ValueError):
    """The schema is outside the supported subset; ``path`` is where, inside the output_schema."""

    def __init__(self, message: str, path: SchemaPath = ()) -> None:
        super().__init__(message)
        self.path = path


class StructuredReply(BaseModel):
    """The base of every model built here: a reply that breaks the schema fails in one line that
    names the agent and the first broken field (pydantic's own message spans several lines)."""

    # Unknown keys are errors (OpenAI's strict mode wants additionalProperties: false too), and
    # replies are written with the schema's property names, not the generated field names.
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)
    owner: ClassVar[str] = ""

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Any:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "the reply"
            text = json_data if isinstance(json_data, str) else bytes(json_data).decode("utf-8", "replace")
            shown = text if len(text) <= 80 else text[:77] + "..."
            who = f"{cls.owner}'s reply" if cls.owner else "the reply"
            raise ValueError(f"{who} does not follow its output_schema ({where}: {first.get('msg', 'invalid')}): {shown!r}") from None


def schema_problem(schema: Mapping[str, Any]) -> SchemaError | None:
    """Why ``schema`` cannot be an output schema (None: it can)."""
    try:
        model_from_schema(schema, "Reply")
    except SchemaError as exc:
        return exc
    return None


def model_from_schema(schema: Mapping[str, Any], name: str, owner: str = "") -> type[StructuredReply]:
    """The pydantic model replies must validate against; SchemaError for an unsupported schema.
    ``owner`` (the agent's id) names whose reply broke it in the error a bad reply raises."""
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise SchemaError("an output_schema must be an object schema ('type: object' with 'properties')",
                          ("type",) if isinstance(schema, Mapping) else ())
    model = _object(schema, _safe_name(name), ())
    model.owner = owner
    return model


def _object(schema: Mapping[str, Any], name: str, path: SchemaPath) -> type[StructuredReply]:
    _only(schema, _KEYS["object"], path)
    props = schema.get("properties")
    if not isinstance(props, Mapping) or not props:
        raise SchemaError("an object needs 'properties' (at least one)", path + ("properties",))
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise SchemaError("'required' must be a list of property names", path + ("required",))
    for i, key in enumerate(required):
        if key not in props:
            raise SchemaError(f"'required' names {key!r}, which is not a property", path + ("required", i))
    if schema.get("additionalProperties", False) is not False:
        raise SchemaError("only 'additionalProperties: false' is supported", path + ("additionalProperties",))
    fields: dict[str, Any] = {}
    for i, (key, sub) in enumerate(props.items()):
        if not isinstance(key, str) or not key:
            raise SchemaError("a property name must be a non-empty text", path + ("properties",))
        where = path + ("properties", key)
        kind = _type_of(sub, where, f"{name}_{_safe_name(key)}")
        description = sub.get("description") if isinstance(sub.get("description"), str) else None
        # Generated field names with the property name as alias: a property may be called
        # 'model_config', 'json' or 'my-key', none of which can be a pydantic attribute.
        if key in required:
            fields[f"f{i}"] = (kind, Field(alias=key, description=description))
        else:
            fields[f"f{i}"] = (kind | None, Field(default=None, alias=key, description=description))
    title = schema.get("title")
    if title is not None and not isinstance(title, str):
        raise SchemaError("'title' must be a text", path + ("title",))
    model: type[StructuredReply] = create_model(name, __base__=StructuredReply, __cls_kwargs__={"title": title or name}, **fields)
    return model


def _type_of(schema: Any, path: SchemaPath, name: str) -> Any:
    if not isinstance(schema, Mapping):
        raise SchemaError("a property's schema must be a mapping (e.g. {type: string})", path)
    kind = schema.get("type")
    if "enum" in schema:
        _only(schema, _KEYS["scalar"], path)
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            raise SchemaError("'enum' must be a non-empty list", path + ("enum",))
        for i, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise SchemaError("enum values must be texts or numbers", path + ("enum", i))
            if kind is not None and not _fits(value, kind):
                raise SchemaError(f"enum value {value!r} is not of type {kind}", path + ("enum", i))
        return Literal[tuple(values)]
    if kind not in _TYPES:
        shown = f" {kind!r}" if isinstance(kind, str) else ""
        raise SchemaError(f"unsupported type{shown}: write one of {', '.join(_TYPES)}", path + ("type",))
    if kind == "object":
        return _object(schema, name, path)
    if kind == "array":
        _only(schema, _KEYS["array"], path)
        if "items" not in schema:
            raise SchemaError("an array needs 'items' (the schema of each element)", path + ("items",))
        return list[_type_of(schema["items"], path + ("items",), f"{name}_item")]  # type: ignore[misc]
    _only(schema, _KEYS["scalar"], path)
    return _SCALARS[kind]


def _fits(value: Any, kind: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, (int, float))
    return False  # enum values are texts or numbers only


def _only(schema: Mapping[str, Any], allowed: set[str], path: SchemaPath) -> None:
    for key in schema:
        if key not in allowed:
            raise SchemaError(f"{key!r} is not supported in an output_schema here (supported: {SUPPORTED})",
                              path + (str(key),))


def _safe_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "Reply"
    return cleaned if cleaned[0].isalpha() else f"M{cleaned}"
