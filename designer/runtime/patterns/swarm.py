"""Swarm: AgentChat's Swarm; the entry agent goes first and every agent gets its hand-off tools."""

from __future__ import annotations

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.teams import Swarm

from ...core.patterns.swarm import HANDOFF_USER, SwarmSpec
from ..handoff_user import UserHandoff
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles


@compiles("swarm")
def compile_swarm(b: TeamBuilder, orch: SwarmSpec, condition: TerminationCondition) -> PatternTeam:
    members = [orch.entry] + [p for p in orch.participants if p != orch.entry]
    if any(HANDOFF_USER in b.spec.agents[a].handoffs for a in members):
        # A hand-off to the person pauses the run (the runner asks, then resumes the team).
        condition = UserHandoff().condition(condition)
    return PatternTeam(Swarm([b.agent(a, handoffs=True) for a in members], termination_condition=condition,
                             max_turns=turn_cap(b.spec, orch)))
