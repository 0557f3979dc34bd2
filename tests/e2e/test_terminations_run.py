"""Scripted teams that end on the new termination conditions, with the end said in words.

Each run is a real AgentChat run on a scripted model (replies in call order): it must end at the
turn the condition names, not before and not at the bound, and the finished event must say why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import main
from tests.conftest import ROOT, collect_events

TOOL_TEAM = """
    schema: team-designer/v1
    name: Publisher
    default_model: s
    models:
      s:
        provider: scripted
        responses:
          - a first thought
          - tool_calls: [{name: area, arguments: {length: 2, width: 3}}]
          - this reply must never be asked for
    tools:
      area: {builtin: calculate_rectangle_area}
    agents:
      writer: {tools: [area], streaming: false}
      critic: {streaming: false}
    orchestration: {pattern: round_robin, participants: [critic, writer]}
    termination: {tool_called: area, max_messages: 10}
"""

REVIEW_TEAM = """
    schema: team-designer/v1
    name: Review
    default_model: s
    models:
      s: {provider: scripted, responses: [draft one, not yet, draft two APPROVE, APPROVE, spare, spare]}
    agents:
      writer: {streaming: false}
      critic: {streaming: false}
    orchestration: {pattern: round_robin, participants: [writer, critic]}
    termination:
      max_messages: 10
      all: [{text: APPROVE}, {spoke: [critic]}]
"""


def agent_messages(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.agent, e.content) for e in events if e.type == "message" and e.agent != "user"]


def finished(events: list[Any]) -> Any:
    assert events[-1].type == "finished", events[-1]
    return events[-1]


def test_a_run_ends_when_the_named_tool_was_called(make_spec):
    events = collect_events(make_spec(TOOL_TEAM))
    end = finished(events)
    assert (end.reason, end.detail) == ("termination", "tool area was called")
    assert [e.name for e in events if e.type == "tool_result"] == ["area"]
    assert "this reply must never be asked for" not in [c for _, c in agent_messages(events)]


def test_all_of_ends_only_when_every_part_has_held(make_spec):
    events = collect_events(make_spec(REVIEW_TEAM))
    end = finished(events)
    # The critic spoke at message 2 and the writer said APPROVE at 3; an OR would have ended at 2.
    assert agent_messages(events) == [("writer", "draft one"), ("critic", "not yet"), ("writer", "draft two APPROVE")]
    assert (end.reason, end.detail) == ("termination", "critic spoke, Text 'APPROVE' mentioned")


@pytest.mark.parametrize("pattern", [
    "{pattern: round_robin, participants: [a, b]}",
    "{pattern: selector, participants: [a, b], selector_model: pick}",
    "{pattern: swarm, entry: a, participants: [a, b]}",
    # A loop (AgentChat's graphs need a leaf too: c, which the replies never reach).
    ("{pattern: graph, entry: a, edges: [{from: a, to: b}, {from: b, to: a, when: {not_contains: never}},"
    " {from: b, to: c, when: {contains: never}}]}"),
])
def test_max_turns_caps_every_team_type_and_says_so(make_spec, pattern):
    events = collect_events(make_spec(f"""
        schema: team-designer/v1
        name: Turns
        default_model: s
        models:
          s: {{provider: scripted, responses: [one, two, three, four, five, six]}}
          pick: {{provider: scripted, responses: [a, b, a, b, a, b]}}
        agents:
          a: {{streaming: false}}
          b: {{streaming: false}}
          c: {{streaming: false}}
        orchestration: {pattern}
        termination: {{max_turns: 3, max_messages: 50}}
    """))
    end = finished(events)
    assert (end.reason, end.detail) == ("termination", "turn cap of 3 reached")
    # A swarm without hand-offs keeps its speaker: three turns are three messages in every pattern.
    assert [c for _, c in agent_messages(events)] == ["one", "two", "three"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's run history and trust store in the test's folder, never the user's."""
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.mark.usefixtures("data_dir")
def test_the_cli_says_how_an_all_of_run_ended(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    team = tmp_path / "review.yaml"
    team.write_text(textwrap.dedent(REVIEW_TEAM), encoding="utf-8")
    code = main(["run", str(team), "--jsonl", "--task", "review it"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert out[-1]["type"] == "finished"
    assert (out[-1]["reason"], out[-1]["detail"]) == ("termination", "critic spoke, Text 'APPROVE' mentioned")


def test_the_cli_says_a_tool_call_ended_the_run(tmp_path: Path):
    # A subprocess: the terminal renderer writes to the real stdout (bound when it is imported).
    team = tmp_path / "publisher.yaml"
    team.write_text(textwrap.dedent(TOOL_TEAM), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "designer", "run", str(team), "--task", "publish it"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "XDG_DATA_HOME": str(tmp_path / "xdg")},
    )
    assert done.returncode == 0, done.stderr
    assert "finished: tool area was called" in done.stdout, done.stdout


def test_max_turns_cuts_a_sequence_short(make_spec):
    events = collect_events(make_spec("""
        schema: team-designer/v1
        name: Chain
        default_model: s
        models:
          s: {provider: scripted, responses: [one, two, three]}
        agents:
          a: {streaming: false}
          b: {streaming: false}
          c: {streaming: false}
        orchestration: {pattern: sequential, order: [a, b, c]}
        termination: {max_turns: 2, max_messages: 50}
    """))
    end = finished(events)
    assert (end.reason, end.detail) == ("termination", "turn cap of 2 reached")
    assert [a for a, _ in agent_messages(events)] == ["a", "b"]
