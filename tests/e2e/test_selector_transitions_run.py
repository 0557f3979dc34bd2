"""A scripted selector run with allowed transitions: the selector model names forbidden speakers,
and the speakers still follow the transitions (AgentChat's feedback, then a candidate as fallback).

AgentChat 0.7's candidate_func narrows the prompt only: it would take a forbidden name the model
gives. These runs would fail on the plain SelectorGroupChat (see runtime/patterns/selector.py)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from designer.cli.main import main
from tests.conftest import collect_events

TEAM = """
schema: team-designer/v1
name: transitions
inputs:
  topic: {default: bees}
task: Write about {topic}
models:
  s: {provider: scripted, responses: ["writer", "publisher", "editor", "critic", "critic", "critic please"]}
  w: {provider: scripted, responses: ["draft one", "draft two", "draft three"]}
  c: {provider: scripted, responses: ["critique"]}
  e: {provider: scripted, responses: ["edited"]}
  p: {provider: scripted, responses: ["published"]}
agents:
  writer: {model: w, description: writes, streaming: false}
  critic: {model: c, description: reviews, streaming: false}
  editor: {model: e, description: edits, streaming: false}
  publisher: {model: p, description: publishes, streaming: false}
orchestration:
  pattern: selector
  participants: [writer, critic, editor, publisher]
  selector_model: s
  selector_prompt: "Topic: {topic}. Roles: {roles}. Pick one of {participants}. {history}"
  max_selector_attempts: 2
  allowed_transitions:
    writer: [critic, editor]
    critic: [writer]
    editor: [publisher, writer]
termination: {max_messages: 5}
"""

@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's run history and trust store in the test's folder, never the user's."""
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


RULES = {"writer": {"critic", "editor"}, "critic": {"writer"}, "editor": {"publisher", "writer"}}


def test_forbidden_answers_are_retried_and_the_fallback_is_an_allowed_speaker(make_spec):
    events = collect_events(make_spec(TEAM), "Write about bees")
    speakers = [e.agent for e in events if e.type == "message" and e.kind == "text"]
    # writer (the first answer); the selector names the publisher (not allowed after the writer),
    # gets AgentChat's feedback and names the editor; after the editor it names the critic twice
    # (max_selector_attempts: 2), so a candidate takes the turn: the writer, not the critic and
    # not AgentChat's usual fallback (the previous speaker, the editor).
    assert speakers == ["writer", "editor", "writer", "critic"]
    for before, after in zip(speakers, speakers[1:], strict=False):
        assert after in RULES.get(before, set(RULES) | {"publisher"}), (before, after)
    chosen = [e for e in events if e.type == "speaker_selected"]
    assert [c.agent for c in chosen] == speakers
    assert chosen[1].answer == "attempt 1: publisher\nattempt 2: editor" and not chosen[1].fallback
    assert chosen[2].answer == "attempt 1: critic\nattempt 2: critic" and chosen[2].fallback
    # The prompt offered only the allowed speakers, with the team's input filled in.
    assert "Pick one of ['critic', 'editor']." in chosen[1].prompt
    assert chosen[0].prompt.startswith("Topic: bees. Roles: writer: writes\n")


@pytest.mark.usefixtures("data_dir")
def test_the_run_fills_the_selector_prompt_with_the_inputs_given_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    team = tmp_path / "transitions.yaml"
    team.write_text(textwrap.dedent(TEAM), encoding="utf-8")
    code = main(["run", str(team), "--jsonl", "--input", "topic=wasps {not a field}"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0, out[-1]
    chosen = [e for e in out if e["type"] == "speaker_selected"]
    assert chosen[0]["prompt"].startswith("Topic: wasps {not a field}. Roles:")
    assert [e["agent"] for e in out if e["type"] == "message" and e["kind"] == "text"] == ["writer", "editor", "writer", "critic"]
