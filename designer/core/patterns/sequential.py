"""Sequential: each agent speaks once, in order; the run ends after the last one."""

from __future__ import annotations

from typing import Literal, Mapping

from pydantic import Field

from ..records import AgentSpec
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, register, replace_ids, with_


class SequentialSpec(PatternSpec):
    pattern: Literal["sequential"]
    order: list[str] = Field(default_factory=list)


@register
class Sequential(PatternRules[SequentialSpec]):
    name = "sequential"
    label = "Sequential"
    summary = "Each agent speaks once, in order; the run ends after the last one."
    spec_type = SequentialSpec
    order = 0

    def members(self, orch: SequentialSpec) -> list[str]:
        return list(dict.fromkeys(orch.order))

    def from_members(self, members: list[str]) -> SequentialSpec:
        return SequentialSpec(pattern="sequential", order=members)

    def map_agents(self, orch: SequentialSpec, mapping: Mapping[str, str | None]) -> SequentialSpec:
        return with_(orch, order=replace_ids(orch.order, mapping))

    def with_new_agent(self, orch: SequentialSpec, agent_id: str) -> SequentialSpec:
        return with_(orch, order=[*orch.order, agent_id])

    def connect(self, orch: SequentialSpec, agents: Mapping[str, AgentSpec], source: str, target: str) -> Wiring:
        # Dragging a → b puts b right after a (a joins at the end if it was not in the order).
        order = [a for a in orch.order if a != target]
        index = order.index(source) + 1 if source in order else len(order)
        order.insert(index, target)
        if source not in order:
            order.insert(index, source)
        return Wiring(with_(orch, order=order))

    def disconnect(
        self, orch: SequentialSpec, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None
    ) -> Wiring:
        return Wiring(with_(orch, order=[a for a in orch.order if a != target]))

    def connections(self, orch: SequentialSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        order = [a for a in orch.order if a in agents]
        return [Connection(a, b, "sequence", str(i + 1)) for i, (a, b) in enumerate(zip(order, order[1:], strict=False))]

    def check(self, orch: SequentialSpec, checks: Checks) -> None:
        path = ("orchestration", "order")
        if not orch.order:
            checks.error("the sequential order is empty", path, "list the agents in the order they speak")
        checks.agent_list(orch.order, path)
