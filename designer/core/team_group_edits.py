"""Edits that make and unmake inner teams from the canvas: group agents into an inner team run by
a new agent of kind 'team', ungroup it again, and edit an inner team's own orchestration.

An inner team's members take part in it only, so grouping takes them out of the team that held
them (the outer orchestration, or the inner team they were in) and puts the new team agent in
their place; ungrouping puts them back where the team agent was.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .edit_result import Edited
from .edits import move_agents, unique_id
from .errors import EditError
from .patterns import PatternSpec, rules_for
from .spec import AgentSpec, InnerTeamSpec, TeamSpec, default_termination

__all__ = ["edit_inner", "group_into_team", "inner_view", "set_inner_field", "ungroup_team"]


def _orchestration(spec: TeamSpec, team_id: str | None) -> PatternSpec:
    return spec.orchestration if team_id is None else spec.teams[team_id].orchestration


def _with_orchestration(spec: TeamSpec, team_id: str | None, orch: PatternSpec) -> TeamSpec:
    if team_id is None:
        return spec.model_copy(update={"orchestration": orch})
    teams = {**spec.teams, team_id: spec.teams[team_id].model_copy(update={"orchestration": orch})}
    return spec.model_copy(update={"teams": teams})


def _replace_members(orch: PatternSpec, mapping: Mapping[str, str | None], added: list[str]) -> PatternSpec:
    rules = rules_for(orch)
    orch = rules.map_agents(orch, mapping)
    for agent_id in added:
        orch = rules.with_new_agent(orch, agent_id)
    return orch


def group_into_team(spec: TeamSpec, agent_ids: list[str], team_agent_id: str | None = None) -> Edited[str]:
    """The agents ``agent_ids`` become an inner team (round robin, the default bound) run by a new
    agent of kind 'team', which takes the first one's place where they took part. Returns the new
    team agent's id (its inner team has the same id)."""
    ids = list(dict.fromkeys(a for a in agent_ids if a in spec.agents))
    if not ids:
        raise EditError("select the agents to group into an inner team")
    holders = {spec.team_of(a) for a in ids}
    if len(holders) > 1:
        raise EditError("the agents to group belong to different teams: select agents of one team")
    holder = holders.pop()
    new_id = team_agent_id or unique_id([*spec.agents, *spec.teams], f"{ids[0]}_team")
    if new_id in spec.agents or new_id in spec.teams:
        raise EditError(f"an agent or inner team named {new_id!r} already exists")
    orch = _orchestration(spec, holder)
    taking_part = [a for a in rules_for(orch).members(orch) if a in ids]
    # The team agent takes the first grouped member's place; the other grouped members leave.
    mapping: dict[str, str | None] = {a: None for a in ids}
    if taking_part:
        mapping[taking_part[0]] = new_id
    outer = _replace_members(orch, mapping, [] if taking_part else [new_id])
    inner = InnerTeamSpec(orchestration=rules_for("round_robin").from_members(ids), termination=default_termination())
    agent = AgentSpec(kind="team", team=new_id, description=f"An inner team of {', '.join(ids)}.")
    out = spec.model_copy(update={"agents": {**spec.agents, new_id: agent}, "teams": {**spec.teams, new_id: inner}})
    out = _with_orchestration(out, holder, outer)
    if spec.layout is not None and spec.layout.nodes:
        placed = [spec.layout.nodes[a] for a in ids if a in spec.layout.nodes]
        if placed:  # above the group, centred: where the canvas would put the team agent of these members
            x = sum(p.x for p in placed) / len(placed)
            out = move_agents(out, {new_id: (x, min(p.y for p in placed) - 195.0)})
    return Edited(out, new_id)


def ungroup_team(spec: TeamSpec, team_agent_id: str) -> TeamSpec:
    """Undo a group: the team agent and its inner team go, and the inner team's members take part
    where the team agent did (the outer orchestration, or the inner team that held it)."""
    agent = spec.agents.get(team_agent_id)
    if agent is None or agent.kind != "team":
        raise EditError(f"{team_agent_id!r} is not an agent of kind 'team'")
    inner = spec.teams.get(agent.team or "")
    members = [m for m in inner.members() if m in spec.agents and m != team_agent_id] if inner is not None else []
    holder = spec.team_of(team_agent_id)
    orch = _orchestration(spec, holder)
    in_it = team_agent_id in rules_for(orch).members(orch)
    mapping: dict[str, str | None] = {team_agent_id: members[0] if members and in_it else None}
    restored = _replace_members(orch, mapping, members[1:] if in_it else members)
    out = _with_orchestration(spec, holder, restored)
    agents = {k: v for k, v in out.agents.items() if k != team_agent_id}
    teams = {k: v for k, v in out.teams.items() if k != agent.team}
    changes: dict[str, Any] = {"agents": agents, "teams": teams}
    if out.layout is not None and team_agent_id in out.layout.nodes:
        nodes = {k: v for k, v in out.layout.nodes.items() if k != team_agent_id}
        changes["layout"] = out.layout.model_copy(update={"nodes": nodes})
    return out.model_copy(update=changes)


def inner_view(spec: TeamSpec, team_id: str) -> TeamSpec:
    """The team as an inner team's editor sees it: the inner orchestration and termination in the
    places of the outer ones (the pattern editors and the termination fields edit those)."""
    inner = spec.teams[team_id]
    return spec.model_copy(update={"orchestration": inner.orchestration, "termination": inner.termination})


def edit_inner(spec: TeamSpec, team_id: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Apply an edit written for the outer team (``fn(spec, *args)``: a pattern editor's, a pattern
    switch, a termination field) to the inner team ``team_id``: it runs on :func:`inner_view`, and
    what it changed in the orchestration and termination goes to the inner team; its changes to
    agents (a swarm's hand-offs) apply as they are. Returns what ``fn`` returned, with the new spec."""
    if team_id not in spec.teams:
        raise EditError(f"there is no inner team {team_id!r}")
    result = fn(inner_view(spec, team_id), *args, **kwargs)
    edited, extra = (result.spec, result.extra) if isinstance(result, Edited) else (result, None)
    inner = spec.teams[team_id].model_copy(update={"orchestration": edited.orchestration, "termination": edited.termination})
    out = edited.model_copy(update={
        "orchestration": spec.orchestration, "termination": spec.termination, "teams": {**edited.teams, team_id: inner},
    })
    return Edited(out, extra) if isinstance(result, Edited) else out


def set_inner_field(spec: TeamSpec, team_id: str, field: str, value: Any) -> TeamSpec:
    """One field of an inner team's entry (``description``, ``instruction``, ``summary_prompt``)."""
    if team_id not in spec.teams:
        raise EditError(f"there is no inner team {team_id!r}")
    if field not in ("description", "instruction", "summary_prompt"):
        raise EditError(f"an inner team has no field {field!r} to set here")
    inner = spec.teams[team_id].model_copy(update={field: value if field != "description" else (value or "")})
    return spec.model_copy(update={"teams": {**spec.teams, team_id: inner}})
