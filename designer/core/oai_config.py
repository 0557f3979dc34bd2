"""Import AutoGen's ``OAI_CONFIG_LIST`` (a JSON list of model/api_key/base_url/api_type entries).

Each entry becomes a model entry of the team. Keys move into the keyring through
:func:`designer.core.secrets.store_key` and only their reference reaches the spec;
without a keyring the key is dropped and the report names the environment variable to
set. Nothing here ever echoes a key: reports name entries by model and position only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .ids import to_identifier
from .providers import GEMINI_BASE_URL, PRESETS, default_key_env
from .safefile import describe_os_error, read_regular_file
from .secrets import StoredKey, is_placeholder_key, is_reference, store_key
from .spec import ModelSpec, TeamSpec

MAX_FILE_BYTES = 1_000_000


class OaiConfigError(ValueError):
    """The file is not an OAI_CONFIG_LIST; the message says what is wrong (never its content)."""


@dataclass
class ImportReport:
    spec: TeamSpec
    added: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: Environment variables the user must set before running (no keyring here).
    env_vars: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = f"Imported {len(self.added)} model{'s' if len(self.added) != 1 else ''}"
        head += f": {', '.join(self.added)}." if self.added else "."
        return "\n".join([head, *self.messages])


def parse_oai_config(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Position only: the message must not quote the file, which holds keys.
        raise OaiConfigError(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except ValueError:  # an integer of thousands of digits (int() refuses past 4300)
        raise OaiConfigError("not valid JSON: a number is far too long") from None
    except RecursionError:  # lists nested past the parser's stack: no OAI_CONFIG_LIST is
        raise OaiConfigError("not an OAI_CONFIG_LIST: it is nested far too deeply") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise OaiConfigError("an OAI_CONFIG_LIST is a JSON list of objects")
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), str) or not entry["model"].strip():
            raise OaiConfigError(f"entry {i + 1} has no 'model' name")
    return data


def read_oai_config(path: str | Path) -> list[dict[str, Any]]:
    file = Path(path)
    try:
        data = read_regular_file(file, MAX_FILE_BYTES)  # a FIFO must not block the import
        if len(data) > MAX_FILE_BYTES:
            raise OaiConfigError("the file is larger than an OAI_CONFIG_LIST can be (1 MB)")
        text = data.decode("utf-8")
    except OSError as exc:
        raise OaiConfigError(f"cannot read {file}: {describe_os_error(exc)}") from None
    except UnicodeDecodeError:
        raise OaiConfigError(f"{file} is not UTF-8 text") from None
    return parse_oai_config(text)


def _model_spec(entry: dict[str, Any]) -> ModelSpec | str:
    """The model entry for one config entry, or the reason it is skipped."""
    api_type = str(entry.get("api_type") or "openai").lower()
    name = entry["model"].strip()
    base_url = entry.get("base_url") or None
    if base_url is not None and not re.fullmatch(r"https?://\S+", str(base_url)):
        return "its base_url is not an http(s) URL"
    if api_type == "azure":
        return ModelSpec(provider="azure_openai", model=name, deployment=entry.get("azure_deployment") or name,
                         base_url=base_url, api_version=entry.get("api_version") or "2024-10-21")
    if api_type == "anthropic":
        return ModelSpec(provider="anthropic", model=name)
    if api_type in ("google", "gemini") or (base_url and "generativelanguage.googleapis.com" in base_url):
        return ModelSpec(provider="gemini", model=name, base_url=GEMINI_BASE_URL)
    if api_type == "ollama" or (base_url and ":11434" in base_url):
        host = str(entry.get("client_host") or base_url or "http://127.0.0.1:11434").rstrip("/")
        url = host if host.endswith("/v1") else f"{host}/v1"  # the /v1 users most often forget
        return ModelSpec(provider="ollama", model=name, base_url=url, model_info=PRESETS["ollama"].model_info)
    if api_type != "openai" and not base_url:
        return f"api_type {api_type!r} is not supported"
    if base_url and "api.openai.com" not in base_url:
        return ModelSpec(provider="openai_compatible", model=name, base_url=base_url,
                         model_info=PRESETS["lmstudio"].model_info)
    return ModelSpec(provider="openai", model=name, base_url=base_url)


def import_oai_config(
    spec: TeamSpec, entries: list[dict[str, Any]], *, store: Callable[..., StoredKey] = store_key
) -> ImportReport:
    """Add one model entry per config entry; keys go through ``store``, never into the spec."""
    report = ImportReport(spec)
    models = dict(spec.models)
    by_value: dict[str, StoredKey] = {}  # one keyring entry per distinct key
    claimed_vars: set[str] = set()
    for i, entry in enumerate(entries):
        try:
            made = _model_spec(entry)
        except ValueError as exc:  # a value no model entry can hold (pydantic's ValidationError)
            made = f"a value is not valid for a model entry ({_invalid_fields(exc)})"
        label = f"entry {i + 1} ({entry['model'].strip()[:60]})"
        if isinstance(made, str):
            report.messages.append(f"Skipped {label}: {made}.")
            continue
        if any(m.provider == made.provider and m.model == made.model and m.base_url == made.base_url
               for m in models.values()):
            report.messages.append(f"Skipped {label}: the team already has this model.")
            continue
        model_id = to_identifier(made.model, models, fallback="model")  # one mapping of names to ids
        key = entry.get("api_key")
        ref: str | None = None
        local = made.provider in ("ollama", "openai_compatible")
        if isinstance(key, str) and key.strip() and not (local and is_placeholder_key(key)):
            if is_reference(key):
                ref = key.strip()
            elif key in by_value:
                ref = by_value[key].ref
            else:
                conventional = default_key_env(made.provider)
                variable = conventional if conventional and conventional not in claimed_vars else None
                stored = store(model_id, key, env_var=variable or f"{model_id.upper()}_API_KEY")
                by_value[key] = stored
                ref = stored.ref
                if stored.env_var:
                    claimed_vars.add(stored.env_var)
                    report.env_vars.append(stored.env_var)
                report.messages.append(f"{model_id}: {stored.message}")
        elif made.provider in ("openai", "azure_openai", "anthropic", "gemini"):
            ref = f"env:{default_key_env(made.provider)}"
        models[model_id] = made.model_copy(update={"api_key": ref}) if ref else made
        report.added.append(model_id)
    report.spec = spec.model_copy(update={"models": models})
    # Re-validate: model_copy skips validation, and a file must never hold a non-reference.
    TeamSpec.model_validate(report.spec.model_dump(by_alias=True))
    return report


def _invalid_fields(exc: ValueError) -> str:
    """The names of the fields a validation error is about; never their values (one may be a key)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        names = [".".join(str(p) for p in e.get("loc", ())) for e in errors()]
        return ", ".join(n for n in names if n) or "unknown field"
    return "unknown field"
