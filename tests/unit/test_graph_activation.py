"""Graph control: per-edge activation groups and conditions (AgentChat's activation_group and
activation_condition), checked where written, compiled into the DiGraph, edited and saved."""

from __future__ import annotations

import asyncio

import pytest

from designer.core import diagram, edits
from designer.core.errors import EditError
from designer.core.patterns import graph
from designer.core.teamfile import dump_team
from designer.core.validate import validate_text
from designer.runtime.compiler import compile_team

HEAD = """
schema: team-designer/v1
name: g
models:
  s: {provider: scripted, responses: ["ok"]}
default_model: s
agents:
  start: {}
  a: {}
  b: {}
  c: {}
  join: {}
orchestration:
  pattern: graph
  entry: start
"""

FAN = """
  edges:
  - {from: start, to: a}
  - {from: start, to: b}
  - {from: start, to: c}
"""


def problems(edges: str, extra: str = "") -> list[str]:
    result = validate_text(HEAD + FAN + edges.lstrip("\n") + extra, "g.yaml")
    assert result.spec is not None, [p.format() for p in result.problems]
    return [p.format() for p in result.problems]


def test_groups_of_one_target_with_one_activation_each_are_fine():
    assert problems("""
  - {from: a, to: join, group: critical, activation: all}
  - {from: b, to: join, group: critical}
  - {from: c, to: join, group: optional, activation: any}
""") == []


def test_a_group_belongs_to_one_target():
    found = problems("""
  - {from: a, to: join, group: g1, activation: all}
  - {from: b, to: join, group: g1}
  - {from: a, to: c, group: g1}
""")
    assert found[0].startswith("g.yaml:23:29: error: group 'g1' already joins the edges into 'join'; a group belongs to one "
                               "target [orchestration.edges[5].group]")


def test_the_edges_of_a_group_need_one_activation_reported_at_the_second():
    found = problems("""
  - {from: a, to: join, group: g1, activation: all}
  - {from: b, to: join, group: g1, activation: any}
""")
    assert found == [("g.yaml:22:48: error: the edges of group 'g1' into 'join' disagree: 'all' and 'any' "
                      "[orchestration.edges[4].activation] (hint: a group has one activation: set the same on each edge, "
                      "or on one)")]


def test_a_lone_group_edge_and_a_contradicted_wait_for_all_are_warnings():
    found = problems("""
  - {from: a, to: join, group: critcal}
  - {from: b, to: join, activation: any}
  wait_for_all: [join]
""")
    assert found == [
        ("g.yaml:21:32: warning: group 'critcal' has one edge, so it joins nothing: 'a' alone runs 'join' "
         "[orchestration.edges[3].group] (hint: put the other edges of the join in this group (check its spelling), "
         "or set activation: any if this edge should run the target by itself)"),
        ("g.yaml:22:37: warning: 'join' waits for all its edges (wait_for_all), but this edge's group runs it on any one "
         "[orchestration.edges[4].activation] (hint: the group's activation wins for its edges; remove one of the two to "
         "say it once)"),
    ]


def test_the_compiled_digraph_has_each_edges_group_and_activation(make_spec):
    spec = make_spec(HEAD + FAN + """
  - {from: a, to: join, group: critical, activation: all}
  - {from: b, to: join, group: critical}
  - {from: c, to: join, when: {contains: URGENT}, group: optional, activation: any}
  - {from: a, to: b}
  wait_for_all: [b]
""")

    async def build() -> object:
        async def no_input(*_: object) -> str:
            return ""
        return compile_team(spec, no_input).team

    team = asyncio.run(build())
    digraph = team._graph  # GraphFlow keeps the DiGraph it runs
    edges = {(name, e.target): (e.activation_group, e.activation_condition) for name, node in digraph.nodes.items()
             for e in node.edges}
    assert edges[("a", "join")] == ("critical", "all")
    assert edges[("b", "join")] == ("critical", "all")  # the group's activation, written on one of its edges
    assert edges[("c", "join")] == ("optional", "any")
    # Edges without a group keep AgentChat's default group (the target's name) and the file's
    # wait_for_all meaning, as before.
    assert edges[("start", "a")] == ("a", "any")
    assert edges[("start", "b")] == ("b", "all") and edges[("a", "b")] == ("b", "all")


def test_setting_an_edges_group_and_activation_is_an_undoable_edit_that_saves_only_what_is_set(make_spec):
    spec = make_spec(HEAD + FAN)
    after = edits.edit_orchestration(spec, graph.set_edge_activation, 1, " critical ", "all")
    assert after.orchestration.edges[1].group == "critical" and after.orchestration.edges[1].activation == "all"
    assert "- {from: start, to: b, group: critical, activation: all}" in dump_team(after)
    assert [c.label for c in diagram.connections(after)] == ["", "[critical: all]", ""]
    cleared = edits.edit_orchestration(after, graph.set_edge_activation, 1, "", None)
    assert dump_team(cleared) == dump_team(spec)
    both = edits.edit_orchestration(spec, graph.set_edge, 2, graph.EdgeCondition(contains="GO"), "optional", "any")
    assert [c.label for c in diagram.connections(both)][2] == "contains 'GO' [optional: any]"
    with pytest.raises(EditError, match="no such graph edge"):
        edits.edit_orchestration(spec, graph.set_edge_activation, 9, "g", "all")


def test_groups_survive_renames_and_loading_and_saving_gives_the_same_bytes(make_spec):
    text = HEAD + FAN + "  - {from: a, to: join, group: critical, activation: all}\n  - {from: b, to: join, group: critical}\n"
    spec = make_spec(text)
    saved = dump_team(spec)
    assert dump_team(make_spec(saved)) == saved
    renamed = edits.rename_agent(spec, "join", "merge")
    assert [(e.target, e.group) for e in renamed.orchestration.edges[3:]] == [("merge", "critical"), ("merge", "critical")]
