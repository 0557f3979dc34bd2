"""What the canvas draws for a design: each pattern's connections and an automatic layout."""

from __future__ import annotations

from .diagram_groups import place_groups
from .patterns import Connection, rules_for
from .patterns.shapes import COLUMN, ROW, Positions
from .spec import TeamSpec

__all__ = ["COLUMN", "ROW", "Connection", "auto_layout", "connections", "positions"]


def connections(spec: TeamSpec) -> list[Connection]:
    orch = spec.orchestration
    return rules_for(orch).connections(orch, spec.agents)


def auto_layout(spec: TeamSpec) -> Positions:
    """Positions for every agent: members arranged to show the pattern's shape, others in a row below."""
    orch = spec.orchestration
    members = [a for a in spec.participants() if a in spec.agents]
    inner = spec.inner_members()  # drawn in their inner team's group, below its team agent
    others = [a for a in spec.agents if a not in members and a not in inner]
    links: dict[str, list[str]] = {}
    for c in connections(spec):
        links.setdefault(c.source, []).append(c.target)
    pos = place_groups(spec, rules_for(orch).layout(orch, members, links))
    bottom = max((y for _, y in pos.values()), default=-ROW) + ROW * 1.5
    for i, a in enumerate(others):
        pos[a] = (i * COLUMN, bottom)
    return pos


def positions(spec: TeamSpec) -> Positions:
    """Where each agent is drawn: its saved layout position, else where the automatic layout puts it."""
    saved = spec.layout.nodes if spec.layout is not None else {}
    auto = auto_layout(spec) if any(a not in saved for a in spec.agents) else {}
    return {a: (saved[a].x, saved[a].y) if a in saved else auto.get(a, (0.0, 0.0)) for a in spec.agents}
