"""Agent and tool references follow renames and removals made through the edit functions.

Termination conditions (the run's and an inner team's, nested blocks too), inner teams'
orchestrations, memory writers and message filters: nothing may keep naming an old id.
"""

from __future__ import annotations

from designer.core import edits
from designer.core.spec import TeamSpec
from designer.core.teamfile import dump_team as dump_team_text
from designer.core.tool_edits import remove_tool
from designer.core.validate import validate_spec
from designer.core.yamlio import parse_team

TEAM = """\
schema: team-designer/v1
name: Refs
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  writer: {tools: [area], memory: [notes]}
  critic:
    sees: [{source: writer, last: 1}, {source: user, first: 1}]
  panel: {kind: team, team: review}
  checker: {}
  editor: {}
teams:
  review:
    orchestration: {pattern: round_robin, participants: [checker, editor]}
    termination:
      max_messages: 4
      text_from: checker
      any: [{spoke: [editor, checker]}]
memories:
  notes: {entries: [a fact], writers: [writer, critic]}
orchestration: {pattern: swarm, entry: writer, participants: [writer, critic, panel]}
termination:
  max_messages: 10
  text_from: critic
  handoff_to: critic
  all:
    - {spoke: [critic, writer]}
    - {any: [{text_from: critic}, {tool_called: area}]}
"""


def load(text: str = TEAM) -> TeamSpec:
    result = parse_team(text)
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


def test_renaming_an_agent_follows_into_every_reference():
    spec = edits.rename_agent(load(), "critic", "reviewer")
    term = spec.termination
    assert (term.text_from, term.handoff_to) == ("reviewer", "reviewer")
    assert term.all_of[0].spoke == ["reviewer", "writer"]
    assert term.all_of[1].any_of[0].text_from == "reviewer"
    assert spec.memories["notes"].writers == ["writer", "reviewer"]
    assert [f.source for f in spec.agents["writer"].sees] == []
    assert "critic" not in spec.agents and spec.agents["reviewer"].sees[0].source == "writer"
    spec = edits.rename_agent(spec, "writer", "author")
    assert [f.source for f in spec.agents["reviewer"].sees] == ["author", "user"]
    text = dump_team_text(spec)
    assert "critic" not in text and not any(word == "writer" for word in text.replace(",", " ").split())
    assert load(text) == spec  # what is saved loads back as the edited team


def test_renaming_an_inner_member_follows_into_its_team():
    spec = edits.rename_agent(load(), "checker", "verifier")
    inner = spec.teams["review"]
    assert inner.orchestration.participants == ["verifier", "editor"]
    assert inner.termination.text_from == "verifier"
    assert inner.termination.any_of[0].spoke == ["editor", "verifier"]


def test_removing_an_agent_drops_its_references_and_blocks_left_empty():
    spec = edits.remove_agents(load(), ["critic"])
    term = spec.termination
    assert (term.text_from, term.handoff_to) == (None, None)
    assert term.all_of[0].spoke == ["writer"]
    # {text_from: critic} could never hold again: it went; the tool condition stays.
    assert [b.describe() for b in term.all_of[1].any_of] == ["tool area called"]
    assert spec.memories["notes"].writers == ["writer"]
    spec = edits.remove_agents(spec, ["checker", "editor"])
    inner = spec.teams["review"]
    assert inner.orchestration.participants == [] and inner.termination.text_from is None
    assert inner.termination.any_of == []  # its only block named nobody left
    assert "critic" not in dump_team_text(spec)


def test_removing_a_tool_drops_the_condition_on_it():
    spec = remove_tool(load(), "area").spec
    assert [b.describe() for b in spec.termination.all_of[1].any_of] == ["text from critic"]
    assert "area" not in dump_team_text(spec)


def test_a_rename_nothing_refers_to_leaves_the_file_byte_identical_but_the_name():
    spec = load()
    renamed = edits.rename_agent(spec, "panel", "board")
    assert renamed.termination is spec.termination and renamed.teams is spec.teams
    assert dump_team_text(renamed) == dump_team_text(spec).replace("panel", "board")


def test_the_edited_team_still_validates_without_dangling_ids():
    spec = edits.rename_agent(edits.remove_agents(load(), ["writer"]), "critic", "reviewer")
    unknown = [p.format() for p in validate_spec(spec) if "unknown" in p.message]
    assert unknown == []


def test_a_termination_with_nested_blocks_saves_canonically_and_round_trips():
    text = dump_team_text(load())
    assert "all:\n  - spoke: [critic, writer]\n  - any:\n    - {text_from: critic}\n    - {tool_called: area}\n" in text
    assert "spoke: []" not in text and "any_of" not in text and "all_of" not in text
    assert dump_team_text(load(text)) == text
