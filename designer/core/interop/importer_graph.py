"""AgentChat's GraphFlow (its DiGraph as JSON) -> a ``graph`` (or ``sequential``) orchestration.

AgentChat's JSON keeps a string condition (the message contains it) and drops a callable one
without a trace: such an edge reads as unconditional. A node whose exits mix conditional and
unconditional edges was most likely built with callables beside strings, and the file format
refuses that mix, so the unconditional exits there become "does not contain" the sibling's
text (the usual meaning of such an else-branch) with a ``changed`` note saying so.
"""

from __future__ import annotations

from typing import Any, Mapping

from . import Note


def graph_orchestration(graph: object, names: Mapping[str, str], notes: list[Note], where: str) -> dict[str, Any]:
    members = list(names.values())
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if not isinstance(nodes, dict):
        notes.append(Note("changed", f"{where} has no graph in the file: its participants run in order"))
        return {"pattern": "sequential", "order": members}
    edges: list[dict[str, Any]] = []
    joins: list[tuple[str, str, str]] = []  # (target, group, activation) per edge, in edge order
    for node_name, node in nodes.items():
        source = names.get(str(node_name))
        if source is None or not isinstance(node, dict):
            continue  # a dropped agent: its edges go with it (reported with the agent)
        node_edges = []
        for edge in node.get("edges") or []:
            target = names.get(str(edge.get("target"))) if isinstance(edge, dict) else None
            if target is None:
                continue
            item: dict[str, Any] = {"from": source, "to": target}
            if isinstance(edge.get("condition"), str) and edge["condition"]:
                item["when"] = {"contains": edge["condition"]}
            target_node = nodes.get(str(edge.get("target"))) or {}
            activation = edge.get("activation_condition") or target_node.get("activation") or "all"
            group = str(edge.get("activation_group") or "") or target
            node_edges.append(item)
            joins.append((target, group if group != str(edge.get("target")) else target, str(activation)))
        _else_branches(node_edges, source, notes, where)
        edges.extend(node_edges)
    entry = names.get(str(graph.get("default_start_node"))) if isinstance(graph, dict) else None
    targets = {e["to"] for e in edges}
    starts = [m for m in members if m not in targets]
    if entry is None:
        entry = starts[0] if starts else members[0]
    if len([s for s in starts if any(e["from"] == s for e in edges)]) > 1:
        notes.append(Note("changed", f"{where} starts several nodes at once in AgentChat; here it starts at '{entry}'"))
    chain = _chain(entry, edges, members)
    if chain is not None:
        return {"pattern": "sequential", "order": chain}
    orch: dict[str, Any] = {"pattern": "graph", "entry": entry, "edges": edges}
    wait = _groups(edges, joins)
    if wait:
        orch["wait_for_all"] = wait
    return orch


def _else_branches(node_edges: list[dict[str, Any]], source: str, notes: list[Note], where: str) -> None:
    texts = list(dict.fromkeys(e["when"]["contains"] for e in node_edges if "when" in e))
    plain = [e for e in node_edges if "when" not in e]
    if not texts or not plain:
        return
    for edge in plain:
        edge["when"] = {"not_contains": texts[0]}
        notes.append(Note("changed", f"edge {source} -> {edge['to']} of {where} had no condition in the file (AgentChat "
                                     f"drops a callable condition from its JSON): it became 'does not contain "
                                     f"{texts[0]!r}'; check it"))


def _groups(edges: list[dict[str, Any]], joins: list[tuple[str, str, str]]) -> list[str]:
    """Write activation groups onto the edges; the targets that wait for all their edges."""
    members: dict[tuple[str, str], list[int]] = {}
    for i, (target, group, _) in enumerate(joins):
        members.setdefault((target, group), []).append(i)
    wait: list[str] = []
    for (target, group), indexes in members.items():
        activation = joins[indexes[0]][2]
        if group != target:
            for i in indexes:
                edges[i]["group"] = group
            # One edge alone runs its target either way; 'any' says so without a warning.
            edges[indexes[0]]["activation"] = activation if len(indexes) > 1 else "any"
        elif len(indexes) > 1 and activation == "all" and not _in_loop(target, edges):
            wait.append(target)
    return wait


def _in_loop(node: str, edges: list[dict[str, Any]]) -> bool:
    """Whether ``node`` can reach itself: AgentChat runs a loop's re-entry on its own edge, so a
    node in a loop is not a join of its incoming edges."""
    seen, stack = set(), [e["to"] for e in edges if e["from"] == node]
    while stack:
        current = stack.pop()
        if current == node:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(e["to"] for e in edges if e["from"] == current)
    return False


def _chain(entry: str, edges: list[dict[str, Any]], members: list[str]) -> list[str] | None:
    """The order of a plain chain entry -> ... -> last (no conditions, one edge per node), else None."""
    if not edges or any(len(e) != 2 for e in edges):
        return None
    following = {}
    for edge in edges:
        if edge["from"] in following:
            return None
        following[edge["from"]] = edge["to"]
    order = [entry]
    while order[-1] in following and len(order) <= len(edges):
        order.append(following[order[-1]])
    if len(order) != len(edges) + 1 or len(set(order)) != len(order) or set(order) != set(members):
        return None
    return order
