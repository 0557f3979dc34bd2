"""Edits of a team design as pure functions: each takes a spec and returns a new one.

The window turns every user gesture into exactly one of these (or a short chain), and
its undo stack keeps the spec before and after; nothing here mutates its input.
References follow renames and removals, so an edit never leaves a dangling id behind.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .edit_result import Edited
from .spec import (
    ID_PATTERN,
    PATTERNS,
    RESERVED_AGENT_IDS,
    AgentSpec,
    EdgeCondition,
    GraphEdgeSpec,
    GraphSpec,
    HierarchicalSpec,
    LayoutSpec,
    NodePosition,
    RoundRobinSpec,
    SelectorSpec,
    SequentialSpec,
    SwarmSpec,
    TeamSpec,
)

_ID_RE = re.compile(ID_PATTERN)


class EditError(ValueError):
    """An edit that cannot be made; the message says why, in the user's terms."""


def new_team(name: str = "Untitled team") -> TeamSpec:
    spec = TeamSpec(
        name=name,
        task="",
        agents={"assistant": AgentSpec(description="A helpful assistant.", system_message="You are a helpful assistant.\n")},
        orchestration=SequentialSpec(pattern="sequential", order=["assistant"]),
    )
    return spec


def unique_id(taken: Iterable[str], base: str) -> str:
    base = re.sub(r"\W", "_", base).strip("_") or "agent"
    if base[0].isdigit():
        base = f"agent_{base}"
    taken = set(taken) | RESERVED_AGENT_IDS
    if base not in taken:
        return base
    stem = re.sub(r"_\d+$", "", base)
    n = 2
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


def _with(record: Any, /, **changes: Any) -> Any:
    """A copy with fields replaced; the fields count as set, so they are saved."""
    # Positional-only, so a field named like the parameter (an agent's ``model``) cannot collide.
    return record.model_copy(update=changes)


def _replace_ids(ids: list[str], mapping: dict[str, str | None]) -> list[str]:
    out = []
    for agent_id in ids:
        new = mapping.get(agent_id, agent_id)
        if new is not None and new not in out:
            out.append(new)
    return out


def _map_references(spec: TeamSpec, mapping: dict[str, str | None]) -> TeamSpec:
    """Rename (str) or drop (None) agent ids everywhere they are referenced."""
    orch = spec.orchestration
    if isinstance(orch, SequentialSpec):
        orch = _with(orch, order=_replace_ids(orch.order, mapping))
    elif isinstance(orch, HierarchicalSpec):
        coordinator = mapping.get(orch.coordinator, orch.coordinator) or ""
        orch = _with(orch, coordinator=coordinator, workers=_replace_ids(orch.workers, mapping))
    elif isinstance(orch, (RoundRobinSpec, SelectorSpec)):
        orch = _with(orch, participants=_replace_ids(orch.participants, mapping))
    elif isinstance(orch, SwarmSpec):
        entry = mapping.get(orch.entry, orch.entry) or ""
        orch = _with(orch, entry=entry, participants=_replace_ids(orch.participants, mapping))
    elif isinstance(orch, GraphSpec):
        edges = []
        for edge in orch.edges:
            source, target = mapping.get(edge.source, edge.source), mapping.get(edge.target, edge.target)
            if source is not None and target is not None:
                edges.append(_with(edge, source=source, target=target))
        entry = mapping.get(orch.entry, orch.entry) or ""
        orch = _with(orch, entry=entry, edges=edges, wait_for_all=_replace_ids(orch.wait_for_all, mapping))
    agents = {}
    for agent_id, agent in spec.agents.items():
        if agent.handoffs and any(h in mapping for h in agent.handoffs):
            agent = _with(agent, handoffs=_replace_ids(agent.handoffs, mapping))
        agents[agent_id] = agent
    changes: dict[str, Any] = {"orchestration": orch, "agents": agents}
    if spec.layout is not None:
        nodes = {mapping.get(k, k): v for k, v in spec.layout.nodes.items() if mapping.get(k, k) is not None}
        changes["layout"] = _with(spec.layout, nodes=nodes)
    return _with(spec, **changes)


def add_agent(
    spec: TeamSpec,
    agent: AgentSpec | None = None,
    *,
    agent_id: str | None = None,
    position: tuple[float, float] | None = None,
) -> Edited[str]:
    """Add an agent and make it take part in the current pattern where that is unambiguous."""
    new_id = agent_id or unique_id(spec.agents, "agent")
    if new_id in spec.agents:
        raise EditError(f"an agent named {new_id!r} already exists")
    agent = agent or AgentSpec(description="", system_message="")
    spec = _with(spec, agents={**spec.agents, new_id: agent})
    orch = spec.orchestration
    if isinstance(orch, SequentialSpec):
        orch = _with(orch, order=[*orch.order, new_id])
    elif isinstance(orch, HierarchicalSpec):
        orch = _with(orch, coordinator=new_id) if not orch.coordinator else _with(orch, workers=[*orch.workers, new_id])
    elif isinstance(orch, (RoundRobinSpec, SelectorSpec)):
        orch = _with(orch, participants=[*orch.participants, new_id])
    elif isinstance(orch, SwarmSpec):
        orch = _with(orch, participants=[*orch.participants, new_id], **({} if orch.entry else {"entry": new_id}))
    elif isinstance(orch, GraphSpec) and not orch.entry:
        orch = _with(orch, entry=new_id)
    spec = _with(spec, orchestration=orch)
    if position is not None:
        spec = move_agents(spec, {new_id: position})
    return Edited(spec, new_id)


def remove_agents(spec: TeamSpec, ids: Iterable[str]) -> TeamSpec:
    ids = [i for i in ids if i in spec.agents]
    if not ids:
        return spec
    spec = _map_references(spec, {i: None for i in ids})
    return _with(spec, agents={k: v for k, v in spec.agents.items() if k not in ids})


def rename_agent(spec: TeamSpec, old: str, new: str) -> TeamSpec:
    new = new.strip()
    if new == old:
        return spec
    if not _ID_RE.fullmatch(new):
        raise EditError("a name uses letters, digits and '_', and starts with a letter or '_' (at most 64)")
    if new in RESERVED_AGENT_IDS:
        raise EditError(f"{new!r} is reserved")
    if new in spec.agents:
        raise EditError(f"an agent named {new!r} already exists")
    spec = _map_references(spec, {old: new})
    agents = {(new if k == old else k): v for k, v in spec.agents.items()}
    return _with(spec, agents=agents)


def duplicate_agent(spec: TeamSpec, agent_id: str, offset: tuple[float, float] = (40.0, 40.0)) -> Edited[str]:
    copy = spec.agents[agent_id].model_copy(deep=True)
    position = None
    if spec.layout is not None and agent_id in spec.layout.nodes:
        p = spec.layout.nodes[agent_id]
        position = (p.x + offset[0], p.y + offset[1])
    return add_agent(spec, copy, agent_id=unique_id(spec.agents, agent_id), position=position)


def move_agents(spec: TeamSpec, positions: dict[str, tuple[float, float]]) -> TeamSpec:
    layout = spec.layout or LayoutSpec()
    nodes = dict(layout.nodes)
    for agent_id, (x, y) in positions.items():
        nodes[agent_id] = NodePosition(x=round(x, 1), y=round(y, 1))
    return _with(spec, layout=_with(layout, nodes=nodes))


def set_agent_field(spec: TeamSpec, agent_id: str, field: str, value: Any) -> TeamSpec:
    if field not in AgentSpec.model_fields:
        raise EditError(f"agents have no field {field!r}")
    agent = _with(spec.agents[agent_id], **{field: value})
    return _with(spec, agents={**spec.agents, agent_id: agent})


def set_team_field(spec: TeamSpec, field: str, value: Any) -> TeamSpec:
    if field not in ("name", "description", "task", "inputs", "default_model", "models", "tools", "termination"):
        raise EditError(f"{field!r} is not a team field")
    return _with(spec, **{field: value})


def set_orchestration_field(spec: TeamSpec, field: str, value: Any) -> TeamSpec:
    orch = spec.orchestration
    if field not in type(orch).model_fields or field == "pattern":
        raise EditError(f"the {orch.pattern} pattern has no field {field!r}")
    return _with(spec, orchestration=_with(orch, **{field: value}))


def set_termination_field(spec: TeamSpec, field: str, value: Any) -> TeamSpec:
    return _with(spec, termination=_with(spec.termination, **{field: value}))


def _pattern_data_lost(orch: Any) -> list[str]:
    lost = []
    if isinstance(orch, GraphSpec) and orch.edges:
        conditional = sum(1 for e in orch.edges if e.when is not None)
        lost.append(f"{len(orch.edges)} graph edge{'s' if len(orch.edges) != 1 else ''}"
                    + (f" ({conditional} with conditions)" if conditional else ""))
    if isinstance(orch, SelectorSpec) and orch.selector_prompt:
        lost.append("the selector prompt")
    if isinstance(orch, SelectorSpec) and orch.selector_model:
        lost.append("the selector model choice")
    if isinstance(orch, HierarchicalSpec) and orch.coordinator:
        lost.append(f"the coordinator choice ({orch.coordinator})")
    return lost


def set_pattern(spec: TeamSpec, pattern: str) -> Edited[list[str]]:
    """Switch pattern keeping every agent; returns what pattern data could not be carried over."""
    if pattern not in PATTERNS:
        raise EditError(f"unknown pattern {pattern!r}")
    old = spec.orchestration
    if old.pattern == pattern:
        return Edited(spec, [])
    members = [a for a in spec.participants() if a in spec.agents] or list(spec.agents)
    first, rest = (members[0], members[1:]) if members else ("", [])
    orch: Any
    if pattern == "sequential":
        orch = SequentialSpec(pattern="sequential", order=members)
    elif pattern == "hierarchical":
        orch = HierarchicalSpec(pattern="hierarchical", coordinator=first, workers=rest)
    elif pattern == "round_robin":
        orch = RoundRobinSpec(pattern="round_robin", participants=members)
    elif pattern == "selector":
        orch = SelectorSpec(pattern="selector", participants=members)
    elif pattern == "swarm":
        orch = SwarmSpec(pattern="swarm", entry=first, participants=members)
    else:  # graph: start as a chain, so the new design is valid at once
        edges = [GraphEdgeSpec(source=a, target=b) for a, b in zip(members, members[1:])]
        orch = GraphSpec(pattern="graph", entry=first, edges=edges)
    return Edited(_with(spec, orchestration=orch), _pattern_data_lost(old))


# --- connections drawn on the canvas ----------------------------------------------------


def connect(spec: TeamSpec, source: str, target: str) -> TeamSpec:
    """What dragging from one node to another means in the current pattern."""
    if source == target:
        raise EditError("an agent cannot connect to itself")
    orch = spec.orchestration
    if isinstance(orch, GraphSpec):
        if any(e.source == source and e.target == target for e in orch.edges):
            raise EditError(f"{source} → {target} already exists")
        # A plain edge; if its siblings are conditional, validation says so until it gets a condition.
        edge = GraphEdgeSpec(source=source, target=target)
        return _with(spec, orchestration=_with(orch, edges=[*orch.edges, edge], **({} if orch.entry else {"entry": source})))
    if isinstance(orch, SwarmSpec):
        agent = spec.agents[source]
        if target in agent.handoffs:
            raise EditError(f"{source} already hands off to {target}")
        spec = set_agent_field(spec, source, "handoffs", [*agent.handoffs, target])
        missing = [a for a in (source, target) if a not in orch.participants and a != orch.entry]
        return _with(spec, orchestration=_with(orch, participants=[*orch.participants, *missing]))
    if isinstance(orch, HierarchicalSpec):
        if source != orch.coordinator:
            raise EditError(f"only the coordinator ({orch.coordinator or 'none chosen'}) delegates to workers")
        if target in orch.workers:
            raise EditError(f"{target} is already a worker")
        return _with(spec, orchestration=_with(orch, workers=[*orch.workers, target]))
    if isinstance(orch, SequentialSpec):
        order = [a for a in orch.order if a != target]
        index = order.index(source) + 1 if source in order else len(order)
        order.insert(index, target)
        if source not in order:
            order.insert(index, source)
        return _with(spec, orchestration=_with(orch, order=order))
    raise EditError(f"in a {orch.pattern} chat everyone takes part; edit the speaking order in the pattern editor")


def disconnect(spec: TeamSpec, source: str, target: str, index: int | None = None) -> TeamSpec:
    """Remove the connection source → target (the graph edge at ``index`` when given)."""
    orch = spec.orchestration
    if isinstance(orch, GraphSpec):
        edges = [e for i, e in enumerate(orch.edges) if not (e.source == source and e.target == target and (index is None or i == index))]
        return _with(spec, orchestration=_with(orch, edges=edges))
    if isinstance(orch, SwarmSpec):
        agent = spec.agents[source]
        return set_agent_field(spec, source, "handoffs", [h for h in agent.handoffs if h != target])
    if isinstance(orch, HierarchicalSpec):
        return _with(spec, orchestration=_with(orch, workers=[w for w in orch.workers if w != target]))
    if isinstance(orch, SequentialSpec):
        return _with(spec, orchestration=_with(orch, order=[a for a in orch.order if a != target]))
    raise EditError(f"in a {orch.pattern} chat, remove the participant in the pattern editor")


def set_edge_condition(spec: TeamSpec, index: int, condition: EdgeCondition | None) -> TeamSpec:
    orch = spec.orchestration
    if not isinstance(orch, GraphSpec) or not 0 <= index < len(orch.edges):
        raise EditError("no such graph edge")
    edges = list(orch.edges)
    edges[index] = _with(edges[index], when=condition)
    return _with(spec, orchestration=_with(orch, edges=edges))


# --- model library ----------------------------------------------------------------------


def _map_model_references(spec: TeamSpec, old: str, new: str | None) -> TeamSpec:
    """Point every use of model ``old`` at ``new`` (None: back to the team default)."""
    agents = {k: (_with(a, model=new) if a.model == old else a) for k, a in spec.agents.items()}
    changes: dict[str, Any] = {"agents": agents}
    if spec.default_model == old:
        changes["default_model"] = new
    orch = spec.orchestration
    if isinstance(orch, SelectorSpec) and orch.selector_model == old:
        changes["orchestration"] = _with(orch, selector_model=new)
    return _with(spec, **changes)


def rename_model(spec: TeamSpec, old: str, new: str) -> TeamSpec:
    """Rename a model entry in place (file order kept); agents and the team default follow."""
    new = new.strip()
    if new == old:
        return spec
    if not _ID_RE.fullmatch(new):
        raise EditError("a model id uses letters, digits and '_', and starts with a letter or '_' (at most 64)")
    if new in spec.models:
        raise EditError(f"a model named {new!r} already exists")
    models = {(new if k == old else k): v for k, v in spec.models.items()}
    return _map_model_references(_with(spec, models=models), old, new)


def remove_model(spec: TeamSpec, model_id: str) -> TeamSpec:
    """Remove a model entry; whoever used it falls back to the team default (or the embedded model)."""
    if model_id not in spec.models:
        return spec
    models = {k: v for k, v in spec.models.items() if k != model_id}
    return _map_model_references(_with(spec, models=models), model_id, None)
