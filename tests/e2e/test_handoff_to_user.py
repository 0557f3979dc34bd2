"""Hand-off to the user, as a user meets it on the command line: a swarm agent hands off to
'user', the run asks on standard input, the answer resumes the same team as AgentChat's
HandoffMessage, and the run ends within its bounds; a replay answers from the recording."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from designer.core.validate import validate_text
from tests.conftest import ROOT, collect_events

TEAM = textwrap.dedent("""\
    schema: team-designer/v1
    name: Help desk
    task: Where is my parcel?
    default_model: s
    models:
      s:
        provider: scripted
        responses:
        - tool_calls: [{name: transfer_to_user, arguments: {}}]
        - Thanks! Parcel 42 ships today.
    agents:
      desk: {description: Answers questions about parcels., handoffs: [user], streaming: false}
    orchestration: {pattern: swarm, entry: desk, participants: [desk]}
    termination: {max_messages: 4}
    """)


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "designer", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "XDG_DATA_HOME": str(tmp_path / "xdg")},
        timeout=120,
    )


def events_of(done: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines()]


def said(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["agent"], e["content"]) for e in events if e["type"] == "message" and e["kind"] != "task"]


def test_the_cli_asks_the_person_and_the_answer_resumes_the_swarm(tmp_path: Path):
    team = tmp_path / "desk.yaml"
    team.write_text(TEAM, encoding="utf-8")
    done = cli(tmp_path, "run", str(team), "--jsonl", stdin="parcel 42, please\n")
    assert done.returncode == 0, done.stderr
    events = events_of(done)
    asked = [e for e in events if e["type"] == "input_requested"]
    assert [e["agent"] for e in asked] == ["desk"]
    assert [(e["agent"], e["target"]) for e in events if e["type"] == "handoff"] == [("desk", "user")]
    # The answer is the person's message, then the agent answers it: the same team, resumed.
    assert said(events) == [("user", "parcel 42, please"), ("desk", "Thanks! Parcel 42 ships today.")]
    finished = events[-1]
    # Bounds hold across the pause: task, hand-off, answer, reply = AgentChat's 4 messages, then the end.
    assert finished["type"] == "finished" and finished["reason"] == "termination", finished
    assert "4 messages" in finished["detail"]
    assert finished["messages"] == 2  # the team's: its hand-off and its reply (not the person's answer)


def test_the_terminal_transcript_shows_the_question_and_the_answer(tmp_path: Path):
    team = tmp_path / "desk.yaml"
    team.write_text(TEAM, encoding="utf-8")
    done = cli(tmp_path, "run", str(team), "--no-record", stdin="parcel 42\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "  ↪ desk hands off to user" in lines
    assert "desk (you) > " in done.stdout
    assert "user: parcel 42" in lines and "desk: Thanks! Parcel 42 ships today." in lines


def test_closed_standard_input_ends_the_run_with_the_reason(tmp_path: Path):
    team = tmp_path / "desk.yaml"
    team.write_text(TEAM, encoding="utf-8")
    done = cli(tmp_path, "run", str(team), "--jsonl", "--no-record", stdin="")
    assert done.returncode == 0, done.stderr
    finished = events_of(done)[-1]
    assert (finished["reason"], finished["detail"]) == ("stopped", "no human input: standard input is closed")
    assert "Traceback" not in done.stderr


def test_a_strict_replay_answers_the_hand_off_from_the_recording(tmp_path: Path):
    team = tmp_path / "desk.yaml"
    team.write_text(TEAM, encoding="utf-8")
    ran = cli(tmp_path, "run", str(team), "--jsonl", stdin="parcel 42\n")
    assert ran.returncode == 0, ran.stderr
    run_id = events_of(ran)[0]["run_id"]
    # No one types anything now: the answer comes from the recording, as do the model's replies.
    replay = cli(tmp_path, "replay", run_id[:7], "--strict", "--jsonl", "--no-record", stdin="")
    assert replay.returncode == 0, replay.stderr
    events = events_of(replay)
    assert said(events) == said(events_of(ran)) == [("user", "parcel 42"), ("desk", "Thanks! Parcel 42 ships today.")]
    assert events[-1]["reason"] == "termination" and events[-1]["live_calls"] == 0


def test_stop_while_the_person_is_asked_ends_the_run(make_spec):
    spec = make_spec(TEAM)

    def control(run, event):
        if event.type == "input_requested":
            run.stop()

    events = collect_events(spec, "where?", control=control)
    assert events[-1].type == "finished" and events[-1].reason == "stopped"
    assert not [e for e in events if e.type == "message" and e.agent == "user" and e.kind != "task"]


def test_finish_turn_while_paused_ends_the_run_instead_of_asking(make_spec):
    spec = make_spec(TEAM)

    def control(run, event):
        if event.type == "handoff":
            run.finish_turn()

    events = collect_events(spec, "where?", control=control)
    assert not [e for e in events if e.type == "input_requested"]
    assert events[-1].reason == "stopped" and "turn" in events[-1].detail


def test_only_a_swarm_agent_may_hand_off_to_the_user():
    round_robin = TEAM.replace("orchestration: {pattern: swarm, entry: desk, participants: [desk]}",
                               "orchestration: {pattern: round_robin, participants: [desk]}")
    result = validate_text(round_robin, "desk.yaml")
    errors = [p.format() for p in result.problems if p.severity == "error"]
    # Located at the hand-off itself: line 12 is desk's record, column 68 its 'user'.
    assert errors == [("desk.yaml:12:68: error: only an agent of the team's swarm can hand off to 'user' (the person "
                      "running the team) [agents.desk.handoffs[0]] (hint: use the swarm pattern, or remove 'user' from "
                      "its hand-offs)")], errors
    assert not [p for p in validate_text(TEAM, "desk.yaml").problems if p.severity == "error"]
