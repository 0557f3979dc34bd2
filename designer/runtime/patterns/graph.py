"""Graph / state machine: AgentChat's GraphFlow, with edge conditions and joins."""

from __future__ import annotations

from typing import Callable

from autogen_agentchat.base import ChatAgent, TerminationCondition
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow

from ...core.patterns.graph import EdgeCondition, GraphSpec, activations, group_of
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles


def edge_condition(cond: EdgeCondition) -> Callable[[BaseChatMessage], bool]:
    if cond.contains is not None:
        text = cond.contains
        return lambda message: text in message.to_model_text()
    absent = cond.not_contains or ""
    return lambda message: absent not in message.to_model_text()


@compiles("graph")
def compile_graph(b: TeamBuilder, graph: GraphSpec, condition: TerminationCondition) -> PatternTeam:
    builder = DiGraphBuilder()
    agents: dict[str, ChatAgent] = {name: b.agent(name) for name in graph.nodes()}
    for name, agent in agents.items():
        builder.add_node(agent, activation="all" if name in graph.wait_for_all else "any")
    for edge, join in zip(graph.edges, activations(graph), strict=True):
        # State-machine semantics by default: a node runs when any incoming edge fires; a group
        # (AgentChat's activation_group, by default the target's name) has one activation for all
        # its edges, written on any of them (see core activations).
        builder.add_edge(
            edge.source,
            edge.target,
            condition=edge_condition(edge.when) if edge.when else None,
            activation_group=group_of(edge),
            activation_condition=join,
        )
    builder.set_entry_point(agents[graph.entry])
    return PatternTeam(GraphFlow(list(agents.values()), graph=builder.build(), termination_condition=condition,
                                 max_turns=turn_cap(b.spec, graph)))
