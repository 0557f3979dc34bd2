"""Round robin: the participants take turns in a fixed order until the run's bound or termination."""

from __future__ import annotations

from typing import Literal, Mapping

from pydantic import Field

from ..finish import plural
from ..records import AgentSpec
from .base import Checks, Connection, PatternRules, PatternSpec, register, replace_ids, with_
from .shapes import Positions, ring


class RoundRobinSpec(PatternSpec):
    pattern: Literal["round_robin"]
    participants: list[str] = Field(default_factory=list)


def check_participants(participants: list[str], minimum: int, checks: Checks) -> None:
    """At least ``minimum`` participants, each an agent (shared by the group chats)."""
    path = ("orchestration", "participants")
    if len(participants) < minimum:
        checks.error(f"needs at least {plural(minimum, 'participant')}", path)
    checks.agent_list(participants, path, "participant")


@register
class RoundRobin(PatternRules[RoundRobinSpec]):
    name = "round_robin"
    label = "Round robin"
    summary = "Agents take turns in a fixed order until the run's bound or termination."
    spec_type = RoundRobinSpec
    order = 2

    def members(self, orch: RoundRobinSpec) -> list[str]:
        return list(dict.fromkeys(orch.participants))

    def from_members(self, members: list[str]) -> RoundRobinSpec:
        return RoundRobinSpec(pattern="round_robin", participants=members)

    def map_agents(self, orch: RoundRobinSpec, mapping: Mapping[str, str | None]) -> RoundRobinSpec:
        return with_(orch, participants=replace_ids(orch.participants, mapping))

    def with_new_agent(self, orch: RoundRobinSpec, agent_id: str) -> RoundRobinSpec:
        return with_(orch, participants=[*orch.participants, agent_id])

    def connections(self, orch: RoundRobinSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        members = [a for a in orch.participants if a in agents]
        if len(members) < 2:
            return []
        return [Connection(a, members[(i + 1) % len(members)], "turn") for i, a in enumerate(members)]

    def layout(self, orch: RoundRobinSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        return ring(members)

    def check(self, orch: RoundRobinSpec, checks: Checks) -> None:
        check_participants(orch.participants, 1, checks)
