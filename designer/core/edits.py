"""Edits of a team design as pure functions: each takes a spec and returns a new one.

The window turns every user gesture into exactly one of these (or a short chain), and
its undo stack keeps the spec before and after; nothing here mutates its input.
References follow renames and removals, so an edit never leaves a dangling id behind.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from .edit_result import Edited
from .errors import EditError
from .ids import to_identifier
from .patterns import PATTERNS, PatternSpec, Wiring, rules_for
from .patterns.base import replace_ids
from .spec import (
    EMBEDDED_MODEL_ID,
    RESERVED_AGENT_IDS,
    AgentSpec,
    ModelOptions,
    ModelSpec,
    LayoutSpec,
    NodePosition,
    TeamSpec,
    TerminationSpec,
    is_identifier,
)
from .records import DEFAULT_TIMEOUT_S
from .references import map_agent_refs



#: What a new team's embedded model is bounded by, written into its file so the user sees and
#: can change it: without a cap SmolLM2 can ramble for minutes, and without a repetition penalty
#: it repeats a phrase ("AMOLED AMOLED…") until the cap.
NEW_TEAM_MODEL_OPTIONS = ModelOptions(max_tokens=256, repeat_penalty=1.15)
#: A new team's message bound. A chat of small-model agents (switched to round robin, say) has
#: no natural end and repeats itself; 8 messages keep its first run to well under a minute
#: (20, the bound of files without one, took 101 s on two cores). Written into the file too.
NEW_TEAM_MAX_MESSAGES = 8


def new_team(name: str = "Untitled team") -> TeamSpec:
    # The entry is named like the built-in model, so every agent without a model of its own
    # (the first one and each one added later) runs on these bounds.
    embedded = ModelSpec(provider="embedded", model="SmolLM2-135M-Instruct", options=NEW_TEAM_MODEL_OPTIONS)
    spec = TeamSpec(
        name=name,
        task="",
        models={EMBEDDED_MODEL_ID: embedded},
        agents={"assistant": AgentSpec(description="A helpful assistant.", system_message="You are a helpful assistant.\n")},
        orchestration=rules_for("sequential").from_members(["assistant"]),
        termination=TerminationSpec(max_messages=NEW_TEAM_MAX_MESSAGES, timeout=DEFAULT_TIMEOUT_S),
    )
    return spec


#: Why each reserved agent id is taken, in the user's words, and names that mean the same and are free.
RESERVED_WHY = {"user": "AgentChat uses it for the task's sender", "team": "Team Designer uses it for the team's own events"}
RESERVED_ALTERNATIVES = {"user": ("user_proxy", "human"), "team": ("team_lead", "crew")}


def rename_hint(spec: TeamSpec, old: str, new: str) -> str | None:
    """Why ``old`` cannot be renamed to ``new``, with a name that can be used; None when it can.

    The rename boxes show this in place while the user types, so a refusal never comes as a surprise.
    """
    new = new.strip()
    try:
        rename_agent(spec, old, new)
    except EditError as exc:
        taken = [a for a in spec.agents if a != old]
        if new in RESERVED_WHY:
            free = [s for s in RESERVED_ALTERNATIVES[new] if s not in taken]
            tries = " or ".join(f"“{s}”" for s in free) or f"“{unique_id(taken, new)}”"
            return f"“{new}” is reserved: {RESERVED_WHY[new]} — try {tries}"
        return f"{exc} — try “{unique_id(taken, new or old)}”"
    return None


def unique_id(taken: Iterable[str], base: str) -> str:
    base = to_identifier(base, reserved=())  # the one name -> id mapping ('café' was kept, and invalid)
    taken = set(taken) | RESERVED_AGENT_IDS
    if base not in taken:
        return base
    # A reserved name's own alternatives read better than "user_2".
    free = [s for s in RESERVED_ALTERNATIVES.get(base, ()) if s not in taken]
    if free:
        return free[0]
    stem = re.sub(r"_\d+$", "", base)
    n = 2
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


def _with(record: Any, /, **changes: Any) -> Any:
    """A copy with fields replaced; the fields count as set, so they are saved."""
    # Positional-only, so a field named like the parameter (an agent's ``model``) cannot collide.
    return record.model_copy(update=changes)


def _map_references(spec: TeamSpec, mapping: dict[str, str | None]) -> TeamSpec:
    """Rename (str) or drop (None) agent ids everywhere they are referenced."""
    orch = rules_for(spec.orchestration).map_agents(spec.orchestration, mapping)
    agents = {
        agent_id: _with(agent, handoffs=replace_ids(agent.handoffs, mapping))
        if agent.handoffs and any(h in mapping for h in agent.handoffs) else agent
        for agent_id, agent in spec.agents.items()
    }
    changes: dict[str, Any] = {"orchestration": orch, "agents": agents}
    if spec.layout is not None:
        nodes = {mapping.get(k, k): v for k, v in spec.layout.nodes.items() if mapping.get(k, k) is not None}
        changes["layout"] = _with(spec.layout, nodes=nodes)
    # Terminations, inner teams, memories and message filters (core/references.py).
    return map_agent_refs(_with(spec, **changes), mapping)


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
    orch = rules_for(spec.orchestration).with_new_agent(spec.orchestration, new_id)
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
    if not is_identifier(new):
        raise EditError("a name uses letters, digits and '_', and starts with a letter or '_' (at most 64)")
    if new in RESERVED_AGENT_IDS:
        raise EditError(f"{new!r} is reserved: {RESERVED_WHY.get(new, 'Team Designer uses it')}")
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


def set_pattern(spec: TeamSpec, pattern: str) -> Edited[list[str]]:
    """Switch pattern keeping every agent; returns what pattern data could not be carried over."""
    if pattern not in PATTERNS:
        raise EditError(f"unknown pattern {pattern!r}")
    old = spec.orchestration
    if old.pattern == pattern:
        return Edited(spec, [])
    members = [a for a in spec.participants() if a in spec.agents] or list(spec.agents)
    orch = rules_for(pattern).from_members(members)
    return Edited(_with(spec, orchestration=orch), rules_for(old).lost_on_switch(old))


def edit_orchestration(spec: TeamSpec, edit: Callable[..., PatternSpec], *args: Any) -> TeamSpec:
    """Apply a pattern's own edit (``edit(orchestration, *args)``, e.g. the graph's
    ``set_edge_end``) to the team: how the editors route their gestures."""
    return _with(spec, orchestration=edit(spec.orchestration, *args))


# --- connections drawn on the canvas ----------------------------------------------------


def _wired(spec: TeamSpec, wiring: Wiring) -> TeamSpec:
    agents = dict(spec.agents)
    for agent_id, handoffs in wiring.handoffs.items():
        agents[agent_id] = _with(agents[agent_id], handoffs=handoffs)
    return _with(spec, orchestration=wiring.orchestration, agents=agents)


def connect(spec: TeamSpec, source: str, target: str) -> TeamSpec:
    """What dragging from one node to another means in the current pattern."""
    if source == target:
        raise EditError("an agent cannot connect to itself")
    orch = spec.orchestration
    return _wired(spec, rules_for(orch).connect(orch, spec.agents, source, target))


def disconnect(spec: TeamSpec, source: str, target: str, index: int | None = None) -> TeamSpec:
    """Remove the connection source → target (the graph edge at ``index`` when given)."""
    orch = spec.orchestration
    return _wired(spec, rules_for(orch).disconnect(orch, spec.agents, source, target, index))


# --- model library ----------------------------------------------------------------------


def _map_model_references(spec: TeamSpec, old: str, new: str | None) -> TeamSpec:
    """Point every use of model ``old`` at ``new`` (None: back to the team default)."""
    agents = {k: (_with(a, model=new) if a.model == old else a) for k, a in spec.agents.items()}
    changes: dict[str, Any] = {"agents": agents}
    if spec.default_model == old:
        changes["default_model"] = new
    orch = spec.orchestration
    changes["orchestration"] = rules_for(orch).map_model(orch, old, new)
    return _with(spec, **changes)


def rename_model(spec: TeamSpec, old: str, new: str) -> TeamSpec:
    """Rename a model entry in place (file order kept); agents and the team default follow."""
    new = new.strip()
    if new == old:
        return spec
    if not is_identifier(new):
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
