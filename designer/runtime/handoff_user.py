"""Hand-off to the user: a swarm agent hands the conversation to the person running the team.

AgentChat's pattern (its Swarm docs): the agent's ``transfer_to_user`` tool sends a
``HandoffMessage(target="user")``, ``HandoffTermination(target="user")`` ends ``run_stream``, and the
caller resumes the *same* team with ``run_stream(task=HandoffMessage(source="user", target=agent,
content=answer))``. Here the run does that itself: it asks through the runner's human-input
channel (the InputRequested event the CLI and the window answer, recorded and replayed like a
user_proxy's answer) and resumes, so one run spans every pause.

AgentChat resets a team's termination condition whenever it fires, which would restart the run's
own bounds (max_messages, token budgets) at every pause. So the run's condition is wrapped in
:class:`_RunBounds`, which ignores a reset unless it fired itself: the bounds count across
resumptions, and the timeout is the runner's watchdog, which never resets. (A team's ``max_turns``
is AgentChat's own per-``run_stream`` count and does restart at each pause.)
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Sequence

from autogen_agentchat.base import OrTerminationCondition, TaskResult, Team, TerminationCondition
from autogen_agentchat.conditions import HandoffTermination
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, HandoffMessage, StopMessage, TextMessage, ThoughtEvent
from autogen_core import CancellationToken

from ..core import events as ev
from ..core.patterns.swarm import HANDOFF_USER
from .conditions import any_of

__all__ = ["HANDOFF_USER", "UserHandoff", "run_stream", "user_handoff_of"]

#: The runner's ``_ask``: (agent, prompt, token) -> the person's answer.
Ask = Callable[[str, str, CancellationToken | None], Awaitable[str]]


class _RunBounds(TerminationCondition):
    """The run's own condition, kept counting across the pauses of a hand-off to the user."""

    def __init__(self, inner: TerminationCondition) -> None:
        self.inner = inner
        #: The run's condition fired: the run ends, whatever else fired with it.
        self.fired = False

    @property
    def terminated(self) -> bool:
        return self.inner.terminated

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        stop = await self.inner(messages)
        if stop is not None:
            self.fired = True
        return stop

    async def reset(self) -> None:
        # AgentChat resets the whole condition when the hand-off ends a run_stream; the run's
        # bounds must not start again from zero then. Only a condition that fired is reset.
        if self.inner.terminated:
            await self.inner.reset()


class _HandoffToUser(HandoffTermination):
    """AgentChat's HandoffTermination(target="user"), keeping the hand-off message for the runner."""

    def __init__(self, owner: UserHandoff) -> None:
        super().__init__(target=HANDOFF_USER)
        self._owner = owner

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        stop = await super().__call__(messages)
        if stop is not None:
            self._owner.pending = next(m for m in messages  # the one it stopped on
                                       if isinstance(m, HandoffMessage) and m.target == HANDOFF_USER)
        return stop


class UserHandoff:
    """The pause of one swarm at its agents' hand-offs to the user. Built by the swarm's compile
    module (:meth:`condition` wraps the run's condition), found by the runner with
    :func:`user_handoff_of`, which then calls :meth:`resume` after each ``run_stream``."""

    def __init__(self) -> None:
        self.pending: HandoffMessage | None = None
        self._bounds: _RunBounds | None = None

    def condition(self, run_condition: TerminationCondition) -> TerminationCondition:
        """The swarm's termination: the run's own condition (counting across pauses) OR a hand-off to the user."""
        self._bounds = _RunBounds(run_condition)
        return any_of(self._bounds, _HandoffToUser(self))

    def paused(self) -> HandoffMessage | None:
        """The hand-off the last run_stream ended on, when it ended on nothing else (once)."""
        handoff, self.pending = self.pending, None
        bounds = self._bounds
        if handoff is None or bounds is None or bounds.fired:
            return None  # a bound, a stop word or Stop fired too: the run ends
        return handoff

    async def resume(self, result: TaskResult, ask: Ask, emit: Callable[[ev.RunEvent], None],
                     token: CancellationToken | None) -> HandoffMessage | None:
        """The task to resume the team with (the person's answer to the agent that handed off),
        or None when the run ended for another reason. Waits for the answer (Stop cancels it)."""
        handoff = self.paused()
        if handoff is None:
            return None
        agent = handoff.source
        answer = await ask(agent, question(result, agent, handoff), token)
        # Shown as the person's message; the team's echo of it (its task message) is skipped.
        emit(ev.Message(HANDOFF_USER, content=answer, kind="text"))
        return HandoffMessage(source=HANDOFF_USER, target=agent, content=answer)


def question(result: TaskResult, agent: str, handoff: HandoffMessage) -> str:
    """What the agent asks: its last words before the hand-off (a reply or the text beside its
    tool call), else the hand-off's own message."""
    for message in reversed(result.messages):
        if message.source == agent and isinstance(message, (TextMessage, ThoughtEvent)) and message.content.strip():
            return message.content
    return handoff.content


def is_answer(item: Any) -> bool:
    """The resumed team's echo of the person's answer (already shown by :meth:`UserHandoff.resume`)."""
    return isinstance(item, HandoffMessage) and item.source == HANDOFF_USER


async def run_stream(team: Team, task: str, token: CancellationToken, ask: Ask, emit: Callable[[ev.RunEvent], None],
                     finishing: Callable[[], bool]) -> AsyncIterator[Any]:
    """``team.run_stream(task)``, resumed with the person's answer after each hand-off to the user:
    one stream of the whole run, its one TaskResult last (the runner reads it as the run's end).
    ``finishing()``: Finish turn was asked for, so a pause ends the run instead of asking."""
    pause = user_handoff_of(team)
    next_task: str | HandoffMessage | None = task
    while next_task is not None:
        result: TaskResult | None = None
        async for item in team.run_stream(task=next_task, cancellation_token=token):
            if isinstance(item, TaskResult):
                result = item  # the team has stopped running only once its stream is over
            elif not is_answer(item):
                yield item
        next_task = None
        if pause is not None and result is not None and not finishing():
            next_task = await pause.resume(result, ask, emit, token)
        if next_task is None and result is not None:
            yield result


def user_handoff_of(team: Team) -> UserHandoff | None:
    """The team's pause at a hand-off to the user; None when no agent of it can hand off to the user."""
    condition = getattr(team, "_termination_condition", None)  # where AgentChat's group chats keep it
    parts = condition._conditions if isinstance(condition, OrTerminationCondition) else ()
    for part in parts:
        if isinstance(part, _HandoffToUser):
            return part._owner
    return None
