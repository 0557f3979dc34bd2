"""The run API around AgentChat: snapshots, continuing conversations, loops reused across runs."""

from __future__ import annotations

import asyncio

from designer.runtime.runner import TeamRun
from tests.conftest import fixture_tools

TOOL_TEAM = """
schema: team-designer/v1
name: t
default_model: s
models:
  s: {provider: scripted, responses: RESPONSES}
tools:
  slow_async: {function: "slowtools:slow_async", timeout: 300}
agents:
  a: {tools: [slow_async], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 3}
"""


def test_a_new_run_in_the_same_loop_works_after_a_stop_mid_tool_call(make_spec):
    """The window keeps one worker loop for many runs: a stopped run must leave it clean."""
    stuck = make_spec(TOOL_TEAM.replace("RESPONSES", '[{tool_calls: [{name: slow_async, arguments: {seconds: 60}}]}]'))
    fine = make_spec(TOOL_TEAM.replace("RESPONSES", '["r1", "r2"]'))

    async def go() -> tuple[str, int, list[str]]:
        before = asyncio.all_tasks()
        first = TeamRun(stuck, "go", **fixture_tools())
        async for event in first.events():
            if event.type == "tool_call":
                first.stop()
        leftovers = len(asyncio.all_tasks() - before)
        second = TeamRun(fine, "go", **fixture_tools())
        contents = [e.content async for e in second.events() if e.type == "message"]
        return event.reason, leftovers, contents

    reason, leftovers, contents = asyncio.run(asyncio.wait_for(go(), 30))
    assert reason == "stopped" and leftovers == 0
    assert contents == ["go", "r1", "r2"]


def test_a_conversation_continues_through_saved_state(make_spec):
    spec = make_spec("""
        schema: team-designer/v1
        name: t
        default_model: s
        models:
          s: {provider: scripted, responses: ["first answer", "second answer"]}
        agents:
          a: {streaming: false}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {max_messages: 2}
    """)

    async def go() -> tuple[list[str], int]:
        first = TeamRun(spec, "question one")
        [e async for e in first.events()]
        assert first.state is not None
        second = TeamRun(spec, "question two", state=first.state)
        said = [e.content async for e in second.events() if e.type == "message"]
        thread = second.state["agent_states"]["a"]["agent_state"]["llm_context"]["messages"]
        return said, len(thread)

    said, remembered = asyncio.run(go())
    # The scripted model has one script per run: the second run starts it again.
    assert said == ["question two", "first answer"]
    assert remembered == 4  # both questions and both answers are in the agent's context


def test_a_run_works_on_a_frozen_snapshot(make_spec):
    spec = make_spec("""
        schema: team-designer/v1
        name: before
        default_model: s
        models:
          s: {provider: scripted, responses: ["hello"]}
        agents:
          a: {streaming: false}
        orchestration: {pattern: sequential, order: [a]}
    """)

    async def go() -> list:
        run = TeamRun(spec, "x")
        spec.name = "edited during the run"
        spec.agents["a"].system_message = "changed"
        return [e async for e in run.events()]

    events = asyncio.run(go())
    assert events[0].team == "before"
    assert events[-1].reason == "completed"


def test_setup_failures_are_error_events_not_exceptions(make_spec):
    spec = make_spec("""
        schema: team-designer/v1
        name: t
        default_model: m
        models:
          m: {provider: openai, model: gpt-4o-mini, api_key: "env:TEAM_DESIGNER_TEST_MISSING_KEY"}
        agents:
          a: {}
        orchestration: {pattern: sequential, order: [a]}
    """)

    async def go() -> list:
        return [e async for e in TeamRun(spec, "x").events()]

    events = asyncio.run(go())
    assert [e.type for e in events] == ["started", "error", "finished"]
    assert events[1].kind == "model"
    assert events[1].message == "model 'm': the environment variable TEAM_DESIGNER_TEST_MISSING_KEY is not set"
    assert events[2].reason == "error"


def test_stop_before_the_run_began_is_not_lost(make_spec):
    """Stop pressed right after Run (while AgentChat is still importing) ends the run at once."""
    spec = make_spec("""
        schema: team-designer/v1
        name: t
        default_model: s
        models:
          s: {provider: scripted, responses: ["never said"], delay: 30}
        agents:
          a: {}
        orchestration: {pattern: round_robin, participants: [a]}
    """)

    async def go() -> list:
        run = TeamRun(spec, "x")
        run.stop()
        return [e async for e in run.events()]

    events = asyncio.run(asyncio.wait_for(go(), 10))
    assert [e.type for e in events] == ["started", "finished"]
    assert events[-1].reason == "stopped" and events[-1].detail == "stopped by the user"


def test_finish_turn_before_the_run_began_is_not_lost(make_spec):
    """Nobody is speaking yet, so the run ends at its first check, before any agent's turn."""
    spec = make_spec("""
        schema: team-designer/v1
        name: t
        default_model: s
        models:
          s: {provider: scripted, responses: ["one", "two", "three"]}
        agents:
          a: {streaming: false}
        orchestration: {pattern: round_robin, participants: [a]}
    """)

    async def go() -> list:
        run = TeamRun(spec, "x")
        run.finish_turn()
        return [e async for e in run.events()]

    events = asyncio.run(go())
    assert [e.content for e in events if e.type == "message"] == ["x"]
    assert events[-1].reason == "stopped" and events[-1].detail == "finished by the user after the current turn"


def test_a_run_copies_the_spec_once_even_with_a_reply_cap(make_spec, monkeypatch):
    """The run owns the freeze (callers pass their spec as is); capping replies copies only the models."""
    spec = make_spec("""
        schema: team-designer/v1
        name: t
        default_model: s
        models:
          s: {provider: scripted, responses: ["hello"], options: {max_tokens: 50}}
        agents:
          a: {streaming: false}
        orchestration: {pattern: sequential, order: [a]}
    """)
    deep_copies = []
    original = type(spec).model_copy

    def counting(self, *args, **kwargs):
        if kwargs.get("deep"):
            deep_copies.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(spec), "model_copy", counting)
    run = TeamRun(spec, "x", reply_tokens=5, model_override="embedded")
    assert deep_copies == ["TeamSpec"]
    assert run.spec.models["s"].options.max_tokens == 5
    assert run.spec.models["embedded"].options.max_tokens == 5  # the built-in model gets an entry to cap
    # Neither the caller's spec nor the team as written (what trust is checked about) is capped.
    assert spec.models["s"].options.max_tokens == 50 and "embedded" not in spec.models
    assert run._written.models["s"].options.max_tokens == 50 and "embedded" not in run._written.models
    spec.agents["a"].system_message = "edited after the run began"
    assert run.spec.agents["a"].system_message != "edited after the run began"
