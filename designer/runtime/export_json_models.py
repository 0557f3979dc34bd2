"""A team file's models as autogen-ext model client components, with no key in them.

A key is never resolved: ``env:NAME`` and ``keyring:NAME`` leave ``api_key`` out, and the
component's description (and a ``key`` note) says which environment variable the client needs.
The embedded model has no AgentChat client with a component config, so it becomes an OpenAI
client pointed at a local llama.cpp server running the same GGUF file.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from autogen_core import FunctionCall
from autogen_core.models import CreateResult, ModelInfo, RequestUsage
from autogen_ext.models.anthropic import AnthropicChatCompletionClient
from autogen_ext.models.anthropic.config import AnthropicClientConfigurationConfigModel
from autogen_ext.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient
from autogen_ext.models.openai.config import AzureOpenAIClientConfigurationConfigModel, OpenAIClientConfigurationConfigModel
from autogen_ext.models.replay import ReplayChatCompletionClient
from autogen_ext.models.replay._replay_chat_completion_client import ReplayChatCompletionClientConfig

from ..core.gguf import model_file
from ..core.interop.embedded_mark import (
    EMBEDDED_NAME,
    LLAMA_SERVER_URL,
    PACKAGE_MISSING,
    PACKAGE_PLACEHOLDER,
    embedded_description,
    server_command,
)
from ..core.providers import DEFAULT_BASE_URLS, default_key_env, effective_model_info
from ..core.spec import ModelSpec, ScriptedReply
from .export_json_base import Component, Export, class_description, component

#: What an OpenAI-style client sends to a local server that wants no key (the SDK refuses none).
NO_KEY = "not-needed"
#: The variable each client reads by itself when no api_key is given.
_CLIENT_READS = {"openai": "OPENAI_API_KEY", "azure_openai": "AZURE_OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


def _info(spec: ModelSpec) -> dict[str, Any]:
    info = effective_model_info(spec)
    if info is None:  # as the runtime: the conservative answer for an unknown local model
        return dict(ModelInfo(vision=False, function_calling=False, json_output=False, family="unknown",
                              structured_output=False))
    return dict(ModelInfo(vision=info.vision, function_calling=info.function_calling, json_output=info.json_output,
                          family=info.family, structured_output=info.structured_output))


def _key_text(x: Export, model_id: str, spec: ModelSpec) -> str:
    """What the client needs for its key, in words (never the key); noted once per model."""
    ref = spec.api_key or (f"env:{default_key_env(spec.provider)}" if default_key_env(spec.provider) else None)
    if ref is None:
        return ""
    scheme, _, name = ref.partition(":")
    reads = _CLIENT_READS.get(spec.provider)
    if spec.provider == "gemini":
        reads = "GEMINI_API_KEY"  # autogen-ext's OpenAI client reads it for 'gemini-' models
        if not spec.model.startswith("gemini-"):
            reads = None
    if scheme == "env" and name == reads:
        text = f"set {name}: the client reads the key from it (the JSON holds no key)"
    elif scheme == "env":
        also = f"; this client reads {reads} by itself, so set that one" if reads else ""
        text = f"set {name} and pass it as api_key when you load the team (the JSON holds no key){also}"
    else:
        where = f"set {reads} (the client reads it)" if reads else "pass it as api_key when you load the team"
        text = f"the team file keeps this key in the keyring as {name}; the JSON holds no key: {where}"
    x.note("key", f"model {model_id!r}: {text}")
    return text


def _described(cls: type, key_text: str) -> str:
    return class_description(cls) + (f" Key: {key_text}." if key_text else "")


def _openai_options(spec: ModelSpec, x: Export, model_id: str, sequential: bool) -> dict[str, Any]:
    options = spec.options.model_dump(exclude_none=True)
    if options.pop("repeat_penalty", None) is not None:
        x.note("dropped", f"model {model_id!r}: repeat_penalty (llama.cpp's option; AgentChat's OpenAI client has no field for it)")
    if sequential:
        options["parallel_tool_calls"] = False  # a coordinator delegates one worker at a time, as in a run
    return options


def model_component(x: Export, model_id: str, *, sequential: bool = False) -> Component:
    """The client component for ``model_id``; ``sequential``: a hierarchical coordinator's
    (parallel tool calls off, as the runtime builds it)."""
    spec = x.spec.model_for(model_id)
    if spec is None:  # validation refuses an unknown model first
        raise ValueError(f"unknown model {model_id!r}")
    if spec.provider == "scripted":
        return _scripted(x, model_id, spec)
    if spec.provider == "embedded":
        return _embedded(x, model_id, spec, sequential)
    key_text = _key_text(x, model_id, spec)
    if spec.provider == "anthropic":
        options = spec.options.model_dump(exclude_none=True)
        for dropped in ("repeat_penalty", "seed", "parallel_tool_calls"):  # the runtime leaves them out too
            options.pop(dropped, None)
        config = AnthropicClientConfigurationConfigModel(model=spec.model, model_info=_info(spec),  # type: ignore[arg-type]
                                                         base_url=spec.base_url, **options)
        return component(AnthropicChatCompletionClient, config, description=_described(AnthropicChatCompletionClient, key_text))
    options = _openai_options(spec, x, model_id, sequential)
    if spec.provider == "azure_openai":
        x.note("info", f"model {model_id!r}: loading AzureOpenAIChatCompletionClient needs autogen-ext[azure] "
                       "(its loader imports the azure package)")
        azure = AzureOpenAIClientConfigurationConfigModel(
            model=spec.model, azure_endpoint=spec.base_url or "", azure_deployment=spec.deployment,
            api_version=spec.api_version or "", model_info=_info(spec), **options,  # type: ignore[arg-type]
        )
        return component(AzureOpenAIChatCompletionClient, azure, description=_described(AzureOpenAIChatCompletionClient, key_text))
    base_url = spec.base_url or DEFAULT_BASE_URLS.get(spec.provider)
    with_info = spec.model_info is not None or spec.provider not in ("openai",)
    openai = OpenAIClientConfigurationConfigModel(
        model=spec.model, base_url=base_url, model_info=_info(spec) if with_info else None, **options,  # type: ignore[arg-type]
    )
    data = openai.model_dump(mode="json", exclude_none=True)
    if spec.provider in ("ollama", "openai_compatible") and spec.api_key is None:
        data["api_key"] = NO_KEY  # a local server wants none; the SDK refuses to start without one
    return component(OpenAIChatCompletionClient, data, description=_described(OpenAIChatCompletionClient, key_text))


def _embedded(x: Export, model_id: str, spec: ModelSpec, sequential: bool) -> Component:
    path = PACKAGE_PLACEHOLDER
    name = EMBEDDED_NAME
    if spec.path is not None:
        path = str(model_file(spec.path, x.team_file.parent if x.team_file else None))
        name = spec.model or EMBEDDED_NAME
    else:
        from .embedded_model import EmbeddedModelError, gguf_path  # finds the file without importing it

        try:
            path = str(gguf_path())
        except EmbeddedModelError:  # not installed here: the note names the package instead
            path = PACKAGE_MISSING
    x.note("info", f"model {model_id!r} (embedded) is an OpenAI client for a local llama.cpp server at {LLAMA_SERVER_URL}; "
                   f"start one with: {server_command(path, name)}")
    x.note("changed", f"model {model_id!r}: the embedded model's grammar-constrained tool calls and replies are "
                      "this product's; a plain llama.cpp server calls tools as well as the model can")
    options = _openai_options(spec, x, model_id, sequential)
    config = OpenAIClientConfigurationConfigModel(model=name, base_url=LLAMA_SERVER_URL, model_info=_info(spec),  # type: ignore[arg-type]
                                                  **options)
    data = config.model_dump(mode="json", exclude_none=True)
    data["api_key"] = NO_KEY
    # The description is the mark an import recognises (core.interop.embedded_mark) and the note's command.
    return component(OpenAIChatCompletionClient, data, description=embedded_description(path, name))


def _reply(reply: str | ScriptedReply) -> str | CreateResult:
    if isinstance(reply, str):
        return reply
    calls = [FunctionCall(id=f"call_{uuid.uuid4().hex[:12]}", name=c.name, arguments=json.dumps(c.arguments))
             for c in reply.tool_calls]
    return CreateResult(finish_reason="function_calls", content=calls, usage=RequestUsage(prompt_tokens=0, completion_tokens=0),
                        cached=False)


def _scripted(x: Export, model_id: str, spec: ModelSpec) -> Component:
    users = [a for a in x.spec.running_agents() if x.spec.model_id_for(a) == model_id]
    if len(users) > 1:
        x.note("changed", f"scripted model {model_id!r}: each of its {len(users)} users gets its own copy of the replies "
                          "(a JSON component cannot be shared; a run consumes one script in call order)")
    if spec.delay:
        x.note("dropped", f"scripted model {model_id!r}: delay (ReplayChatCompletionClient has none)")
    config = ReplayChatCompletionClientConfig(chat_completions=[_reply(r) for r in spec.responses or []],
                                              model_info=ModelInfo(**_info(spec)))  # type: ignore[typeddict-item]
    return component(ReplayChatCompletionClient, config)
