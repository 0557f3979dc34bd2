"""The embedded model's prompt: AgentChat messages as chat turns, with tools described in the
system turn, rendered with the model file's own chat template (ChatML, SmolLM2's format, when
the file has none).

Small local models know no tool role, so tool calls are written as ``functions.<name>:`` lines and
results as a user turn naming the function; the model answers with ``message:`` or a
``functions.<name>:`` line, which a grammar enforces (see embedded.py).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Mapping, Sequence

from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema

log = logging.getLogger(__name__)

_REFLECT = "Using these results, write your final answer to the original request in plain words."


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part if isinstance(part, str) else "[image]" for part in content)


def tool_schema(tool: Tool | ToolSchema) -> ToolSchema:
    return tool.schema if isinstance(tool, Tool) else tool


def _functions_block(tools: Sequence[ToolSchema]) -> str:
    lines = ["", "", "You have access to the following functions:"]
    for tool in tools:
        lines.append(f"\nfunctions.{tool['name']}:")
        if tool.get("description"):
            lines.append(f"# {tool['description']}")
        lines.append(json.dumps(tool.get("parameters", {"type": "object", "properties": {}})))
    lines += [
        "",
        "To reply with a message, begin with 'message:' on its own line, then the message.",
        "To call a function, begin with 'functions.<function_name>:' on its own line, then the JSON arguments.",
    ]
    return "\n".join(lines)


def chat_turns(messages: Sequence[LLMMessage], tools: Sequence[ToolSchema]) -> list[dict[str, str]]:
    """AgentChat messages as plain system/user/assistant turns, with tools described in the
    system turn and tool calls and results written as text (see the module's docstring)."""
    turns: list[dict[str, str]] = []
    functions_block = _functions_block(tools) if tools else ""
    system_done = False
    for message in messages:
        if isinstance(message, SystemMessage):
            turns.append({"role": "system", "content": message.content + ("" if system_done else functions_block)})
            system_done = True
        elif isinstance(message, UserMessage):
            text = text_of(message.content)
            if message.source and message.source != "user":
                text = f"{message.source}: {text}"
            turns.append({"role": "user", "content": text})
        elif isinstance(message, AssistantMessage):
            if isinstance(message.content, str):
                body = f"message:\n{message.content}" if tools else message.content
            else:
                body = "\n".join(f"functions.{c.name}:\n{c.arguments}" for c in message.content)
            turns.append({"role": "assistant", "content": body})
        elif isinstance(message, FunctionExecutionResultMessage):
            # SmolLM2 knows no 'tool' role; results read best as a user turn naming the function.
            text = "\n".join(f"functions.{r.name} returned: {r.content}" for r in message.content)
            turns.append({"role": "user", "content": text})
    if tools and not system_done:
        turns.insert(0, {"role": "system", "content": f"You are a helpful assistant.{functions_block}"})
    if not tools and messages and isinstance(messages[-1], FunctionExecutionResultMessage):
        # Reflecting on tool results with no tools offered: without this turn the small model
        # copies the "functions.X returned: ..." lines instead of answering.
        turns.append({"role": "user", "content": _REFLECT})
    return turns


def chatml(turns: Sequence[Mapping[str, str]]) -> str:
    """Turns as a ChatML prompt ending with the assistant's turn (SmolLM2's own format)."""
    body = "".join(f"<|im_start|>{t['role']}\n{t['content']}<|im_end|>\n" for t in turns)
    return body + "<|im_start|>assistant\n"


def render_chatml(messages: Sequence[LLMMessage], tools: Sequence[ToolSchema]) -> str:
    """Render AgentChat messages as a SmolLM2 (ChatML) prompt ending with the assistant's turn."""
    return chatml(chat_turns(messages, tools))


def _simplified(turns: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Turns for strict templates (Gemma, Mistral): no system role (it opens the first user turn),
    roles alternating from a user turn (neighbours of one role are joined)."""
    system = "\n\n".join(t["content"] for t in turns if t["role"] == "system")
    out: list[dict[str, str]] = []
    for turn in turns:
        if turn["role"] == "system":
            continue
        if out and out[-1]["role"] == turn["role"]:
            out[-1] = {"role": turn["role"], "content": out[-1]["content"] + "\n\n" + turn["content"]}
        else:
            out.append(dict(turn))
    if not out or out[0]["role"] != "user":
        out.insert(0, {"role": "user", "content": ""})
    if system:
        out[0] = {"role": "user", "content": (system + "\n\n" + out[0]["content"]).strip()}
    return out


class ChatTemplate:
    """A model file's own chat template (``tokenizer.chat_template``), rendered the way
    llama-cpp-python renders it; ChatML when the file has none or the template fails."""

    def __init__(self, template: str | None, bos: str = "", eos: str = "", *, strip_bos: bool = False) -> None:
        self.template = template
        self.eos = eos
        self._bos = bos
        #: The template writes the BOS token and llama.cpp adds one too when it tokenizes: keep one.
        self._strip_bos = strip_bos and bool(bos)
        self._formatter: Any = None
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            try:
                self._formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
            except Exception:  # a template jinja cannot parse: ChatML instead
                log.warning("the model's chat template cannot be parsed; using ChatML", exc_info=True)

    @property
    def uses_file_template(self) -> bool:
        return self._formatter is not None

    def render(self, messages: Sequence[LLMMessage], tools: Sequence[ToolSchema]) -> str:
        turns = chat_turns(messages, tools)
        if self._formatter is None:
            return chatml(turns)
        for attempt in (turns, _simplified(turns)):
            try:
                prompt = str(self._formatter(messages=attempt).prompt)
            except Exception as exc:  # noqa: BLE001 - templates raise_exception() on roles they refuse
                log.debug("the model's chat template refused the turns (%s); trying them simplified", exc)
                continue
            if self._strip_bos and prompt.startswith(self._bos):
                prompt = prompt[len(self._bos):]
            return prompt
        log.warning("the model's chat template refused the conversation; using ChatML")
        return chatml(turns)


# A reply that opens with the prompt's own markers ("message:", "functions.analyst:") copies the
# format of earlier turns (seen when a coordinator writes its answer after delegating); the
# markers are the prompt's plumbing, never part of the answer.
_MARKER_RE = re.compile(r"\s*(?:message|functions\.[A-Za-z0-9_.\-]*)[ \t]*:[ \t]*(?:\r?\n)?")
_PARTIAL_FUNCTIONS_RE = re.compile(r"functions\.[A-Za-z0-9_.\-]*[ \t]*:?[ \t]*\r?")
_PARTIAL_MESSAGE_RE = re.compile(r"message[ \t]*:?[ \t]*\r?")


def strip_markers(text: str) -> str:
    """``text`` without the prompt-format markers it begins with."""
    while True:
        match = _MARKER_RE.match(text)
        if match is None or match.end() == 0:
            return text
        text = text[match.end():]


def _could_be_marker(text: str) -> bool:
    head = text.lstrip()
    return (not head or "functions.".startswith(head) or "message".startswith(head)
            or _PARTIAL_FUNCTIONS_RE.fullmatch(head) is not None or _PARTIAL_MESSAGE_RE.fullmatch(head) is not None)


class ReplyCleaner:
    """Streams a reply without the markers it may begin with: the first pieces are held back
    while they could still be a marker, then everything passes straight through."""

    def __init__(self) -> None:
        self._head = ""
        self._open = False

    def feed(self, piece: str) -> str:
        if self._open:
            return piece
        self._head += piece
        head = strip_markers(self._head)
        if "\n" not in head and len(head) < 80 and _could_be_marker(head):
            return ""
        self._open = True
        self._head = ""
        return head

    def finish(self) -> str:
        """What is still held back when the reply ends."""
        if self._open:
            return ""
        self._open = True
        return strip_markers(self._head)
