"""Model clients of an imported team -> the team file's ``models:`` entries (data only).

One entry per distinct client configuration: every agent of an AutoGen Studio team carries its
own copy of the same client, and a file with five equal ``gpt-4o-mini`` entries would say
nothing the one entry does not. A key in a client's config becomes a :class:`FoundKey` (held
in memory for :mod:`.save_import`), never a value of the entry.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from ..ids import to_identifier
from ..providers import GEMINI_BASE_URL, PRESETS, default_key_env
from ..secrets import is_placeholder_key, is_reference
from . import FoundKey, Note, NoteLevel
from .components import as_dict, is_component, short_name
from .embedded_mark import EMBEDDED_NAME, IMPORTED_NOTE, is_exported_embedded

#: What AgentChat writes for a key when the config was dumped with its secrets masked.
MASKED = "**********"
#: Providers that need a key: without one in the file, the entry refers to the usual variable.
_KEYED = ("openai", "azure_openai", "anthropic", "gemini")
_MODEL_INFO_FIELDS = ("vision", "function_calling", "json_output", "structured_output", "family")
_OPTIONS = ("temperature", "max_tokens", "seed", "top_p", "parallel_tool_calls")
_URL = re.compile(r"https?://\S+")


class ModelTable:
    """The models found so far: config -> id, how often each is used, the keys found."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.models: dict[str, dict[str, Any]] = {}
        self.keys: list[FoundKey] = []
        self._by_config: dict[str, str] = {}
        self.uses: Counter[str] = Counter()
        #: (level, text) of the parts that run on the default model instead of their own: the
        #: note names that model, known once the whole team is read (see :meth:`fallback_notes`).
        #: The third item: the agent whose model it runs on instead (a selector's first participant), else None.
        self.fallbacks: list[tuple[NoteLevel, str, str | None]] = []

    def missing(self, where: str, runs_on: str | None = None) -> None:
        """``where`` names no model client: it runs on another model (the report says which)."""
        self.fallbacks.append(("changed", f"{where} has no model client", runs_on))

    def fallback_notes(self, default: str | None, agents: dict[str, dict[str, Any]]) -> None:
        """One note per part running on a model other than its own, naming that model. Call it
        before the agents' lines naming the default model are removed."""
        for level, text, agent_id in self.fallbacks:
            own = agents.get(agent_id, {}).get("model") if agent_id else None
            model = self._described(own or default)
            if agent_id:
                model = f"the model of its first participant '{agent_id}', {model}"
            self.notes.append(Note(level, f"{text}; it runs on {model}"))
        self.fallbacks.clear()

    def _described(self, model_id: str | None) -> str:
        if model_id is None:
            return f"the built-in embedded model {EMBEDDED_NAME} (the file names no model the format can hold)"
        entry = self.models[model_id]
        what = " ".join(str(v) for v in (entry["provider"], entry.get("model")) if v)
        prefix = "the team's default model" if model_id == self.most_used() else "model"
        return f"{prefix} '{model_id}' ({what})"

    def add(self, component: object, where: str, runs_on: str | None = None) -> str | None:
        """The model id for a client component (added when new), None when it has no equivalent
        (the report says so; the agent then runs on the team's default model)."""
        if not is_component(component):
            return None
        assert isinstance(component, dict)
        provider = short_name(component["provider"])
        config = component.get("config") or {}
        if provider == "ChatCompletionCache":  # a cache in front of a client: the client is what counts
            self.notes.append(Note("changed", f"ChatCompletionCache of {where}: the cache is not kept, its client is"))
            return self.add(config.get("client"), where, runs_on)
        entry = model_entry(provider, config)
        if entry is None:
            label = component.get("label")
            named = f" '{label}'" if isinstance(label, str) and label.strip() and label != provider else ""
            self.fallbacks.append(("dropped", f"model client {provider}{named} of {where} — no equivalent", runs_on))
            return None
        embedded = provider == "OpenAIChatCompletionClient" and is_exported_embedded(
            component.get("description"), config.get("base_url"), config.get("model"))
        if embedded:  # Team Designer's own export of its built-in model: the built-in model again
            entry = {"provider": "embedded", "model": EMBEDDED_NAME,
                     **({"options": entry["options"]} if "options" in entry else {})}
        key = config.get("api_key")
        secret = key.strip() if isinstance(key, str) and key.strip() and key.strip() != MASKED else None
        if embedded:
            secret = None  # the export's placeholder for a server that wants none
        if secret is not None and is_reference(secret):
            entry["api_key"], secret = secret, None
        if secret is not None and entry["provider"] in ("ollama", "openai_compatible") and is_placeholder_key(secret):
            secret = None
        identity = json.dumps([entry, secret], sort_keys=True, default=str)
        model_id = self._by_config.get(identity)
        if model_id is None:
            model_id = to_identifier(entry.get("model") or provider, self.models, fallback="model", reserved=("embedded",))
            self._by_config[identity] = model_id
            if embedded:
                self.notes.append(Note("info", f"model '{model_id}': {IMPORTED_NOTE}"))
            if secret is not None:
                env_var = default_key_env(entry["provider"]) or f"{model_id.upper()}_API_KEY"
                self.keys.append(FoundKey(model_id, env_var, secret))
            elif entry["provider"] in _KEYED and "api_key" not in entry:
                entry["api_key"] = f"env:{default_key_env(entry['provider'])}"
            self.models[model_id] = entry
        self.uses[model_id] += 1
        return model_id

    def most_used(self) -> str | None:
        """The default model: the one most agents use (the first found on a tie)."""
        if not self.uses:
            return None
        best = max(self.uses.values())
        return next(m for m in self.models if self.uses[m] == best)


def model_entry(provider: str, config: dict[str, Any]) -> dict[str, Any] | None:
    """A ``models:`` entry (without the key) for one client's config; None for unknown clients."""
    name = config.get("model") if isinstance(config.get("model"), str) else ""
    entry: dict[str, Any]
    if provider == "OpenAIChatCompletionClient":
        base_url = _url(config.get("base_url"))
        if base_url and "generativelanguage.googleapis.com" in base_url:
            entry = {"provider": "gemini", "model": name, "base_url": GEMINI_BASE_URL}
        elif base_url and ":11434" in base_url:
            entry = {"provider": "ollama", "model": name, "base_url": base_url}
        elif base_url and "api.openai.com" not in base_url:
            entry = {"provider": "openai_compatible", "model": name, "base_url": base_url}
        else:
            entry = {"provider": "openai", "model": name}
            if base_url:
                entry["base_url"] = base_url
    elif provider == "AzureOpenAIChatCompletionClient":
        entry = {"provider": "azure_openai", "model": name,
                 "deployment": str(config.get("azure_deployment") or name),
                 "api_version": str(config.get("api_version") or "2024-10-21")}
        endpoint = _url(config.get("azure_endpoint") or config.get("base_url"))
        if endpoint:
            entry["base_url"] = endpoint
    elif provider == "AnthropicChatCompletionClient":
        entry = {"provider": "anthropic", "model": name}
    elif provider == "OllamaChatCompletionClient":
        host = (_url(config.get("host")) or "http://127.0.0.1:11434").rstrip("/")
        entry = {"provider": "ollama", "model": name, "base_url": host if host.endswith("/v1") else f"{host}/v1"}
        config = {**config, **as_dict(config.get("options"))}
    else:
        return None
    info = _model_info(config.get("model_info"))
    if info is None and entry["provider"] in ("ollama", "openai_compatible"):
        # AgentChat needs capabilities for models it does not know by name; the presets' are
        # what the Models dialog would fill in.
        preset = PRESETS["ollama" if entry["provider"] == "ollama" else "lmstudio"].model_info
        info = preset.model_dump() if preset is not None else None
    if info is not None:
        entry["model_info"] = info
    options = {k: config[k] for k in _OPTIONS if _valid_option(k, config.get(k))}
    if "num_predict" in config and _valid_option("max_tokens", config["num_predict"]):  # Ollama's name for it
        options.setdefault("max_tokens", config["num_predict"])
    if options:
        entry["options"] = options
    return entry


def _url(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and _URL.fullmatch(value.strip()) else None


def _model_info(value: object) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    info = {k: value[k] for k in _MODEL_INFO_FIELDS if k in value}
    if not isinstance(info.get("family", ""), str):
        info.pop("family")
    return {k: v for k, v in info.items() if k == "family" or isinstance(v, bool)} or None


def _valid_option(name: str, value: object) -> bool:
    """Only values the file's ``options`` accept (the rest would refuse the whole import)."""
    if value is None or isinstance(value, bool) != (name == "parallel_tool_calls"):
        return False
    if name == "temperature":
        return isinstance(value, (int, float)) and 0 <= value <= 2
    if name == "top_p":
        return isinstance(value, (int, float)) and 0 < value <= 1
    if name == "max_tokens":
        return isinstance(value, int) and 1 <= value <= 1_000_000
    return isinstance(value, (int, bool))
