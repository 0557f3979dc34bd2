"""The ``team`` kind: an inner team run by one agent (SocietyOfMindAgent), or called as a tool (TeamTool).

An inner team is compiled by the same pattern compile modules as the outer one, through a
builder whose spec *is* the inner team (its orchestration and termination): whatever a compile
module reads from ``b.spec`` (the pattern, the bound, the turn cap) then means the inner team.
The clients, hooks, tools and recording stay the run's own, so the run closes and records them.

The inner team gets its own stop conditions, not the run's ExternalTermination: AgentChat resets
an inner team after every call, and a shared ExternalTermination would be reset with it. Stop
reaches an inner run through the cancellation token AgentChat passes down (SocietyOfMindAgent
and TeamTool both hand theirs to the inner ``run_stream``), and the runner's backstop cancels the
whole consumer task after a short grace.
"""

from __future__ import annotations

import copy
from typing import Any

from autogen_agentchat.agents import BaseChatAgent, SocietyOfMindAgent
from autogen_agentchat.base import TerminationCondition
from autogen_agentchat.conditions import ExternalTermination
from autogen_agentchat.teams import BaseGroupChat
from autogen_agentchat.tools import AgentTool, TeamTool
from autogen_core.tools import BaseTool

from ..core.spec import AgentSpec, InnerTeamSpec
from .agent_kinds import builds
from .agent_parts import model_context
from .patterns.base import compiler_for
from .team_builder import TeamBuilder
from .termination import block_condition


def inner_builder(b: TeamBuilder, team_id: str) -> TeamBuilder:
    """A builder for the inner team ``team_id``: the run's builder, seeing the inner team as its team."""
    inner = b.spec.teams[team_id]
    child = copy.copy(b)  # shallow: the clients dict, hooks, tools and session are the run's own
    child.spec = b.spec.model_copy(update={"orchestration": inner.orchestration, "termination": inner.termination})
    return child


def inner_condition(inner: InnerTeamSpec) -> TerminationCondition:
    """The inner team's own stop conditions. Unlike the run's, its timeout is one of them (no
    watchdog ends an inner run; AgentChat checks it at the next inner message). Validation
    requires a bound; without any condition, one that never holds (the compile modules need one)."""
    return block_condition(inner.termination, inner.members()) or ExternalTermination()


def inner_team(b: TeamBuilder, team_id: str) -> BaseGroupChat:
    """The inner team ``team_id`` as a live AgentChat team (every pattern compiles to a group chat)."""
    inner = b.spec.teams[team_id]
    built = compiler_for(inner.orchestration.pattern)(inner_builder(b, team_id), inner.orchestration, inner_condition(inner))
    team = built.team
    if not isinstance(team, BaseGroupChat):  # every compile module builds one; TeamTool needs one
        raise TypeError(f"inner team {team_id!r} compiled to {type(team).__name__}, not a group chat")
    return team


@builds("team")
def team_agent(b: TeamBuilder, agent_id: str, spec: AgentSpec) -> BaseChatAgent:
    """An agent of kind 'team' taking part in a group chat: SocietyOfMindAgent runs the inner team
    on the conversation so far and answers with one model call that summarises it."""
    assert spec.team is not None  # validation refuses a team agent without a team
    inner = b.spec.teams[spec.team]
    options: dict[str, Any] = {}
    if inner.instruction:
        options["instruction"] = inner.instruction
    if inner.summary_prompt:
        options["response_prompt"] = inner.summary_prompt
    client = b.model_client(agent_id, b.spec.model_id_for(agent_id), stream=spec.streaming)
    context = model_context(client, spec)  # ``context:``: how much of the earlier conversation it keeps
    if context is not None:
        options["model_context"] = context
    return SocietyOfMindAgent(
        agent_id, team=inner_team(b, spec.team), model_client=client, description=describe(b, agent_id), **options
    )


def worker_tool(b: TeamBuilder, agent_id: str) -> BaseTool[Any, Any]:
    """A hierarchical worker as the tool its coordinator calls: an agent as an AgentTool, an agent
    of kind 'team' as a TeamTool running its inner team; either way the last message comes back."""
    team_id = b.spec.agents[agent_id].team
    if b.spec.agents[agent_id].kind != "team" or team_id is None:
        return AgentTool(b.agent(agent_id), return_value_as_last_message=True)
    return TeamTool(inner_team(b, team_id), agent_id, describe(b, agent_id), return_value_as_last_message=True)


def describe(b: TeamBuilder, agent_id: str) -> str:
    """What the coordinator or selector routes on: the agent's description, else its inner team's."""
    agent = b.spec.agents[agent_id]
    inner = b.spec.teams.get(agent.team or "")
    if not agent.description and inner is not None and inner.description:
        return inner.description
    return b.describe(agent_id)
