"""Selector: AgentChat's SelectorGroupChat; its model is the selector model or the first participant's."""

from __future__ import annotations

from typing import Any

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.teams import SelectorGroupChat

from ...core.patterns.selector import SelectorSpec
from ..team_builder import TeamBuilder
from .base import PatternTeam, compiles


@compiles("selector")
def compile_selector(b: TeamBuilder, orch: SelectorSpec, condition: TerminationCondition) -> PatternTeam:
    selector_model = orch.selector_model or b.spec.model_id_for(orch.participants[0])
    kwargs: dict[str, Any] = {}
    if orch.selector_prompt:
        kwargs["selector_prompt"] = orch.selector_prompt
    team = SelectorGroupChat(
        [b.agent(a) for a in orch.participants],
        model_client=b.model_client("selector", selector_model, stream=False),
        termination_condition=condition,
        allow_repeated_speaker=orch.allow_repeated_speaker,
        emit_team_events=True,
        **kwargs,
    )
    return PatternTeam(team)
