"""Code execution with approval, as a user meets it: a code_executor agent's code runs only once
someone approved it — on the command line, the person at a terminal ("Run this code? [y/N]"),
or --approve-code for the whole run; without a terminal nothing runs. Also: ``code:`` options
(work folder, retries with the agent's model, Docker auto/always) through real runs."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from designer.core.validate import validate_text
from tests.conftest import ROOT, collect_events

CODE = "open('made.txt', 'w').write('hi')\nprint('wrote made.txt')"
REPLY = json.dumps("```python\n" + CODE + "\n```")

TEAM = textwrap.dedent(f"""\
    schema: team-designer/v1
    name: Coder
    task: Write the file.
    default_model: s
    models:
      s: {{provider: scripted, responses: [{REPLY}]}}
    agents:
      writer: {{streaming: false}}
      runner: {{kind: code_executor, code: {{work_dir: work}}}}
    orchestration: {{pattern: round_robin, participants: [writer, runner]}}
    termination: {{max_messages: 3}}
    """)


def env(tmp_path: Path) -> dict[str, str]:
    # The history and the trust store in the test's folder, never the user's.
    return {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "XDG_DATA_HOME": str(tmp_path / "xdg")}


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env(tmp_path), timeout=120)


def team_file(tmp_path: Path, text: str = TEAM) -> Path:
    path = tmp_path / "coder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def runner_said(stdout: str) -> list[str]:
    events = [json.loads(line) for line in stdout.splitlines()]
    return [e["content"] for e in events if e["type"] == "message" and e["agent"] == "runner"]


def test_without_a_terminal_or_approve_code_the_code_does_not_run(tmp_path: Path):
    team = team_file(tmp_path)
    done = cli(tmp_path, "run", str(team), "--jsonl", "--trust", "--no-record")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "work" / "made.txt").exists(), "the code ran without approval"
    assert runner_said(done.stdout) == [
        "Code execution was not approved. Reason: denied: no approval (run with --approve-code to allow)"]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["text"] for e in events if e["type"] == "notice"] == [
        "code not run: denied: no approval (run with --approve-code to allow)"]


def test_approve_code_runs_every_block_and_its_output_is_in_the_transcript(tmp_path: Path):
    team = team_file(tmp_path)
    done = cli(tmp_path, "run", str(team), "--jsonl", "--trust", "--no-record", "--approve-code")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "work" / "made.txt").read_text() == "hi"  # in the work folder, beside the team file
    assert runner_said(done.stdout) == ["wrote made.txt\n"]


def test_untrusted_code_is_refused_before_any_question(tmp_path: Path):
    done = cli(tmp_path, "run", str(team_file(tmp_path)), "--approve-code", "--no-record")
    assert done.returncode == 2 and "would execute code you have not trusted yet" in done.stderr
    assert not (tmp_path / "work").exists()


def _on_a_terminal(tmp_path: Path, answer: str) -> str:
    """The run with a terminal as standard input (the person types ``answer``); its stdout."""
    cli(tmp_path, "run", str(team_file(tmp_path)), "--trust", "--no-record")  # trust it first (refused: no terminal)
    master, slave = pty.openpty()
    try:
        os.write(master, answer.encode() + b"\n")  # typed ahead: the terminal keeps it until it is read
        done = subprocess.run([sys.executable, "-m", "designer", "run", str(tmp_path / "coder.yaml"), "--no-record"],
                              stdin=slave, capture_output=True, text=True, cwd=ROOT, env=env(tmp_path), timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_on_a_terminal_the_person_sees_the_code_and_yes_runs_it(tmp_path: Path):
    out = _on_a_terminal(tmp_path, "y")
    # The blocks as AgentChat hands them over for approval: fenced, with their language.
    assert f"runner wants to run this code:\n```python\n{CODE}\n" in out
    assert "Run this code? [y/N] " in out
    assert (tmp_path / "work" / "made.txt").exists()
    assert "runner: wrote made.txt" in out


def test_on_a_terminal_anything_but_yes_refuses(tmp_path: Path):
    out = _on_a_terminal(tmp_path, "nope")
    assert not (tmp_path / "work" / "made.txt").exists()
    assert "runner: Code execution was not approved. Reason: denied by the person running the team" in out


def test_a_failing_block_is_retried_by_the_agents_model(make_spec, tmp_path: Path):
    replies = ["```python\nraise SystemExit(3)\n```", '{"retry": true, "reason": "exit code 3: print instead"}',
               "```python\nprint('fixed')\n```", "It printed: fixed"]
    spec = make_spec(f"""
        schema: team-designer/v1
        name: Fixer
        default_model: s
        models:
          s: {{provider: scripted, responses: {json.dumps(replies)}}}
        agents:
          coder: {{kind: code_executor, streaming: false, code: {{retries: 1}}}}
        orchestration: {{pattern: round_robin, participants: [coder]}}
        termination: {{max_messages: 2}}
    """)
    events = collect_events(spec, "print something", workspace=tmp_path / "ws")  # tests approve (conftest)
    results = [(e.content, e.is_error) for e in events if e.type == "tool_result" and e.name == "code_execution"]
    assert len(results) == 2 and results[0][1] and not results[1][1], results
    assert "fixed" in results[1][0]
    assert [e.content for e in events if e.type == "message" and e.agent == "coder"] == ["It printed: fixed"]
    assert events[-1].reason == "termination"


def test_stop_while_approval_is_asked_ends_the_run(make_spec, tmp_path: Path):
    spec = make_spec(TEAM)
    asked = []

    def control(run, event):
        if event.type == "approval_requested":
            asked.append(event.code)
            run.stop()

    events = collect_events(spec, "go", code_approval="ask", control=control, workspace=tmp_path / "ws",
                            team_file=tmp_path / "coder.yaml")
    assert asked == [f"```python\n{CODE}\n\n```"]
    assert events[-1].reason == "stopped"
    assert not (tmp_path / "work" / "made.txt").exists()


@pytest.fixture
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    # This machine may or may not have Docker: the tests decide it has none.
    monkeypatch.setattr("designer.runtime.code_agents.docker_unavailable", lambda: "Docker is not available: no daemon")


def test_docker_auto_falls_back_to_this_computer_and_says_so(make_spec, tmp_path: Path, no_docker):
    spec = make_spec(TEAM.replace("code: {work_dir: work}", "code: {work_dir: work, docker: auto}"))
    events = collect_events(spec, "go", team_file=tmp_path / "coder.yaml")
    notices = [e.text for e in events if e.type == "notice"]
    assert notices[0] == "Docker is not available: no daemon: its code runs on this computer instead (docker: auto)"
    assert (tmp_path / "work" / "made.txt").exists()


def test_docker_always_fails_the_run_with_the_reason(make_spec, tmp_path: Path, no_docker):
    spec = make_spec(TEAM.replace("code: {work_dir: work}", "code: {docker: always}"))
    events = collect_events(spec, "go", team_file=tmp_path / "coder.yaml")
    errors = [(e.kind, e.message) for e in events if e.type == "error"]
    assert errors == [("tool", ("runner is set to run code in Docker (docker: always), but Docker is not available: "
                               "no daemon; use docker: auto to run it on this computer when Docker is not there"))]
    assert events[-1].reason == "error"


def test_code_options_are_checked_where_they_are_written():
    bad = TEAM.replace("runner: {kind: code_executor, code: {work_dir: work}}",
                       "runner: {kind: code_executor, code: {work_dir: ../elsewhere}}\n"
                       "  helper: {code: {retries: 1}}")
    problems = [p.format() for p in validate_text(bad, "coder.yaml").problems if p.severity == "error"]
    assert problems == [
        ("coder.yaml:9:50: error: work_dir '../elsewhere' leaves the team file's folder [agents.runner.code.work_dir] "
        "(hint: write a folder inside it (e.g. work), or an absolute path)"),
        ("coder.yaml:10:18: error: 'code' options are for code_executor agents, and this one is of kind 'assistant' "
        "[agents.helper.code] (hint: remove 'code', or set kind: code_executor)"),
    ], problems


def test_a_replay_repeats_the_persons_decision_from_the_recording(make_spec, tmp_path: Path):
    from designer.core.run_store import RunStore
    from designer.runtime.recording import ReplayPlan

    spec = make_spec(TEAM)
    where = {"team_file": tmp_path / "coder.yaml"}

    def yes(run, event):
        if event.type == "approval_requested":
            run.approve(event.request_id, True)

    with RunStore(tmp_path / "runs.sqlite3") as store:
        ran = collect_events(spec, "go", code_approval="ask", control=yes, store=store, **where)
        (tmp_path / "work" / "made.txt").unlink()
        # Nobody can be asked now (deny): the recording says the person said yes, and what the code printed.
        again = collect_events(spec, "go", code_approval="deny", replay=ReplayPlan(store.calls(ran[0].run_id), mode="strict"),
                               **where)
    said = [[e.content for e in events if e.type == "message" and e.agent == "runner"] for events in (ran, again)]
    assert said == [["wrote made.txt\n"], ["wrote made.txt\n"]]
    # Said as it was said then (a replay's transcript is the recorded one's).
    assert [e.text for e in again if e.type == "notice"] == ["code approved: approved by the person running the team"]
    assert not [e for e in again if e.type == "approval_requested"]
    assert not (tmp_path / "work" / "made.txt").exists(), "the replay ran the code again"


def test_context_bounds_a_code_writing_agents_model_and_is_reported_useless_without_one():
    from designer.core.validate import validate_text

    text = """schema: team-designer/v1
name: Ctx
models:
  s: {provider: scripted, responses: ["x"]}
agents:
  runner: {kind: code_executor, context: {last_messages: 2}}
  writer: {kind: code_executor, model: s, context: {last_messages: 2}}
orchestration: {pattern: round_robin, participants: [runner, writer]}
"""
    result = validate_text(text)
    warned = [p.format() for p in result.problems if "context" in p.message]
    assert len(warned) == 1 and "no model" in warned[0] and "<team>:6:" in warned[0], warned
    import asyncio

    from designer.runtime.compiler import compile_team

    async def build():
        compiled = compile_team(result.spec, lambda agent, prompt, token: asyncio.sleep(0, "no"))
        try:
            return {a.name: a for a in compiled.team._participants}
        finally:
            await compiled.close()

    agents = asyncio.run(build())
    from autogen_core.model_context import BufferedChatCompletionContext

    assert isinstance(agents["writer"]._model_context, BufferedChatCompletionContext)
    assert agents["writer"]._model_context._buffer_size == 2
