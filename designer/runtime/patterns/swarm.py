"""Swarm: AgentChat's Swarm; the entry agent goes first and every agent gets its hand-off tools."""

from __future__ import annotations

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.teams import Swarm

from ...core.patterns.swarm import SwarmSpec
from ..team_builder import TeamBuilder
from .base import PatternTeam, compiles


@compiles("swarm")
def compile_swarm(b: TeamBuilder, orch: SwarmSpec, condition: TerminationCondition) -> PatternTeam:
    members = [orch.entry] + [p for p in orch.participants if p != orch.entry]
    return PatternTeam(Swarm([b.agent(a, handoffs=True) for a in members], termination_condition=condition))
