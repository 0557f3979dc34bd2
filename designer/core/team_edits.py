"""Edits of the team-wide tables (inputs, the model library): pure functions, one per gesture.

The team panel edits one table cell at a time; each committed cell becomes one of these,
an edit of the whole ``inputs`` or ``models`` mapping. The CLI and Qt-free tests use them too.
"""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import ValidationError

from .edit_result import Edited
from .edits import rename_model, set_team_field, unique_id
from .errors import EditError
from .providers import DEFAULT_BASE_URLS
from .spec import InputSpec, ModelSpec, TeamSpec, is_identifier

INPUT_COLUMNS: tuple[str, ...] = ("name", "default", "description")
MODEL_COLUMNS: tuple[str, ...] = ("id", "provider", "model", "base_url", "api_key")
#: What a refused cell should have held, in words the user can act on.
_REFUSED = {
    "base_url": "a base URL starts with http:// or https://, e.g. http://127.0.0.1:11434/v1",
    "api_key": "enter a reference such as env:OPENAI_API_KEY or keyring:NAME, never the key itself",
}


def _row_key(keys: Iterable[str], row: int, what: str) -> str:
    keys = list(keys)
    if not 0 <= row < len(keys):
        raise EditError(f"there is no {what} in row {row + 1}")
    return keys[row]


def add_input(spec: TeamSpec) -> Edited[str]:
    """A new, empty input at the end; the extra result is its name (input, input_2, ...)."""
    name = unique_id(spec.inputs, "input")
    return Edited(set_team_field(spec, "inputs", {**spec.inputs, name: InputSpec()}), name)


def remove_inputs(spec: TeamSpec, names: Iterable[str]) -> TeamSpec:
    gone = set(names)
    return set_team_field(spec, "inputs", {k: v for k, v in spec.inputs.items() if k not in gone})


def edit_input(spec: TeamSpec, row: int, column: str, text: str) -> TeamSpec:
    """One cell of the inputs table; a new name keeps the input's place."""
    if column not in INPUT_COLUMNS:
        raise EditError(f"inputs have no column {column!r}")
    name = _row_key(spec.inputs, row, "input")
    if column == "name":
        new = text.strip()
        if new == name:
            return spec
        if not is_identifier(new):
            raise EditError(f"{new!r} is not a valid input name: use letters, digits and '_'")
        if new in spec.inputs:
            raise EditError(f"an input named {new!r} already exists")
        inputs = {(new if k == name else k): v for k, v in spec.inputs.items()}
    else:
        inputs = {**spec.inputs, name: spec.inputs[name].model_copy(update={column: text})}
    return set_team_field(spec, "inputs", inputs)


def _checked_model(model: ModelSpec, column: str) -> ModelSpec:
    # model_copy skips validation; re-validate so a bad URL or a literal key never gets in.
    try:
        ModelSpec.model_validate(model.model_dump(by_alias=True))
    except ValidationError as exc:
        raise EditError(_REFUSED.get(column, exc.errors()[0]["msg"])) from None
    return model


def edit_model(spec: TeamSpec, row: int, column: str, text: str) -> TeamSpec:
    """One cell of the models table (the id column renames, and references follow)."""
    if column not in MODEL_COLUMNS:
        raise EditError(f"models have no column {column!r}")
    model_id = _row_key(spec.models, row, "model")
    if column == "id":
        return rename_model(spec, model_id, text)
    model = spec.models[model_id]
    value: Any = text.strip()
    if column == "provider":
        update: dict[str, Any] = {"provider": value}
        # Scripted replies mean nothing to a real provider: keeping them would only fail validation later.
        if value != "scripted" and model.responses is not None:
            update["responses"] = None
        if value != "scripted" and model.delay is not None:
            update["delay"] = None
        if not model.base_url and value in DEFAULT_BASE_URLS:
            update["base_url"] = DEFAULT_BASE_URLS[value]  # the preset users most often get wrong
    else:
        update = {column: value if column == "model" else (value or None)}
    new = _checked_model(model.model_copy(update=update), column)
    return set_team_field(spec, "models", {**spec.models, model_id: new})
