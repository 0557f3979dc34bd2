"""MCP servers (stdio) as tool sources: a real FastMCP server from tests/fixtures, in scripted runs.

The server starts with the run (only after trust), its tools reach the agent through
autogen-ext's McpWorkbench next to the agent's other tools, its errors and time-outs come
back as error results, and it is stopped when the run ends.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from designer.core.trust import TrustAll
from designer.core.validate import validate_text
from designer.core.tool_introspect import ToolLocations
from designer.core.validate_tools import tool_problems
from tests.conftest import FIXTURES, STOP_BOUND_S, collect_events
from tests.leakcheck import PLANTED_OPENAI

SERVER = str(FIXTURES / "mcp_server.py")


def mcp_team(calls: list[list[dict[str, Any]]], *, only: list[str] | None = None, marker: Path | None = None,
             command: str = sys.executable, timeout: float = 10, env: dict[str, str] | None = None,
             model_key: str | None = None) -> str:
    replies = [{"tool_calls": batch} for batch in calls] + ["all done"]
    server: dict[str, Any] = {"command": command, "args": [SERVER] + ([str(marker)] if marker else [])}
    if only is not None:
        server["tools"] = only
    if env is not None:
        server["env"] = env
    key = f", api_key: {json.dumps(model_key)}" if model_key else ""
    return "\n".join([
        "schema: team-designer/v1",
        "name: mcp",
        "default_model: s",
        "models:",
        f"  s: {{provider: scripted, responses: {json.dumps(replies)}{key}}}",
        "tools:",
        f"  tiny: {{mcp: {json.dumps(server)}, timeout: {timeout}}}",
        "  calc: {builtin: calculator}",
        "agents:",
        f"  a: {{tools: [tiny, calc], streaming: false, max_tool_iterations: {len(calls) + 1}}}",
        "orchestration: {pattern: round_robin, participants: [a]}",
        "termination: {text: all done, max_messages: 10}",
        "",
    ])


def results(events: list[Any]) -> list[tuple[str, str, bool]]:
    return [(e.name, e.content, e.is_error) for e in events if e.type == "tool_result"]


def server_processes(marker: Path) -> list[int]:
    """Live processes started with this marker argument (read from /proc, Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(marker).encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_an_agent_calls_mcp_tools_next_to_its_other_tools(make_spec, tmp_path: Path):
    marker = tmp_path / "started"
    spec = make_spec(mcp_team([
        [{"name": "add", "arguments": {"a": 2, "b": 40}}, {"name": "calc", "arguments": {"expression": "6 * 7"}}],
        [{"name": "fail", "arguments": {"reason": "on purpose"}}, {"name": "add", "arguments": {"a": "x"}}],
    ], marker=marker))
    assert not marker.exists()  # validating started nothing
    events = collect_events(spec, trust=TrustAll())
    got = results(events)
    assert got[0] == ("add", "42", False) and got[1] == ("calc", "42", False)
    assert got[2][0] == "fail" and got[2][2] and "failed on purpose: on purpose" in got[2][1]
    assert got[3][0] == "add" and got[3][2]  # invalid arguments: the server's error, as an error result
    assert events[-1].reason == "completed" or events[-1].reason == "termination"
    assert marker.exists(), "the server ran for the run"
    deadline = time.monotonic() + 5
    while server_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_processes(marker) == [], "the server is stopped when the run ends"


def test_the_tool_filter_and_the_time_limit_apply(make_spec, tmp_path: Path):
    """The time limit bounds each call, not the server's start: a server that takes longer than
    the 1 s limit to start (here 2 s on purpose) still runs; a 60 s call is stopped after 1 s."""
    spec = make_spec(mcp_team([
        [{"name": "shout", "arguments": {"text": "hi"}}],
        [{"name": "sleep", "arguments": {"seconds": 60}}],
    ], only=["add", "sleep"], timeout=1, env={"START_DELAY": "2"}, marker=tmp_path / "pid"))
    events = collect_events(spec, trust=TrustAll())
    assert not [e for e in events if e.type == "error"], "the server's start is not bound by the 1 s call limit"
    got = results(events)
    assert got[0][0] == "shout" and got[0][2]  # filtered out: the agent never sees it, a call is an error
    assert got[1] == ("sleep", "the tool 'sleep' took longer than 1 s and was stopped", True)
    call = next(e for e in events if e.type == "tool_call" and e.name == "sleep")
    result = next(e for e in events if e.type == "tool_result" and e.name == "sleep")
    assert result.t - call.t < 30, "stopped by the limit, long before the tool's own 60 s"
    assert pid_gone(tmp_path / "pid"), "the server, still busy with the abandoned call, ends with the run"


def test_a_filter_naming_a_missing_tool_or_a_dead_server_fails_the_run_in_plain_words(make_spec, tmp_path: Path):
    spec = make_spec(mcp_team([[{"name": "add", "arguments": {"a": 1, "b": 1}}]], only=["add", "nope"]))
    error = next(e for e in collect_events(spec, trust=TrustAll()) if e.type == "error")
    assert error.kind == "tool" and "has no tool 'nope'; it offers: add, environment, fail, shout, sleep" in error.message
    dead = tmp_path / "dead.py"
    dead.write_text("raise SystemExit(3)\n")
    spec = make_spec(mcp_team([[{"name": "add", "arguments": {}}]]).replace(SERVER, str(dead)))
    events = collect_events(spec, trust=TrustAll())
    error = next(e for e in events if e.type == "error")
    assert error.kind == "tool" and "MCP server 'tiny'" in error.message and "did not start" in error.message
    assert events[-1].reason == "error"


def test_an_untrusted_server_is_never_started(make_spec, tmp_path: Path):
    marker = tmp_path / "started"
    spec = make_spec(mcp_team([[{"name": "add", "arguments": {"a": 1, "b": 1}}]], marker=marker))
    events = collect_events(spec, trust=None)
    error = next(e for e in events if e.type == "error")
    assert error.kind == "trust" and f"command: {sys.executable} {SERVER} {marker}" in error.message
    time.sleep(0.3)
    assert not marker.exists()


def test_validation_checks_the_command_folder_and_secret_references(tmp_path: Path):
    text = mcp_team([]).replace(
        f'"command": {json.dumps(sys.executable)}',
        '"command": "no-such-program-xyz", "cwd": "missing", "env": {"API_TOKEN": "abc123", "MODE": "fast"}',
    )
    spec = validate_text(text).spec
    assert spec is not None
    problems = {(p.path, p.message.split(":")[0]) for p in tool_problems(spec, ToolLocations(tmp_path))}
    assert (("tools", "tiny", "mcp", "cwd"), "no folder 'missing' for the MCP server to run in") in problems
    assert (("tools", "tiny", "mcp", "env", "API_TOKEN"), "API_TOKEN looks like a secret") in problems
    (tmp_path / "missing").mkdir()
    problems = [p for p in tool_problems(spec, ToolLocations(tmp_path)) if p.path[-1] == "command"]
    assert problems and problems[0].message == "the MCP server's command 'no-such-program-xyz' is not found on PATH"
    assert problems[0].is_error  # the agent uses it: the run would fail
    assert os.path.exists(SERVER)


def pid_gone(marker: Path, limit: float = 30.0) -> bool:
    """Whether the server process whose id is in ``marker`` has ended (waits up to ``limit``)."""
    proc = Path("/proc") / marker.read_text().strip()
    deadline = time.monotonic() + limit
    while proc.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not proc.exists()


def stop_once(run: Any, ready: Path, marks: dict[str, float]) -> None:
    """Stop the run as soon as ``ready`` exists (checked on the run's loop, without blocking it)."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 120  # a safety net, never a performance bound

    def check() -> None:
        if ready.exists() or time.monotonic() > deadline:
            marks["stop"] = time.monotonic()
            run.stop()
        else:
            loop.call_later(0.02, check)

    check()


def test_stop_during_a_blocking_mcp_call_ends_the_run_at_once_and_the_server(make_spec, tmp_path: Path, capfd):
    """The server is busy in a one-hour tool; Stop ends the run within the 1 s contract (asserted
    with a margin for busy machines), with no error, no noise, and no server left behind."""
    marker = tmp_path / "pid"
    spec = make_spec(mcp_team([[{"name": "sleep", "arguments": {"seconds": 3600}}]], marker=marker, timeout=3600))
    marks: dict[str, float] = {}

    def control(run: Any, event: Any) -> None:
        if event.type == "tool_call":
            stop_once(run, tmp_path / "pid.busy", marks)  # once the server is inside the tool
        elif event.type == "finished":
            marks["finished"] = time.monotonic()

    events = collect_events(spec, trust=TrustAll(), control=control)
    assert (tmp_path / "pid.busy").exists(), "the server was busy in the tool when the run was stopped"
    latency = marks["finished"] - marks["stop"]
    assert events[-1].type == "finished" and events[-1].reason == "stopped"
    assert latency < STOP_BOUND_S, latency
    assert not [e for e in events if e.type == "error"]
    assert pid_gone(marker), "the MCP server process is gone after the run"
    err = capfd.readouterr().err
    assert "Traceback" not in err and "AttributeError" not in err and "never retrieved" not in err, err
    print(f"stop latency mid MCP call: {latency:.3f} s")  # shown with pytest -rA


def test_a_server_gets_the_environment_without_keys_plus_its_env_block(make_spec, monkeypatch):
    """Keys the team file refers to and well-known key names never reach a server; what its
    ``env:`` block names is passed on, a referenced secret too (the user wrote it down for it)."""
    monkeypatch.setenv("TEAM_KEY_FOR_MODEL", "model-secret-value-1")
    monkeypatch.setenv("SERVICE_PASSWORD", "password-value-2")
    monkeypatch.setenv("GIVEN_TO_SERVER", "server-secret-value-3")
    names = ["OPENAI_API_KEY", "TEAM_KEY_FOR_MODEL", "SERVICE_PASSWORD", "MODE", "SERVER_KEY", "PATH"]
    spec = make_spec(mcp_team(
        [[{"name": "environment", "arguments": {"names": names}}]],
        env={"MODE": "fast", "SERVER_KEY": "env:GIVEN_TO_SERVER"}, model_key="env:TEAM_KEY_FOR_MODEL",
    ))
    got = results(collect_events(spec, trust=TrustAll()))
    assert got[0][0] == "environment" and not got[0][2], got
    seen = json.loads(got[0][1])
    assert seen["OPENAI_API_KEY"] is None and seen["TEAM_KEY_FOR_MODEL"] is None and seen["SERVICE_PASSWORD"] is None
    assert PLANTED_OPENAI not in got[0][1]
    assert seen["MODE"] == "fast" and seen["SERVER_KEY"] is not None  # passed on (and masked in the transcript)
    assert seen["PATH"] == os.environ["PATH"]
