"""Inner teams on the canvas, as pure geometry: each is a group (a frame around its members' nodes,
labelled with the team agent running it) that can be collapsed to the team agent's node alone.

The members are placed below their team agent in the inner pattern's own shape (its
``PatternRules.layout``) and the inner pattern's connections are drawn between them. Which groups
are collapsed is view state: the window keeps it while a file is open, the file does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .patterns import Connection, rules_for
from .patterns.shapes import ROW, Positions
from .spec import TeamSpec

__all__ = ["FRAME_HEADER", "FRAME_MARGIN", "Group", "frame_rects", "groups", "hidden_agents", "inner_connections",
           "place_groups"]

#: Room around the members' cards inside a frame, and the frame's title band above them.
FRAME_MARGIN = 18.0
FRAME_HEADER = 24.0
#: How far below its team agent an inner team's shape starts.
GROUP_DROP = ROW * 1.3

Rect = tuple[float, float, float, float]  # x, y, width, height in scene units


@dataclass(frozen=True)
class Group:
    """An inner team as the canvas shows it: the team agent, its team, the members drawn in it."""

    agent: str
    team: str
    pattern: str
    members: tuple[str, ...]


def groups(spec: TeamSpec) -> list[Group]:
    """Every agent of kind 'team' whose inner team exists, with that team's known members (the
    team agent itself left out: a group never holds its own node)."""
    out: list[Group] = []
    for agent_id, agent in spec.agents.items():
        inner = spec.teams.get(agent.team or "") if agent.kind == "team" else None
        if inner is not None:
            members = tuple(m for m in inner.members() if m in spec.agents and m != agent_id)
            out.append(Group(agent_id, agent.team or "", inner.orchestration.pattern, members))
    return out


def inner_connections(spec: TeamSpec) -> list[Connection]:
    """The lines of every inner team's own pattern, between its members."""
    out: list[Connection] = []
    for group in groups(spec):
        orch = spec.teams[group.team].orchestration
        out.extend(c for c in rules_for(orch).connections(orch, spec.agents) if c.source != c.target)
    return out


def place_groups(spec: TeamSpec, pos: Positions) -> Positions:
    """``pos`` with each inner team's members placed below its team agent, in the inner pattern's
    shape, centred under it; an inner team inside an inner team is placed below its own team agent
    in turn. Members of a group whose team agent has no position (a circle of inner teams) are left out."""
    pending = groups(spec)
    while pending:
        ready = [g for g in pending if g.agent in pos]
        if not ready:
            break
        for group in ready:
            orch = spec.teams[group.team].orchestration
            links: dict[str, list[str]] = {}
            for c in rules_for(orch).connections(orch, spec.agents):
                links.setdefault(c.source, []).append(c.target)
            shape = rules_for(orch).layout(orch, list(group.members), links)
            if not shape:
                continue
            xs = [x for x, _ in shape.values()]
            top = min(y for _, y in shape.values())
            ax, ay = pos[group.agent]
            dx = ax - (min(xs) + max(xs)) / 2
            for member, (x, y) in shape.items():
                pos.setdefault(member, (round(x + dx, 1), round(ay + GROUP_DROP + y - top, 1)))
        pending = [g for g in pending if g not in ready]
    return pos


def hidden_agents(spec: TeamSpec, collapsed: Iterable[str]) -> set[str]:
    """The agents not drawn when the groups of these team agents are collapsed: their members, and
    the members of any group inside them (collapsed or not)."""
    by_agent = {g.agent: g for g in groups(spec)}
    out: set[str] = set()
    todo = [a for a in collapsed if a in by_agent]
    while todo:
        for member in by_agent[todo.pop()].members:
            if member not in out:
                out.add(member)
                if member in by_agent:
                    todo.append(member)
    return out


def frame_rects(spec: TeamSpec, pos: Positions, collapsed: Iterable[str], card: tuple[float, float]) -> dict[str, Rect]:
    """The frame of each expanded group, by team agent: around its members' cards (``card`` is a
    card's width and height, centred on its position) and any expanded frame inside it, with the
    title band on top. Collapsed or hidden groups, and groups with no placed member, have none."""
    shut = set(collapsed)
    hidden = hidden_agents(spec, shut)
    by_agent = {g.agent: g for g in groups(spec) if g.agent not in shut and g.agent not in hidden}
    out: dict[str, Rect] = {}

    def rect_of(agent: str, trail: frozenset[str]) -> Rect | None:
        if agent in out:
            return out[agent]
        boxes: list[Rect] = []
        for member in by_agent[agent].members:
            if member in pos:
                x, y = pos[member]
                boxes.append((x - card[0] / 2, y - card[1] / 2, card[0], card[1]))
            if member in by_agent and member not in trail:
                inner = rect_of(member, trail | {member})
                if inner is not None:
                    boxes.append(inner)
        if not boxes:
            return None
        left = min(b[0] for b in boxes) - FRAME_MARGIN
        top = min(b[1] for b in boxes) - FRAME_MARGIN - FRAME_HEADER
        right = max(b[0] + b[2] for b in boxes) + FRAME_MARGIN
        bottom = max(b[1] + b[3] for b in boxes) + FRAME_MARGIN
        out[agent] = (left, top, right - left, bottom - top)
        return out[agent]

    for agent in by_agent:
        rect_of(agent, frozenset({agent}))
    return out
