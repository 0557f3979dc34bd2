"""SmolLM2's prompt: AgentChat messages rendered as ChatML, with tools described in the system turn.

SmolLM2 knows no tool role, so tool calls are written as ``functions.<name>:`` lines and
results as a user turn naming the function; the model answers with ``message:`` or a
``functions.<name>:`` line, which a grammar enforces (see embedded.py).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema

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


def render_chatml(messages: Sequence[LLMMessage], tools: Sequence[ToolSchema]) -> str:
    """Render AgentChat messages as a SmolLM2 (ChatML) prompt ending with the assistant's turn."""
    parts: list[str] = []
    functions_block = _functions_block(tools) if tools else ""
    system_done = False
    for message in messages:
        if isinstance(message, SystemMessage):
            text = message.content + ("" if system_done else functions_block)
            system_done = True
            parts.append(f"<|im_start|>system\n{text}<|im_end|>\n")
        elif isinstance(message, UserMessage):
            text = text_of(message.content)
            if message.source and message.source != "user":
                text = f"{message.source}: {text}"
            parts.append(f"<|im_start|>user\n{text}<|im_end|>\n")
        elif isinstance(message, AssistantMessage):
            if isinstance(message.content, str):
                body = f"message:\n{message.content}" if tools else message.content
            else:
                body = "\n".join(f"functions.{c.name}:\n{c.arguments}" for c in message.content)
            parts.append(f"<|im_start|>assistant\n{body}<|im_end|>\n")
        elif isinstance(message, FunctionExecutionResultMessage):
            # SmolLM2 knows no 'tool' role; results read best as a user turn naming the function.
            text = "\n".join(f"functions.{r.name} returned: {r.content}" for r in message.content)
            parts.append(f"<|im_start|>user\n{text}<|im_end|>\n")
    if tools and not system_done:
        parts.insert(0, f"<|im_start|>system\nYou are a helpful assistant.{functions_block}<|im_end|>\n")
    if not tools and messages and isinstance(messages[-1], FunctionExecutionResultMessage):
        # Reflecting on tool results with no tools offered: without this turn the small model
        # copies the "functions.X returned: ..." lines instead of answering.
        parts.append(f"<|im_start|>user\n{_REFLECT}<|im_end|>\n")
    parts.append("<|im_start|>assistant\n")
    return "".join(parts)
