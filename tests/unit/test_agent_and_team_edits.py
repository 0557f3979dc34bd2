"""Agent and team-table edits (core/agent_edits, core/team_edits): pure, Qt-free, refusals in words.

The panels turn one gesture into one of these; the CLI and these tests use them without Qt.
"""

from __future__ import annotations

import textwrap

import pytest

from designer.core.agent_edits import AGENT_KINDS, set_kind
from designer.core.edit_result import Edited
from designer.core.errors import EditError
from designer.core.model_edits import add_model_from_preset
from designer.core.team_edits import add_input, edit_input, edit_model, remove_inputs
from designer.core.yamlio import parse_team

TEAM = """
schema: team-designer/v1
name: t
task: 'Write about {topic}'
inputs:
  topic: {default: water, description: What to write about.}
  tone: {default: calm}
default_model: fast
models:
  fast: {provider: embedded, model: SmolLM2-135M-Instruct}
  local: {provider: ollama, model: llama3.2, base_url: 'http://127.0.0.1:11434/v1'}
tools:
  calc: {builtin: calculator}
agents:
  writer: {tools: [calc], handoffs: [editor], model: local}
  editor: {}
orchestration: {pattern: swarm, participants: [writer, editor], entry: writer}
"""


def spec():
    result = parse_team(textwrap.dedent(TEAM))
    assert result.spec is not None, result.problems
    return result.spec


# --- agent kind ---------------------------------------------------------------------------------


def test_set_kind_to_a_non_assistant_drops_tools_and_handoffs_and_says_which():
    """Only assistants call tools or hand off: another kind removes both, and the extra result
    names what went, so the panel can tell the user; the input spec is left as it was."""
    before = spec()
    result = set_kind(before, "writer", "user_proxy")
    assert isinstance(result, Edited)
    after, dropped = result
    assert after.agents["writer"].kind == "user_proxy"
    assert after.agents["writer"].tools == [] and after.agents["writer"].handoffs == []
    assert dropped == ["calc", "hand-off to editor", "model"]  # a user proxy has no model either
    assert before.agents["writer"].tools == ["calc"]


def test_set_kind_to_assistant_keeps_everything_and_drops_nothing():
    after, dropped = set_kind(spec(), "editor", "assistant")
    assert after.agents["editor"].kind == "assistant" and dropped == []


def test_set_kind_refuses_an_unknown_kind_or_agent():
    """A kind the spec does not know, or an agent that is not there, is refused in words."""
    assert set(AGENT_KINDS) == {"assistant", "user_proxy", "code_executor", "team"}
    with pytest.raises(EditError, match="unknown agent kind 'robot'"):
        set_kind(spec(), "writer", "robot")
    with pytest.raises(EditError, match="no agent 'ghost'"):
        set_kind(spec(), "ghost", "assistant")


# --- inputs table -------------------------------------------------------------------------------


def test_renaming_an_input_keeps_its_place_and_its_values():
    """A new name in the name column renames in place: order and default/description stay."""
    before = spec()
    after = edit_input(before, 0, "name", " subject ")
    assert list(after.inputs) == ["subject", "tone"]
    assert after.inputs["subject"] == before.inputs["topic"]


def test_editing_an_input_cell_changes_only_that_field():
    after = edit_input(spec(), 1, "description", "How it sounds.")
    assert after.inputs["tone"].description == "How it sounds." and after.inputs["tone"].default == "calm"


def test_an_unchanged_input_name_is_no_edit():
    before = spec()
    assert edit_input(before, 0, "name", "topic") is before


@pytest.mark.parametrize("name, message", [
    ("two words", "not a valid input name"),
    ("tone", "already exists"),
])
def test_a_bad_or_taken_input_name_is_refused(name: str, message: str):
    with pytest.raises(EditError, match=message):
        edit_input(spec(), 0, "name", name)


def test_a_row_or_column_that_is_not_there_is_refused():
    """A stale row index (the table lagged behind an undo) never edits a different input."""
    with pytest.raises(EditError, match="no input in row 3"):
        edit_input(spec(), 2, "default", "x")
    with pytest.raises(EditError, match="no column 'colour'"):
        edit_input(spec(), 0, "colour", "x")


def test_add_input_appends_a_unique_name_and_returns_it():
    after, name = add_input(spec())
    assert name == "input" and list(after.inputs) == ["topic", "tone", "input"]
    again, second = add_input(after)
    assert second == "input_2" and second in again.inputs


def test_remove_inputs_keeps_the_order_of_the_rest():
    after = remove_inputs(spec(), ["topic"])
    assert list(after.inputs) == ["tone"]


# --- models table -------------------------------------------------------------------------------


def test_the_id_column_renames_a_model_and_references_follow():
    after = edit_model(spec(), 1, "id", "ollama")
    assert list(after.models) == ["fast", "ollama"] and after.agents["writer"].model == "ollama"


def test_choosing_a_provider_fills_its_usual_base_url_when_none_is_set():
    """The base URL users most often get wrong (Ollama's /v1) comes with the provider."""
    after = edit_model(spec(), 0, "provider", "ollama")
    assert after.models["fast"].provider == "ollama"
    assert after.models["fast"].base_url and after.models["fast"].base_url.endswith("/v1")


def test_an_empty_optional_cell_means_not_set():
    after = edit_model(spec(), 1, "base_url", "  ")
    assert after.models["local"].base_url is None


@pytest.mark.parametrize("column, text, message", [
    ("base_url", "127.0.0.1:11434", "starts with http:// or https://"),
    ("api_key", "sk-abcdefghijklmnopqrstuvwxyz123456", "never the key itself"),
])
def test_a_bad_url_or_a_literal_key_never_reaches_the_spec(column: str, text: str, message: str):
    """Re-validated before it gets in: the refusal says what the cell should hold instead."""
    with pytest.raises(EditError, match=message):
        edit_model(spec(), 1, column, text)


def test_a_key_reference_is_accepted():
    after = edit_model(spec(), 1, "api_key", "env:OLLAMA_KEY")
    assert after.models["local"].api_key == "env:OLLAMA_KEY"


def test_add_model_adds_a_valid_builtin_entry_and_returns_its_id():
    after, model_id = add_model_from_preset(spec())
    assert model_id == "model" and after.models[model_id].provider == "embedded"


def test_a_new_team_is_bounded_in_its_file_by_model_options_and_few_messages():
    from designer.core.edits import new_team
    from designer.core.teamfile import dump_team

    text = dump_team(new_team())
    assert "options: {max_tokens: 256, repeat_penalty: 1.15}" in text
    assert "termination: {max_messages: 8, timeout: 600.0}" in text
