"""Sequential: a graph that is a chain, so each agent speaks once, in order."""

from __future__ import annotations

from autogen_agentchat.base import ChatAgent, TerminationCondition
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow

from ...core.patterns.sequential import SequentialSpec
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles


@compiles("sequential")
def compile_sequential(b: TeamBuilder, orch: SequentialSpec, condition: TerminationCondition) -> PatternTeam:
    builder = DiGraphBuilder()
    agents: list[ChatAgent] = [b.agent(a) for a in dict.fromkeys(orch.order)]
    for agent in agents:
        builder.add_node(agent)
    for before, after in zip(agents, agents[1:], strict=False):
        builder.add_edge(before, after)
    builder.set_entry_point(agents[0])
    return PatternTeam(GraphFlow(agents, graph=builder.build(), termination_condition=condition,
                                 max_turns=turn_cap(b.spec, orch)))
