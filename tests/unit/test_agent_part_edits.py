"""Edits of an agent's parts and of the team's memories (core/agent_part_edits): pure, refusals in
words, references follow renames and removals, and a saved file reloads equal."""

from __future__ import annotations

import textwrap

import pytest

from designer.core.agent_edits import set_kind
from designer.core.agent_part_edits import (
    add_memory,
    entries_from_text,
    parse_schema,
    remove_memory,
    rename_memory,
    set_agent_memory,
    set_agent_team,
    set_code,
    set_code_field,
    set_context,
    set_memory_entries,
    set_memory_writers,
    set_output_schema,
    set_sees,
)
from designer.core.agent_parts import CodeSpec, ContextSpec, SourceFilter
from designer.core.errors import EditError
from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team

TEAM = """
schema: team-designer/v1
name: t
agents:
  writer: {memory: [notes], system_message: You write.}
  editor: {memory: [notes, facts]}
  human: {kind: user_proxy}
  runner: {kind: code_executor}
  crew: {kind: team, team: inner}
  a: {}
  b: {}
teams:
  inner:
    orchestration: {pattern: round_robin, participants: [a, b]}
memories:
  notes: {entries: [The sky is blue.], writers: [writer]}
  facts: {}
orchestration: {pattern: round_robin, participants: [writer, editor, human, runner, crew]}
"""


def spec():
    result = parse_team(textwrap.dedent(TEAM))
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


def reloaded(s):
    result = parse_team(dump_team(s))
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


# --- memories -------------------------------------------------------------------------------------


def test_renaming_a_memory_keeps_its_place_and_every_reader_follows():
    after = rename_memory(spec(), "notes", " journal ")
    assert list(after.memories) == ["journal", "facts"]
    assert after.memories["journal"].entries == ["The sky is blue."]
    assert after.agents["writer"].memory == ["journal"]
    assert after.agents["editor"].memory == ["journal", "facts"]
    assert reloaded(after) == after


def test_removing_a_memory_removes_every_reference_to_it():
    before = spec()
    after = remove_memory(before, "notes")
    assert list(after.memories) == ["facts"]
    assert after.agents["writer"].memory == [] and after.agents["editor"].memory == ["facts"]
    assert "memory" not in dump_team(after).split("agents:")[1].split("writer:")[1].split("\n")[0]
    assert before.agents["writer"].memory == ["notes"]  # the input is left as it was


@pytest.mark.parametrize("new, message", [
    ("two words", "letters, digits and '_'"),
    ("facts", "already exists"),
])
def test_a_bad_or_taken_memory_name_is_refused(new, message):
    with pytest.raises(EditError, match=message):
        rename_memory(spec(), "notes", new)
    with pytest.raises(EditError, match=message):
        add_memory(spec(), new)


def test_a_new_memory_gets_a_free_name_and_writes_as_an_empty_entry():
    after, new_id = add_memory(spec())
    assert new_id == "notes_2" and list(after.memories)[-1] == "notes_2"
    assert "  notes_2: {}" in dump_team(after)
    assert reloaded(after) == after


def test_entries_are_one_a_line_and_writers_must_be_agents():
    s = set_memory_entries(spec(), "facts", entries_from_text("Water is wet.\n\n  Fire is hot.  \n"))
    assert s.memories["facts"].entries == ["Water is wet.", "Fire is hot."]
    s = set_memory_writers(s, "facts", ["editor", "writer"])
    assert s.memories["facts"].writers == ["editor", "writer"]
    with pytest.raises(EditError, match="no agent 'ghost'"):
        set_memory_writers(s, "facts", ["ghost"])
    with pytest.raises(EditError, match="no memory 'ghost'"):
        set_memory_entries(s, "ghost", [])
    assert reloaded(s) == s


# --- an agent's parts -----------------------------------------------------------------------------


def test_context_sees_memory_and_schema_are_written_in_the_documented_order_and_reload_equal():
    s = set_context(spec(), "editor", ContextSpec(last_messages=3))
    s = set_sees(s, "editor", [SourceFilter(source="writer", last=1), SourceFilter(source="user", first=1)])
    s = set_agent_memory(s, "editor", ["facts"])
    s = set_output_schema(s, "editor", '{"type": "object", "properties": {"city": {"type": "string"}}}')
    editor = s.agents["editor"]
    assert editor.context == ContextSpec(last_messages=3) and editor.memory == ["facts"]
    assert editor.output_schema == {"type": "object", "properties": {"city": {"type": "string"}}}
    text = dump_team(s)
    block = text.split("  editor:\n")[1].split("\n  human:")[0]
    keys = [line.strip().split(":")[0] for line in block.splitlines() if line[4:5].isalpha() and not line[:4].strip()]
    assert keys == ["context", "sees", "memory", "output_schema"]
    assert reloaded(s) == s


def test_a_schema_may_be_yaml_and_empty_text_clears_it():
    s = set_output_schema(spec(), "writer", "type: object\nproperties:\n  n: {type: integer}\n")
    assert s.agents["writer"].output_schema == {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert set_output_schema(s, "writer", "  \n").agents["writer"].output_schema is None


@pytest.mark.parametrize("text, message", [
    ("[1, 2]", "not a list"),
    ("hello", "not a text"),
    ("{type: object", "not valid JSON or YAML: line"),
    ("!!python/object:os.system {}", "not valid JSON or YAML"),
])
def test_a_bad_schema_is_refused_in_words(text, message):
    with pytest.raises(EditError, match=message):
        parse_schema(text)


def test_each_part_is_refused_on_a_kind_that_does_not_use_it():
    s = spec()
    with pytest.raises(EditError, match="no model context"):
        set_context(s, "human", ContextSpec(max_tokens=100))
    with pytest.raises(EditError, match="no message filter"):
        set_sees(s, "human", [SourceFilter(source="writer", last=1)])
    with pytest.raises(EditError, match="only an assistant reads memories"):
        set_agent_memory(s, "runner", ["notes"])
    with pytest.raises(EditError, match="only an assistant"):
        set_output_schema(s, "crew", '{"type": "object"}')
    with pytest.raises(EditError, match="only a code executor"):
        set_code(s, "writer", CodeSpec())
    with pytest.raises(EditError, match="only an agent of kind 'team'"):
        set_agent_team(s, "writer", "inner")


def test_unknown_sources_memories_and_teams_are_refused_and_sources_are_one_row_each():
    s = spec()
    with pytest.raises(EditError, match="no agent 'ghost'"):
        set_sees(s, "writer", [SourceFilter(source="ghost", last=1)])
    with pytest.raises(EditError, match="filtered twice"):
        set_sees(s, "writer", [SourceFilter(source="editor", last=1), SourceFilter(source="editor", first=2)])
    with pytest.raises(EditError, match="no memory 'ghost'"):
        set_agent_memory(s, "writer", ["ghost"])
    with pytest.raises(EditError, match="no inner team 'ghost'"):
        set_agent_team(s, "crew", "ghost")
    assert set_agent_team(s, "crew", None).agents["crew"].team is None


def test_code_options_are_edited_one_field_at_a_time_and_checked():
    s = set_code_field(spec(), "runner", "languages", ["python", "bash"])
    s = set_code_field(s, "runner", "docker", "auto")
    assert s.agents["runner"].code == CodeSpec(languages=["python", "bash"], docker="auto")
    assert "    code:\n      languages: [python, bash]\n      docker: auto\n" in dump_team(s)
    with pytest.raises(EditError, match="unknown language 'cobol'"):
        set_code_field(s, "runner", "languages", ["cobol"])
    with pytest.raises(EditError, match="retries"):
        set_code_field(s, "runner", "retries", 99)
    assert reloaded(s) == s


def test_changing_the_kind_drops_the_parts_the_new_kind_does_not_use():
    s = set_context(spec(), "writer", ContextSpec(last_messages=2))
    s = set_output_schema(s, "writer", '{"type": "object"}')
    after, dropped = set_kind(s, "writer", "user_proxy")
    assert after.agents["writer"].memory == [] and after.agents["writer"].context is None
    assert dropped == ["system message", "context limit", "memories", "output schema"]
    after, dropped = set_kind(s, "writer", "code_executor")
    assert after.agents["writer"].context == ContextSpec(last_messages=2)  # its model may write code
    assert dropped == ["memories", "output schema"]
    after, dropped = set_kind(spec(), "crew", "assistant")
    assert after.agents["crew"].team is None and dropped == ["inner team"]
    coder = set_code(spec(), "runner", CodeSpec(retries=1))
    after, dropped = set_kind(coder, "runner", "assistant")
    assert after.agents["runner"].code is None and dropped == ["code options"]
