"""Agent and tool references outside the orchestration and hand-offs, following renames and removals.

edits.py maps the outer orchestration, hand-offs and the layout; this maps the rest: termination
conditions (the run's and each inner team's, nested blocks included), inner teams' orchestrations,
memory writers and each agent's message filters (``sees``). A mapping value is the new id (rename)
or None (removal): a removed agent's reference goes, and a nested condition block left with no
condition goes with it (it could never hold), so an edit leaves no dangling id behind.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .patterns import rules_for
from .patterns.base import replace_ids
from .spec import TeamSpec, TerminationSpec

#: Not an agent: the person running the team (a hand-off target).
USER = "user"


def map_agent_refs(spec: TeamSpec, mapping: Mapping[str, str | None]) -> TeamSpec:
    """``spec`` with agent ids renamed (str) or dropped (None) in every reference listed above."""
    if not mapping:
        return spec
    changes: dict[str, Any] = {}
    term = _map_block(spec.termination, lambda block: _agent_changes(block, mapping))
    if term is not spec.termination:
        changes["termination"] = term
    if spec.teams:
        teams = {}
        for team_id, inner in spec.teams.items():
            orch = rules_for(inner.orchestration).map_agents(inner.orchestration, dict(mapping))
            inner_term = _map_block(inner.termination, lambda block: _agent_changes(block, mapping))
            update: dict[str, Any] = {}
            if orch != inner.orchestration:
                update["orchestration"] = orch
            if inner_term is not inner.termination:
                update["termination"] = inner_term
            teams[team_id] = inner.model_copy(update=update) if update else inner
        if any(teams[k] is not spec.teams[k] for k in teams):
            changes["teams"] = teams
    if spec.memories:
        memories = {k: m.model_copy(update={"writers": replace_ids(m.writers, mapping)})
                    if any(w in mapping for w in m.writers) else m for k, m in spec.memories.items()}
        if any(memories[k] is not spec.memories[k] for k in memories):
            changes["memories"] = memories
    agents = {}
    for agent_id, agent in spec.agents.items():
        agents[agent_id] = agent
        if any(f.source in mapping for f in agent.sees):
            sees = [f.model_copy(update={"source": mapping[f.source]}) if f.source in mapping else f
                    for f in agent.sees if mapping.get(f.source, f.source) is not None]
            agents[agent_id] = agent.model_copy(update={"sees": sees})
    if any(agents[k] is not spec.agents[k] for k in agents):
        changes["agents"] = agents
    return spec.model_copy(update=changes) if changes else spec


def map_tool_refs(spec: TeamSpec, mapping: Mapping[str, str | None]) -> TeamSpec:
    """``spec`` with tool ids renamed (str) or dropped (None) in ``tool_called`` conditions."""
    def tool_changes(block: TerminationSpec) -> dict[str, Any]:
        name = block.tool_called
        return {"tool_called": mapping[name]} if name is not None and name in mapping else {}

    changes: dict[str, Any] = {}
    term = _map_block(spec.termination, tool_changes)
    if term is not spec.termination:
        changes["termination"] = term
    teams = {k: _with_termination(inner, _map_block(inner.termination, tool_changes)) for k, inner in spec.teams.items()}
    if any(teams[k] is not spec.teams[k] for k in teams):
        changes["teams"] = teams
    return spec.model_copy(update=changes) if changes else spec


def _with_termination(inner: Any, term: TerminationSpec) -> Any:
    return inner if term is inner.termination else inner.model_copy(update={"termination": term})


def _agent_changes(block: TerminationSpec, mapping: Mapping[str, str | None]) -> dict[str, Any]:
    """The fields of one block (children aside) that name a mapped agent, mapped."""
    out: dict[str, Any] = {}
    if block.text_from is not None and block.text_from in mapping:
        out["text_from"] = mapping[block.text_from]
    if block.handoff_to is not None and block.handoff_to != USER and block.handoff_to in mapping:
        out["handoff_to"] = mapping[block.handoff_to]
    if any(s in mapping for s in block.spoke):
        out["spoke"] = replace_ids(block.spoke, mapping)
    return out


def _map_block(block: TerminationSpec, changes_of: Callable[[TerminationSpec], dict[str, Any]]) -> TerminationSpec:
    """``block`` with ``changes_of(each block)`` applied to it and its children; the same object
    when nothing changed (so an unchanged file stays byte-identical)."""
    update: dict[str, Any] = dict(changes_of(block))
    for key, children in (("any_of", block.any_of), ("all_of", block.all_of)):
        mapped = [_map_block(child, changes_of) for child in children]
        if any(m is not c for m, c in zip(mapped, children, strict=True)):
            # A child emptied by a removal could never hold: it goes (a child that was empty stays).
            update[key] = [m for m, c in zip(mapped, children, strict=True) if m.describe() or not c.describe()]
    return block.model_copy(update=update) if update else block
