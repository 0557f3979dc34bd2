"""Grouping agents into an inner team and back, and editing an inner team's pattern, as pure edits."""

from __future__ import annotations

import textwrap

import pytest

from designer.core import edits
from designer.core.errors import EditError
from designer.core.team_group_edits import edit_inner, group_into_team, ungroup_team
from designer.core.teamfile import dump_team
from designer.core.validate import validate_spec, validate_text

FLAT = """\
schema: team-designer/v1
name: t
models:
  s: {provider: scripted, responses: ["x"]}
default_model: s
agents:
  researcher: {}
  checker: {}
  writer: {}
orchestration: {pattern: sequential, order: [researcher, checker, writer]}
layout:
  nodes:
    researcher: {x: 0.0, y: 0.0}
    checker: {x: 240.0, y: 0.0}
    writer: {x: 480.0, y: 0.0}
"""


def spec_of(text: str):
    result = validate_text(textwrap.dedent(text))
    assert result.spec is not None
    return result.spec


def test_grouping_makes_an_inner_round_robin_team_in_the_first_members_place():
    spec, new_id = group_into_team(spec_of(FLAT), ["researcher", "checker"])
    assert new_id == "researcher_team"
    assert spec.orchestration.order == ["researcher_team", "writer"]
    assert spec.agents[new_id].kind == "team" and spec.agents[new_id].team == new_id
    inner = spec.teams[new_id]
    assert inner.orchestration.pattern == "round_robin" and inner.members() == ["researcher", "checker"]
    assert inner.termination.has_bound()
    assert spec.inner_members() == {"researcher": new_id, "checker": new_id}
    assert [p.format() for p in validate_spec(spec) if p.is_error] == []
    assert (spec.layout.nodes[new_id].x, spec.layout.nodes[new_id].y) == (120.0, -195.0)
    text = dump_team(spec)
    assert "kind: team" in text and "teams:" in text and "round_robin" in text


def test_ungrouping_puts_the_members_back_where_the_team_agent_was():
    grouped, new_id = group_into_team(spec_of(FLAT), ["researcher", "checker"])
    back = ungroup_team(grouped, new_id)
    assert back.orchestration.order == ["researcher", "writer", "checker"]
    assert new_id not in back.agents and new_id not in back.teams and new_id not in back.layout.nodes
    assert [p.format() for p in validate_spec(back) if p.is_error] == []


def test_grouping_inside_an_inner_team_and_refusals():
    grouped, outer_team = group_into_team(spec_of(FLAT), ["researcher", "checker"])
    nested, inner_team = group_into_team(grouped, ["checker"])
    assert nested.teams[outer_team].members() == ["researcher", inner_team]
    assert nested.teams[inner_team].members() == ["checker"]
    assert nested.orchestration.order == [outer_team, "writer"]
    with pytest.raises(EditError, match="different teams"):
        group_into_team(grouped, ["researcher", "writer"])
    with pytest.raises(EditError, match="select the agents"):
        group_into_team(grouped, [])
    with pytest.raises(EditError, match="not an agent of kind 'team'"):
        ungroup_team(grouped, "writer")


def test_an_inner_teams_pattern_and_bound_are_edited_through_the_outer_edits():
    grouped, team_id = group_into_team(spec_of(FLAT), ["researcher", "checker"])
    switched, dropped = edit_inner(grouped, team_id, edits.set_pattern, "sequential")
    assert dropped == [] and switched.teams[team_id].orchestration.pattern == "sequential"
    assert switched.teams[team_id].orchestration.order == ["researcher", "checker"]
    assert switched.orchestration == grouped.orchestration  # the outer team is untouched
    bounded = edit_inner(switched, team_id, edits.set_orchestration_field, "order", ["checker", "researcher"])
    assert bounded.teams[team_id].orchestration.order == ["checker", "researcher"]


def test_an_inner_teams_bound_is_edited_with_the_termination_field_edit():
    grouped, team_id = group_into_team(spec_of(FLAT), ["researcher", "checker"])
    out = edit_inner(grouped, team_id, edits.set_termination_field, "max_messages", 4)
    assert out.teams[team_id].termination.max_messages == 4
    assert out.termination == grouped.termination
