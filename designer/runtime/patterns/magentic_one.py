"""Magentic-One: AgentChat's MagenticOneGroupChat over the participants.

The orchestrator's model is the orchestrator model or the first participant's. Its client is a
:class:`~designer.runtime.magentic_ledger.LedgerClient` (the embedded model gets the ledger as
a grammar). A small subclass of AgentChat's orchestrator marks what each of its messages is
(the plan, an instruction with the ledger's decision, the final answer) in the message's
metadata for the transcript, fills {task} into a custom final-answer prompt (AgentChat sends a
custom one as written), and words how the run ended.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, List, Sequence

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, MessageFactory, TextMessage
from autogen_agentchat.teams import MagenticOneGroupChat
from autogen_agentchat.teams._group_chat._events import GroupChatTermination
from autogen_agentchat.teams._group_chat._magentic_one._magentic_one_orchestrator import MagenticOneOrchestrator
from autogen_core import CancellationToken

from ...core.finish import magentic_answered
from ...core.patterns.magentic_one import ORCHESTRATOR, MagenticOneSpec, fill_final_answer_prompt
from ..magentic_ledger import LEDGER_FAILED, LedgerClient, LedgerError, decision_text, parse_ledger
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles

#: AgentChat's orchestrator ends a run that used up its rounds with this reason.
_ROUNDS_DONE = "Max rounds reached."
#: How AgentChat's orchestrator fails when its model wrote no ledger it could read.
_NO_LEDGER = "Failed to parse ledger information"


class _Orchestrator(MagenticOneOrchestrator):
    """AgentChat's orchestrator, marking its messages (see the module's note)."""

    #: What the orchestrator is producing now: set on entering each of its three steps, read
    #: when its message joins the thread (each step adds its message before calling the next).
    _stage = "plan"

    async def _reenter_outer_loop(self, cancellation_token: CancellationToken) -> None:
        self._stage = "plan"
        await super()._reenter_outer_loop(cancellation_token)

    async def _orchestrate_step(self, cancellation_token: CancellationToken) -> None:
        # AgentChat checks "rounds > max_turns", so it would run one round more than the cap;
        # the file's max_turns is the number of rounds, as for every other pattern.
        if self._max_turns is not None and self._n_rounds >= self._max_turns:
            await self._prepare_final_answer(_ROUNDS_DONE, cancellation_token)
            return
        self._stage = "instruction"
        try:
            await super()._orchestrate_step(cancellation_token)
        except ValueError as exc:
            if not str(exc).startswith(_NO_LEDGER):
                raise
            raise LedgerError(LEDGER_FAILED) from None

    async def _prepare_final_answer(self, reason: str, cancellation_token: CancellationToken) -> None:
        self._stage = "final"
        rounds = self._max_turns if reason == _ROUNDS_DONE else None
        await super()._prepare_final_answer(magentic_answered(reason, rounds), cancellation_token)

    def _get_final_answer_prompt(self, task: str) -> str:
        return fill_final_answer_prompt(self._final_answer_prompt, task)

    async def update_message_thread(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> None:
        for message in messages:
            if message.source == self._name and isinstance(message, TextMessage):
                # "member": whose nesting the orchestrator's messages share (an inner team's).
                message.metadata = {**message.metadata, **self._marks(), "member": self._participant_names[0]}
        await super().update_message_thread(messages)

    def _marks(self) -> dict[str, str]:
        if self._stage == "plan":
            return {"magentic": "plan"}
        if self._stage == "instruction":
            text = self._model_client.last_ledger if isinstance(self._model_client, LedgerClient) else ""
            ledger = parse_ledger(text, self._participant_names)
            speaker = ledger.get("next_speaker", {}).get("answer") if isinstance(ledger.get("next_speaker"), dict) else None
            return {"magentic": "instruction", "next_speaker": str(speaker or ""), "decision": decision_text(ledger) if ledger else ""}
        return {"magentic": "final"}


class _MagenticOne(MagenticOneGroupChat):
    """MagenticOneGroupChat with the orchestrator above."""

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
    ) -> Callable[[], MagenticOneOrchestrator]:
        # The same arguments, in the same order, as MagenticOneGroupChat's own factory (0.7.5).
        return lambda: _Orchestrator(
            name, group_topic_type, output_topic_type, participant_topic_types, participant_names,
            participant_descriptions, max_turns, message_factory, self._model_client, self._max_stalls,
            self._final_answer_prompt, output_message_queue, termination_condition, self._emit_team_events,
        )


@compiles("magentic_one")
def compile_magentic_one(b: TeamBuilder, orch: MagenticOneSpec, condition: TerminationCondition) -> PatternTeam:
    model_id = orch.orchestrator_model or b.spec.model_id_for(orch.participants[0])
    model = b.spec.model_for(b.model_override or model_id)
    client = LedgerClient(b.model_client(ORCHESTRATOR, model_id, stream=False), orch.participants,
                          constrain=model is not None and model.provider == "embedded")
    kwargs: dict[str, Any] = {}
    if orch.final_answer_prompt is not None:
        kwargs["final_answer_prompt"] = orch.final_answer_prompt
    cap = turn_cap(b.spec, orch)
    if cap is not None:  # else AgentChat's own default (20 rounds)
        kwargs["max_turns"] = cap  # as a number of rounds: see _Orchestrator._orchestrate_step
    team = _MagenticOne(
        [b.agent(a) for a in orch.participants],
        model_client=client,
        termination_condition=condition,
        max_stalls=orch.max_stalls,
        **kwargs,
    )
    return PatternTeam(team)
