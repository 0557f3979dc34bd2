"""The canvas's compound edits, Qt-free so the CLI and tests without a display can use them."""

from __future__ import annotations

from . import diagram, edits
from .edit_result import Edited
from .spec import TeamSpec


def pin_layout(spec: TeamSpec) -> TeamSpec:
    """Every shown position written to the layout, so nodes placed automatically stay put from now on."""
    return edits.move_agents(spec, diagram.positions(spec))


def add_agent_at(spec: TeamSpec, at: tuple[float, float]) -> Edited[str]:
    """A new agent dropped at ``at``; the others keep where they are drawn."""
    return edits.add_agent(pin_layout(spec), position=at)


def duplicate_agents(spec: TeamSpec, ids: list[str]) -> Edited[list[str]]:
    """A copy of each agent, offset from its original; returns the copies' ids in order."""
    spec, new_ids = pin_layout(spec), []
    for agent_id in ids:
        spec, new_id = edits.duplicate_agent(spec, agent_id)
        new_ids.append(new_id)
    return Edited(spec, new_ids)
