"""One wording for how a run ended (core/finish) and the tool summaries the panels show
(core/tool_catalog): Qt-free, so the transcript, the status bar and the CLI cannot drift apart."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from designer.core.document import Change, TeamDocument
from designer.core.edits import set_agent_field
from designer.core.finish import finish_mark, finish_text, finish_word
from designer.core.tool_catalog import signature_text, tool_entries, tool_summary
from designer.core.tool_introspect import ToolLocations
from designer.core.yamlio import parse_team


@pytest.mark.parametrize("reason, word, mark", [
    ("completed", "Finished", "✓"),
    ("termination", "Finished", "✓"),
    ("stopped", "Stopped", "■"),
    ("error", "Failed", "✖"),
])
def test_every_finish_reason_has_one_word_and_one_mark(reason, word, mark):
    """Meeting the termination condition and running out of turns both read 'Finished'."""
    assert finish_word(reason) == word and finish_mark(reason) == mark


def test_finish_text_adds_the_detail_after_a_colon_and_can_sit_inside_a_sentence():
    assert finish_text("termination", "Text 'DONE' mentioned") == "Finished: Text 'DONE' mentioned"
    assert finish_text("stopped") == "Stopped"
    assert "Run " + finish_text("error", "boom", capital=False) == "Run failed: boom"


TEAM = """
schema: team-designer/v1
name: t
tools:
  calc: {builtin: calculator}
  area: {builtin: calculate_rectangle_area, description: Area of a room.}
  greet: {function: 'greeter:greet'}
  missing: {function: 'nowhere:thing'}
agents:
  a: {tools: [calc, ghost]}
orchestration: {pattern: round_robin, participants: [a]}
"""

GREETER = '''\
def greet(who: str, times: int = 1) -> str:
    """Says hello to someone by name."""
    return "hello " * times + who
'''


def spec():
    result = parse_team(textwrap.dedent(TEAM))
    assert result.spec is not None, result.problems
    return result.spec


def test_signature_text_lists_names_annotations_and_defaults():
    def f(length: float, width: float = 1.0, *, unit="m"):  # unit unannotated on purpose
        return length

    assert signature_text(f) == "length: float, width: float = 1.0, unit = 'm'"
    assert signature_text(lambda: None) == "no parameters"


def test_a_builtin_is_summarised_from_its_signature_and_a_declared_description_wins():
    s = spec()
    description, params = tool_summary(s.tools["calc"])
    assert description.startswith("Evaluate an arithmetic expression") and params == "expression: str"
    assert tool_summary(s.tools["area"])[0] == "Area of a room."


def test_a_function_tool_is_summarised_from_its_source_without_importing_it(tmp_path: Path):
    """The module is parsed, never imported: code in a shared team file does not run by being shown."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "greeter.py").write_text(GREETER + "open(__file__ + '.imported', 'w')\n")
    locations = ToolLocations.for_file(tmp_path / "team.yaml")
    description, params = tool_summary(spec().tools["greet"], locations, "greet")
    assert description == "Says hello to someone by name."
    assert params.startswith("who: string, times?: integer\nFrom: ") and "greeter.py:1" in params
    assert not (tmp_path / "tools" / "greeter.py.imported").exists()
    _, unknown = tool_summary(spec().tools["missing"], locations, "missing")
    assert unknown.startswith("unknown — ")


def test_tool_entries_list_the_library_then_tools_the_agent_names_but_the_library_lacks():
    """(id, label, tooltip): a dangling reference stays visible so the user can uncheck it."""
    s = spec()
    entries = tool_entries(s, s.agents["a"])
    assert [key for key, _, _ in entries] == ["calc", "area", "greet", "missing", "ghost"]
    calc = entries[0]
    assert calc[1].startswith("calc — Evaluate an arithmetic expression") and "Parameters: expression: str" in calc[2]
    assert entries[-1][1:] == ("ghost (unknown tool)", "Not in the team's tool library: uncheck to remove.")
    assert all(len(label) <= len(key) + 3 + 70 for key, label, _ in entries)


def test_a_document_tells_listeners_which_agents_changed_and_stays_quiet_when_nothing_did():
    """Change.changed names the agents whose fields changed; without it an edit of one agent's
    field would look like no change at all and no view would redraw."""
    document = TeamDocument(spec())
    heard: list[Change] = []
    document.subscribe(heard.append)
    document.replace(set_agent_field(document.spec, "a", "description", "new"))
    assert heard == [Change(changed=frozenset({"a"}))]
    document.replace(document.spec.model_copy())
    assert len(heard) == 1


def test_agentchat_bounds_read_in_plain_words_and_joined_reasons_keep_every_part():
    from designer.core.finish import plain_reason

    assert plain_reason("Maximum number of messages 20 reached, current message count: 20") == (
        "the limit of 20 messages was reached (the task counts as one)")
    assert plain_reason("Maximum number of messages 5 reached, current message count: 5, Text 'DONE' mentioned") == (
        "the limit of 5 messages was reached (the task counts as one), Text 'DONE' mentioned")
    assert plain_reason("Timeout of 1.5 seconds reached") == "the time limit of 1.5 s was reached"
    assert plain_reason("Token usage limit reached, total token count: 120, prompt token count: 100, "
                        "completion token count: 20.") == "the token budget was used up (120 tokens)"
    assert plain_reason("'lead' answered") == "'lead' answered"
