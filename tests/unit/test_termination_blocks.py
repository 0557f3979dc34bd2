"""Termination blocks compiled to AgentChat conditions, fed real AgentChat messages.

Each condition must hold on the message it names and not on others; ``all`` only once every
part has held; nested blocks combine; the stop texts read in plain words (core/finish.py).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Sequence

import pytest
from autogen_agentchat.conditions import ExternalTermination
from autogen_agentchat.messages import (
    HandoffMessage,
    StopMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallSummaryMessage,
)
from autogen_core import FunctionCall
from autogen_core.models import FunctionExecutionResult, RequestUsage

from designer.core.finish import plain_reason
from designer.core.spec import TeamSpec, TerminationSpec
from designer.runtime.termination import AllOf, block_condition, run_condition, turn_cap

AGENTS = ["writer", "critic"]


def block(**fields: Any) -> TerminationSpec:
    return TerminationSpec.model_validate(fields)


def feed(condition: Any, *batches: Sequence[Any]) -> list[StopMessage | None]:
    """The condition's answer to each batch, as a group chat manager asks it after each turn."""
    async def go() -> list[StopMessage | None]:
        return [await condition(list(batch)) for batch in batches]

    return asyncio.run(go())


def text(content: str, source: str = "writer", tokens: tuple[int, int] | None = None) -> TextMessage:
    usage = RequestUsage(prompt_tokens=tokens[0], completion_tokens=tokens[1]) if tokens else None
    return TextMessage(content=content, source=source, models_usage=usage)


def executed(name: str, source: str = "writer") -> list[Any]:
    """What an assistant's turn that called ``name`` hands the manager: the execution event, then the summary."""
    return [
        ToolCallExecutionEvent(content=[FunctionExecutionResult(call_id="1", content="ok", name=name, is_error=False)],
                               source=source),
        ToolCallSummaryMessage(content="ok", source=source, tool_calls=[FunctionCall(id="1", arguments="{}", name=name)],
                               results=[FunctionExecutionResult(call_id="1", content="ok", name=name, is_error=False)]),
    ]


def test_tool_called_holds_when_that_tool_ran_and_not_for_another_tool():
    condition = block_condition(block(tool_called="publish"), AGENTS)
    stops = feed(condition, executed("draft"), [text("hello")], executed("publish"))
    assert stops[:2] == [None, None]
    assert stops[2] is not None and plain_reason(stops[2].content) == "tool publish was called"


def test_text_from_holds_on_a_plain_text_message_of_that_agent_only():
    condition = block_condition(block(text_from="critic"), AGENTS)
    stops = feed(condition, [text("draft", "writer")], executed("x", "critic"), [text("fine", "critic")])
    assert stops[:2] == [None, None]  # the critic's tool summary is no text message
    assert stops[2] is not None and plain_reason(stops[2].content) == "critic sent a text message"


def test_handoff_to_holds_on_a_hand_off_to_that_target():
    condition = block_condition(block(handoff_to="user"), AGENTS)
    stops = feed(condition, [HandoffMessage(content="to critic", target="critic", source="writer")],
                 [HandoffMessage(content="over to you", target="user", source="critic")])
    assert stops[0] is None
    assert stops[1] is not None and plain_reason(stops[1].content) == "critic handed off to user"


def test_spoke_holds_when_any_listed_agent_has_spoken():
    condition = block_condition(block(spoke=["critic"]), AGENTS)
    stops = feed(condition, [text("draft", "writer")], [text("hm", "critic")])
    assert stops[0] is None
    assert stops[1] is not None and plain_reason(stops[1].content) == "critic spoke"


def test_prompt_and_completion_caps_are_separate_and_say_which_was_reached():
    prompt = block_condition(block(max_prompt_tokens=100), AGENTS)
    stops = feed(prompt, [text("a", tokens=(60, 500))], [text("b", tokens=(50, 1))])
    assert stops[0] is None  # 500 completion tokens do not count against a prompt cap
    assert stops[1] is not None and plain_reason(stops[1].content) == "the prompt-token budget of 100 was used up"
    completion = block_condition(block(max_completion_tokens=10), AGENTS)
    stops = feed(completion, [text("a", tokens=(900, 4))], [text("b", tokens=(900, 6))])
    assert stops[0] is None
    assert stops[1] is not None and plain_reason(stops[1].content) == "the completion-token budget of 10 was used up"


def test_all_holds_only_once_every_part_has_held_and_joins_their_reasons():
    condition = block_condition(block(all=[{"text": "APPROVE"}, {"spoke": ["critic"]}]), AGENTS)
    assert isinstance(condition, AllOf)
    stops = feed(condition, [text("draft")], [text("not yet", "critic")], [text("draft 2")],
                 [text("APPROVE", "critic")])
    assert stops[:3] == [None, None, None]  # the critic spoke at turn 2, but nobody approved yet
    assert stops[3] is not None
    assert plain_reason(stops[3].content) == "critic spoke, Text 'APPROVE' mentioned"


def test_any_inside_all_and_all_inside_any_nest():
    # (tool publish called OR writer spoke) AND critic spoke; OR'ed with 3 messages at the top.
    term = block(max_messages=3, all=[{"any": [{"tool_called": "publish"}, {"spoke": ["writer"]}]},
                                      {"spoke": ["critic"]}])
    stops = feed(block_condition(term, AGENTS), [text("x", "critic")], executed("publish"))
    assert stops[0] is None and stops[1] is not None  # both parts held by the second turn, before 3 messages
    assert "tool publish was called" in plain_reason(stops[1].content)
    # The same block, but the all never completes: the top-level bound ends it.
    stops = feed(block_condition(term, AGENTS), [text("1", "critic")], [text("2", "critic")], [text("3", "critic")])
    assert stops[:2] == [None, None] and stops[2] is not None
    assert plain_reason(stops[2].content).startswith("the limit of 3 messages was reached")


def test_an_or_of_blocks_holds_when_any_block_holds():
    condition = block_condition(block(any=[{"tool_called": "publish"}, {"text_from": "critic"}]), AGENTS)
    assert feed(condition, [text("x", "writer")], [text("ok", "critic")])[1] is not None


def test_reset_forgets_what_the_parts_of_an_all_had_seen():
    condition = block_condition(block(all=[{"spoke": ["writer"]}, {"spoke": ["critic"]}]), AGENTS)

    async def go() -> tuple[Any, Any, Any]:
        first = await condition([text("a", "writer")])
        await condition.reset()  # what the group chat manager does when a run ends
        second = await condition([text("b", "critic")])
        third = await condition([text("c", "writer")])
        return first, second, third

    first, second, third = asyncio.run(go())
    assert first is None and second is None  # the writer's turn before the reset no longer counts
    assert third is not None


def test_a_nested_timeout_is_a_condition_whose_clock_starts_at_its_first_check(monkeypatch: pytest.MonkeyPatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    condition = block_condition(block(any=[{"timeout": 5}]), AGENTS)
    now[0] = 2000.0  # time between building the team and its first message does not count
    stops = feed(condition, [text("a")])
    now[0] = 2006.0
    stops += feed(condition, [text("b")])
    assert stops[0] is None and stops[1] is not None
    assert plain_reason(stops[1].content) == "the time limit of 5.0 s was reached"


def test_the_runs_own_timeout_is_left_to_the_watchdog_and_the_external_stop_is_in(monkeypatch: pytest.MonkeyPatch):
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    external = ExternalTermination()
    condition = run_condition(block(timeout=1, text="DONE"), external, AGENTS)
    now[0] = 100.0
    assert feed(condition, [text("a")]) == [None]
    external.set()
    stop = feed(condition, [text("b")])[0]
    assert stop is not None and "External termination requested" in stop.content


def test_text_counts_the_agents_words_only_not_the_task():
    condition = block_condition(block(text="DONE"), AGENTS)
    assert feed(condition, [TextMessage(content="say DONE when done", source="user")], [text("DONE")]) [0] is None


def test_plain_words_for_the_turn_cap():
    assert plain_reason("Maximum number of turns 3 reached.") == "turn cap of 3 reached"


def test_turn_cap_is_the_runs_or_the_inner_teams_own():
    spec = TeamSpec.model_validate({
        "schema": "team-designer/v1", "name": "t",
        "agents": {"a": {}, "b": {}, "c": {}, "inner": {"kind": "team", "team": "pair"}},
        "orchestration": {"pattern": "round_robin", "participants": ["a", "inner"]},
        "termination": {"max_turns": 7},
        "teams": {"pair": {"orchestration": {"pattern": "round_robin", "participants": ["b", "c"]},
                           "termination": {"max_messages": 4, "max_turns": 2}}},
    })
    assert turn_cap(spec, spec.orchestration) == 7
    assert turn_cap(spec, spec.teams["pair"].orchestration) == 2
    assert turn_cap(spec, spec.teams["pair"].orchestration.model_copy()) == 2
