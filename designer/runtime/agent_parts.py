"""An agent's optional parts as AgentChat objects: its model context, its message filter, the
team's shared memories (and the tool that writes them), and its structured reply type.

Called from TeamBuilder (``_assistant`` for the assistant's arguments, ``agent`` for the filter,
which wraps any kind). See core/agent_parts.py for the file syntax.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, List, Mapping, Protocol, Sequence

from autogen_agentchat.agents import AssistantAgent, BaseChatAgent, MessageFilterAgent, MessageFilterConfig, PerSourceFilter
from autogen_agentchat.messages import BaseChatMessage, StructuredMessage
from autogen_core.memory import ListMemory, Memory, MemoryContent, MemoryMimeType
from autogen_core.model_context import (
    BufferedChatCompletionContext,
    ChatCompletionContext,
    TokenLimitedChatCompletionContext,
)
from autogen_core.models import ChatCompletionClient, FunctionExecutionResultMessage, LLMMessage
from autogen_core import CancellationToken
from autogen_core.tools import BaseTool
from pydantic import BaseModel, Field

from ..core.json_model import model_from_schema
from ..core.spec import AgentSpec, TeamSpec
from ..core.validate_parts import remember_tool_name

__all__ = [
    "FilteredAgent", "RememberTool", "StructuredAssistant", "TokenWindow",
    "assistant_class", "assistant_parts", "memories", "memory_tools", "model_context", "with_filter",
]

log = logging.getLogger(__name__)



class Builder(Protocol):
    """What these parts need of the run's TeamBuilder (which imports this module: naming its
    class here would tie the two in an import cycle)."""

    spec: TeamSpec


#: The memories of each builder (one run): built once, so every agent listing one shares it.
_MEMORIES: weakref.WeakKeyDictionary[Builder, dict[str, ListMemory]] = weakref.WeakKeyDictionary()


# --- context -----------------------------------------------------------------------------


class TokenWindow(TokenLimitedChatCompletionContext):
    """AgentChat's token-limited context, keeping the *newest* messages within the limit.

    AgentChat's own drops messages from the middle until the rest fits, which can drop the newest
    message (the one the agent must answer) and keep the oldest; the file promises the newest, so
    this drops the oldest first and always keeps the last one. It counts with the agent's model
    client; when that cannot count (OpenAI-style clients use tiktoken, which downloads its tables
    on first use: offline, with a local server, that fails) it estimates four characters a token."""

    def __init__(self, model_client: ChatCompletionClient, *, token_limit: int) -> None:
        super().__init__(model_client, token_limit=token_limit)
        self.limit = token_limit

    def _count(self, messages: List[LLMMessage]) -> int:
        try:
            return self._model_client.count_tokens(messages, tools=self._tool_schema)
        except Exception:  # any counting failure: estimated instead (the log says why)
            log.info("counting tokens failed; estimating them instead", exc_info=True)
            return sum(len(str(m.content)) // 4 + 4 for m in messages)

    async def get_messages(self) -> List[LLMMessage]:
        messages = list(self._messages)
        while len(messages) > 1 and self._count(messages) > self.limit:
            del messages[0]
        while messages and isinstance(messages[0], FunctionExecutionResultMessage):
            del messages[0]  # a tool result without its call would be refused
        return messages


def model_context(client: ChatCompletionClient, spec: AgentSpec) -> ChatCompletionContext | None:
    """The agent's model context from ``context:`` (None: AgentChat's unbounded default)."""
    if spec.context is None:
        return None
    if spec.context.last_messages is not None:
        return BufferedChatCompletionContext(buffer_size=spec.context.last_messages)
    assert spec.context.max_tokens is not None  # ContextSpec holds exactly one of the two
    return TokenWindow(client, token_limit=spec.context.max_tokens)


# --- what it sees --------------------------------------------------------------------------


class FilteredAgent(MessageFilterAgent):
    """MessageFilterAgent that keeps the wrapped agent's description (selectors and coordinators
    route on it) and its state (a continued conversation must keep the agent's history)."""

    def __init__(self, name: str, wrapped_agent: BaseChatAgent, filter: MessageFilterConfig) -> None:  # noqa: A002
        super().__init__(name, wrapped_agent, filter)
        self.inner = wrapped_agent
        self._description = wrapped_agent.description

    async def save_state(self) -> Mapping[str, Any]:
        return await self.inner.save_state()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        await self.inner.load_state(state)

    async def close(self) -> None:
        await self.inner.close()


def with_filter(agent: BaseChatAgent, spec: AgentSpec) -> BaseChatAgent:
    """``agent`` behind its ``sees:`` filter (unchanged without one). The filter applies to the
    messages each turn delivers; what the agent keeps of earlier turns is its context's business."""
    if not spec.sees:
        return agent
    config = MessageFilterConfig(per_source=[
        PerSourceFilter(source=item.source, position=item.position, count=item.count) for item in spec.sees
    ])
    return FilteredAgent(agent.name, agent, config)


# --- memory ------------------------------------------------------------------------------


def memories(b: Builder) -> dict[str, ListMemory]:
    """The team's memories for this run, seeded with their entries; one instance each."""
    built = _MEMORIES.get(b)
    if built is None:
        built = _MEMORIES[b] = {
            memory_id: ListMemory(name=memory_id, memory_contents=[
                MemoryContent(content=entry, mime_type=MemoryMimeType.TEXT) for entry in memory.entries
            ])
            for memory_id, memory in b.spec.memories.items()
        }
    return built


def memory_tools(b: Builder, agent_id: str) -> list[BaseTool[Any, Any]]:
    """``remember_<memory>(text)`` for each memory this agent writes."""
    out: list[BaseTool[Any, Any]] = []
    for memory_id, memory in b.spec.memories.items():
        if agent_id in memory.writers:
            out.append(RememberTool(memories(b)[memory_id], memory_id, memory.description))
    return out


#: The longest note a writer may add. A memory is read by every reader on every turn, so a note is
#: one fact; and the limit is in the tool's schema, which bounds a grammar-constrained model's
#: arguments (the embedded model would otherwise write until its argument budget runs out).
NOTE_MAX_CHARS = 200


class Note(BaseModel):
    text: str = Field(max_length=NOTE_MAX_CHARS, description="One short fact to keep.")


class RememberTool(BaseTool[Note, BaseModel]):
    """``remember_<memory>(text)``: adds one entry to the shared memory. Not recorded for replay
    like the file's tools: it changes nothing outside the run, and a replay must rebuild the memory."""

    def __init__(self, memory: ListMemory, memory_id: str, about: str) -> None:
        what = f" ({about})" if about else ""
        super().__init__(Note, BaseModel, remember_tool_name(memory_id),
                         f"Add a note to the shared memory '{memory_id}'{what}; every agent reading it sees the note from its next turn.")
        self.memory, self.memory_id = memory, memory_id

    async def run(self, args: Note, cancellation_token: CancellationToken) -> Any:
        text = args.text.strip()
        if not text:
            return "nothing to remember: the text is empty"
        await self.memory.add(MemoryContent(content=text, mime_type=MemoryMimeType.TEXT))
        return f"remembered in {self.memory_id} (entry {len(self.memory.content)})"


# --- the assistant's arguments -------------------------------------------------------------


class StructuredAssistant(AssistantAgent):
    """An assistant whose replies are StructuredMessage[its model]. AgentChat's group chats register
    the structured types their participants name, and AssistantAgent names only the generic
    StructuredMessage (its docs have the team told with custom_message_types instead): this one
    names its own, so every pattern carries its replies without knowing about them."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        types = list(super().produced_message_types)
        reply = self._output_content_type
        if reply is not None:
            types.append(StructuredMessage[reply])  # type: ignore[valid-type]
        return types


def assistant_class(spec: AgentSpec) -> type[AssistantAgent]:
    """The AssistantAgent class for this agent: StructuredAssistant when it has an output_schema."""
    return StructuredAssistant if spec.output_schema is not None else AssistantAgent


def output_type(agent_id: str, spec: AgentSpec) -> type[BaseModel] | None:
    """The reply's pydantic model from ``output_schema`` (validation refused any it cannot build)."""
    if spec.output_schema is None:
        return None
    return model_from_schema(spec.output_schema, f"{agent_id}_reply", agent_id)


def assistant_parts(b: Builder, agent_id: str, spec: AgentSpec, client: ChatCompletionClient) -> dict[str, Any]:
    """AssistantAgent's model_context, memory and output_content_type (only those the file sets)."""
    out: dict[str, Any] = {}
    context = model_context(client, spec)
    if context is not None:
        out["model_context"] = context
    if spec.memory:
        shared = memories(b)
        listed: list[Memory] = [shared[m] for m in spec.memory]
        out["memory"] = listed
    reply = output_type(agent_id, spec)
    if reply is not None:
        out["output_content_type"] = reply
    return out
