"""Model clients for each provider, built from a ModelSpec at run time.

Secrets are resolved here and only here, from references (``env:NAME`` or
``keyring:NAME``); the resolved value goes straight into the client object and is
never stored, logged or put into an event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Mapping, Sequence, overload

from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage, ModelInfo, RequestUsage
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.replay import ReplayChatCompletionClient

from ..core.gguf import file_problem, model_file
from ..core.providers import DEFAULT_BASE_URLS, default_key_env, effective_model_info
from ..core.secrets import KEYRING_SERVICE
from ..core.spec import ModelSpec, ScriptedReply
from .neterrors import remember_secret

log = logging.getLogger(__name__)


class ModelSetupError(RuntimeError):
    """A model cannot be set up (missing key, missing package); the message says what to do."""


@overload
def resolve_secret(ref: str, what: str) -> str: ...
@overload
def resolve_secret(ref: None, what: str) -> None: ...
@overload
def resolve_secret(ref: str | None, what: str) -> str | None: ...


def resolve_secret(ref: str | None, what: str) -> str | None:
    """The secret a reference points to, or None when there is no reference."""
    if ref is None:
        return None
    scheme, _, name = ref.partition(":")
    if scheme == "env":
        value = os.environ.get(name)
        if not value:
            raise ModelSetupError(f"{what}: the environment variable {name} is not set")
        remember_secret(value)
        return value
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise ModelSetupError(f"{what}: the keyring package is not installed; use env:NAME instead") from None
    try:
        value = keyring.get_password(KEYRING_SERVICE, name)
    except KeyringError as exc:
        raise ModelSetupError(f"{what}: no usable keyring ({exc}); use env:NAME instead") from None
    if not value:
        raise ModelSetupError(f"{what}: the keyring has no entry {name!r} for service {KEYRING_SERVICE!r}")
    remember_secret(value)
    return value


def _required(value: str | None, what: str) -> str:
    """A field the validator requires for this provider; a clear error if it is missing anyway."""
    if value is None:
        raise ValueError(f"{what} is missing")
    return value


def _model_info(spec: ModelSpec) -> ModelInfo:
    info = effective_model_info(spec)
    if info is None:  # unknown local model: the conservative answer, as the validator warned
        return ModelInfo(vision=False, function_calling=False, json_output=False, family="unknown", structured_output=False)
    return ModelInfo(
        vision=info.vision,
        function_calling=info.function_calling,
        json_output=info.json_output,
        family=info.family,
        structured_output=info.structured_output,
    )


def _options(spec: ModelSpec) -> dict[str, Any]:
    return spec.options.model_dump(exclude_none=True)


def build_client(
    spec: ModelSpec,
    model_id: str,
    *,
    parallel_tool_calls: bool | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    base_dir: Path | None = None,
) -> ChatCompletionClient:
    """A fresh client for one run. ``parallel_tool_calls=False`` keeps delegations one at a time.

    ``base_dir`` (the team file's folder) is where an embedded model's relative ``path`` starts.

    ``timeout`` (seconds per request) and ``max_retries`` reach the HTTP clients; the
    connection test sets both so a dead server fails fast instead of retrying with back-off.
    """
    what = f"model {model_id!r}"
    # Which client each run talks to, never its key: the first question about a failed run.
    log.debug("%s: %s client for %r at %s", what, spec.provider, spec.model, spec.base_url or "its default address")
    options = _options(spec)
    # The option of the file; a sequential client's False (below) wins over it. The embedded
    # model calls one tool per reply anyway (validation warns that it ignores the option).
    file_parallel = options.pop("parallel_tool_calls", None)
    if spec.provider == "embedded":
        from .embedded import EmbeddedChatCompletionClient

        path = None
        if spec.path is not None:
            path = model_file(spec.path, base_dir)
            problem = file_problem(path)
            if problem:  # validation says so first; this is for callers that skip it
                raise ModelSetupError(f"{what}: {problem}")
        return EmbeddedChatCompletionClient(**options, path=path)
    # llama.cpp's repetition penalty: the HTTP clients would reject it as an unknown argument.
    options.pop("repeat_penalty", None)
    if spec.provider == "scripted":
        return ScriptedChatCompletionClient(spec.responses or [], delay=spec.delay or 0.0)
    extra: dict[str, Any] = dict(options)
    if parallel_tool_calls is False or file_parallel is not None:
        extra["parallel_tool_calls"] = False if parallel_tool_calls is False else file_parallel
    if timeout is not None:
        extra["timeout"] = timeout
    if max_retries is not None:
        extra["max_retries"] = max_retries
    if spec.provider == "anthropic":
        try:
            from autogen_ext.models.anthropic import AnthropicChatCompletionClient
        except ImportError:
            raise ModelSetupError(
                f"{what}: the Anthropic client is not installed; install it with: pip install 'autogen-ext[anthropic]'"
            ) from None
        extra.pop("seed", None)
        extra.pop("parallel_tool_calls", None)
        return AnthropicChatCompletionClient(
            model=spec.model, api_key=resolve_secret(spec.api_key or "env:ANTHROPIC_API_KEY", what),
            model_info=_model_info(spec), **extra
        )
    from autogen_ext.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient

    if spec.provider == "azure_openai":
        return AzureOpenAIChatCompletionClient(
            model=spec.model,
            azure_deployment=_required(spec.deployment, f"{what}: the deployment of an azure_openai model"),
            azure_endpoint=_required(spec.base_url, f"{what}: the base_url of an azure_openai model"),
            api_version=_required(spec.api_version, f"{what}: the api_version of an azure_openai model"),
            api_key=resolve_secret(spec.api_key or "env:AZURE_OPENAI_API_KEY", what),
            model_info=_model_info(spec),
            **extra,
        )
    if spec.provider in ("openai", "gemini"):
        # Gemini is served through Google's OpenAI-compatible endpoint by the same client.
        default_ref = f"env:{default_key_env(spec.provider)}"
        kwargs: dict[str, Any] = {"model": spec.model, "api_key": resolve_secret(spec.api_key or default_ref, what)}
        base_url = spec.base_url or DEFAULT_BASE_URLS.get(spec.provider)
        if base_url:
            kwargs["base_url"] = base_url
        if spec.model_info is not None or spec.provider == "gemini":
            kwargs["model_info"] = _model_info(spec)
        try:
            return OpenAIChatCompletionClient(**kwargs, **extra)
        except ValueError as exc:  # unknown model name without model_info
            raise ModelSetupError(f"{what}: {exc}; add model_info to the model entry") from None
    # ollama (which has a default address) and any OpenAI-compatible server (which must give one)
    base_url = _required(spec.base_url or DEFAULT_BASE_URLS.get(spec.provider), f"{what}: the base_url of the {spec.provider} server")
    api_key = resolve_secret(spec.api_key, what) or "not-needed"
    return OpenAIChatCompletionClient(
        model=spec.model, base_url=base_url, api_key=api_key, model_info=_model_info(spec), **extra
    )


def _to_result(reply: str | ScriptedReply) -> str | CreateResult:
    if isinstance(reply, str):
        return reply
    calls = [
        FunctionCall(id=f"call_{uuid.uuid4().hex[:12]}", name=c.name, arguments=json.dumps(c.arguments))
        for c in reply.tool_calls
    ]
    usage = RequestUsage(prompt_tokens=0, completion_tokens=sum(len(c.arguments.split()) for c in calls))
    return CreateResult(finish_reason="function_calls", content=calls, usage=usage, cached=False)


class ScriptedChatCompletionClient(ReplayChatCompletionClient):
    """AutoGen's replay client with tool-call replies, an optional per-chunk delay, and a clear
    message when the script runs out. For tests and demos only, never a default."""

    def __init__(self, replies: Sequence[str | ScriptedReply], *, delay: float = 0.0) -> None:
        info = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=True)
        super().__init__([_to_result(r) for r in replies], model_info=info)
        self._delay = delay

    async def _pause(self, cancellation_token: CancellationToken | None) -> None:
        if self._delay <= 0:
            # Like a network client awaiting its next chunk: let the team's runtime handle the
            # chunk just sent, instead of queueing thousands of them (and their garbage) at once.
            await asyncio.sleep(0)
            return
        sleeper = asyncio.ensure_future(asyncio.sleep(self._delay))
        if cancellation_token is not None:
            cancellation_token.link_future(sleeper)
        await sleeper

    def _check_left(self) -> None:
        if self._current_index >= len(self.chat_completions):
            raise RuntimeError(f"the scripted model has no reply left (its script has {len(self.chat_completions)})")

    async def create(
        self, messages: Sequence[LLMMessage], *, cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> CreateResult:
        self._check_left()
        if self._delay > 0:  # without a delay, the pause is for streamed chunks only (see _pause)
            await self._pause(cancellation_token)
        return await super().create(messages, cancellation_token=cancellation_token, **kwargs)

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Any = "auto",
        json_output: Any = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
        **_: Any,
    ) -> AsyncGenerator[str | CreateResult, None]:
        self._check_left()
        async for item in super().create_stream(
            messages, tools=tools, json_output=json_output, extra_create_args=extra_create_args,
            cancellation_token=cancellation_token,
        ):
            await self._pause(cancellation_token)
            yield item


@dataclass
class ModelHooks:
    """How model calls report to the runner, bypassing AgentChat's message runtime."""

    on_error: Callable[[str, BaseException], None] = lambda agent, exc: None
    on_chunk: Callable[[str, str], None] = lambda agent, text: None


class ViewClient(ChatCompletionClient):
    """A view of a shared client: everything but ``create`` goes to it, and one result stands for
    a stream (the view's ``create`` decides how the inner client is asked). Closing is the owner's."""

    _inner: ChatCompletionClient

    async def create_stream(self, messages: Sequence[LLMMessage], **kwargs: Any) -> AsyncGenerator[str | CreateResult, None]:
        yield await self.create(messages, **kwargs)

    async def close(self) -> None:
        """The shared inner client is closed once, by its owner."""

    def actual_usage(self) -> RequestUsage:
        return self._inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self._inner.total_usage()

    def count_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return self._inner.count_tokens(messages, **kwargs)

    def remaining_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return self._inner.remaining_tokens(messages, **kwargs)

    @property
    def capabilities(self) -> ModelInfo:  # deprecated alias AgentChat still reads
        return self._inner.model_info

    @property
    def model_info(self) -> ModelInfo:
        return self._inner.model_info


class AgentClient(ViewClient):
    """One agent's view of a shared client.

    * Failures are reported with the agent's name and the original exception, before
      AgentChat flattens them into a string across its runtime.
    * Streaming: AgentChat is told not to stream (it would publish every token as a
      message through its runtime, which at full speed queues thousands of tasks and
      stalls the process in garbage collection). Instead this client streams from the
      model itself and hands each chunk straight to the runner, then returns the whole
      reply to AgentChat as one result.
    """

    def __init__(self, inner: ChatCompletionClient, agent: str, hooks: ModelHooks, *, stream: bool = True) -> None:
        self._inner = inner
        self._agent = agent
        self._hooks = hooks
        self._stream = stream

    async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        try:
            if not self._stream:
                return await self._inner.create(messages, **kwargs)
            result: CreateResult | None = None
            async for item in self._inner.create_stream(messages, **kwargs):
                if isinstance(item, str):
                    if item:
                        self._hooks.on_chunk(self._agent, item)
                else:
                    result = item
            if result is None:
                raise RuntimeError("the model's stream ended without a result")
            return result
        except Exception as exc:
            self._hooks.on_error(self._agent, exc)
            raise



class UnavailableClient(ChatCompletionClient):
    """A model a replay could not set up (no key, no server package): fine while every request
    is answered from the recording; the first that must go live fails with the setup's words."""

    def __init__(self, spec: ModelSpec, problem: str) -> None:
        self._info = _model_info(spec)
        self._problem = problem

    def _fail(self) -> Exception:
        return ModelSetupError(f"{self._problem} (this request is not in the recording, so it needs the live model)")

    async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        raise self._fail()

    async def create_stream(self, messages: Sequence[LLMMessage], **kwargs: Any) -> AsyncGenerator[str | CreateResult, None]:
        yield await self.create(messages, **kwargs)  # which fails: there is no model to stream from

    async def close(self) -> None:
        return None

    def actual_usage(self) -> RequestUsage:
        return RequestUsage(prompt_tokens=0, completion_tokens=0)

    def total_usage(self) -> RequestUsage:
        return RequestUsage(prompt_tokens=0, completion_tokens=0)

    def count_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return 0

    def remaining_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return 1_000_000

    @property
    def capabilities(self) -> ModelInfo:  # deprecated alias AgentChat still reads
        return self._info

    @property
    def model_info(self) -> ModelInfo:
        return self._info
