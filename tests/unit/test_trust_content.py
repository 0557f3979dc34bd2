"""Trust follows content, not paths — driven through the command line, as a user would.

- An MCP server started as ``python server.py`` is trusted with every Python file it can
  import from its folder and its working folder: a helper edited (or a module added) after
  the trusted run is refused, naming the file; putting the old content back is trusted again.
- Local Python execution (``run_python``, ``code_executor`` agents) is trusted for the team's
  content but its layout: the same team elsewhere runs, new code or a new tool option in the
  same file is refused. The listing says which folder the code runs in.
- ``python -m designer`` does not import modules from the folder it is started in.

Every command runs with XDG_DATA_HOME in a tmp folder, so the user's own trust store is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from designer.core.trust import team_content_digest
from designer.core.validate import validate_file
from tests.conftest import ROOT


def cli(data: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=180)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def refused(done: subprocess.CompletedProcess[str]) -> bool:
    """Exit 2 with nothing run (no event printed) and the question on stderr, without a traceback."""
    return (done.returncode == 2 and done.stdout == "" and "not trusted yet" in done.stderr
            and "Traceback" not in done.stderr)


# --- an MCP server's local imports ----------------------------------------------------------------

SERVER = '''\
from mcp.server.fastmcp import FastMCP

import mcphelper

server = FastMCP("helped", log_level="WARNING")


@server.tool()
def greeting() -> str:
    """The helper's greeting."""
    return mcphelper.GREETING


if __name__ == "__main__":
    server.run()
'''

HELPER = 'GREETING = "hello from the helper"\n'

MCP_TEAM = """\
schema: team-designer/v1
name: Helped
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: greeting, arguments: {}}]}, "done"]}
tools:
  srv: {mcp: {command: %(python)s, args: [../srv/server.py], cwd: work}, timeout: 60}
agents:
  a: {tools: [srv], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: done, max_messages: 5}
"""


def greeting(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return next(e["content"] for e in events(done) if e["type"] == "tool_result")


def test_an_mcp_server_is_trusted_with_the_python_files_it_can_import(tmp_path: Path):
    project, data = tmp_path / "project", tmp_path / "data"
    srv, work = project / "srv", project / "work"
    srv.mkdir(parents=True)
    work.mkdir()
    (srv / "server.py").write_text(SERVER)
    helper = srv / "mcphelper.py"
    helper.write_text(HELPER)
    cwd_module = work / "notes.py"  # in the server's working folder: importable with -m, or by the server itself
    cwd_module.write_text("NOTE = 1\n")
    team = project / "team.yaml"
    team.write_text(MCP_TEAM % {"python": sys.executable})

    first = cli(data, "run", str(team), "--jsonl")
    assert refused(first)
    for path in (srv / "server.py", helper, cwd_module):
        assert f"{path}  sha256:{sha(path)}" in first.stderr
    assert f"every Python file it can import from {srv} is hashed" in first.stderr
    assert f"every Python file it can import from {work} is hashed" in first.stderr
    assert greeting(cli(data, "run", str(team), "--jsonl", "--trust")) == "hello from the helper"
    assert greeting(cli(data, "run", str(team), "--jsonl")) == "hello from the helper"  # remembered

    # The helper changes after the trusted run: the server must not start with it unasked.
    marker = tmp_path / "helper-ran"
    helper.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\nGREETING = 'owned'\n")
    again = cli(data, "run", str(team), "--jsonl")
    assert refused(again)
    assert f"changed since you trusted it: {helper}" in again.stderr and f"{helper}  sha256:{sha(helper)}" in again.stderr
    assert not marker.exists(), "the server did not start"
    helper.write_text(HELPER)  # the content that was trusted is trusted, whatever happened in between
    assert greeting(cli(data, "run", str(team), "--jsonl")) == "hello from the helper"

    cwd_module.write_text("NOTE = 2\n")
    assert refused(changed := cli(data, "run", str(team), "--jsonl"))
    assert f"changed since you trusted it: {cwd_module}" in changed.stderr
    cwd_module.write_text("NOTE = 1\n")

    # A new module a server could import by a computed name (importlib) counts too, in any subfolder.
    (srv / "plugins").mkdir()
    (srv / "plugins" / "extra.py").write_text("print('new code')\n")
    assert refused(added := cli(data, "run", str(team), "--jsonl"))
    assert f"changed since you trusted it: {srv / 'plugins' / 'extra.py'} (new)" in added.stderr


def test_a_server_folder_too_big_to_check_is_never_trusted(tmp_path: Path):
    """Hashing is bounded; past the bound nothing is remembered, so a later change cannot slip through."""
    from designer.core.tool_introspect import MAX_IMPORTABLE_FILES

    project, data = tmp_path / "project", tmp_path / "data"
    (project / "srv").mkdir(parents=True)
    for i in range(MAX_IMPORTABLE_FILES + 1):
        (project / "srv" / f"m{i}.py").write_text("X = 1\n")
    marker = tmp_path / "server-started"
    (project / "srv" / "server.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n")
    team = project / "team.yaml"
    team.write_text(MCP_TEAM.replace("cwd: work", "cwd: srv").replace("../srv/server.py", "server.py")
                    % {"python": sys.executable})
    asked = cli(data, "run", str(team), "--jsonl")
    assert refused(asked) and f"cannot be trusted: too many files to check on every run in {project / 'srv'}" in asked.stderr
    forced = cli(data, "run", str(team), "--jsonl", "--trust")
    # Asked to trust it anyway: refused before the run, in words, and nothing is claimed as remembered.
    assert forced.returncode == 2 and "Traceback" not in forced.stderr and forced.stdout == ""
    assert "cannot be checked, so it cannot be trusted" in forced.stderr and "remembered" not in forced.stderr
    assert not marker.exists(), "the server did not start"
    assert refused(cli(data, "run", str(team), "--jsonl")), "and nothing was remembered"


# --- local Python execution -------------------------------------------------------------------------


def python_team(code: str, timeout: int = 20) -> str:
    reply = {"tool_calls": [{"name": "py", "arguments": {"code": code}}]}
    return textwrap.dedent(f"""\
        schema: team-designer/v1
        name: Coder
        task: go
        default_model: s
        models:
          s: {{provider: scripted, responses: [{json.dumps(reply)}, "done"]}}
        tools:
          py: {{builtin: run_python, timeout: {timeout}}}
        agents:
          a: {{tools: [py], streaming: false}}
        orchestration: {{pattern: round_robin, participants: [a]}}
        termination: {{text: done, max_messages: 5}}
    """)


def printed(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return next(e["content"] for e in events(done) if e["type"] == "tool_result")


def test_run_python_is_trusted_for_the_teams_content_not_its_path(tmp_path: Path):
    data = tmp_path / "data"
    team = tmp_path / "team.yaml"
    team.write_text(python_team("print('first code')"))
    first = cli(data, "run", str(team), "--jsonl")
    assert refused(first)
    assert f"trusted for the team's content  sha256:{team_content_digest(validate_file(team).spec)}" in first.stderr
    assert "any other change to the team asks again" in first.stderr
    assert f"team: {team}  (for information" in first.stderr
    assert "working folder: the run's workspace: a new temporary folder made for each run" in first.stderr
    assert "(current folder)" not in first.stderr
    assert printed(cli(data, "run", str(team), "--jsonl", "--trust")) == "first code\n"

    # Moving nodes on the canvas decides nothing: a layout-only change is still trusted.
    team.write_text(team.read_text() + "layout:\n  nodes:\n    a: {x: 40, y: 80}\n")
    assert printed(cli(data, "run", str(team), "--jsonl")) == "first code\n"
    # The same content somewhere else is the same code: trust is not tied to the path.
    elsewhere = tmp_path / "copy" / "renamed.yaml"
    elsewhere.parent.mkdir()
    shutil.copy(team, elsewhere)
    assert printed(cli(data, "run", str(elsewhere), "--jsonl")) == "first code\n"

    # New code in the same file, at the same path: asked again, and nothing ran.
    marker = tmp_path / "new-code-ran"
    team.write_text(python_team(f"open({str(marker)!r}, 'w').write('ran')"))
    replaced = cli(data, "run", str(team), "--jsonl")
    assert refused(replaced) and "changed since you trusted it: the team's content" in replaced.stderr
    assert not marker.exists()
    # Only a tool option changes (how the code runs): asked again too.
    team.write_text(python_team("print('first code')", timeout=25))
    assert refused(cli(data, "run", str(team), "--jsonl"))


EXECUTOR_TEAM = """\
schema: team-designer/v1
name: Executor
task: go
default_model: s
models:
  s: {provider: scripted, responses: [%(reply)s]}
agents:
  writer: {streaming: false}
  runner: {kind: code_executor}
orchestration: {pattern: round_robin, participants: [writer, runner]}
termination: {max_messages: 3}
"""


def executor_team(code: str) -> str:
    return EXECUTOR_TEAM % {"reply": json.dumps(f"```python\n{code}\n```")}


def test_a_code_executor_agent_is_trusted_for_the_teams_content_and_says_where_it_runs(tmp_path: Path):
    data = tmp_path / "data"
    team = tmp_path / "team.yaml"
    team.write_text(executor_team("print('from the block')"))
    first = cli(data, "run", str(team), "--jsonl")
    assert refused(first) and "(tools: runner)" in first.stderr
    assert ("working folder: the run's workspace: a new temporary folder made for each run and deleted after it, "
            "unless a workspace folder is given (--workspace") in first.stderr
    # Trusted, and each block approved too (without a terminal the CLI refuses code unless --approve-code).
    trusted = cli(data, "run", str(team), "--jsonl", "--trust", "--approve-code")
    assert trusted.returncode == 0, trusted.stderr
    assert [e["content"] for e in events(trusted) if e["type"] == "message" and e["agent"] == "runner"] == ["from the block\n"]

    marker = tmp_path / "block-ran"
    team.write_text(executor_team(f"open({str(marker)!r}, 'w').write('ran')"))
    again = cli(data, "run", str(team), "--jsonl")
    assert refused(again) and "changed since you trusted it: the team's content" in again.stderr
    assert not marker.exists()


# --- python -m designer and the folder it starts in ---------------------------------------------------


def test_python_m_designer_does_not_import_modules_from_the_folder_it_starts_in(tmp_path: Path):
    folder = tmp_path / "shared"
    folder.mkdir()
    marker = tmp_path / "planted-module-ran"
    plant = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    for name in ("yaml", "pydantic"):  # named like dependencies the command imports
        (folder / f"{name}.py").write_text(plant)
    (folder / "team.yaml").write_text(python_team("print(1)"))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    # The planted module does run when Python is asked to import from that folder: the check below can fail.
    control = subprocess.run([sys.executable, "-c", "import yaml"], cwd=folder, env=env, capture_output=True, timeout=60)
    assert control.returncode == 0 and marker.exists()
    marker.unlink()

    done = subprocess.run([sys.executable, "-m", "designer", "validate", "team.yaml"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "team.yaml: ok" in done.stdout
    assert not marker.exists(), "python -m designer imported a module from the folder it was started in"


def _helped_project(tmp_path: Path, *, script: str = "server.py", shebang: bool = False) -> tuple[Path, Path, Path]:
    project, data = tmp_path / "project", tmp_path / "data"
    srv, work = project / "srv", project / "work"
    srv.mkdir(parents=True)
    work.mkdir()
    server = srv / script
    server.write_text((f"#!{sys.executable}\n" if shebang else "") + SERVER)
    server.chmod(0o755)
    (srv / "mcphelper.py").write_text(HELPER)
    team = project / "team.yaml"
    command = f"command: ../srv/{script}, args: []" if shebang else f"command: {sys.executable}, args: [../srv/{script}]"
    team.write_text(MCP_TEAM.replace("command: %(python)s, args: [../srv/server.py]", command), encoding="utf-8")
    return team, srv, data


def test_a_server_script_without_py_is_trusted_with_its_imports_too(tmp_path: Path):
    """``command: ./myserver`` with a ``#!python`` line: its helper modules are hashed all the same."""
    team, srv, data = _helped_project(tmp_path, script="myserver", shebang=True)
    assert greeting(cli(data, "run", str(team), "--jsonl", "--trust")) == "hello from the helper"
    (srv / "mcphelper.py").write_text('GREETING = "edited behind your back"\n')
    asked = cli(data, "run", str(team), "--jsonl")
    assert refused(asked) and str(srv / "mcphelper.py") in asked.stderr


def test_a_forged_bytecode_file_beside_a_trusted_helper_never_runs(tmp_path: Path):
    """Python would run a cached ``.pyc`` that only matches the source's size and time; the server
    gets a bytecode folder of the run's own, so the trusted source is what runs."""
    import importlib.util
    from importlib._bootstrap_external import _code_to_timestamp_pyc  # the header Python checks

    team, srv, data = _helped_project(tmp_path)
    helper = srv / "mcphelper.py"
    assert greeting(cli(data, "run", str(team), "--jsonl", "--trust")) == "hello from the helper"
    info = helper.stat()
    forged = compile('GREETING = "forged bytecode ran"\n', str(helper), "exec")
    cache = Path(importlib.util.cache_from_source(str(helper)))
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(bytes(_code_to_timestamp_pyc(forged, int(info.st_mtime), info.st_size)))
    assert greeting(cli(data, "run", str(team), "--jsonl")) == "hello from the helper"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("td-mcp-pycache-*/**/mcphelper*.pyc")), \
        "the run's bytecode folder goes with the run"
