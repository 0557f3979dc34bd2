"""Tools in scripted runs: the workspace's lifecycle, run_python, user functions, errors and timeouts.

Every failure must come back to the agent as an error result (tool_result is_error=true)
and show in the run's events; every call has its tool's time limit.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from designer.core.trust import TrustAll
from designer.core.validate_tools import docker_problem
from tests.conftest import collect_events
from tests.leakcheck import PLANTED_OPENAI


def team(tools: str, calls: list[list[dict[str, Any]]], *, agent_tools: list[str]) -> str:
    """A one-agent team whose scripted model makes the given tool calls, one reply per list."""
    replies = [{"tool_calls": batch} for batch in calls] + ["all done"]
    tool_lines = textwrap.indent(textwrap.dedent(tools).strip(), "  ")
    return "\n".join([
        "schema: team-designer/v1",
        "name: tools",
        "default_model: s",
        "models:",
        f"  s: {{provider: scripted, responses: {json.dumps(replies)}}}",
        "tools:",
        tool_lines,
        "agents:",
        f"  a: {{tools: {json.dumps(agent_tools)}, streaming: false, max_tool_iterations: {len(calls) + 1}}}",
        "orchestration: {pattern: round_robin, participants: [a]}",
        "termination: {text: all done, max_messages: 10}",
        "",
    ])


def results(events: list[Any]) -> list[tuple[str, str, bool]]:
    return [(e.name, e.content, e.is_error) for e in events if e.type == "tool_result"]


def test_file_tools_share_a_fresh_workspace_that_is_removed_after_the_run(make_spec, tmp_path: Path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the run's temporary workspace goes
    spec = make_spec(team(
        """\
        write: {builtin: write_text_file}
        read: {builtin: read_text_file}
        """,
        [[{"name": "write", "arguments": {"path": "out/report.txt", "content": "42 apples"}}],
         [{"name": "read", "arguments": {"path": "out/report.txt"}}],
         [{"name": "read", "arguments": {"path": "../../etc/passwd"}}, {"name": "write", "arguments": {"path": "/tmp/x", "content": "x"}}]],
        agent_tools=["write", "read"],
    ))
    events = collect_events(spec, trust=None)  # built-in file tools need no trust: they cannot leave the workspace
    assert results(events) == [
        ("write", "wrote 9 bytes to out/report.txt", False),
        ("read", "42 apples", False),
        ("read", "'../../etc/passwd' leaves the workspace: '..' is not allowed", True),
        ("write", "'/tmp/x' is an absolute path: give a path relative to the workspace folder", True),
    ]
    assert events[-1].reason == "termination"
    assert not list(tmp_path.glob("team-designer-run-*")), "the temporary workspace is removed when the run ends"


def test_a_workspace_given_by_the_caller_is_kept(make_spec, tmp_path: Path):
    spec = make_spec(team("write: {builtin: write_text_file}",
                          [[{"name": "write", "arguments": {"path": "kept.txt", "content": "still here"}}]], agent_tools=["write"]))
    collect_events(spec, workspace=tmp_path / "ws")
    assert (tmp_path / "ws" / "kept.txt").read_text() == "still here"


def test_run_python_runs_in_the_workspace_with_a_timeout(make_spec):
    spec = make_spec(team(
        """\
        py: {builtin: run_python, timeout: 3}
        read: {builtin: read_text_file}
        """,
        [[{"name": "py", "arguments": {"code": "import os\nopen('made.txt','w').write('by python')\nprint(6 * 7, os.getcwd() != '')"}}],
         [{"name": "read", "arguments": {"path": "made.txt"}}],
         [{"name": "py", "arguments": {"code": "raise SystemExit('bad input')"}}],
         [{"name": "py", "arguments": {"code": "import time\ntime.sleep(30)"}}]],
        agent_tools=["py", "read"],
    ))
    events = collect_events(spec)
    got = results(events)
    assert got[0] == ("py", "42 True\n", False)
    assert got[1] == ("read", "by python", False)  # the code's files land in the run's workspace
    assert got[2][2] and "the code failed (exit code 1)" in got[2][1] and "bad input" in got[2][1]
    assert got[3][2] and "longer than 3 s" in got[3][1]


def test_run_python_needs_trust_because_it_executes_code(make_spec):
    spec = make_spec(team("py: {builtin: run_python}", [[{"name": "py", "arguments": {"code": "print(1)"}}]], agent_tools=["py"]))
    events = collect_events(spec, trust=None)
    error = next(e for e in events if e.type == "error")
    assert error.kind == "trust" and "Python code the agents write, executed on this computer" in error.message
    assert not [e for e in events if e.type == "tool_call"]


@pytest.mark.skipif(docker_problem() is None, reason="the docker package is installed here")
def test_the_docker_executor_says_clearly_when_docker_is_missing(make_spec):
    spec = make_spec(team("py: {builtin: run_python, options: {executor: docker}}",
                          [[{"name": "py", "arguments": {"code": "print(1)"}}]], agent_tools=["py"]))
    events = collect_events(spec, trust=None)  # Docker isolates the code: no local execution to trust
    error = next(e for e in events if e.type == "error")
    assert error.kind == "tool"
    assert "run_python is set to run code in Docker, but the 'docker' Python package is not installed" in error.message
    assert "use executor: local" in error.message


def test_user_functions_come_from_tools_beside_the_team_file(make_spec, tmp_path: Path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "mytools.py").write_text(textwrap.dedent('''\
        import time

        def greet(name: str, times: int = 1) -> str:
            """Greets someone."""
            return " ".join([f"hi {name}"] * times)

        def broken(reason: str) -> str:
            raise LookupError(f"no such thing: {reason}")

        def sleepy(seconds: float) -> str:
            time.sleep(seconds)
            return "woke"
    '''))
    spec = make_spec(team(
        """\
        greet: {function: "mytools:greet"}
        broken: {function: "mytools:broken"}
        sleepy: {function: "mytools:sleepy", timeout: 0.5}
        """,
        [[{"name": "greet", "arguments": {"name": "Ada", "times": 2}}, {"name": "broken", "arguments": {"reason": "x"}},
          {"name": "sleepy", "arguments": {"seconds": 5}}, {"name": "greet", "arguments": {"times": "many"}}]],
        agent_tools=["greet", "broken", "sleepy"],
    ))
    events = collect_events(spec, team_file=tmp_path / "team.yaml", tool_folders=(), trust=TrustAll())
    got = results(events)
    assert got[0] == ("greet", "hi Ada hi Ada", False)
    assert got[1] == ("broken", "no such thing: x", True)
    assert got[2] == ("sleepy", "the tool 'sleepy' took longer than 0.5 s and was stopped", True)
    assert got[3][0] == "greet" and got[3][2] and "name" in got[3][1]  # bad arguments: an error result too
    assert [e.name for e in events if e.type == "tool_call"] == ["greet", "broken", "sleepy", "greet"]


def test_an_edited_tool_module_is_imported_afresh_by_the_next_run(make_spec, tmp_path: Path):
    (tmp_path / "tools").mkdir()
    module = tmp_path / "tools" / "versioned.py"
    spec = make_spec(team('v: {function: "versioned:version"}', [[{"name": "v", "arguments": {}}]], agent_tools=["v"]))
    seen = []
    for number in (1, 2):
        module.write_text(f"def version() -> int:\n    return {number}\n")
        events = collect_events(spec, team_file=tmp_path / "team.yaml", trust=TrustAll())
        seen.append(results(events)[0][1])
    assert seen == ["1", "2"]


def test_a_module_that_fails_to_import_is_a_clear_tool_error(make_spec, tmp_path: Path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "bad.py").write_text("import definitely_not_installed_xyz\ndef f() -> int:\n    return 1\n")
    spec = make_spec(team('f: {function: "bad:f"}', [[{"name": "f", "arguments": {}}]], agent_tools=["f"]))
    events = collect_events(spec, team_file=tmp_path / "team.yaml", trust=TrustAll())
    error = next(e for e in events if e.type == "error")
    assert error.kind == "tool" and "importing bad" in error.message and "definitely_not_installed_xyz" in error.message
    assert events[-1].reason == "error"


def test_references_outside_the_tool_folders_are_not_imported(make_spec):
    spec = make_spec(team('sys: {function: "os:system"}', [[{"name": "sys", "arguments": {"command": "true"}}]],
                          agent_tools=["sys"]))
    events = collect_events(spec, trust=TrustAll())
    error = next(e for e in events if e.type == "error")
    assert error.kind == "tool" and "'os' is one of Python's own modules" in error.message


ENV_PROBE = "import json, os\nprint(json.dumps({n: os.environ.get(n) for n in %r}))"
PROBED = ["OPENAI_API_KEY", "TEAM_MODEL_KEY", "DEPLOY_TOKEN", "DB_PASSWORD", "HARMLESS_SETTING", "PATH"]


def _scrubbed(seen: dict[str, Any]) -> None:
    assert seen["OPENAI_API_KEY"] is None  # a well-known key name
    assert seen["TEAM_MODEL_KEY"] is None  # the team file's model reads its key from it
    assert seen["DEPLOY_TOKEN"] is None and seen["DB_PASSWORD"] is None  # shaped like secrets
    assert seen["HARMLESS_SETTING"] == "kept" and seen["PATH"] == os.environ["PATH"]  # the rest is kept


@pytest.fixture
def planted_env(monkeypatch) -> None:
    """Keys in the designer's environment (OPENAI_API_KEY is planted for the whole session)."""
    assert os.environ.get("OPENAI_API_KEY") == PLANTED_OPENAI
    monkeypatch.setenv("TEAM_MODEL_KEY", "sk-team-model-key-value")
    monkeypatch.setenv("DEPLOY_TOKEN", "deploy-token-value")
    monkeypatch.setenv("DB_PASSWORD", "db-password-value")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")


def test_run_python_code_cannot_read_the_designers_keys(make_spec, planted_env):
    """Model-written code printing os.environ gets nothing secret back."""
    text = team("py: {builtin: run_python}", [[{"name": "py", "arguments": {"code": ENV_PROBE % PROBED}}]],
                agent_tools=["py"]).replace("{provider: scripted,", "{provider: scripted, api_key: 'env:TEAM_MODEL_KEY',")
    events = collect_events(make_spec(text))
    got = results(events)
    assert got[0][0] == "py" and not got[0][2], got
    assert PLANTED_OPENAI not in got[0][1]
    _scrubbed(json.loads(got[0][1]))


def test_code_executor_agents_run_code_without_the_designers_keys(make_spec, planted_env):
    reply = json.dumps(["```python\n" + ENV_PROBE % PROBED + "\n```"])
    spec = make_spec(f"""
        schema: team-designer/v1
        name: coder
        default_model: s
        models:
          s: {{provider: scripted, api_key: "env:TEAM_MODEL_KEY", responses: {reply}}}
        agents:
          writer: {{streaming: false}}
          runner: {{kind: code_executor}}
        orchestration: {{pattern: round_robin, participants: [writer, runner]}}
        termination: {{max_messages: 3}}
    """)
    events = collect_events(spec)
    ran = [e.content for e in events if e.type == "message" and e.agent == "runner"]
    assert ran and PLANTED_OPENAI not in ran[0], ran
    _scrubbed(json.loads(ran[0]))
