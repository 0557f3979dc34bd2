"""Round robin: AgentChat's RoundRobinGroupChat over the participants."""

from __future__ import annotations

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.teams import RoundRobinGroupChat

from ...core.patterns.round_robin import RoundRobinSpec
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles


@compiles("round_robin")
def compile_round_robin(b: TeamBuilder, orch: RoundRobinSpec, condition: TerminationCondition) -> PatternTeam:
    return PatternTeam(RoundRobinGroupChat([b.agent(a) for a in orch.participants], termination_condition=condition,
                                           max_turns=turn_cap(b.spec, orch)))
