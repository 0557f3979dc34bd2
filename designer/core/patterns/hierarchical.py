"""Hierarchical: a coordinator delegates to workers (each worker is a tool it calls) and answers."""

from __future__ import annotations

from typing import Literal, Mapping

from pydantic import Field

from ..errors import EditError
from ..records import AgentSpec
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, mapped, register, replace_ids, with_
from .shapes import Positions, row, tree


class HierarchicalSpec(PatternSpec):
    pattern: Literal["hierarchical"]
    coordinator: str = ""
    workers: list[str] = Field(default_factory=list)


def set_coordinator(orch: HierarchicalSpec, coordinator: str) -> HierarchicalSpec:
    """The coordinator cannot also be a worker, so choosing one takes it off the workers."""
    return with_(orch, coordinator=coordinator, workers=[w for w in orch.workers if w != coordinator])


@register
class Hierarchical(PatternRules[HierarchicalSpec]):
    name = "hierarchical"
    label = "Hierarchical"
    summary = "A coordinator delegates tasks to workers and writes the answer."
    spec_type = HierarchicalSpec
    order = 1

    def members(self, orch: HierarchicalSpec) -> list[str]:
        head = [orch.coordinator] if orch.coordinator else []
        return list(dict.fromkeys(head + orch.workers))

    def from_members(self, members: list[str]) -> HierarchicalSpec:
        return HierarchicalSpec(pattern="hierarchical", coordinator=members[0] if members else "", workers=members[1:])

    def lost_on_switch(self, orch: HierarchicalSpec) -> list[str]:
        return [f"the coordinator choice ({orch.coordinator})"] if orch.coordinator else []

    def lead(self, orch: HierarchicalSpec) -> str | None:
        return orch.coordinator or None

    def map_agents(self, orch: HierarchicalSpec, mapping: Mapping[str, str | None]) -> HierarchicalSpec:
        return with_(orch, coordinator=mapped(orch.coordinator, mapping), workers=replace_ids(orch.workers, mapping))

    def with_new_agent(self, orch: HierarchicalSpec, agent_id: str) -> HierarchicalSpec:
        return with_(orch, workers=[*orch.workers, agent_id]) if orch.coordinator else with_(orch, coordinator=agent_id)

    def connect(self, orch: HierarchicalSpec, agents: Mapping[str, AgentSpec], source: str, target: str) -> Wiring:
        if source != orch.coordinator:
            raise EditError(f"only the coordinator ({orch.coordinator or 'none chosen'}) delegates to workers")
        if target in orch.workers:
            raise EditError(f"{target} is already a worker")
        return Wiring(with_(orch, workers=[*orch.workers, target]))

    def disconnect(
        self, orch: HierarchicalSpec, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None
    ) -> Wiring:
        return Wiring(with_(orch, workers=[w for w in orch.workers if w != target]))

    def connections(self, orch: HierarchicalSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        if orch.coordinator not in agents:
            return []
        return [Connection(orch.coordinator, w, "delegation", "delegates") for w in orch.workers if w in agents]

    def layout(self, orch: HierarchicalSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        if orch.coordinator not in members:
            return row(members)
        return tree(orch.coordinator, [w for w in orch.workers if w in members and w != orch.coordinator])

    def check(self, orch: HierarchicalSpec, checks: Checks) -> None:
        path = ("orchestration",)
        if checks.agent_ref(orch.coordinator, path + ("coordinator",), "coordinator"):
            if checks.agents[orch.coordinator].kind != "assistant":
                checks.error("the coordinator must be an assistant agent", path + ("coordinator",))
        if not orch.workers:
            checks.error("a hierarchical team needs at least one worker", path + ("workers",))
        if orch.coordinator in orch.workers:
            checks.error("the coordinator cannot also be a worker", path + ("workers", orch.workers.index(orch.coordinator)))
        checks.agent_list(orch.workers, path + ("workers",), "worker")
