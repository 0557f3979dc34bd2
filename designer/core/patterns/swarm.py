"""Swarm: agents hand the conversation to each other with hand-off tools (kept on the agents)."""

from __future__ import annotations

from typing import Literal, Mapping

from pydantic import Field

from ..errors import EditError
from ..records import AgentSpec
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, mapped, register, replace_ids, with_
from .shapes import Positions, layers

#: The hand-off target that is the person running the team (AgentChat's ``handoffs=["user"]``).
HANDOFF_USER = "user"


class SwarmSpec(PatternSpec):
    pattern: Literal["swarm"]
    entry: str = ""
    participants: list[str] = Field(default_factory=list)


def set_swarm_entry(orch: SwarmSpec, entry: str) -> SwarmSpec:
    """The entry agent is always a participant."""
    participants = orch.participants if entry in orch.participants else [entry, *orch.participants]
    return with_(orch, entry=entry, participants=participants)


@register
class Swarm(PatternRules[SwarmSpec]):
    name = "swarm"
    label = "Swarm"
    summary = "Agents hand the conversation to each other with hand-off tools."
    spec_type = SwarmSpec
    order = 5
    uses_handoffs = True

    def members(self, orch: SwarmSpec) -> list[str]:
        head = [orch.entry] if orch.entry else []
        return list(dict.fromkeys(head + orch.participants))

    def from_members(self, members: list[str]) -> SwarmSpec:
        return SwarmSpec(pattern="swarm", entry=members[0] if members else "", participants=members)

    def map_agents(self, orch: SwarmSpec, mapping: Mapping[str, str | None]) -> SwarmSpec:
        return with_(orch, entry=mapped(orch.entry, mapping), participants=replace_ids(orch.participants, mapping))

    def with_new_agent(self, orch: SwarmSpec, agent_id: str) -> SwarmSpec:
        return with_(orch, participants=[*orch.participants, agent_id], **({} if orch.entry else {"entry": agent_id}))

    def connect(self, orch: SwarmSpec, agents: Mapping[str, AgentSpec], source: str, target: str) -> Wiring:
        handoffs = agents[source].handoffs
        if target in handoffs:
            raise EditError(f"{source} already hands off to {target}")
        missing = [a for a in (source, target) if a not in orch.participants and a != orch.entry]
        return Wiring(with_(orch, participants=[*orch.participants, *missing]), {source: [*handoffs, target]})

    def disconnect(self, orch: SwarmSpec, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None) -> Wiring:
        return Wiring(orch, {source: [h for h in agents[source].handoffs if h != target]})

    def connections(self, orch: SwarmSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        members = self.members(orch)
        return [
            Connection(a, t, "handoff", "hand-off")
            for a in members
            if a in agents
            for t in agents[a].handoffs
            if t in agents and t in members
        ]

    def layout(self, orch: SwarmSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        return layers(members, links)

    def check(self, orch: SwarmSpec, checks: Checks) -> None:
        path = ("orchestration",)
        checks.agent_ref(orch.entry, path + ("entry",), "entry agent")
        checks.agent_list(orch.participants, path + ("participants",), "participant")
        members = checks.members()
        any_handoff = False
        for agent_id in [a for a in members if a in checks.agents]:  # file order: stable messages
            for i, target in enumerate(checks.agents[agent_id].handoffs):
                any_handoff = True
                if target in checks.agents and target not in members:
                    checks.error(
                        f"hand-off target {target!r} is not in the swarm",
                        ("agents", agent_id, "handoffs", i),
                        "add it to orchestration.participants",
                    )
        if not any_handoff:
            checks.warn("no agent in the swarm can hand off, so the entry agent answers every turn", path,
                        "add handoffs to the agents")
