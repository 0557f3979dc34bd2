"""Runs sharing one loop (the window's worker, an evaluation) cannot disturb each other."""

from __future__ import annotations

import asyncio
from typing import Any

from designer.core.yamlio import parse_team
from designer.runtime.runner import TeamRun

TEAM = """
schema: team-designer/v1
name: NAME
default_model: s
models:
  s: {provider: scripted, responses: RESPONSES}
agents:
  a: {streaming: true}
  human: {kind: user_proxy}
orchestration: {pattern: round_robin, participants: PARTICIPANTS}
termination: {max_messages: LIMIT}
"""


def team(name: str, responses: list[str], *, human: bool = False) -> Any:
    text = (TEAM.replace("NAME", name).replace("RESPONSES", repr(responses))
            .replace("PARTICIPANTS", "[a, human]" if human else "[a]")
            .replace("LIMIT", str(len(responses) * (2 if human else 1) + 1)))
    result = parse_team(text)
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


async def _collect(run: TeamRun, answers: "asyncio.Queue[str] | None" = None) -> list[Any]:
    events = []
    async for event in run.events():
        events.append(event)
        if event.type == "input_requested" and answers is not None:
            run.provide_input(await answers.get(), event.request_id)
    return events


def _messages(events: list[Any]) -> list[str]:
    return [e.content for e in events if e.type == "message"]


def test_three_runs_in_one_loop_each_finish_with_their_own_transcript():
    """The slow run waits for a human until both fast runs have ended (and cleaned up): their
    ends must not cancel its tasks, and no event of one run may appear in another's stream."""
    fast_a = team("fast-a", ["a1", "a2", "a3"])
    fast_b = team("fast-b", ["b1", "b2"])
    slow = team("slow", ["s1", "s2"], human=True)

    async def go() -> tuple[list[Any], list[Any], list[Any]]:
        answers: asyncio.Queue[str] = asyncio.Queue()
        runs = [TeamRun(fast_a, "task a"), TeamRun(fast_b, "task b"), TeamRun(slow, "task s")]
        slow_task = asyncio.ensure_future(_collect(runs[2], answers))
        first, second = await asyncio.gather(_collect(runs[0]), _collect(runs[1]))
        # Both fast runs are over, including their end-of-run cleanup; only now may the slow one go on.
        await answers.put("answer one")
        await answers.put("answer two")
        return first, second, await slow_task

    first, second, third = asyncio.run(asyncio.wait_for(go(), 120))
    assert _messages(first) == ["task a", "a1", "a2", "a3"]
    assert _messages(second) == ["task b", "b1", "b2"]
    assert _messages(third) == ["task s", "s1", "answer one", "s2", "answer two"]
    for events, name in ((first, "fast-a"), (second, "fast-b"), (third, "slow")):
        assert events[0].type == "started" and events[0].team == name
        assert events[-1].type == "finished" and events[-1].reason == "termination", events[-1]
        assert not [e for e in events if e.type == "error"]


def test_a_run_stopped_mid_tool_call_leaves_a_neighbour_running():
    """Stopping one run reaps its own leftovers only: a run started beside it goes on."""
    from tests.conftest import fixture_tools

    stuck = parse_team("""
schema: team-designer/v1
name: stuck
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: slow_async, arguments: {seconds: 120}}]}]}
tools:
  slow_async: {function: "slowtools:slow_async", timeout: 300}
agents:
  a: {tools: [slow_async], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 3}
""").spec
    neighbour = team("neighbour", ["n1", "n2"], human=True)

    async def go() -> tuple[list[Any], list[Any]]:
        answers: asyncio.Queue[str] = asyncio.Queue()
        victim = TeamRun(neighbour, "task n")
        other = asyncio.ensure_future(_collect(victim, answers))
        stopped = TeamRun(stuck, "go", **fixture_tools())
        events = []
        async for event in stopped.events():
            events.append(event)
            if event.type == "tool_call":
                stopped.stop()
        await answers.put("x")
        await answers.put("y")
        return events, await other

    stopped_events, neighbour_events = asyncio.run(asyncio.wait_for(go(), 120))
    assert stopped_events[-1].reason == "stopped"
    assert _messages(neighbour_events) == ["task n", "n1", "x", "n2", "y"]
    assert neighbour_events[-1].reason == "termination"
