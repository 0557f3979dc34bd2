"""Selector: AgentChat's SelectorGroupChat; its model is the selector model or the first participant's.

Allowed transitions become a ``candidate_func``. AgentChat 0.7 narrows the prompt's
``{participants}`` to those candidates but then accepts any participant the model names (and
falls back to the previous speaker after ``max_selector_attempts``), so a team with transitions
uses a manager that holds the model's choice to the candidates too: a forbidden name gets
AgentChat's own "select from ..." feedback and another attempt, and the last fallback is a
candidate, never a forbidden speaker.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, List, Sequence

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, MessageFactory
from autogen_agentchat.teams import SelectorGroupChat
from autogen_agentchat.teams._group_chat._base_group_chat_manager import BaseGroupChatManager
from autogen_agentchat.teams._group_chat._events import GroupChatTermination
from autogen_agentchat.teams._group_chat._selector_group_chat import SelectorGroupChatManager

from ...core.patterns.selector import SelectorSpec, fill_inputs, next_speakers
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles

Thread = Sequence[BaseAgentEvent | BaseChatMessage]


def candidate_func(orch: SelectorSpec) -> Callable[[Thread], List[str]]:
    """Who may speak next after the thread's last chat message (everyone after the task)."""
    participants = set(orch.participants)

    def candidates(thread: Thread) -> List[str]:
        last = next((m.source for m in reversed(thread) if isinstance(m, BaseChatMessage)), None)
        return next_speakers(orch, last if last in participants else None)

    return candidates


class _TransitionsManager(SelectorGroupChatManager):
    """Holds the selector model's answer to the candidates of this turn (see the module's note)."""

    _candidates: List[str] | None = None

    async def _select_speaker(self, roles: str, participants: List[str], max_attempts: int) -> str:
        self._candidates = participants
        try:
            name = await super()._select_speaker(roles, participants, max_attempts)
        finally:
            self._candidates = None
        # AgentChat's fallback after the last failed attempt is the previous speaker, who may be
        # a speaker the transitions forbid here.
        return name if name in participants else participants[0]

    def _mentioned_agents(self, message_content: str, agent_names: List[str]) -> dict[str, int]:
        pool = self._candidates
        return super()._mentioned_agents(message_content, [n for n in agent_names if pool is None or n in pool])


class TransitionsGroupChat(SelectorGroupChat):
    """SelectorGroupChat whose manager keeps to the allowed transitions."""

    def _create_group_chat_manager_factory(
        self,
        name: str,
        group_topic_type: str,
        output_topic_type: str,
        participant_topic_types: List[str],
        participant_names: List[str],
        participant_descriptions: List[str],
        output_message_queue: asyncio.Queue[BaseAgentEvent | BaseChatMessage | GroupChatTermination],
        termination_condition: TerminationCondition | None,
        max_turns: int | None,
        message_factory: MessageFactory,
    ) -> Callable[[], BaseGroupChatManager]:
        # The same arguments, in the same order, as SelectorGroupChat's own factory (0.7.5).
        return lambda: _TransitionsManager(
            name, group_topic_type, output_topic_type, participant_topic_types, participant_names,
            participant_descriptions, output_message_queue, termination_condition, max_turns, message_factory,
            self._model_client, self._selector_prompt, self._allow_repeated_speaker, self._selector_func,
            self._max_selector_attempts, self._candidate_func, self._emit_team_events, self._model_context,
            self._model_client_streaming,
        )


@compiles("selector")
def compile_selector(b: TeamBuilder, orch: SelectorSpec, condition: TerminationCondition) -> PatternTeam:
    selector_model = orch.selector_model or b.spec.model_id_for(orch.participants[0])
    kwargs: dict[str, Any] = {}
    if orch.selector_prompt:
        kwargs["selector_prompt"] = fill_inputs(orch.selector_prompt, b.inputs)
    team_type = SelectorGroupChat
    if orch.allowed_transitions:
        team_type = TransitionsGroupChat
        kwargs["candidate_func"] = candidate_func(orch)
    team = team_type(
        [b.agent(a) for a in orch.participants],
        model_client=b.model_client("selector", selector_model, stream=False),
        termination_condition=condition,
        allow_repeated_speaker=orch.allow_repeated_speaker,
        max_selector_attempts=orch.max_selector_attempts,
        emit_team_events=True,
        max_turns=turn_cap(b.spec, orch),
        **kwargs,
    )
    return PatternTeam(team)
