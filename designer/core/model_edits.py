"""Edits of the model library for the Models dialog: pure functions, one per user gesture.

Each returns a new spec (the controller wraps it as one undoable step) or raises
EditError with words for the user. A value that could be a key instead of a reference is
refused here, before it can reach the document.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .edit_result import Edited
from .edits import set_team_field, unique_id
from .errors import EditError
from .providers import PRESETS, effective_model_info
from .secrets import is_reference
from .records import Prices
from .spec import ModelInfoSpec, ModelOptions, ModelSpec, TeamSpec

CAPABILITY_FLAGS: tuple[str, ...] = ("vision", "function_calling", "json_output", "structured_output")
_TEXT_FIELDS = ("model", "base_url", "api_key", "deployment", "api_version", "path")


def _replace(spec: TeamSpec, model_id: str, model: ModelSpec) -> TeamSpec:
    # model_copy does not validate: re-check so a bad URL or a literal key never gets in. None
    # fields are dropped (unset), so the file does not fill up with 'base_url: null'.
    data = {k: v for k, v in model.model_dump(by_alias=True, exclude_unset=True).items() if v is not None}
    try:
        checked = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise EditError(exc.errors()[0]["msg"]) from None
    return set_team_field(spec, "models", {**spec.models, model_id: checked})


def _model(spec: TeamSpec, model_id: str) -> ModelSpec:
    if model_id not in spec.models:
        raise EditError(f"there is no model {model_id!r}")
    return spec.models[model_id]


def add_model_from_preset(spec: TeamSpec, preset_key: str = "embedded") -> Edited[str]:
    """A new entry filled from a preset; returns the spec and the new id."""
    preset = PRESETS[preset_key]
    model_id = unique_id(spec.models, preset.key if preset.key != "embedded" else "model")
    model = preset.apply(ModelSpec(provider="embedded"))
    return Edited(set_team_field(spec, "models", {**spec.models, model_id: model}), model_id)


def apply_preset(spec: TeamSpec, model_id: str, preset_key: str) -> TeamSpec:
    """Provider, base URL, capability flags and key reference from a preset."""
    if preset_key not in PRESETS:
        raise EditError(f"unknown preset {preset_key!r}")
    return _replace(spec, model_id, PRESETS[preset_key].apply(_model(spec, model_id)))


def set_model_text(spec: TeamSpec, model_id: str, field: str, text: str) -> TeamSpec:
    """One text field of an entry; empty means 'not set' (except the model name)."""
    if field not in _TEXT_FIELDS:
        raise EditError(f"{field!r} is not a text field of a model")
    value: str | None = text.strip()
    if field == "api_key" and value and not is_reference(value):
        raise EditError("enter a reference such as env:OPENAI_API_KEY or keyring:NAME, never the key itself "
                        "(type the key into the API key field below and press Store key)")
    if field == "base_url" and value and not value.startswith(("http://", "https://")):
        raise EditError("a base URL starts with http:// or https://, e.g. http://127.0.0.1:11434/v1")
    if field != "model" and not value:
        value = None
    return _replace(spec, model_id, _model(spec, model_id).model_copy(update={field: value}))


def set_capability(spec: TeamSpec, model_id: str, flag: str, value: Any) -> TeamSpec:
    """One capability flag (or the family); declaring one declares them all, from what applies now."""
    model = _model(spec, model_id)
    info = effective_model_info(model) or ModelInfoSpec()
    if flag == "family":
        value = str(value).strip() or "unknown"
    elif flag not in CAPABILITY_FLAGS:
        raise EditError(f"unknown capability {flag!r}")
    else:
        value = bool(value)
    return _replace(spec, model_id, model.model_copy(update={"model_info": info.model_copy(update={flag: value})}))


def option_label(name: str) -> str:
    """'max_tokens' -> 'Max tokens': how the dialog and its messages name an option."""
    return name.replace("_", " ").capitalize()


def set_option(spec: TeamSpec, model_id: str, name: str, text: str) -> TeamSpec:
    """One entry of a model's ``options`` from what the user typed; empty means 'not set'."""
    if name not in ModelOptions.model_fields:
        raise EditError(f"{name!r} is not a model option")
    model = _model(spec, model_id)
    data = model.options.model_dump(exclude_unset=True)
    value = text.strip()
    if value:
        data[name] = value  # pydantic reads the number from the text and checks its range
    else:
        data.pop(name, None)
    try:
        options = ModelOptions.model_validate(data)
    except ValidationError as exc:
        raise EditError(f"{option_label(name)}: {exc.errors()[0]['msg'].lower()} (empty = not set)") from None
    return _replace(spec, model_id, model.model_copy(update={"options": options}))


#: The price fields as the Models dialog labels them.
PRICE_FIELDS = {"input": "Input per million tokens", "output": "Output per million tokens", "currency": "Currency"}


def set_price(spec: TeamSpec, model_id: str, name: str, text: str) -> TeamSpec:
    """One field of a model's ``prices`` from what the user typed. Emptying both prices removes
    them (the cost is then unknown); a price typed alone gets 0 for the other, shown in the field."""
    if name not in PRICE_FIELDS:
        raise EditError(f"{name!r} is not a price field")
    model = _model(spec, model_id)
    data: dict[str, object] = model.prices.model_dump() if model.prices is not None else {}
    value = text.strip()
    if value:
        data[name] = value.upper() if name == "currency" else value
    else:
        data.pop(name, None)
    if name != "currency" and not value and data.get("input" if name == "output" else "output") in (None, 0, 0.0):
        return _replace(spec, model_id, model.model_copy(update={"prices": None}))
    if "input" not in data and "output" not in data:
        raise EditError("give a price per million input or output tokens first")
    data.setdefault("input", 0)
    data.setdefault("output", 0)
    try:
        prices = Prices.model_validate(data)
    except ValidationError as exc:
        raise EditError(f"{PRICE_FIELDS[name]}: {exc.errors()[0]['msg'].lower()}") from None
    return _replace(spec, model_id, model.model_copy(update={"prices": prices}))
