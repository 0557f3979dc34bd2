"""Runs with an agent's parts, as a user runs them (TeamRun, the CLI), on scripted models: what a
filtered agent's model is sent, a memory written by one agent and read by another on its next
turn, a structured answer that evaluation checks read, and inputs filling system messages."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from designer.cli.main import main
from designer.core.eval_checks import check_run, outcome_of
from designer.core.eval_spec import CheckSpec
from designer.core.run_store import RunStore
from designer.runtime.runner import TeamRun
from tests.conftest import fixture_tools


def run_team(spec: Any, task: str, **options: Any) -> tuple[list[Any], TeamRun]:
    """The run's events, and the run (whose compiled team keeps its scripted clients)."""
    run = TeamRun(spec, task, **fixture_tools(), **options)

    async def go() -> list[Any]:
        return [event async for event in run.events()]

    return asyncio.run(go()), run


def sent_to(run: TeamRun, model_reply: str) -> list[list[str]]:
    """What the scripted model whose first reply is ``model_reply`` was sent, call by call (agents
    on it must have streaming: false, the calls AgentChat's replay client keeps)."""
    assert run._compiled is not None
    client = next(c for c in run._compiled.clients if getattr(c, "chat_completions", [None])[0] == model_reply)
    return [[str(m.content) for m in call["messages"]] for call in client.create_calls]


def test_an_agent_that_sees_the_last_message_of_one_source_gets_only_that(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: filter
default_model: s
models:
  s: {provider: scripted, responses: ["draft one", "comment one", "draft two", "comment two"]}
  j: {provider: scripted, responses: ["verdict one", "verdict two"]}
agents:
  writer: {}
  critic: {}
  judge:
    model: j
    streaming: false
    sees: [{source: user, first: 1}, {source: writer, last: 1}]
    context: {last_messages: 2}
orchestration: {pattern: round_robin, participants: [writer, critic, judge]}
termination: {max_messages: 7}
""")
    events, run = run_team(spec, "Write a slogan")
    assert [e.content for e in events if e.type == "message"][-1] == "verdict two"
    first, second = sent_to(run, "verdict one")
    assert first == ["Write a slogan", "draft one"]  # not the critic's comment
    # Its second turn: only the writer's newest draft reaches it (the task came once, its
    # context keeps the last 2 messages: its own verdict and that draft).
    assert second == ["verdict one", "draft two"]


def test_a_note_one_agent_remembers_reaches_a_reader_on_its_next_turn(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: memory
models:
  w:
    provider: scripted
    responses:
    - tool_calls: [{name: remember_facts, arguments: {text: "the meeting moved to Friday"}}]
  r: {provider: scripted, responses: ["noted", "still noted"]}
memories:
  facts: {entries: [the office is in Leeds], writers: [writer]}
agents:
  reader: {model: r, streaming: false, memory: [facts]}
  writer: {model: w}
orchestration: {pattern: round_robin, participants: [reader, writer]}
termination: {max_messages: 4}
""")
    events, run = run_team(spec, "Plan the week")
    calls = [(e.agent, e.name, json.loads(e.arguments)) for e in events if e.type == "tool_call"]
    assert calls == [("writer", "remember_facts", {"text": "the meeting moved to Friday"})]
    results = [e.content for e in events if e.type == "tool_result"]
    assert results == ["remembered in facts (entry 2)"]
    before, after = sent_to(run, "noted")
    assert "the office is in Leeds" in before[-1] and "Friday" not in before[-1]
    assert "1. the office is in Leeds" in after[-1] and "2. the meeting moved to Friday" in after[-1]


SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}, "rivers": {"type": "array", "items": {"type": "string"}}},
    "required": ["city", "population"],
}


def test_a_structured_answer_is_json_the_evaluation_checks_read(make_spec):
    spec = make_spec(f"""
schema: team-designer/v1
name: structured
models:
  s: {{provider: scripted, responses: ['{{"city": "Oslo", "population": 709000}}']}}
agents:
  geographer: {{model: s, output_schema: {json.dumps(SCHEMA)}}}
orchestration: {{pattern: round_robin, participants: [geographer]}}
termination: {{max_messages: 2}}
""")
    events, _ = run_team(spec, "Describe Oslo")
    answer = [e for e in events if e.type == "message" and e.agent == "geographer"]
    assert len(answer) == 1 and answer[0].structured and answer[0].kind == "text"
    # The JSON the model wrote: the optional 'rivers' it left out is not written as null.
    assert json.loads(answer[0].content) == {"city": "Oslo", "population": 709000}
    outcome = outcome_of([e.to_dict() for e in events])
    for check in (CheckSpec(type="is-json"), CheckSpec(type="json-schema", value=SCHEMA),
                  CheckSpec(type="contains", value='"city":"Oslo"')):
        result = check_run(check, outcome)
        assert result.passed, result
    wrong = check_run(CheckSpec(type="json-schema", value={**SCHEMA, "required": ["rivers"]}), outcome)
    assert not wrong.passed

    # The window's transcript shows it as structured: laid out JSON, fenced as JSON when exported.
    from designer.ui.run.transcript_model import TranscriptModel

    model = TranscriptModel()
    model.add_events(events)
    entry = next(e for e in model.entries if e.agent == "geographer")
    assert entry.structured and entry.text == '{\n  "city": "Oslo",\n  "population": 709000\n}'
    assert '```json\n{\n  "city": "Oslo",' in model.to_markdown()


def test_a_reply_that_breaks_the_schema_is_a_clear_error_not_a_traceback(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: structured
models:
  s: {provider: scripted, responses: ['{"city": 12}']}
agents:
  geographer: {model: s, output_schema: {type: object, properties: {city: {type: string}}, required: [city]}}
orchestration: {pattern: round_robin, participants: [geographer]}
termination: {max_messages: 2}
""")
    events, _ = run_team(spec, "Describe Oslo")
    errors = [e for e in events if e.type == "error"]
    assert len(errors) == 1 and "\n" not in errors[0].message and "Traceback" not in errors[0].message
    assert "geographer's reply does not follow its output_schema (city: Input should be a valid string)" in errors[0].message
    assert events[-1].reason == "error"


TEAM = """\
schema: team-designer/v1
name: placeholders
task: Describe {topic}
inputs:
  topic: {default: tides}
  tone: {default: calm}
models:
  s: {provider: scripted, responses: ["fine"]}
agents:
  a: {model: s, system_message: "Be {tone} about {topic}; write {{tone}} and {\\"json\\": 1} as they are."}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 2}
"""


def test_inputs_fill_system_messages_from_the_cli(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    team = tmp_path / "team.yaml"
    team.write_text(TEAM, encoding="utf-8")
    assert main(["validate", str(team)]) == 0  # 'tone' is used by a system message only: no warning
    assert "tone" not in capsys.readouterr().err
    assert main(["run", str(team), "--jsonl", "--input", "tone=grumpy"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    run_id = lines[0]["run_id"]
    store = RunStore()
    try:
        system = [c.request["system"] for c in store.calls(run_id) if c.kind == "model"]
        stored = store.load(run_id)
    finally:
        store.close()
    assert system == ['Be grumpy about tides; write {tone} and {"json": 1} as they are.']
    assert stored is not None and "Be {tone} about {topic}" in stored.snapshot  # the file as written is kept
    assert team.read_text(encoding="utf-8") == TEAM


def test_a_strict_replay_gives_the_run_its_inputs_again(tmp_path: Path, monkeypatch, capsys):
    """The system message was filled with --input tone=grumpy: the replay fills it the same, so
    every request matches the recording (with the default value, none would)."""
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    team = tmp_path / "team.yaml"
    team.write_text(TEAM, encoding="utf-8")
    assert main(["run", str(team), "--jsonl", "--input", "tone=grumpy"]) == 0
    ran = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["replay", ran[0]["run_id"], "--strict", "--jsonl"]) == 0
    finished = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert finished["type"] == "finished" and (finished["reason"], finished["detail"]) == (ran[-1]["reason"], ran[-1]["detail"])
    assert finished["live_calls"] == 0 and finished["replayed_calls"] > 0


def test_a_continued_conversation_keeps_a_filtered_agent_s_history_and_structured_replies(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: s
models:
  s: {provider: scripted, responses: ['{"city": "Oslo"}']}
  t: {provider: scripted, responses: ['seen']}
agents:
  a: {model: s, output_schema: {type: object, properties: {city: {type: string}}, required: [city]}}
  b: {model: t, sees: [{source: a, last: 1}], streaming: false}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {max_messages: 3}
""")
    first, run = run_team(spec, "one")
    assert first[-1].reason == "termination" and run.state is not None
    again, later = run_team(spec, "two", state=run.state)
    assert [e for e in again if e.type == "error"] == []
    # b's model gets its history back from the saved state (MessageFilterAgent alone would drop it).
    assert sent_to(later, "seen") == [['{"city":"Oslo"}', "seen", '{"city":"Oslo"}']]
