"""Ctrl-C in the terminal during a tool call that would take an hour, driven as a user does it.

The run ends at once and says so, the terminal shows no traceback or asyncio noise, and no
process is left behind: not the MCP server busy in its tool, not the Python the model wrote
(nor a program that code started). The tools' time limits are an hour, so only the stop can
end them; the bound asserted is generous (STOP_BOUND_S) and the measured time is printed
(pytest -rA shows it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import FIXTURES, ROOT, STOP_BOUND_S

SERVER = str(FIXTURES / "mcp_server.py")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}
WAIT_LIMIT_S = 120.0  # a safety net for waiting on events, never a performance bound


def team_file(tmp_path: Path, tools: str, call: dict[str, object]) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent(f"""\
        schema: team-designer/v1
        name: Slow tool
        task: go
        default_model: s
        models:
          s: {{provider: scripted, responses: [{json.dumps({"tool_calls": [call]})}]}}
        tools:
          {tools}
        agents:
          a: {{tools: [slow], streaming: false}}
        orchestration: {{pattern: round_robin, participants: [a]}}
    """), encoding="utf-8")
    return str(path)


def started_at(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat): tells a reused id from the original."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


@pytest.fixture
def leftovers() -> Iterator[dict[int, str | None]]:
    """Processes (id -> start time) to kill if a test fails half-way: a broken stop must not leave
    them running. The start time tells the very process from a later one that reused its id."""
    born: dict[int, str | None] = {}
    yield born
    for pid, when in born.items():
        if when is not None and started_at(pid) == when:
            os.kill(pid, signal.SIGKILL)


def track(leftovers: dict[int, str | None], *pids: int) -> None:
    for pid in pids:
        leftovers[pid] = started_at(pid)


def start(path: str, tmp_path: Path, leftovers: dict[int, str | None]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "designer", "run", path, "--jsonl", "--trust", "--workspace", str(tmp_path / "ws")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**ENV, "XDG_DATA_HOME": str(tmp_path / "data")},  # the trust store, never the user's
    )
    track(leftovers, proc.pid)
    return proc


def wait_for_tool_call(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if json.loads(line)["type"] == "tool_call":
            return
    raise AssertionError(f"the run ended before calling the tool: {proc.stderr.read() if proc.stderr else ''}")


def wait_for_pids(path: Path, count: int) -> list[int]:
    """The process ids the tool wrote once it is really running (it writes them first thing)."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        if path.exists():
            pids = [int(p) for p in path.read_text().split() if p.isdigit()]
            if len(pids) >= count:
                return pids
        time.sleep(0.05)
    raise AssertionError(f"the tool did not start within {WAIT_LIMIT_S:g} s")


def gone(pid: int) -> bool:
    """Whether a process has ended (waits with a generous limit: the kill is asynchronous)."""
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
        if stat.split(") ")[-1].startswith("Z"):
            return True  # a zombie has ended; only its parent's bookkeeping remains
        time.sleep(0.05)
    return not Path(f"/proc/{pid}").exists()


def interrupt(proc: subprocess.Popen[str]) -> tuple[float, list[dict[str, object]], str]:
    """Ctrl-C; (seconds until the process exited, the events it printed after, its stderr)."""
    assert proc.stdout is not None and proc.stderr is not None
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest = proc.stdout.read()
    proc.wait(timeout=WAIT_LIMIT_S)
    elapsed = time.monotonic() - sent
    return elapsed, [json.loads(line) for line in rest.splitlines()], proc.stderr.read()


def assert_stopped_quietly(code: int | None, elapsed: float, rest: list[dict[str, object]], stderr: str) -> None:
    assert code == 130, stderr
    assert rest and rest[-1]["type"] == "finished" and rest[-1]["reason"] == "stopped", rest
    assert rest[-1]["detail"] == "interrupted by the user (Ctrl-C)"
    assert not [e for e in rest if e["type"] == "error"], rest
    # Before the stop, --trust lists what it trusted; after it, nothing at all: no traceback,
    # no "Task exception was never retrieved", no warnings.
    before, stopping, after = stderr.partition("stopping… (Ctrl-C again to quit at once)\n")
    assert stopping and after.strip() == "", stderr
    assert "Traceback" not in before and "Warning" not in before, stderr
    assert elapsed < STOP_BOUND_S, elapsed


def test_ctrl_c_during_an_mcp_call_ends_the_run_and_the_server(tmp_path: Path, leftovers: dict[int, str | None]):
    marker = tmp_path / "server.pid"
    server = json.dumps({"command": sys.executable, "args": [SERVER, str(marker)]})
    path = team_file(tmp_path, f"slow: {{mcp: {server}, timeout: 3600}}",
                     {"name": "sleep", "arguments": {"seconds": 3600}})
    proc = start(path, tmp_path, leftovers)
    wait_for_tool_call(proc)
    (pid,) = wait_for_pids(marker, 1)
    track(leftovers, pid)
    wait_for_pids(marker.with_name("server.pid.busy"), 0)  # the server is inside the tool now
    elapsed, rest, stderr = interrupt(proc)
    print(f"Ctrl-C mid MCP call: the process exited {elapsed:.3f} s after the signal")
    assert_stopped_quietly(proc.returncode, elapsed, rest, stderr)
    assert gone(pid), "the MCP server was left running"


def test_ctrl_c_during_run_python_ends_the_run_and_the_code(tmp_path: Path, leftovers: dict[int, str | None]):
    # The code starts a program of its own, then both sleep for an hour.
    code = textwrap.dedent("""\
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
        open("pids.txt", "w").write(f"{os.getpid()} {child.pid}")
        time.sleep(3600)
    """)
    path = team_file(tmp_path, "slow: {builtin: run_python, timeout: 3600}", {"name": "slow", "arguments": {"code": code}})
    proc = start(path, tmp_path, leftovers)
    wait_for_tool_call(proc)
    pids = wait_for_pids(tmp_path / "ws" / "pids.txt", 2)
    track(leftovers, *pids)
    elapsed, rest, stderr = interrupt(proc)
    print(f"Ctrl-C mid run_python: the process exited {elapsed:.3f} s after the signal")
    assert_stopped_quietly(proc.returncode, elapsed, rest, stderr)
    assert [pid for pid in pids if not gone(pid)] == [], "the code (or a program it started) was left running"
