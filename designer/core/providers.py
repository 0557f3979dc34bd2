"""What each model provider can do when a file does not say.

Capability flags are the field users most often get wrong for local servers, so the
engine fills them from these presets and the validator reasons with the result.
"""

from __future__ import annotations

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
}

DEFAULT_BASE_URLS: dict[str, str] = {
    # Ollama's OpenAI-compatible API lives under /v1; the bare port is the most common setup mistake.
    "ollama": "http://127.0.0.1:11434/v1",
}


def effective_model_info(model: ModelSpec) -> ModelInfoSpec | None:
    """Declared capabilities, else the provider preset, else None (unknown)."""
    if model.model_info is not None:
        return model.model_info
    return _PRESETS.get(model.provider)
