"""An agent's parts compile to AgentChat's own objects: the model contexts with their limits,
MessageFilterAgent with the file's per-source filters (in every pattern), one ListMemory per
memory shared by its readers, the writers' remember tool, and a structured reply type."""

from __future__ import annotations

import asyncio
from typing import Any

from autogen_agentchat.agents import AssistantAgent, MessageFilterAgent
from autogen_agentchat.messages import StructuredMessage, TextMessage
from autogen_core.memory import ListMemory
from autogen_core.model_context import BufferedChatCompletionContext, TokenLimitedChatCompletionContext
from autogen_core.models import UserMessage

from designer.runtime.agent_parts import TokenWindow
from designer.runtime.compiler import compile_team

TEAM = """
schema: team-designer/v1
name: parts
default_model: s
models:
  s: {provider: scripted, responses: ["one", "two", "three", "four"]}
  w:
    provider: scripted
    responses:
    - tool_calls: [{name: remember_notes, arguments: {text: "the bridge is closed"}}]
  r: {provider: scripted, responses: ['{"city": "Oslo", "population": 700000}']}
memories:
  notes: {entries: [first entry, second entry], writers: [writer]}
agents:
  writer: {model: w, memory: [notes], context: {last_messages: 3}}
  reader:
    model: r
    streaming: false  # the scripted client keeps the requests of create() calls
    description: Reads the notes.
    memory: [notes]
    context: {max_tokens: 200}
    sees: [{source: user, first: 1}, {source: writer, last: 1}]
    output_schema:
      type: object
      properties: {city: {type: string}, population: {type: integer}}
      required: [city, population]
orchestration: {pattern: round_robin, participants: [writer, reader]}
termination: {max_messages: 3}
"""


async def _no_input(agent: str, prompt: str, token: object) -> str:
    return ""


def participants(spec: Any) -> dict[str, Any]:
    async def build() -> dict[str, Any]:
        return {p.name: p for p in compile_team(spec, _no_input).team._participants}

    return asyncio.run(build())


def test_contexts_filters_memories_and_the_reply_type_are_agentchat_s_own(make_spec):
    agents = participants(make_spec(TEAM))
    writer, reader = agents["writer"], agents["reader"]
    assert isinstance(writer, AssistantAgent)
    assert isinstance(writer.model_context, BufferedChatCompletionContext) and writer.model_context._buffer_size == 3

    assert isinstance(reader, MessageFilterAgent) and reader.name == "reader"
    assert [(f.source, f.position, f.count) for f in reader._filter.per_source] == [("user", "first", 1), ("writer", "last", 1)]
    assert reader.description == "Reads the notes."  # what a selector routes on, not "... (with message filtering)"
    inner = reader.inner
    assert isinstance(inner, AssistantAgent) and inner.name == "reader"
    assert isinstance(inner.model_context, TokenLimitedChatCompletionContext) and inner.model_context._token_limit == 200

    # One ListMemory per memory, the same object for every agent that lists it, seeded from the file.
    memory = writer._memory[0]
    assert isinstance(memory, ListMemory) and inner._memory[0] is memory
    assert [c.content for c in memory.content] == ["first entry", "second entry"]

    # The structured reply: its type is named, so the group chat registers it.
    reply = inner._output_content_type
    assert reply is not None and set(reply.model_fields) == {"f0", "f1"}
    assert StructuredMessage[reply] in reader.produced_message_types  # type: ignore[valid-type]


def test_every_kind_and_pattern_gets_the_filter(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: p
default_model: s
models:
  s: {provider: scripted, responses: ["a", "b"]}
agents:
  a: {}
  b: {sees: [{source: a, last: 1}]}
orchestration: {pattern: sequential, order: [a, b]}
termination: {max_messages: 4}
""")
    agents = participants(spec)
    assert not isinstance(agents["a"], MessageFilterAgent) and isinstance(agents["b"], MessageFilterAgent)


def test_a_run_shares_one_memory_and_the_writer_s_tool_adds_to_it(make_spec):
    spec = make_spec(TEAM)

    async def run() -> tuple[Any, list[Any], Any]:
        compiled = compile_team(spec, _no_input)
        result = await compiled.team.run(task="Which city?")
        reader = next(p for p in compiled.team._participants if p.name == "reader")
        scripted_r = next(c for c in compiled.clients if c.create_calls)  # the reader's model: the one not streamed
        return result, reader.inner._memory[0], scripted_r

    result, memory, client = asyncio.run(run())
    assert [c.content for c in memory.content] == ["first entry", "second entry", "the bridge is closed"]
    last = result.messages[-1]
    assert isinstance(last, StructuredMessage) and last.content.model_dump() == {"city": "Oslo", "population": 700000}
    # What the reader's model was sent: the task, the writer's last message, and the memory (all three
    # entries: the one written this run too), in that order; the reply type went along as json_output.
    sent = client.create_calls[0]["messages"]
    texts = [m.content for m in sent]
    assert texts[0] == "Which city?" and "remembered in notes" in texts[1]
    assert "the bridge is closed" in texts[-1] and "first entry" in texts[-1]
    assert client.create_calls[0]["json_output"] is not None


def test_the_token_window_keeps_the_newest_messages_counting_with_the_client_or_estimating():
    class Counter:
        def count_tokens(self, messages: Any, **_: Any) -> int:
            return sum(len(str(m.content).split()) for m in messages)

    class Broken:
        def count_tokens(self, messages: Any, **_: Any) -> int:
            raise RuntimeError("tiktoken could not download its tables")

    messages = [UserMessage(content=f"m{i} " + " ".join(["word"] * 29), source="user") for i in range(5)]

    async def kept(client: Any, limit: int) -> list[str]:
        window = TokenWindow(client, token_limit=limit)
        for m in messages:
            await window.add_message(m)
        return [str(m.content).split()[0] for m in await window.get_messages()]

    # 30 words each: the newest three fit (AgentChat's own would drop from the middle, newest too).
    assert asyncio.run(kept(Counter(), 100)) == ["m2", "m3", "m4"]
    assert asyncio.run(kept(Broken(), 100)) == ["m3", "m4"]  # ~150 characters each: about 41 tokens
    assert asyncio.run(kept(Counter(), 5)) == ["m4"]  # the message to answer is always kept


def test_a_plain_assistant_is_unchanged(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: p
default_model: s
models:
  s: {provider: scripted, responses: ["a"]}
agents:
  a: {}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 2}
""")
    agent = participants(spec)["a"]
    assert type(agent) is AssistantAgent and agent._memory is None
    assert agent._output_content_type is None and type(agent.model_context).__name__ == "UnboundedChatCompletionContext"
    assert TextMessage in agent.produced_message_types


def test_parallel_tool_calls_reaches_openai_style_clients_but_never_undoes_a_sequential_one(monkeypatch):
    from designer.core.spec import ModelSpec
    from designer.runtime.models import build_client

    monkeypatch.setenv("PARTS_TEST_KEY", "sk-not-a-real-key")
    spec = ModelSpec.model_validate({"provider": "openai", "model": "gpt-4o-mini", "api_key": "env:PARTS_TEST_KEY",
                                     "options": {"parallel_tool_calls": True}})
    assert build_client(spec, "gpt")._create_args["parallel_tool_calls"] is True  # type: ignore[attr-defined]
    # A coordinator delegating to workers keeps its delegations one at a time, whatever the file says.
    sequential = build_client(spec, "gpt", parallel_tool_calls=False)
    assert sequential._create_args["parallel_tool_calls"] is False  # type: ignore[attr-defined]
    unset = ModelSpec.model_validate({"provider": "openai", "model": "gpt-4o-mini", "api_key": "env:PARTS_TEST_KEY"})
    assert "parallel_tool_calls" not in build_client(unset, "gpt")._create_args  # type: ignore[attr-defined]
    # The embedded client takes no such option: it is dropped, not passed on to fail.
    embedded = ModelSpec.model_validate({"provider": "embedded", "options": {"parallel_tool_calls": True}})
    assert type(build_client(embedded, "e")).__name__ == "EmbeddedChatCompletionClient"
