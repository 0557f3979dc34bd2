"""Magentic-One in the file: its record, its rules (members, renames, models, layout) and its
located checks, as a user meets them through the edits and `designer validate`."""

from __future__ import annotations

import pytest

from designer.cli.main import main
from designer.core import diagram, edits, teamfile
from designer.core.patterns import rules_for
from designer.core.patterns.magentic_one import ORCHESTRATOR, MagenticOneSpec, fill_final_answer_prompt
from designer.core.validate import validate_text

HEAD = """\
schema: team-designer/v1
name: M
models:
  boss: {provider: scripted, responses: [x]}
agents:
  writer: {description: Writes.}
  critic: {description: Checks.}
"""


def problems(orchestration: str, agents: str = "") -> list[str]:
    text = HEAD + agents + f"orchestration: {orchestration}\n"
    return [p.format() for p in validate_text(text, "team.yaml").problems if p.is_error]


def test_the_record_reads_every_field_and_defaults_like_agentchat():
    result = validate_text(HEAD + "orchestration: {pattern: magentic_one, participants: [writer, critic]}\n")
    orch = result.spec.orchestration
    assert isinstance(orch, MagenticOneSpec)
    assert (orch.participants, orch.orchestrator_model, orch.max_stalls, orch.final_answer_prompt) == (
        ["writer", "critic"], None, 3, None)
    assert result.problems == []
    bad = validate_text(HEAD + "orchestration: {pattern: magentic_one, participants: [writer], max_stalls: 0}\n", "t.yaml")
    assert any("t.yaml:8:" in p.format() and "max_stalls" in p.format() for p in bad.problems), [p.format() for p in bad.problems]


def test_checks_are_located_at_the_field_they_are_about():
    found = problems("{pattern: magentic_one, participants: [writer, ghost], orchestrator_model: nope,"
                     " final_answer_prompt: 'Answer {task} in {style}'}")
    assert any(p.startswith("team.yaml:8:") and "unknown participant 'ghost'" in p for p in found), found
    assert any("unknown model 'nope'" in p and "[orchestration.orchestrator_model]" in p for p in found), found
    assert any("{style} is not a field of the final answer prompt" in p and "[orchestration.final_answer_prompt]" in p
               for p in found), found
    assert len(found) == 3
    assert problems("{pattern: magentic_one, participants: []}") == [
        "team.yaml:8:54: error: needs at least 1 participant [orchestration.participants]"]
    attribute = problems("{pattern: magentic_one, participants: [writer], final_answer_prompt: '{task.__class__}'}")
    assert len(attribute) == 1 and "{task.__class__} is not a field" in attribute[0]
    assert problems("{pattern: magentic_one, participants: [writer], final_answer_prompt: 'Say {task}; {{literal}}'}") == []


def test_an_agent_named_orchestrator_or_a_structured_one_cannot_take_part():
    found = problems("{pattern: magentic_one, participants: [writer, orchestrator, judge]}",
                     "  orchestrator: {}\n  judge: {output_schema: {type: object, properties: {ok: {type: boolean}}}}\n")
    assert any("[orchestration.participants[1]]" in p and "the Magentic-One orchestrator speaks under" in p for p in found)
    assert any("[orchestration.participants[2]]" in p and "'judge' replies with structured output" in p for p in found)


def test_switching_renaming_and_removing_follow_the_participants_and_the_model():
    spec = validate_text(HEAD + "orchestration: {pattern: round_robin, participants: [writer, critic]}\n").spec
    spec = edits.set_pattern(spec, "magentic_one").spec
    assert spec.orchestration.participants == ["writer", "critic"]
    spec = edits.set_orchestration_field(spec, "orchestrator_model", "boss")
    spec = edits.rename_agent(spec, "critic", "reviewer")
    assert spec.participants() == ["writer", "reviewer"]
    spec, _ = edits.add_agent(spec, agent_id="editor")
    assert spec.participants() == ["writer", "reviewer", "editor"]
    spec = edits.remove_agents(spec, ["writer"])
    assert spec.participants() == ["reviewer", "editor"]
    rules = rules_for("magentic_one")
    assert rules.map_model(spec.orchestration, "boss", "chief").orchestrator_model == "chief"
    assert rules.map_model(spec.orchestration, "boss", None).orchestrator_model is None
    assert rules.lost_on_switch(spec.orchestration) == ["the orchestrator model choice"]
    # The orchestrator's own name never becomes a participant.
    assert rules.from_members(["a", ORCHESTRATOR]).participants == ["a"]


def test_the_canvas_draws_the_participants_in_a_ring_without_lines():
    spec = validate_text(HEAD + """\
  editor: {}
orchestration: {pattern: magentic_one, participants: [writer, critic, editor]}
""").spec
    assert diagram.connections(spec) == []
    pos = diagram.auto_layout(spec)
    assert set(pos) == {"writer", "critic", "editor"} and len(set(pos.values())) == 3
    assert pos["writer"][1] < pos["critic"][1] and pos["writer"][1] < pos["editor"][1], "the first at the top"


def test_a_saved_file_keeps_only_what_was_written():
    text = HEAD + "orchestration: {pattern: magentic_one, participants: [writer], max_stalls: 1}\n"
    dumped = teamfile.dump_team(validate_text(text).spec)
    assert "max_stalls: 1" in dumped and "final_answer_prompt" not in dumped and "orchestrator_model" not in dumped
    assert teamfile.dump_team(validate_text(dumped).spec) == dumped


@pytest.mark.parametrize(("prompt", "filled"), [
    ("Answer: {task}", "Answer: Write it."), ("{{task}} is {task}", "{task} is Write it."), ("{nope}", "{nope}"),
])
def test_the_final_answer_prompt_gets_the_task(prompt, filled):
    assert fill_final_answer_prompt(prompt, "Write it.") == filled


def test_validate_on_the_command_line_says_where(tmp_path, capsys):
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "orchestration: {pattern: magentic_one, participants: [writer], orchestrator_model: bos}\n")
    assert main(["validate", str(path)]) != 0
    out = capsys.readouterr()
    assert f"{path}:8:" in out.out + out.err and "did you mean 'boss'?" in out.out + out.err
