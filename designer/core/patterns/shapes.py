"""Canvas shapes the patterns arrange their agents in (pure geometry, no pattern knowledge)."""

from __future__ import annotations

from collections import deque
from math import cos, pi, sin
from typing import Mapping

#: Positions on the canvas, in scene units, by agent id.
Positions = dict[str, tuple[float, float]]

#: Grid used by the automatic layout, in scene units.
COLUMN = 240.0
ROW = 150.0


def row(members: list[str]) -> Positions:
    """Left to right, in order."""
    return {a: (i * COLUMN, 0.0) for i, a in enumerate(members)}


def tree(lead: str, below: list[str]) -> Positions:
    """``lead`` on top, ``below`` centred in a row under it."""
    width = (len(below) - 1) * COLUMN
    pos: Positions = {lead: (0.0, 0.0)}
    for i, w in enumerate(below):
        pos[w] = (i * COLUMN - width / 2, ROW * 1.4)
    return pos


def ring(members: list[str]) -> Positions:
    """On a circle, first at the top, clockwise; a row for two or fewer."""
    if len(members) <= 2:
        return row(members)
    radius = max(COLUMN * 0.8, len(members) * COLUMN / (2 * pi))
    pos: Positions = {}
    for i, a in enumerate(members):
        angle = -pi / 2 + 2 * pi * i / len(members)
        pos[a] = (round(radius * cos(angle), 1), round(radius * sin(angle), 1))
    return pos


def layers(members: list[str], links: Mapping[str, list[str]]) -> Positions:
    """Columns by breadth-first depth from the first member; each column stacked and centred.
    Members the first cannot reach get columns of their own after the last."""
    depth: dict[str, int] = {}
    queue = deque(members[:1])
    for s in members[:1]:
        depth[s] = 0
    while queue:
        node = queue.popleft()
        for nxt in links.get(node, []):
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    last = max(depth.values(), default=-1)
    for m in members:
        if m not in depth:
            last += 1
            depth[m] = last
    by_depth: dict[int, list[str]] = {}
    for m in members:
        by_depth.setdefault(depth[m], []).append(m)
    pos: Positions = {}
    for d, names in by_depth.items():
        offset = (len(names) - 1) / 2
        for i, name in enumerate(names):
            pos[name] = (d * COLUMN, (i - offset) * ROW)
    return pos
