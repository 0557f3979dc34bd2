"""An OR of termination conditions that checks them one after another, without tasks.

AgentChat's ``a | b`` (``OrTerminationCondition``) checks its conditions with
``asyncio.gather``: two tasks and a gathering future per check, after every message, and
``a | b | c`` nests one such OR in another. The group chat manager waits for that check
before it picks the next speaker, so its loop hops are on the path of every message: in
``benchmarks/engine_overhead.py`` the runner's external stop OR'ed into a one-condition
team cost ~4% of a 200-message run. The built-in conditions decide without waiting for
anything, so checking them in turn gives the same answer, including the joined reasons
("Maximum number of messages 5 reached, Text 'DONE' mentioned").
"""

from __future__ import annotations

from typing import Callable, Sequence

from autogen_agentchat.base import OrTerminationCondition, TerminationCondition
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, StopMessage

__all__ = ["AnyOf", "MessageCounter", "any_of"]


class AnyOf(OrTerminationCondition):
    """``OrTerminationCondition`` with the conditions checked in turn (same result, same config)."""

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        if self.terminated:
            raise RuntimeError("Termination condition has already been reached")
        # Every condition sees every message, as with gather: a counter must not fall behind.
        stops = [stop for stop in [await condition(messages) for condition in self._conditions] if stop is not None]
        if not stops:
            return None
        return StopMessage(content=", ".join(s.content for s in stops), source=", ".join(s.source for s in stops))


def any_of(*conditions: TerminationCondition) -> TerminationCondition:
    """One flat :class:`AnyOf` of ``conditions`` (nested ORs are unpacked); a single one as is."""
    flat: list[TerminationCondition] = []
    for condition in conditions:
        if isinstance(condition, OrTerminationCondition):
            flat.extend(condition._conditions)  # AgentChat keeps them only there
        else:
            flat.append(condition)
    return flat[0] if len(flat) == 1 else AnyOf(*flat)


class MessageCounter(TerminationCondition):
    """Never ends a run: counts the team's messages as the group chat manager sees them, before
    it picks the next speaker. A replay's "re-run from message N" needs that count exact at each
    model call; the run's own event stream can lag a message behind the next speaker's call."""

    def __init__(self, on_count: Callable[[int], None]) -> None:
        self._on_count = on_count
        self._count = 0

    @property
    def terminated(self) -> bool:
        return False

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        for message in messages:
            if isinstance(message, BaseChatMessage) and message.source != "user":
                self._count += 1
        self._on_count(self._count)
        return None

    async def reset(self) -> None:
        return None  # the count is the run's, across resets of the team
