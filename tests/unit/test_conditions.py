"""``any_of``: AgentChat's OR of termination conditions, checked in turn instead of with tasks."""

from __future__ import annotations

import asyncio

from autogen_agentchat.conditions import ExternalTermination, MaxMessageTermination, TextMentionTermination
from autogen_agentchat.messages import TextMessage

from designer.runtime.conditions import AnyOf, any_of


def _conditions() -> tuple:
    return ExternalTermination(), MaxMessageTermination(3), TextMentionTermination("DONE")


async def _feed(condition, texts: list[str]) -> list:  # type: ignore[no-untyped-def]
    said = []
    for text in texts:
        stop = await condition([TextMessage(content=text, source="a")])
        said.append(None if stop is None else (stop.content, stop.source))
        if stop is not None:
            break
    return said


def test_it_answers_as_agentchats_or_does():
    async def go() -> tuple[list, list, list, list]:
        external, most, text = _conditions()
        ours = await _feed(any_of(external, most, text), ["one", "two", "DONE"])
        external, most, text = _conditions()
        theirs = await _feed(external | most | text, ["one", "two", "DONE"])
        external, most, text = _conditions()
        ours_external = any_of(external, most, text)
        external.set()
        return ours, theirs, await _feed(ours_external, ["one"]), [ours_external.terminated]

    ours, theirs, stopped, terminated = asyncio.run(go())
    assert ours == theirs
    assert ours[-1] is not None and "Maximum" in ours[-1][0] and "DONE" in ours[-1][0]  # both fired: reasons joined
    assert stopped[0] is not None and stopped[0][1] == "ExternalTermination" and terminated == [True]


def test_nested_ors_are_flattened_and_a_single_condition_is_kept_as_is():
    external, most, text = _conditions()
    flat = any_of(external | most, text)
    assert isinstance(flat, AnyOf) and list(flat._conditions) == [external, most, text]
    assert any_of(most) is most


def test_reset_resets_every_condition():
    async def go() -> list:
        condition = any_of(MaxMessageTermination(1), TextMentionTermination("DONE"))
        first = await _feed(condition, ["one"])
        await condition.reset()
        return first + await _feed(condition, ["two"])

    said = asyncio.run(go())
    assert said[0] is not None and said[1] is not None
