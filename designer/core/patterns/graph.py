"""Graph / state machine: agents are nodes; edges, optionally conditional, decide who speaks next."""

from __future__ import annotations

from collections import deque
from typing import Iterator, Literal, Mapping

from pydantic import Field, model_validator

from ..finish import plural
from ..errors import EditError
from ..records import AgentSpec, Record
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, mapped, register, replace_ids, with_
from .shapes import Positions, layers

#: The condition kinds of an edge as the editors offer them: (label, key).
CONDITIONS: tuple[tuple[str, str], ...] = (("always", "always"), ("contains", "contains"), ("does not contain", "not_contains"))


class EdgeCondition(Record):
    contains: str | None = Field(default=None, min_length=1)
    not_contains: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> EdgeCondition:
        if (self.contains is None) == (self.not_contains is None):
            raise ValueError("a condition needs exactly one of 'contains' or 'not_contains'")
        return self

    def describe(self) -> str:
        if self.contains is not None:
            return f"contains {self.contains!r}"
        return f"does not contain {self.not_contains!r}"


class GraphEdgeSpec(Record):
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    when: EdgeCondition | None = None
    group: str | None = Field(
        default=None, min_length=1,
        description="Activation group: the target's incoming edges of one group are joined together (AgentChat's activation_group).",
    )
    activation: Literal["all", "any"] | None = Field(
        default=None,
        description="'all': the target runs when every edge of this edge's group has fired; 'any': when one has "
        "(AgentChat's activation_condition; default from wait_for_all).",
    )


class GraphSpec(PatternSpec):
    pattern: Literal["graph"]
    entry: str = ""
    edges: list[GraphEdgeSpec] = Field(default_factory=list)
    wait_for_all: list[str] = Field(
        default_factory=list,
        description="Nodes that run only after all their incoming edges fired (a join); others run on any.",
    )

    def nodes(self) -> list[str]:
        """Entry first, then every edge endpoint in file order, without repeats."""
        seen: dict[str, None] = {}
        if self.entry:
            seen[self.entry] = None
        for edge in self.edges:
            seen.setdefault(edge.source, None)
            seen.setdefault(edge.target, None)
        return list(seen)


# --- the graph's own edits (the editors apply them through edits.edit_orchestration) ----------


def condition_kind(condition: EdgeCondition | None) -> str:
    """'always' (no condition), 'contains' or 'not_contains': a key of :data:`CONDITIONS`."""
    if condition is None:
        return "always"
    return "contains" if condition.contains is not None else "not_contains"


def condition_text(condition: EdgeCondition | None) -> str:
    return "" if condition is None else (condition.contains or condition.not_contains or "")


def make_condition(kind: str, text: str) -> EdgeCondition | None:
    """The condition for a kind of :data:`CONDITIONS` and its text; 'always' is no condition."""
    if kind == "always":
        return None
    if not text:
        raise EditError("a condition needs text to look for; choose 'always' to remove it")
    return EdgeCondition(**{kind: text})


def _edge_index(orch: PatternSpec, index: int) -> None:
    # A stale gesture (the pattern or the edges changed under an open editor) is refused, not applied.
    if not isinstance(orch, GraphSpec) or not 0 <= index < len(orch.edges):
        raise EditError("no such graph edge")


def set_edge_condition(orch: GraphSpec, index: int, condition: EdgeCondition | None) -> GraphSpec:
    _edge_index(orch, index)
    edges = list(orch.edges)
    edges[index] = with_(edges[index], when=condition)
    return with_(orch, edges=edges)


def set_edge_activation(orch: GraphSpec, index: int, group: str | None, activation: Literal["all", "any"] | None) -> GraphSpec:
    """Put edge ``index`` in activation ``group`` (None: the target's default group) with
    ``activation`` ('all' | 'any'; None: from wait_for_all)."""
    _edge_index(orch, index)
    group = (group or "").strip() or None
    edges = list(orch.edges)
    # Cleared values (None) equal their defaults, so the saved file omits them.
    edges[index] = with_(edges[index], group=group, activation=activation)
    return with_(orch, edges=edges)


def set_edge(orch: GraphSpec, index: int, condition: EdgeCondition | None, group: str | None,
             activation: Literal["all", "any"] | None) -> GraphSpec:
    """The canvas's edge dialog: condition, group and activation of one edge as one edit."""
    return set_edge_activation(set_edge_condition(orch, index, condition), index, group, activation)


def activation_of(graph: GraphSpec, edge: GraphEdgeSpec) -> Literal["all", "any"]:
    """What joins ``edge`` with the other edges of its group: the group's explicit activation
    (set on any of its edges), else 'all' when the target is in wait_for_all, else 'any'."""
    return _activation(_explicit(graph), graph, edge)


def activations(graph: GraphSpec) -> list[Literal["all", "any"]]:
    """:func:`activation_of` of every edge, in edge order (one pass over the edges)."""
    explicit = _explicit(graph)
    return [_activation(explicit, graph, edge) for edge in graph.edges]


def _explicit(graph: GraphSpec) -> dict[tuple[str, str], Literal["all", "any"]]:
    out: dict[tuple[str, str], Literal["all", "any"]] = {}
    for edge in graph.edges:
        if edge.activation is not None:
            out.setdefault((edge.target, group_of(edge)), edge.activation)
    return out


def _activation(explicit: Mapping[tuple[str, str], Literal["all", "any"]], graph: GraphSpec,
                edge: GraphEdgeSpec) -> Literal["all", "any"]:
    found = explicit.get((edge.target, group_of(edge)))
    if found is not None:
        return found
    return "all" if edge.target in graph.wait_for_all else "any"


def group_of(edge: GraphEdgeSpec) -> str:
    """The edge's activation group as AgentChat keys it: by default the target's own name."""
    return edge.group or edge.target


def edge_label(graph: GraphSpec, edge: GraphEdgeSpec) -> str:
    """The canvas label: the condition, then the group and its join when the edge has a group."""
    parts = [edge.when.describe()] if edge.when else []
    if edge.group is not None:
        parts.append(f"[{edge.group}: {activation_of(graph, edge)}]")
    elif edge.activation is not None:
        parts.append(f"[{edge.activation}]")
    return " ".join(parts)


def set_edge_end(orch: GraphSpec, index: int, end: str, agent: str) -> GraphSpec:
    """Point one end ('source' or 'target') of edge ``index`` at another agent."""
    _edge_index(orch, index)
    edges = list(orch.edges)
    edge = with_(edges[index], **{end: agent})
    _check_new_edge(edges[:index] + edges[index + 1:], edge.source, edge.target)
    edges[index] = edge
    return with_(orch, edges=edges)


def _check_new_edge(others: list[GraphEdgeSpec], source: str, target: str) -> None:
    """An edge source → target may join ``others``: no loop on one node, no second copy."""
    if source == target:
        raise EditError("an agent cannot connect to itself")
    if any(e.source == source and e.target == target for e in others):
        raise EditError(f"{source} → {target} already exists")


def add_edge(orch: GraphSpec, agents: list[str]) -> GraphSpec:
    """Connect the first pair of ``agents`` not connected yet, starting from the graph's last nodes."""
    if not isinstance(orch, GraphSpec):
        raise EditError("the team is not a graph")
    existing = {(e.source, e.target) for e in orch.edges}
    for source in dict.fromkeys([*reversed(orch.nodes()), *agents]):
        for target in agents:
            if source in agents and source != target and (source, target) not in existing:
                return _added(orch, source, target)
    raise EditError("every pair of agents is already connected")


def _added(orch: GraphSpec, source: str, target: str) -> GraphSpec:
    _check_new_edge(orch.edges, source, target)
    # A plain edge; if its siblings are conditional, validation says so until it gets a condition.
    edge = GraphEdgeSpec(source=source, target=target)
    return with_(orch, edges=[*orch.edges, edge], **({} if orch.entry else {"entry": source}))


@register
class Graph(PatternRules[GraphSpec]):
    name = "graph"
    label = "Graph / state machine"
    summary = "Agents are nodes; edges (optionally conditional) decide who speaks after whom."
    spec_type = GraphSpec
    order = 4

    def members(self, orch: GraphSpec) -> list[str]:
        return orch.nodes()

    def from_members(self, members: list[str]) -> GraphSpec:
        # Start as a chain, so the new design is valid at once.
        edges = [GraphEdgeSpec(source=a, target=b) for a, b in zip(members, members[1:], strict=False)]
        return GraphSpec(pattern="graph", entry=members[0] if members else "", edges=edges)

    def lost_on_switch(self, orch: GraphSpec) -> list[str]:
        if not orch.edges:
            return []
        conditional = sum(1 for e in orch.edges if e.when is not None)
        grouped = sum(1 for e in orch.edges if e.group is not None or e.activation is not None)
        details = [f"{conditional} with conditions"] if conditional else []
        details += [f"{grouped} in activation groups"] if grouped else []
        return [plural(len(orch.edges), 'graph edge') + (f" ({', '.join(details)})" if details else "")]

    def map_agents(self, orch: GraphSpec, mapping: Mapping[str, str | None]) -> GraphSpec:
        edges = []
        for edge in orch.edges:
            source, target = mapping.get(edge.source, edge.source), mapping.get(edge.target, edge.target)
            if source is not None and target is not None:
                edges.append(with_(edge, source=source, target=target))
        return with_(orch, entry=mapped(orch.entry, mapping), edges=edges, wait_for_all=replace_ids(orch.wait_for_all, mapping))

    def with_new_agent(self, orch: GraphSpec, agent_id: str) -> GraphSpec:
        return orch if orch.entry else with_(orch, entry=agent_id)

    def connect(self, orch: GraphSpec, agents: Mapping[str, AgentSpec], source: str, target: str) -> Wiring:
        return Wiring(_added(orch, source, target))

    def disconnect(self, orch: GraphSpec, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None) -> Wiring:
        edges = [e for i, e in enumerate(orch.edges)
                 if not (e.source == source and e.target == target and (index is None or i == index))]
        return Wiring(with_(orch, edges=edges))

    def connections(self, orch: GraphSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        return [
            Connection(e.source, e.target, "graph", edge_label(orch, e), i)
            for i, e in enumerate(orch.edges)
            if e.source in agents and e.target in agents
        ]

    def layout(self, orch: GraphSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        return layers(members, links)

    def check(self, orch: GraphSpec, checks: Checks) -> None:
        _GraphChecks(orch, checks).run()


class _GraphChecks:
    """Every reference resolves, no node mixes conditional and plain exits, every node can be
    reached, some path can end, and every loop has an exit condition."""

    def __init__(self, graph: GraphSpec, checks: Checks) -> None:
        self.graph, self.checks = graph, checks
        self.path = ("orchestration",)
        self.outgoing: dict[str, list[int]] = {}

    def run(self) -> None:
        graph, checks, path = self.graph, self.checks, self.path
        checks.agent_ref(graph.entry, path + ("entry",), "entry node")
        for i, edge in enumerate(graph.edges):
            checks.agent_ref(edge.source, path + ("edges", i, "from"), "node")
            checks.agent_ref(edge.target, path + ("edges", i, "to"), "node")
            self.outgoing.setdefault(edge.source, []).append(i)
        for node, indexes in self.outgoing.items():
            conditional = [i for i in indexes if graph.edges[i].when is not None]
            if conditional and len(conditional) != len(indexes):
                first_plain = next(i for i in indexes if graph.edges[i].when is None)
                checks.error(
                    f"node {node!r} mixes conditional and unconditional outgoing edges",
                    path + ("edges", first_plain),
                    "give every edge leaving this node a 'when' condition, or none of them",
                )
        node_set = set(graph.nodes())
        for i, node in enumerate(graph.wait_for_all):
            if node not in node_set:
                checks.error(f"{node!r} is not a node of the graph", path + ("wait_for_all", i))
        self._groups()
        if graph.entry and graph.entry in checks.agents:
            self._reach_and_end()
            self._cycles()

    def _groups(self) -> None:
        """Activation groups: one target each, one activation each (AgentChat refuses a mix),
        more than one edge (else the group joins nothing), and no contradiction of wait_for_all."""
        graph, checks = self.graph, self.checks
        target_of: dict[str, int] = {}
        members: dict[tuple[str, str], list[int]] = {}
        for i, edge in enumerate(graph.edges):
            where = self.path + ("edges", i)
            if edge.group is not None:
                first = target_of.setdefault(edge.group, i)
                if graph.edges[first].target != edge.target:
                    checks.error(
                        f"group {edge.group!r} already joins the edges into {graph.edges[first].target!r}; "
                        "a group belongs to one target", where + ("group",),
                        f"give the edges into {edge.target!r} a group of their own")
            members.setdefault((edge.target, group_of(edge)), []).append(i)
        for (target, group), indexes in members.items():
            set_on = [i for i in indexes if graph.edges[i].activation is not None]
            for i in set_on[1:]:
                if graph.edges[i].activation != graph.edges[set_on[0]].activation:
                    checks.error(
                        f"the edges of group {group!r} into {target!r} disagree: "
                        f"{graph.edges[set_on[0]].activation!r} and {graph.edges[i].activation!r}",
                        self.path + ("edges", i, "activation"), "a group has one activation: set the same on each edge, or on one")
            if set_on and target in graph.wait_for_all and graph.edges[set_on[0]].activation == "any":
                checks.warn(
                    f"{target!r} waits for all its edges (wait_for_all), but this edge's group runs it on any one",
                    self.path + ("edges", set_on[0], "activation"),
                    "the group's activation wins for its edges; remove one of the two to say it once")
            # One edge that says 'any' is an optional trigger on purpose; otherwise a lone edge
            # is most likely a join whose other edges were forgotten or name the group differently.
            lone = graph.edges[indexes[0]]
            if len(indexes) == 1 and lone.group is not None and lone.activation != "any":
                checks.warn(
                    f"group {group!r} has one edge, so it joins nothing: {lone.source!r} alone runs {target!r}",
                    self.path + ("edges", indexes[0], "group"),
                    "put the other edges of the join in this group (check its spelling), "
                    "or set activation: any if this edge should run the target by itself")

    def _reach_and_end(self) -> None:
        graph, outgoing = self.graph, self.outgoing
        reachable = {graph.entry}
        queue = deque([graph.entry])
        while queue:
            node = queue.popleft()
            for i in outgoing.get(node, []):
                target = graph.edges[i].target
                if target not in reachable:
                    reachable.add(target)
                    queue.append(target)
        first_edge: dict[str, int] = {}
        for i, e in enumerate(graph.edges):
            first_edge.setdefault(e.source, i)
            first_edge.setdefault(e.target, i)
        for node in graph.nodes():
            if node not in reachable and node in self.checks.agents:
                self.checks.error(f"node {node!r} cannot be reached from the entry {graph.entry!r}",
                                  self.path + ("edges", first_edge[node]))
        can_end = any(node not in outgoing or all(graph.edges[i].when is not None for i in outgoing[node])
                      for node in reachable)
        if not can_end:
            self.checks.error(
                "no path through the graph can end: every node always continues",
                self.path + ("edges",),
                "add a node with no outgoing edges, or conditions that let a loop exit",
            )

    def _cycles(self) -> None:
        """Every loop needs a conditional edge, or it would repeat until the bound.

        An explicit stack, not recursion: a chain of a few thousand nodes must give problems,
        not a RecursionError."""
        edges, outgoing = self.graph.edges, self.outgoing
        done: set[str] = set()
        for root in self.graph.nodes():
            if root in done:
                continue
            # frames[k] is a node on the current path with its remaining outgoing edges;
            # trail[k] is the edge from frames[k] to frames[k + 1].
            frames: list[tuple[str, Iterator[int]]] = [(root, iter(outgoing.get(root, ())))]
            on_path: dict[str, int] = {root: 0}
            trail: list[int] = []
            while frames:
                node, pending = frames[-1]
                i = next(pending, None)
                if i is None:
                    frames.pop()
                    del on_path[node]
                    done.add(node)
                    if trail:
                        trail.pop()
                    continue
                target = edges[i].target
                if target in on_path:
                    loop = trail[on_path[target]:] + [i]
                    if all(edges[idx].when is None for idx in loop):
                        names = loop_names([edges[idx].source for idx in loop] + [target])
                        self.checks.error(f"the loop {names} has no exit condition", self.path + ("edges", loop[-1]),
                                          "put a 'when' condition on an edge of the loop")
                elif target not in done:
                    on_path[target] = len(frames)
                    frames.append((target, iter(outgoing.get(target, ()))))
                    trail.append(i)


def loop_names(names: list[str], shown: int = 8) -> str:
    """'a -> b -> a'; a long loop keeps its first and last steps, so the message stays one short line."""
    if len(names) <= shown + 2:
        return " -> ".join(names)
    return " -> ".join(names[:shown // 2] + [f"… ({len(names) - shown} more)"] + names[-shown // 2:])
