"""The command line, driven as a user drives it: a subprocess, its output and exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, STOP_BOUND_S

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}

SCRIPTED = """\
schema: team-designer/v1
name: Scripted pair
task: Discuss {topic}
inputs:
  topic: {default: tides}
default_model: s
models:
  s: {provider: scripted, responses: ["first point", "second point DONE"]}
agents:
  a: {streaming: false}
  b: {streaming: true}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {text: DONE, max_messages: 10}
"""


def cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "designer", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=timeout,
    )


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_run_jsonl_prints_one_event_per_line(tmp_path: Path):
    done = cli("run", write(tmp_path, SCRIPTED), "--jsonl", "--input", "topic=the moon")
    assert done.returncode == 0, done.stderr
    out = events(done.stdout)
    assert [e["type"] for e in out if e["type"] not in ("chunk", "usage")] == [
        "started", "message", "message", "message", "finished",
    ]
    assert out[1]["content"] == "Discuss the moon"
    assert [e["text"] for e in out if e["type"] == "chunk"] == ["second ", "point ", "DONE"]
    assert out[-1]["reason"] == "termination" and out[-1]["detail"] == "Text 'DONE' mentioned"
    assert done.stderr == ""


def test_run_prints_a_readable_transcript(tmp_path: Path):
    done = cli("run", write(tmp_path, SCRIPTED), "--task", "Talk about {topic}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "▶ Scripted pair  (round_robin; bound: 10 messages, text 'DONE')"
    assert "task: Talk about tides" in lines
    assert "a: first point" in lines and "b: second point DONE" in lines
    assert "■ finished: Text 'DONE' mentioned" in lines
    assert "\x1b[" not in done.stdout  # no colours when not on a terminal


def test_run_with_tools_shows_calls_and_results(tmp_path: Path):
    done = cli("run", write(tmp_path, """\
        schema: team-designer/v1
        name: Tools
        task: area please
        default_model: s
        models:
          s:
            provider: scripted
            responses:
            - tool_calls: [{name: area, arguments: {length: 2, width: 3}}]
            - It is 6.
        tools:
          area: {builtin: calculate_rectangle_area}
        agents:
          a: {tools: [area], reflect_on_tool_use: true, streaming: false}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {max_messages: 2}
    """))
    assert done.returncode == 0, done.stderr
    assert '  ⚙ a calls area({"length": 2, "width": 3})' in done.stdout
    assert "    ↳ 6.0" in done.stdout
    assert "a: It is 6." in done.stdout


def test_a_failing_run_exits_1_with_plain_words(tmp_path: Path):
    done = cli("run", write(tmp_path, SCRIPTED.replace('"second point DONE"', "").replace(', ]', "]")))
    assert done.returncode == 1
    assert "✖ b: the scripted model has no reply left (its script has 1)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_missing_key_is_a_failure_in_plain_words(tmp_path: Path):
    done = cli("run", write(tmp_path, """\
        schema: team-designer/v1
        name: Cloud
        task: hi
        default_model: m
        models:
          m: {provider: openai, model: gpt-4o-mini, api_key: "env:TEAM_DESIGNER_NO_SUCH_KEY"}
        agents:
          a: {}
        orchestration: {pattern: sequential, order: [a]}
    """))
    assert done.returncode == 1
    assert "the environment variable TEAM_DESIGNER_NO_SUCH_KEY is not set" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--input", "nope=1"], "error: unknown input 'nope' (the team's inputs: topic)"),
        (["--input", "garbage"], "error: --input expects KEY=VALUE, got 'garbage'"),
        (["--model", "gpt9"], "error: unknown model 'gpt9' (the file defines: s; or use 'embedded')"),
        (["--max-messages", "0"], "error: --max-messages must be at least 1"),
        # nan would end the run at once, inf would remove the bound: neither is a time limit.
        *[(["--timeout", value], "error: --timeout must be a number of seconds above 0 and at most 86400")
          for value in ("nan", "inf", "0", "90000")],
        (["--task", "{unclosed"], "error: the task is not a valid template: expected '}' before end of string"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str):
    done = cli("run", write(tmp_path, SCRIPTED), *args)
    assert done.returncode == 2
    assert done.stderr.strip() == message


def test_bad_option_values_exit_2(tmp_path: Path):
    done = cli("run", write(tmp_path, SCRIPTED), "--timeout", "soon")
    assert done.returncode == 2 and "invalid float value: 'soon'" in done.stderr


def test_an_invalid_file_exits_2_before_running(tmp_path: Path):
    path = write(tmp_path, SCRIPTED.replace("participants: [a, b]", "participants: [a, c]"))
    done = cli("run", path, "--jsonl")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{path}:12:57: error: unknown participant 'c' [orchestration.participants[1]] (hint: defined: a, b)",
        f"{path}:11:6: warning: agent 'b' takes no part in the round_robin pattern [agents.b]",
    ]


def test_validate_reports_file_line_column(tmp_path: Path):
    good = write(tmp_path, SCRIPTED, "good.yaml")
    bad = write(tmp_path, "schema: team-designer/v1\nname: x\nname: y\n", "bad.yaml")
    done = cli("validate", good, bad)
    assert done.returncode == 2
    assert done.stdout == f"{good}: ok\n"
    assert done.stderr == f"{bad}:3:1: error: duplicate key 'name' (first defined on line 2) [name]\n"
    assert cli("validate", good).returncode == 0


def test_validate_without_files_is_a_usage_error():
    done = cli("validate")
    assert done.returncode == 2 and "error: the following arguments are required: FILE" in done.stderr


def test_human_input_is_read_from_stdin(tmp_path: Path):
    done = cli("run", write(tmp_path, """\
        schema: team-designer/v1
        name: Ask
        task: hello
        default_model: s
        models:
          s: {provider: scripted, responses: ["What is your name?", "Nice to meet you. BYE"]}
        agents:
          bot: {streaming: false}
          human: {kind: user_proxy}
        orchestration: {pattern: round_robin, participants: [bot, human]}
        termination: {text: BYE, max_messages: 10}
    """), "--jsonl", stdin="Ada\n")
    assert done.returncode == 0, done.stderr
    out = [e for e in events(done.stdout) if e["type"] in ("message", "input_requested")]
    assert [(e["type"], e["agent"], e.get("content")) for e in out] == [
        ("message", "user", "hello"),
        ("message", "bot", "What is your name?"),
        ("input_requested", "human", None),
        ("message", "human", "Ada"),
        ("message", "bot", "Nice to meet you. BYE"),
    ]


def test_closed_stdin_ends_a_run_waiting_for_a_human(tmp_path: Path):
    done = cli("run", write(tmp_path, """\
        schema: team-designer/v1
        name: Ask
        task: hello
        default_model: s
        models:
          s: {provider: scripted, responses: ["Anyone there?"]}
        agents:
          bot: {streaming: false}
          human: {kind: user_proxy}
        orchestration: {pattern: round_robin, participants: [bot, human]}
    """), stdin="")
    assert done.returncode == 0
    assert "■ stopped: no human input: standard input is closed" in done.stdout


def test_ctrl_c_stops_the_run_at_once_and_says_so(tmp_path: Path):
    path = write(tmp_path, """\
        schema: team-designer/v1
        name: Slow tool
        task: go
        default_model: s
        models:
          s: {provider: scripted, responses: [{tool_calls: [{name: nap, arguments: {seconds: 120}}]}]}
        tools:
          nap: {function: "slowtools:slow_sync", timeout: 300}
        agents:
          a: {tools: [nap]}
        orchestration: {pattern: round_robin, participants: [a]}
    """)
    proc = subprocess.Popen(
        [sys.executable, "-m", "designer", "run", path, "--jsonl", "--tools", str(FIXTURES), "--trust"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**ENV, "XDG_DATA_HOME": str(tmp_path / "data")},  # the trust store, never the user's
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until the tool is running
        if json.loads(line)["type"] == "tool_call":
            break
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest = proc.stdout.read()
    code = proc.wait(timeout=30)
    elapsed = time.monotonic() - sent
    assert code == 130
    assert elapsed < STOP_BOUND_S  # the tool would sleep for 120 s
    finished = events(rest)[-1]
    assert finished["type"] == "finished" and finished["reason"] == "stopped"
    assert finished["detail"] == "interrupted by the user (Ctrl-C)"
    assert "stopping…" in proc.stderr.read()


def test_console_script_and_module_agree(tmp_path: Path):
    script = Path(sys.executable).with_name("team-designer")
    done = subprocess.run([str(script), "validate", write(tmp_path, SCRIPTED)], capture_output=True, text=True, env=ENV)
    assert done.returncode == 0 and done.stdout.endswith(": ok\n")


def test_validate_finds_tools_in_extra_folders(tmp_path: Path):
    extra = tmp_path / "lib"
    extra.mkdir()
    (extra / "greet.py").write_text("def hello(name: str) -> str:\n    \"\"\"Says hello.\"\"\"\n    return name\n")
    team = write(tmp_path, SCRIPTED.replace(
        "agents:\n  a: {streaming: false}", "tools:\n  hi: {function: \"greet:hello\"}\nagents:\n  a: {streaming: false, tools: [hi]}"
    ))
    assert cli("validate", team).returncode == 2
    done = cli("validate", team, "--tools", str(extra))
    assert done.returncode == 0, done.stderr
