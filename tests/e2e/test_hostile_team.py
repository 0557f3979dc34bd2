"""A hostile team file reaches for code through every field; opening it must run nothing.

Its tool module, MCP servers and scripted Python each leave a marker file when they run.
Loading, validating (API and CLI), the window opening it, a screenshot without a run, and
every attempt to run it without trust must leave no marker. Fields that could smuggle
code in (YAML tags, provider names, URLs, key references, ids with dots or slashes, task
and selector prompt placeholders, inline code) are refused by the format or the validator.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from designer.core.validate import validate_file, validate_text
from designer.core.yamlio import load_team
from tests.conftest import ROOT

HOSTILE = """\
schema: team-designer/v1
name: "Totally harmless {0.__class__}"
description: "{__import__('os').system('touch MARKS/description')}"
task: "Summarise {topic}"
inputs:
  topic: {default: "{0.__globals__} $(touch MARKS/input)"}
default_model: s
models:
  s:
    provider: scripted
    responses:
      - tool_calls:
          - {name: evil, arguments: {command: "touch MARKS/called"}}
          - {name: py, arguments: {code: "open('MARKS/python', 'w').write('ran')"}}
      - done
  remote: {provider: openai_compatible, model: "{__import__('os')}", base_url: "http://127.0.0.1:9/v1",
           api_key: "env:HOME", model_info: {function_calling: true}}
tools:
  evil: {function: "evil:run", description: "{0.__class__.__mro__}"}
  shell: {mcp: {command: sh, args: [-c, "touch MARKS/shell"]}}
  server: {mcp: {command: PYTHON, args: [evil_server.py]}}
  py: {builtin: run_python}
agents:
  a: {tools: [evil, shell, server, py], description: "{0.__init__.__globals__}", system_message: "{history.__class__}"}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: done, max_messages: 5}
layout:
  nodes: {a: {x: 1, y: 2}}
"""


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """(team file, marker folder): every piece of code in it writes into the marker folder."""
    marks = tmp_path / "marks"
    marks.mkdir()
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "evil.py").write_text(textwrap.dedent(f"""\
        import os
        open({str(marks / 'imported')!r}, 'w').write('imported')

        def run(command: str) -> str:
            \"\"\"Runs anything.\"\"\"
            return str(os.system(command))
    """))
    (tmp_path / "evil_server.py").write_text(f"open({str(marks / 'server')!r}, 'w').write('started')\n")
    path = tmp_path / "team.yaml"
    path.write_text(HOSTILE.replace("MARKS", str(marks)).replace("PYTHON", sys.executable))
    return path, marks


def assert_nothing_ran(marks: Path) -> None:
    assert sorted(p.name for p in marks.iterdir()) == [], "code from the team file ran"
    assert "evil" not in sys.modules


def cli(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def test_loading_and_validating_run_nothing(hostile: tuple[Path, Path]):
    path, marks = hostile
    assert load_team(path).spec is not None
    result = validate_file(path)
    assert result.spec is not None
    assert not [p for p in result.problems if p.is_error], [p.format() for p in result.problems]
    assert_nothing_ran(marks)


def test_the_command_line_validates_but_never_runs_it_without_trust(hostile: tuple[Path, Path], tmp_path: Path):
    path, marks = hostile
    assert cli(tmp_path, "validate", str(path)).returncode == 0
    refused = cli(tmp_path, "run", str(path), "--jsonl")
    assert refused.returncode == 2 and refused.stdout == ""
    for expected in ("tools/evil.py  sha256:", "sh -c \"touch ", "evil_server.py", "executed on this computer"):
        assert expected in refused.stderr
    assert "Traceback" not in refused.stderr
    assert_nothing_ran(marks)


def test_a_screenshot_opens_it_without_running_anything(hostile: tuple[Path, Path], tmp_path: Path):
    path, marks = hostile
    shot = cli(tmp_path, "screenshot", str(path), str(tmp_path / "shot.png"), "--size", "900x600")
    assert shot.returncode == 0, shot.stderr
    refused = cli(tmp_path, "screenshot", str(path), str(tmp_path / "run.png"), "--run", "go", "--size", "900x600")
    assert refused.returncode == 2 and "not trusted" in refused.stderr
    assert_nothing_ran(marks)


def test_the_window_opens_it_shows_its_tools_and_asks_before_running(hostile: tuple[Path, Path], make_main_window, qtbot):
    path, marks = hostile
    w = make_main_window(path)
    w.controller.select_agents(["a"])
    tooltip = w.agent_panel.tools_list.item_for("evil").toolTip()
    assert "command: string" in tooltip and "evil.py" in tooltip  # read from source, not imported
    dialog = w.tools_menu.make_try_dialog("evil")
    assert dialog.field("command") is not None
    dialog.deleteLater()
    asked: list[list[str]] = []
    w.preparation.ask = lambda items: asked.append([i.kind for i in items]) or False
    assert w.start_run("go") is False and not w.runs.running
    assert asked == [["module", "mcp", "mcp", "python"]]
    assert_nothing_ran(marks)


def test_the_engine_refuses_it_without_trust(hostile: tuple[Path, Path]):
    from designer.runtime.runner import TeamRun

    path, marks = hostile
    spec = validate_file(path).spec

    async def go() -> list:
        return [e async for e in TeamRun(spec, "go", team_file=path).events()]

    events = asyncio.run(go())
    assert [e.type for e in events] == ["started", "error", "finished"]
    assert events[1].kind == "trust" and events[-1].reason == "error"
    assert_nothing_ran(marks)


HOSTILE_FIELDS = {
    "a YAML tag that calls a function": ("description: x", "description: !!python/object/apply:os.system ['touch M']"),
    "a YAML tag that names a function": ("description: x", "description: !!python/name:os.system"),
    "a provider that names code": ("provider: scripted", "provider: os.system"),
    "a file URL as base_url": ("base_url: 'http://127.0.0.1:9/v1'", "base_url: 'file:///etc/passwd'"),
    "a shell command as API key": ("api_key: 'env:HOME'", "api_key: '$(touch M)'"),
    "a literal API key": ("api_key: 'env:HOME'", "api_key: 'sk-live-1234567890'"),
    "an agent id with a dot": ("  a: {tools", "  a.b: {tools"),
    "an agent id with slashes": ("  a: {tools", "  '../../a': {tools"),
    "a tool id with a dot": ("  evil: {function", "  'os.path': {function"),
    "a file path as function": ('function: "evil:run"', 'function: "/tmp/evil.py:run"'),
    "statements in a function reference": ('function: "evil:run"', 'function: "evil:run; import os"'),
    "inline code in a tool": ('description: "tool"', 'code: "import os"'),
    "attribute access in the task": ("task: 'Summarise {topic}'", "task: 'Summarise {topic.__class__}'"),
    "an index in the task": ("task: 'Summarise {topic}'", "task: 'Summarise {0}'"),
    "a selector prompt reading globals": ("selector_prompt: '{roles}'", "selector_prompt: '{roles.__class__.__init__.__globals__}'"),
    "a selector prompt with an unknown field": ("selector_prompt: '{roles}'", "selector_prompt: '{os}'"),
    "a layout entry with code": ("nodes: {a: {x: 1, y: 2}}", "nodes: {a: {x: '__import__(\"os\")', y: 2}}"),
}

BASE = """\
schema: team-designer/v1
name: t
description: x
task: 'Summarise {topic}'
inputs:
  topic: {default: water}
default_model: s
models:
  s: {provider: scripted, responses: [done]}
  remote: {provider: openai_compatible, model: m, base_url: 'http://127.0.0.1:9/v1', api_key: 'env:HOME'}
tools:
  evil: {function: "evil:run", description: "tool"}
agents:
  a: {tools: [], description: writer}
  b: {description: editor}
orchestration: {pattern: selector, participants: [a, b], selector_prompt: '{roles}'}
layout:
  nodes: {a: {x: 1, y: 2}}
"""


def test_the_base_of_the_field_variants_is_valid():
    result = validate_text(BASE)
    assert result.spec is not None and not [p for p in result.problems if p.is_error]


@pytest.mark.parametrize("name", sorted(HOSTILE_FIELDS))
def test_fields_that_could_smuggle_code_are_refused(name: str, tmp_path: Path):
    old, new = HOSTILE_FIELDS[name]
    assert BASE.count(old) == 1, name
    marker = tmp_path / "M"
    result = validate_text(BASE.replace(old, new.replace("touch M", f"touch {marker}")))
    errors = [p for p in result.problems if p.is_error]
    assert errors, f"{name}: accepted"
    assert all("Traceback" not in p.message for p in errors)
    assert not marker.exists()
