"""MCP servers at a URL (SSE and streamable HTTP): a real FastMCP server on 127.0.0.1, runs
through the command line with a scripted model calling its tools.

The server (tests/fixtures/mcp_http_server.py) prints its URL once it listens, so nothing here
waits by the clock; it is stopped after each test. Its ``secret_word`` tool answers only with
the right ``Authorization`` header, which the team file gives as ``Bearer env:MCP_TEST_TOKEN``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import ROOT
from tests.mcp_url_server import UrlServers

TOKEN = "tok-5f3a9c1e7b2d4a6f8e0c"  # what the server accepts; only the environment holds it


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(transport)`` -> the URL of a listening server; every server stops after the test."""
    servers = UrlServers(TOKEN)
    yield servers.start
    servers.stop()


def team(path: Path, transport: str, url: str, calls: list[dict[str, Any]]) -> Path:
    replies = [{"tool_calls": calls}, "all done"]
    server = {"transport": transport, "url": url, "headers": {"Authorization": "Bearer env:MCP_TEST_TOKEN"}}
    path.write_text("\n".join([
        "schema: team-designer/v1",
        "name: remote tools",
        "task: use the tools",
        "default_model: s",
        "models:",
        f"  s: {{provider: scripted, responses: {json.dumps(replies)}}}",
        "tools:",
        f"  remote: {{mcp: {json.dumps(server)}, timeout: 20}}",
        "agents:",
        "  a: {tools: [remote], streaming: false, max_tool_iterations: 2}",
        "orchestration: {pattern: round_robin, participants: [a]}",
        "termination: {text: all done, max_messages: 6, timeout: 60}",
        "",
    ]), encoding="utf-8")
    return path


def run_cli(tmp_path: Path, team_file: Path, token: str | None = TOKEN, jsonl: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MCP_TEST_TOKEN"}
    env.update({"XDG_DATA_HOME": str(tmp_path / "xdg"), "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data")})
    if token is not None:
        env["MCP_TEST_TOKEN"] = token
    args = [sys.executable, "-m", "designer", "run", str(team_file), "--trust"] + (["--jsonl"] if jsonl else [])
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def results(out: str) -> dict[str, tuple[str, bool]]:
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {e["name"]: (e["content"], e["is_error"]) for e in events if e["type"] == "tool_result"}


CALLS = [{"name": "add", "arguments": {"a": 2, "b": 40}}, {"name": "secret_word", "arguments": {}},
         {"name": "authorization", "arguments": {}}]


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_a_team_uses_a_url_servers_tools_and_the_header_secret_stays_out_of_files(serve, tmp_path: Path, transport: str):
    url = serve(transport)
    done = run_cli(tmp_path, team(tmp_path / "team.yaml", transport, url, CALLS))
    assert done.returncode == 0, done.stderr
    got = results(done.stdout)
    assert got["add"] == ("42", False)
    assert got["secret_word"] == ("the secret word is swordfish", False), "the header's reference reached the server"
    assert got["authorization"] == ("Bearer ***", False), "the server echoed the token: masked"
    # The trust question named the URL and the header, its secret by its reference only.
    assert url in done.stderr and "header: Authorization: Bearer env:MCP_TEST_TOKEN" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    saved = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name.startswith("runs.sqlite3") for p in saved), "the run was recorded"
    assert not [p for p in saved if TOKEN.encode() in p.read_bytes()], "no saved file holds the token"
    assert TOKEN not in (tmp_path / "team.yaml").read_text(encoding="utf-8")


def test_a_wrong_token_is_refused_by_the_server_and_a_missing_variable_stops_the_run(serve, tmp_path: Path):
    url = serve("http")
    file = team(tmp_path / "team.yaml", "http", url, CALLS[1:2])
    wrong = results(run_cli(tmp_path, file, token="not-the-token-0000").stdout)
    assert wrong["secret_word"][1] and "unauthorized" in wrong["secret_word"][0]
    unset = run_cli(tmp_path, file, token=None, jsonl=False)
    assert unset.returncode != 0 and "Traceback" not in unset.stdout + unset.stderr
    assert "MCP server 'remote': the environment variable MCP_TEST_TOKEN is not set" in unset.stdout + unset.stderr


def test_a_server_that_is_not_listening_is_one_clear_line(tmp_path: Path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mcp"
    done = run_cli(tmp_path, team(tmp_path / "team.yaml", "http", url, CALLS[:1]), jsonl=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    failed = [line for line in output.splitlines() if "did not answer" in line]
    assert failed and all(f"MCP server 'remote' at {url} (streamable HTTP) did not answer: ConnectError" in line
                          and "is a server listening at that URL?" in line for line in failed)
