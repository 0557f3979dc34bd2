"""What the canvas draws for a design: connections per pattern and an automatic layout."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from math import cos, pi, sin

from .spec import GraphSpec, HierarchicalSpec, RoundRobinSpec, SelectorSpec, SequentialSpec, SwarmSpec, TeamSpec

#: Grid used by the automatic layout, in scene units.
COLUMN = 240.0
ROW = 150.0


@dataclass(frozen=True)
class Connection:
    source: str
    target: str
    #: "sequence", "delegation", "turn", "graph", "handoff"
    kind: str
    label: str = ""
    #: The graph edge's index for kind "graph" (what the condition editor edits).
    index: int | None = None


def connections(spec: TeamSpec) -> list[Connection]:
    orch = spec.orchestration
    known = spec.agents
    out: list[Connection] = []
    if isinstance(orch, SequentialSpec):
        order = [a for a in orch.order if a in known]
        out = [Connection(a, b, "sequence", str(i + 1)) for i, (a, b) in enumerate(zip(order, order[1:]))]
    elif isinstance(orch, HierarchicalSpec):
        if orch.coordinator in known:
            out = [Connection(orch.coordinator, w, "delegation", "delegates") for w in orch.workers if w in known]
    elif isinstance(orch, (RoundRobinSpec, SelectorSpec)):
        members = [a for a in orch.participants if a in known]
        if isinstance(orch, RoundRobinSpec) and len(members) > 1:
            out = [Connection(a, members[(i + 1) % len(members)], "turn") for i, a in enumerate(members)]
    elif isinstance(orch, GraphSpec):
        out = [
            Connection(e.source, e.target, "graph", e.when.describe() if e.when else "", i)
            for i, e in enumerate(orch.edges)
            if e.source in known and e.target in known
        ]
    elif isinstance(orch, SwarmSpec):
        members = set(spec.participants())
        out = [
            Connection(a, t, "handoff", "hand-off")
            for a in spec.participants()
            if a in known
            for t in known[a].handoffs
            if t in known and t in members
        ]
    return out


def auto_layout(spec: TeamSpec) -> dict[str, tuple[float, float]]:
    """Positions for every agent, arranged to show the pattern's shape."""
    orch = spec.orchestration
    members = [a for a in spec.participants() if a in spec.agents]
    others = [a for a in spec.agents if a not in members]
    pos: dict[str, tuple[float, float]] = {}
    if isinstance(orch, HierarchicalSpec) and orch.coordinator in spec.agents:
        workers = [w for w in orch.workers if w in spec.agents]
        width = (len(workers) - 1) * COLUMN
        pos[orch.coordinator] = (0.0, 0.0)
        for i, w in enumerate(workers):
            pos[w] = (i * COLUMN - width / 2, ROW * 1.4)
    elif isinstance(orch, (RoundRobinSpec, SelectorSpec)) and len(members) > 2:
        radius = max(COLUMN * 0.8, len(members) * COLUMN / (2 * pi))
        for i, a in enumerate(members):
            angle = -pi / 2 + 2 * pi * i / len(members)
            pos[a] = (round(radius * cos(angle), 1), round(radius * sin(angle), 1))
    elif isinstance(orch, (GraphSpec, SwarmSpec)):
        for (depth, slot), agent in _layers(spec, members).items():
            pos[agent] = (depth * COLUMN, slot * ROW)
    else:
        for i, a in enumerate(members):
            pos[a] = (i * COLUMN, 0.0)
    bottom = max((y for _, y in pos.values()), default=-ROW) + ROW * 1.5
    for i, a in enumerate(others):
        pos[a] = (i * COLUMN, bottom)
    return pos


def positions(spec: TeamSpec) -> dict[str, tuple[float, float]]:
    """Where each agent is drawn: its saved layout position, else where the automatic layout puts it."""
    saved = spec.layout.nodes if spec.layout is not None else {}
    auto = auto_layout(spec) if any(a not in saved for a in spec.agents) else {}
    return {a: (saved[a].x, saved[a].y) if a in saved else auto.get(a, (0.0, 0.0)) for a in spec.agents}


def _layers(spec: TeamSpec, members: list[str]) -> dict[tuple[int, int], str]:
    """Breadth-first depth from the entry; each layer stacked vertically and centred."""
    links: dict[str, list[str]] = {}
    for c in connections(spec):
        links.setdefault(c.source, []).append(c.target)
    depth: dict[str, int] = {}
    start = [m for m in members[:1]]
    queue = deque(start)
    for s in start:
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
    out: dict[tuple[int, int], str] = {}
    for d, names in by_depth.items():
        offset = (len(names) - 1) / 2
        for i, name in enumerate(names):
            out[(d, i - offset)] = name  # type: ignore[index]
    return out
