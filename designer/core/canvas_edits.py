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


#: A node's card on the canvas (ui/canvas/items.py draws 164 x 62) with room around it.
CARD_W, CARD_H = 200.0, 90.0


def free_spot_beside(taken: list[tuple[float, float]], at: tuple[float, float]) -> tuple[float, float]:
    """The nearest place beside ``at`` whose card covers no card at ``taken``: right of it first
    (read next), then below, then further out, so a copy never hides what it was copied from."""
    def free(x: float, y: float) -> bool:
        return all(abs(x - tx) >= CARD_W or abs(y - ty) >= CARD_H for tx, ty in taken)

    x, y = at
    for ring in range(1, 40):
        for dx, dy in ((ring, 0), (0, ring), (ring, ring), (-ring, ring), (ring, -ring)):
            spot = (x + dx * CARD_W, y + dy * CARD_H)
            if free(*spot):
                return spot
    return (x + CARD_W, y + CARD_H)  # a crowded canvas of 40 rings: overlap rather than fail


def duplicate_agents(spec: TeamSpec, ids: list[str]) -> Edited[list[str]]:
    """A copy of each agent, under a distinct name (``researcher_2``) and beside its original
    where it covers no other agent; returns the copies' ids in order."""
    spec, new_ids = pin_layout(spec), []
    for agent_id in ids:
        shown = diagram.positions(spec)
        x, y = shown[agent_id]
        taken = list(shown.values())
        spot = free_spot_beside(taken, (x, y))
        spec, new_id = edits.duplicate_agent(spec, agent_id, offset=(spot[0] - x, spot[1] - y))
        new_ids.append(new_id)
    return Edited(spec, new_ids)
