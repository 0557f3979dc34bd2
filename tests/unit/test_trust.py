"""Trust: what a run would execute is listed exactly, asked about once, and asked again after a change.

The store is a Qt-free JSON file; tests use tmp paths (the CLI's lives under XDG_DATA_HOME,
which the CLI tests point at a tmp folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from designer.core.tool_introspect import ToolLocations
from designer.core.trust import TRUST_FORMAT, TrustStore, code_manifest, default_trust_path, team_content_digest
from designer.core.validate import validate_file
from tests.conftest import FIXTURES, ROOT

TEAM = """\
schema: team-designer/v1
name: Trusting
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: greet, arguments: {who: Ada}}]}, "done"]}
tools:
  greet: {function: "greeter:greet"}
  also: {function: "greeter:shout"}
  unused: {function: "other:f"}
  tiny: {mcp: {command: %(python)s, args: [server.py, --flag], cwd: ., env: {MODE: fast, TOKEN: "env:MY_TOKEN"}}}
  py: {builtin: run_python}
  boxed: {builtin: run_python, options: {executor: docker}}
agents:
  a: {tools: [greet, also, tiny, py, boxed], streaming: false}
  runner: {kind: code_executor}
orchestration: {pattern: round_robin, participants: [a, runner]}
termination: {text: done, max_messages: 5}
"""


def make_team(tmp_path: Path, text: str = TEAM) -> Path:
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    (tools / "greeter.py").write_text("import helper\n\ndef greet(who: str) -> str:\n    return helper.HELLO + who\n\n"
                                      "def shout(who: str) -> str:\n    return who.upper()\n")
    (tools / "helper.py").write_text("HELLO = 'hello '\n")
    (tools / "other.py").write_text("def f() -> None:\n    pass\n")
    (tmp_path / "server.py").write_text("print('not really a server')\n")
    path = tmp_path / "team.yaml"
    path.write_text(text % {"python": sys.executable} if "%(python)s" in text else text)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_lists_exactly_what_a_run_would_execute(tmp_path: Path):
    path = make_team(tmp_path)
    spec = validate_file(path).spec
    items = code_manifest(spec, ToolLocations.for_file(path), path)
    assert [i.kind for i in items] == ["module", "mcp", "python"]
    module, server, python = items
    tools = tmp_path / "tools"
    assert module.tools == ("greet", "also")  # one module, both tools; 'unused' is in no agent: not listed
    assert module.files == ((str(tools / "greeter.py"), sha(tools / "greeter.py")), (str(tools / "helper.py"), sha(tools / "helper.py")))
    assert server.command == (sys.executable, "server.py", "--flag") and server.cwd == str(tmp_path)
    # The script, then every file a Python server can import from its folder (here also its cwd):
    # tools/ imports as a namespace package, so its modules are the server's code too.
    importable = [tmp_path / "server.py", tools / "greeter.py", tools / "helper.py", tools / "other.py"]
    assert server.files == tuple((str(p), sha(p)) for p in importable) and server.folders == (str(tmp_path),)
    assert server.env == (("MODE", "fast"), ("TOKEN", "env:MY_TOKEN"))  # references, never values
    assert python.tools == ("py", "runner")  # docker-boxed run_python is not local code
    assert python.content == team_content_digest(spec) and python.scope == str(path)  # the path is shown, not trusted
    text = "\n".join(line for item in items for line in item.describe())
    assert f"{tools / 'greeter.py'}  sha256:{sha(tools / 'greeter.py')}" in text
    assert f"command: {sys.executable} server.py --flag" in text and f"working folder: {tmp_path}" in text


def test_answers_are_remembered_per_content_hash(tmp_path: Path):
    path = make_team(tmp_path)
    spec = validate_file(path).spec
    store = TrustStore(tmp_path / "state" / "trust.json")
    items = code_manifest(spec, ToolLocations.for_file(path), path)
    assert store.untrusted(items) == items
    store.trust(items)
    assert store.untrusted(items) == []
    data = json.loads(store.path.read_text())
    assert data["format"] == TRUST_FORMAT and set(data["entries"]) == {i.key for i in items}
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    (tmp_path / "tools" / "helper.py").write_text("HELLO = 'owned '\n")  # a dependency changes
    changed = code_manifest(spec, ToolLocations.for_file(path), path)
    # The module, and the MCP server beside it: tools/helper.py is importable from its folder.
    assert [i.kind for i in store.untrusted(changed)] == ["module", "mcp"]
    assert all(i.changed == (str(tmp_path / "tools" / "helper.py"),) for i in store.untrusted(changed))
    (tmp_path / "server.py").write_text("print('changed')\n")
    assert [i.kind for i in store.untrusted(code_manifest(spec, ToolLocations.for_file(path), path))] == ["module", "mcp"]


def test_a_damaged_store_trusts_nothing(tmp_path: Path):
    path = make_team(tmp_path)
    items = code_manifest(validate_file(path).spec, ToolLocations.for_file(path), path)
    store = TrustStore(tmp_path / "trust.json")
    for junk in ("{not json", "[]", json.dumps({"format": "other", "entries": {i.key: {} for i in items}})):
        store.path.write_text(junk)
        assert store.untrusted(items) == items


def test_the_cli_store_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_trust_path() == tmp_path / "team-designer" / "trust.json"


# --- the command line --------------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


SIMPLE = """\
schema: team-designer/v1
name: Greeter
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: greet, arguments: {who: Ada}}]}, "done"]}
tools:
  greet: {function: "greeter:greet"}
agents:
  a: {tools: [greet], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: done, max_messages: 5}
"""


def test_the_cli_refuses_untrusted_code_until_trust_is_given_and_asks_again_after_a_change(tmp_path: Path):
    path = make_team(tmp_path, SIMPLE)
    greeter = tmp_path / "tools" / "greeter.py"
    refused = cli(tmp_path, "run", str(path), "--jsonl")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "this run would execute code you have not trusted yet" in refused.stderr
    assert f"{greeter}  sha256:{sha(greeter)}" in refused.stderr and "--trust" in refused.stderr
    trusted = cli(tmp_path, "run", str(path), "--jsonl", "--trust")
    assert trusted.returncode == 0, trusted.stderr
    result = next(json.loads(line) for line in trusted.stdout.splitlines() if json.loads(line)["type"] == "tool_result")
    assert result["content"] == "hello Ada" and not result["is_error"]
    assert (tmp_path / "data" / "team-designer" / "trust.json").exists()
    assert cli(tmp_path, "run", str(path), "--jsonl").returncode == 0  # remembered
    greeter.write_text(greeter.read_text() + "\n# changed\n")
    again = cli(tmp_path, "run", str(path), "--jsonl")
    assert again.returncode == 2 and f"sha256:{sha(greeter)}" in again.stderr


def test_the_cli_finds_tools_in_extra_folders_and_keeps_a_given_workspace(tmp_path: Path):
    team = tmp_path / "team.yaml"
    team.write_text(textwrap.dedent("""\
        schema: team-designer/v1
        name: Slow
        task: go
        default_model: s
        models:
          s: {provider: scripted, responses: [{tool_calls: [{name: nap, arguments: {seconds: 0}},
                                                            {name: save, arguments: {path: a.txt, content: hi}}]}, "done"]}
        tools:
          nap: {function: "slowtools:slow_sync"}
          save: {builtin: write_text_file}
        agents:
          a: {tools: [nap, save], streaming: false}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {text: done, max_messages: 5}
    """))
    assert cli(tmp_path, "validate", str(team)).returncode == 2  # slowtools is not beside the file
    done = cli(tmp_path, "run", str(team), "--tools", str(FIXTURES), "--trust", "--workspace", str(tmp_path / "ws"), "--jsonl")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ws" / "a.txt").read_text() == "hi"
