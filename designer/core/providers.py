"""What each model provider can do when a file does not say, and the presets that fill it in.

Capability flags and base URLs are the fields users most often get wrong for local
servers (Ollama without ``/v1``, missing ``model_info``), so the Models dialog, the CLI
and the validator share one table of presets here. Qt-free and network-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .secrets import env_var_name
from .spec import ModelInfoSpec, ModelSpec

#: Providers whose models AgentChat or we know well enough to assume tool calling.
_PRESETS: dict[str, ModelInfoSpec] = {
    # SmolLM2 calls tools through a grammar-constrained prompt (see designer.runtime.embedded).
    "embedded": ModelInfoSpec(function_calling=True, json_output=True, family="smollm2"),
    # The script itself decides whether a reply is a tool call.
    "scripted": ModelInfoSpec(function_calling=True, json_output=True, structured_output=True),
    "openai": ModelInfoSpec(vision=True, function_calling=True, json_output=True, structured_output=True, family="unknown"),
    "azure_openai": ModelInfoSpec(vision=True, function_calling=True, json_output=True, structured_output=True, family="unknown"),
    "anthropic": ModelInfoSpec(vision=True, function_calling=True, json_output=False, structured_output=False, family="unknown"),
    "gemini": ModelInfoSpec(vision=True, function_calling=True, json_output=True, structured_output=True, family="unknown"),
}

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"

DEFAULT_BASE_URLS: dict[str, str] = {
    # Ollama's OpenAI-compatible API lives under /v1; the bare port is the most common setup mistake.
    "ollama": "http://127.0.0.1:11434/v1",
    # Gemini through Google's OpenAI-compatible endpoint (autogen-ext's OpenAI client).
    "gemini": GEMINI_BASE_URL,
}

#: How a server lists its models: Ollama's tag list, the OpenAI-style /models, or not at all.
ListKind = Literal["ollama", "openai", "anthropic", "none"]


@dataclass(frozen=True)
class ProviderPreset:
    """One choice in the Models dialog's preset list (several presets can share a provider)."""

    key: str
    label: str
    provider: str
    base_url: str | None
    model_info: ModelInfoSpec | None
    example_model: str
    #: The environment variable the key is usually in; None when no key is needed.
    key_env: str | None
    list_kind: ListKind
    hint: str = ""

    def apply(self, model: ModelSpec) -> ModelSpec:
        """``model`` with this preset's provider, URL, flags and key reference; the name stays
        when the provider does not change (the user typed it), else the example fills it."""
        keep_name = model.provider == self.provider and bool(model.model)
        update: dict[str, object] = {
            "provider": self.provider,
            "base_url": self.base_url,
            "model_info": self.model_info.model_dump() if self.model_info is not None else None,
            "model": model.model if keep_name else self.example_model,
            "api_key": f"env:{self.key_env}" if self.key_env else None,
            "responses": None,
            "delay": None,
        }
        if self.provider != "azure_openai":
            update.update(deployment=None, api_version=None)
        elif model.api_version is None:
            update["api_version"] = "2024-10-21"
        if self.provider != "embedded":  # a GGUF file means nothing to a server
            update["path"] = None
        data = {**model.model_dump(by_alias=True, exclude_unset=True), **update}
        # Unset rather than null, so the saved file shows only what the entry uses.
        return ModelSpec.model_validate({k: v for k, v in data.items() if v is not None})


# Small local models often cannot call tools reliably; the flags say what the server's API
# supports, and "Test connection" checks what the model really does.
_LOCAL_INFO = ModelInfoSpec(function_calling=True, json_output=True, structured_output=False, family="unknown")

PRESETS: dict[str, ProviderPreset] = {
    p.key: p
    for p in (
        ProviderPreset("embedded", "Embedded SmolLM2 (offline, built in)", "embedded", None, None,
                       "SmolLM2-135M-Instruct", None, "none", "Runs inside the app; no server, no key."),
        ProviderPreset("openai", "OpenAI", "openai", None, _PRESETS["openai"], "gpt-4o-mini", "OPENAI_API_KEY",
                       "openai", "Known OpenAI models need no capability flags."),
        ProviderPreset("azure_openai", "Azure OpenAI", "azure_openai", "https://YOUR-RESOURCE.openai.azure.com/",
                       _PRESETS["azure_openai"], "gpt-4o-mini", "AZURE_OPENAI_API_KEY", "none",
                       "Set the endpoint, the deployment name and the API version."),
        ProviderPreset("anthropic", "Anthropic", "anthropic", None, _PRESETS["anthropic"], "claude-3-5-haiku-latest",
                       "ANTHROPIC_API_KEY", "anthropic", "Needs autogen-ext[anthropic] (installed with Team Designer)."),
        ProviderPreset("gemini", "Google Gemini (OpenAI-compatible endpoint)", "gemini", GEMINI_BASE_URL,
                       _PRESETS["gemini"], "gemini-2.0-flash", "GEMINI_API_KEY", "openai"),
        ProviderPreset("ollama", "Ollama", "ollama", "http://127.0.0.1:11434/v1", _LOCAL_INFO, "llama3.2", None,
                       "ollama", "The URL must end in /v1 (Ollama's OpenAI-compatible API)."),
        ProviderPreset("lmstudio", "LM Studio", "openai_compatible", "http://127.0.0.1:1234/v1", _LOCAL_INFO, "",
                       None, "openai", "Start the server in LM Studio's Developer tab."),
        ProviderPreset("llamacpp", "llama.cpp server", "openai_compatible", "http://127.0.0.1:8080/v1", _LOCAL_INFO,
                       "", None, "openai", "llama-server needs --jinja for tool calls."),
        ProviderPreset("vllm", "vLLM", "openai_compatible", "http://127.0.0.1:8000/v1", _LOCAL_INFO, "", None,
                       "openai", "vLLM needs --enable-auto-tool-choice and a --tool-call-parser for tool calls."),
        ProviderPreset("openai_compatible", "Other OpenAI-compatible server", "openai_compatible",
                       "http://127.0.0.1:8080/v1", None, "", None, "openai",
                       "Set the capability flags to what the server and model support."),
    )
}


def presets_for(provider: str) -> list[ProviderPreset]:
    return [p for p in PRESETS.values() if p.provider == provider]


def guess_preset(model: ModelSpec) -> ProviderPreset | None:
    """The preset a model entry most likely came from (by provider, then base URL)."""
    candidates = presets_for(model.provider)
    for preset in candidates:
        if preset.base_url and model.base_url and preset.base_url.rstrip("/") == model.base_url.rstrip("/"):
            return preset
    return candidates[-1] if candidates else None


def effective_model_info(model: ModelSpec) -> ModelInfoSpec | None:
    """Declared capabilities, else the provider preset, else None (unknown)."""
    if model.model_info is not None:
        return model.model_info
    return _PRESETS.get(model.provider)


def effective_base_url(model: ModelSpec) -> str | None:
    """The URL a client will use: the declared one, else the provider's default."""
    return model.base_url or DEFAULT_BASE_URLS.get(model.provider)


def default_key_env(provider: str) -> str | None:
    """The environment variable a provider's key is conventionally in."""
    return next((p.key_env for p in presets_for(provider) if p.key_env), None)


def key_env_var(model: ModelSpec) -> str | None:
    """The environment variable that holds ``model``'s key wherever the file is used without this
    computer's keyring (an exported script or JSON): NAME for ``env:NAME``; for ``keyring:NAME``,
    or no key reference, the provider's usual variable (OPENAI_API_KEY, ...), never NAME itself
    (a keyring entry's name, 'gpt', is no variable a user would think of). A keyring key of a
    provider without one gets a variable made from the entry's name ('work-key' -> WORK_KEY,
    'local' -> LOCAL_API_KEY), as store_key suggests. None: the model needs no key."""
    scheme, _, name = (model.api_key or "").partition(":")
    if scheme == "env":
        return name
    usual = default_key_env(model.provider)
    if usual is not None or scheme != "keyring":
        return usual
    variable = env_var_name(name)
    return variable if variable.endswith("KEY") else f"{variable}_API_KEY"
