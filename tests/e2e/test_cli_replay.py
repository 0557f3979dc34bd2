"""``team-designer replay``, driven through subprocesses: a recorded run again, offline, with the
team file as it is now. Scripted models: a live call shows in the transcript because the script's
text differs from what was recorded, and the closing line counts replayed and live calls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.test_cli_runs import Cli, one_error

#: A marks a replayed turn, "(live)" one that went to the model (cli/render.py).
MARKS = (" ↺", " (live)")


def messages(stdout: str) -> list[str]:
    """The transcript's message lines (task and agents), without the replay's marks."""
    out = []
    for line in stdout.splitlines():
        if line.startswith(("task: ", "a: ", "b: ")):
            text = line
            for mark in MARKS:
                text = text.removesuffix(mark)
            out.append(text)
    return out


def test_strict_replay_of_an_unchanged_team_prints_the_same_transcript(tmp_path: Path):
    cli = Cli(tmp_path)
    ran = cli("run", str(cli.team))
    assert ran.returncode == 0, ran.stderr
    short = cli.ids()[0][:7]
    # Even a model whose script has run dry is not asked: every answer comes from the recording.
    cli.edit('responses: ["first point"]', "responses: []")
    replay = cli("replay", short, "--strict")
    assert replay.returncode == 0, replay.stderr
    assert messages(replay.stdout) == messages(ran.stdout) == ["task: Discuss tides", "a: first point",
                                                                "b: second point DONE"]
    assert "a: first point ↺" in replay.stdout and "b: second point DONE ↺" in replay.stdout  # b streamed
    assert replay.stdout.splitlines()[-1] == "replayed 2 calls from the recording, 0 live; saved 17 tokens ($0.0090)"
    assert f"replaying run {short} (strict, 2 recorded calls) with {cli.team}" in replay.stderr
    runs = json.loads(cli("runs", "list", "--json").stdout)
    assert runs[0]["origin"] == "replay" and runs[0]["parent"].startswith(short)
    assert runs[0]["saved_tokens"] == 17 and runs[0]["prompt_tokens"] == runs[0]["completion_tokens"] == 0
    assert "↺ replay" in cli("runs", "list").stdout
    as_jsonl = cli("replay", short, "--strict", "--jsonl", "--no-record")
    assert as_jsonl.returncode == 0, as_jsonl.stderr
    events = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    assert [e["origin"] for e in events if e["type"] == "message" and e["kind"] != "task"] == ["replayed", "replayed"]
    assert events[-1]["replayed_calls"] == 2 and events[-1]["live_calls"] == 0
    assert len(cli.ids()) == 2  # --no-record: the history is as it was


def test_strict_replay_after_a_prompt_edit_fails_naming_the_agent(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    cli.edit("You are B.", "You are B, terse.")
    replay = cli("replay", short, "--strict")
    assert replay.returncode == 1, replay.stderr
    assert "b's request differs from the recording at message 2: its system message changed" in replay.stdout
    assert "a: first point ↺" in replay.stdout
    assert "Traceback" not in replay.stderr


def test_reuse_replay_calls_the_live_model_once_per_changed_request(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    # b's prompt changes; both scripts change too, so a live answer reads differently from a recorded one.
    cli.edit("You are B.", "You are B, terse.")
    cli.edit("first point", "a live answer from a")
    cli.edit("second point DONE", "a live answer from b DONE")
    replay = cli("replay", short)
    assert replay.returncode == 0, replay.stderr
    assert messages(replay.stdout) == ["task: Discuss tides", "a: first point", "b: a live answer from b DONE"]
    assert "a: first point ↺" in replay.stdout and "b: a live answer from b DONE (live)" in replay.stdout
    assert replay.stdout.splitlines()[-1] == "replayed 1 call from the recording, 1 live; saved 7 tokens ($0.0090)"
    assert "(reuse, 2 recorded calls)" in replay.stderr


def test_replay_from_a_message_keeps_the_ones_before_it(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    cli.edit("second point DONE", "b again DONE")
    rerun = cli("replay", short, "--from", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert messages(rerun.stdout) == ["task: Discuss tides", "a: first point", "b: b again DONE"]
    assert "b: b again DONE (live)" in rerun.stdout and "1 live" in rerun.stdout
    assert "↪ rerun" in cli("runs", "list").stdout
    one_error(cli("replay", short, "--from", "9"), "--from must be a message of the run, 1 to 2")
    one_error(cli("replay", short, "--from", "1", "--strict"), "cannot be --strict")


def test_replay_bad_input_and_a_bundle_without_its_team_file(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    one_error(cli("replay", "ffffff"), "no run 'ffffff'")
    bundle = tmp_path / "shared.tdrun"
    assert cli("runs", "export", short, "--bundle", str(bundle)).returncode == 0
    moved = tmp_path / "moved.yaml"
    shutil.move(cli.team, moved)
    one_error(cli("replay", short), "is not there any more")
    one_error(cli("replay", short, "--team", str(tmp_path / "nowhere.yaml")), "no such team file")
    with_team = cli("replay", short, "--strict", "--team", str(moved))
    assert with_team.returncode == 0, with_team.stderr
    # A colleague's bundle whose team file is not on this machine: its snapshot is the team.
    colleague = Cli(tmp_path, "colleague-data", write_team=False)
    from_bundle = colleague("replay", str(bundle), "--strict")
    assert from_bundle.returncode == 0, from_bundle.stderr
    assert "with the team as it ran (snapshot)" in from_bundle.stderr
    assert messages(from_bundle.stdout)[1:] == ["a: first point", "b: second point DONE"]
    assert len(colleague.ids()) == 1  # the replay is in the colleague's history; the bundle is unchanged
    broken = tmp_path / "broken.tdrun"
    broken.write_text("[]", encoding="utf-8")
    one_error(colleague("replay", str(broken)), "is not a Team Designer run bundle")


TOOL_TEAM = """\
schema: team-designer/v1
name: Stamper
task: stamp it
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: stamp, arguments: {word: hello}}]}, "stamped DONE"]}
tools:
  stamp: {function: "stamper:stamp"}
agents:
  a: {model: s, tools: [stamp], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: DONE, max_messages: 5}
"""
#: A tool with a side effect: each call adds a line to calls.txt beside the team file.
STAMPER = '''\
from pathlib import Path


def stamp(word: str) -> str:
    """Stamps a word (and notes the call)."""
    with open(Path(__file__).resolve().parent.parent / "calls.txt", "a", encoding="utf-8") as f:
        f.write(word + "\\n")
    return f"stamped {word}"
'''


def test_a_replay_asks_for_trust_and_answers_tools_from_the_recording(tmp_path: Path):
    cli = Cli(tmp_path)
    cli.team.write_text(TOOL_TEAM, encoding="utf-8")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "stamper.py").write_text(STAMPER, encoding="utf-8")
    calls = tmp_path / "calls.txt"
    short = cli.run("--trust")
    assert calls.read_text() == "hello\n"
    # The tool module changed since it was trusted: a replay builds the team's tools, so it asks again.
    (tmp_path / "tools" / "stamper.py").write_text(STAMPER + "\n# edited\n", encoding="utf-8")
    refused = cli("replay", short, "--strict")
    assert refused.returncode == 2 and "not trusted yet" in refused.stderr and refused.stdout == ""
    replay = cli("replay", short, "--strict", "--trust")
    assert replay.returncode == 0, replay.stderr
    assert "    ↳ stamped hello" in replay.stdout and "a: stamped DONE ↺" in replay.stdout
    assert calls.read_text() == "hello\n"  # answered from the recording: the side effect did not happen again
    live = cli("replay", short, "--strict", "--live-tools")
    assert live.returncode == 0, live.stderr
    assert calls.read_text() == "hello\nhello\n"
