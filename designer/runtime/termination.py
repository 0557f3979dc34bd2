"""A ``termination:`` block -> one AgentChat condition, nested ``any:`` / ``all:`` blocks included.

A block's own conditions combine with OR, ``any:`` children with OR and ``all:`` children with
AND. AgentChat's ``|`` and ``&`` check their parts with ``asyncio.gather`` (tasks on every
message's path, see conditions.py), so OR is :func:`conditions.any_of` and AND is :class:`AllOf`,
which checks its parts in turn with the same result.

The run's own ``timeout`` is not compiled here: the runner's watchdog enforces it, because AgentChat
checks a timeout only when a message arrives. A nested block's timeout, and an inner team's, are
conditions (:class:`RunClock`), checked at each message like AgentChat's.

``max_turns`` is not a condition in AgentChat but a team constructor argument: each pattern's
compile module passes :func:`turn_cap`.

Between runs nothing needs resetting by hand: a fresh team (with fresh conditions) is built for every
run, and the group chat manager resets the condition itself when it fires (``AllOf.reset`` forgets
which parts had held; :class:`RunClock` restarts at its next check).
"""

from __future__ import annotations

import time
from typing import Literal, Sequence

from autogen_agentchat.base import AndTerminationCondition, TerminatedException, TerminationCondition
from autogen_agentchat.conditions import (
    ExternalTermination,
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    TextMentionTermination,
    TextMessageTermination,
    TimeoutTermination,
    TokenUsageTermination,
)
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, StopMessage

from ..core.spec import TeamSpec, TerminationSpec
from .conditions import any_of

__all__ = ["AllOf", "RunClock", "Spoke", "TokenCap", "block_condition", "run_condition", "turn_cap"]


class AllOf(AndTerminationCondition):
    """AgentChat's ``&`` with its parts checked in turn: it ends the run once every part has held
    (a part that held stays held until the reset), with the parts' reasons joined."""

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        if self.terminated:
            raise TerminatedException("Termination condition has already been reached.")
        # As AgentChat's: the parts that already held are not asked again.
        stops = [await condition(messages) for condition in self._conditions if not condition.terminated]
        self._stop_messages.extend(stop for stop in stops if stop is not None)
        if any(stop is None for stop in stops):
            return None
        return StopMessage(content=", ".join(s.content for s in self._stop_messages),
                           source=", ".join(s.source for s in self._stop_messages))


def all_of(*conditions: TerminationCondition) -> TerminationCondition:
    """One :class:`AllOf` of ``conditions``; a single one as is."""
    return conditions[0] if len(conditions) == 1 else AllOf(*conditions)


class RunClock(TimeoutTermination):
    """``TimeoutTermination`` whose clock starts at its first check after a build or a reset.

    AgentChat's starts when built and again at each reset, which for an inner team is the end of its
    last run: the outer conversation in between would count against the next run's time."""

    def __init__(self, timeout_seconds: float) -> None:
        super().__init__(timeout_seconds)
        self._clock_started = False

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        if not self._clock_started:
            self._clock_started = True
            self._start_time = time.monotonic()
        return await super().__call__(messages)

    async def reset(self) -> None:
        await super().reset()
        self._clock_started = False


class TokenCap(TokenUsageTermination):
    """A prompt- or completion-token cap whose stop text says which cap was reached: AgentChat's
    text is the same for all three (core/finish.py words it for the user)."""

    def __init__(self, kind: Literal["prompt", "completion"], limit: int) -> None:
        if kind == "prompt":
            super().__init__(max_prompt_token=limit)
        else:
            super().__init__(max_completion_token=limit)
        self._kind = kind
        self._limit = limit

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        stop = await super().__call__(messages)
        if stop is None:
            return None
        count = self._prompt_token_count if self._kind == "prompt" else self._completion_token_count
        return StopMessage(content=f"{self._kind.capitalize()} token limit {self._limit} reached, "
                                   f"{self._kind} token count: {count}", source=stop.source)


class Spoke(SourceMatchTermination):
    """``spoke:``: AgentChat's SourceMatchTermination with its own stop text ("'critic' spoke"): the
    hierarchical pattern's end ("'lead' answered", the coordinator's answer) reads as it did."""

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        stop = await super().__call__(messages)
        if stop is None:
            return None
        return StopMessage(content=stop.content.replace("' answered", "' spoke"), source=stop.source)


def block_condition(term: TerminationSpec, agents: Sequence[str], *, timeout: bool = True) -> TerminationCondition | None:
    """The condition of one block and its ``any:`` / ``all:`` children; None when it has none.

    ``agents``: whose words a ``text`` condition counts (a task that quotes the stop word must not
    end the run before anyone has spoken). ``timeout=False`` leaves this block's own timeout out
    (the run's, which the watchdog enforces); nested blocks always keep theirs."""
    parts: list[TerminationCondition] = []
    if term.text:
        parts.append(TextMentionTermination(term.text, sources=list(agents)))
    if term.max_messages:
        parts.append(MaxMessageTermination(term.max_messages))
    if term.max_tokens:
        parts.append(TokenUsageTermination(max_total_token=term.max_tokens))
    if term.max_prompt_tokens:
        parts.append(TokenCap("prompt", term.max_prompt_tokens))
    if term.max_completion_tokens:
        parts.append(TokenCap("completion", term.max_completion_tokens))
    if term.timeout and timeout:
        parts.append(RunClock(term.timeout))
    if term.tool_called:
        parts.append(FunctionCallTermination(term.tool_called))
    if term.text_from:
        parts.append(TextMessageTermination(term.text_from))
    if term.handoff_to:
        parts.append(HandoffTermination(term.handoff_to))
    if term.spoke:
        parts.append(Spoke(list(term.spoke)))
    parts.extend(c for c in (block_condition(child, agents) for child in term.any_of) if c is not None)
    if term.all_of:
        every = [block_condition(child, agents) for child in term.all_of]
        # An empty part never holds, so neither does the whole (validation reports it).
        if all(c is not None for c in every):
            parts.append(all_of(*[c for c in every if c is not None]))
    return any_of(*parts) if parts else None


def run_condition(term: TerminationSpec, external: ExternalTermination, agents: Sequence[str]) -> TerminationCondition:
    """The run's condition: the runner's external stop OR the file's block (its timeout left to the watchdog)."""
    own = block_condition(term, agents, timeout=False)
    return external if own is None else any_of(external, own)


def turn_cap(spec: TeamSpec, orch: object) -> int | None:
    """``max_turns`` of the team whose orchestration is ``orch``: an inner team's own (``spec.teams``),
    else the run's. A team constructor's ``max_turns`` argument in every compile module."""
    if orch is not spec.orchestration:
        for inner in spec.teams.values():
            # Inner teams share no member with the outer team or each other: equal means the same.
            if inner.orchestration is orch or inner.orchestration == orch:
                return inner.termination.max_turns
    return spec.termination.max_turns
