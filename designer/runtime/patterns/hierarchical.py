"""Hierarchical: the coordinator calls each worker as a tool and answers; the run ends when it has."""

from __future__ import annotations

from typing import Any

from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.conditions import SourceMatchTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.tools import AgentTool
from autogen_core.tools import BaseTool

from ...core.patterns.hierarchical import HierarchicalSpec
from ..conditions import any_of
from ..team_builder import TeamBuilder
from .base import PatternTeam, compiles


@compiles("hierarchical")
def compile_hierarchical(b: TeamBuilder, orch: HierarchicalSpec, condition: TerminationCondition) -> PatternTeam:
    # AgentChat streams a worker's own messages through the coordinator's stream; the runner
    # marks them nested under the coordinator.
    worker_tools: list[BaseTool[Any, Any]] = [AgentTool(b.agent(w), return_value_as_last_message=True) for w in orch.workers]
    lead = b.agent(orch.coordinator, worker_tools)
    team = RoundRobinGroupChat([lead], termination_condition=any_of(condition, SourceMatchTermination([orch.coordinator])))
    return PatternTeam(team, orch.coordinator, frozenset(orch.workers))
