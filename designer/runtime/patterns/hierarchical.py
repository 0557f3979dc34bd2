"""Hierarchical: the coordinator calls each worker as a tool and answers; the run ends when it has."""

from __future__ import annotations

from typing import Any

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.conditions import SourceMatchTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core.tools import BaseTool

from ...core.patterns.hierarchical import HierarchicalSpec
from ..conditions import any_of
from ..nested import worker_tool
from ..team_builder import TeamBuilder
from ..termination import turn_cap
from .base import PatternTeam, compiles


@compiles("hierarchical")
def compile_hierarchical(b: TeamBuilder, orch: HierarchicalSpec, condition: TerminationCondition) -> PatternTeam:
    # AgentChat streams a worker's own messages through the coordinator's stream; the runner
    # marks them nested under the coordinator.
    # A worker of kind 'team' is its inner team as a TeamTool (runtime/nested.py); its members nest under it.
    worker_tools: list[BaseTool[Any, Any]] = [worker_tool(b, w) for w in orch.workers]
    lead = b.agent(orch.coordinator, worker_tools)
    team = RoundRobinGroupChat([lead], termination_condition=any_of(condition, SourceMatchTermination([orch.coordinator])),
                              max_turns=turn_cap(b.spec, orch))
    return PatternTeam(team, orch.coordinator, frozenset(orch.workers))
