"""Bad input, driven through the command line: one ``FILE:LINE:COL: message`` line, exit 2.

Never a traceback, a hang or a memory blow-up. Each case starts from a team file that
validates and runs (checked first, so a refusal is about the bad part, not a typo), then
spoils one thing: a number with thousands of digits, a NUL character in a path, a few
thousand agents, a format spec in the task, an id with a trailing newline.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOOD = """\
schema: team-designer/v1
name: Good
task: Write about {topic}
inputs:
  topic: {default: tides}
default_model: s
models:
  s: {provider: scripted, responses: ["one", "two DONE"], options: {seed: 7}}
tools:
  files: {builtin: read_text_file}
agents:
  a: {description: writer}
  b: {description: editor}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {text: DONE, max_messages: 6}
layout:
  nodes: {a: {x: 1, y: 2}}
"""

#: One located problem line: FILE:LINE:COL: error: message.
LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


def cli(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused_once(done: subprocess.CompletedProcess[str], path: Path, words: str) -> re.Match[str]:
    """Exit 2, nothing on stdout, exactly one located line on stderr that says ``words``."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    match = LOCATED.match(lines[0])
    assert match and match["file"] == str(path), lines[0]
    assert words in match["message"], lines[0]
    return match


def spoil(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def test_the_good_file_validates_and_runs(tmp_path: Path):
    path = write(tmp_path, GOOD)
    assert cli(tmp_path, "validate", str(path)).returncode == 0
    done = cli(tmp_path, "run", str(path))
    assert done.returncode == 0, done.stderr
    assert "two DONE" in done.stdout


HUGE = "9" * 5000

HUGE_NUMBERS = {
    "a model option": ("{seed: 7}", f"{{seed: {HUGE}}}", (8, 75)),
    "a layout position": ("{x: 1, y: 2}", f"{{x: -{HUGE}, y: 2}}", (17, 18)),
    "a bound": ("max_messages: 6", f"max_messages: {HUGE}", (15, 41)),
    # An explicit key ('?'): YAML refuses implicit keys longer than 1024 characters by itself.
    "a mapping key": ("  topic: {default: tides}", f"  ? {HUGE}\n  : {{default: tides}}", (5, 5)),
    "a list item": ('responses: ["one", "two DONE"]', f'responses: ["one", {HUGE}]', (8, 46)),
    "a hexadecimal number": ("{seed: 7}", "{seed: 0x" + "f" * 4000 + "}", (8, 75)),
    "a sexagesimal number": ("{seed: 7}", "{seed: 1" + ":00" * 30 + "}", (8, 75)),
}


@pytest.mark.parametrize("name", sorted(HUGE_NUMBERS))
def test_a_number_with_thousands_of_digits_is_one_located_line(tmp_path: Path, name: str):
    old, new, (line, col) = HUGE_NUMBERS[name]
    path = write(tmp_path, spoil(old, new))
    match = refused_once(cli(tmp_path, "validate", str(path)), path, "the number is too large")
    assert (int(match["line"]), int(match["col"])) == (line, col)


def test_run_refuses_a_huge_number_the_same_way(tmp_path: Path):
    path = write(tmp_path, spoil("{seed: 7}", f"{{seed: {HUGE}}}"))
    refused_once(cli(tmp_path, "run", str(path)), path, "the number is too large")


def test_models_import_refuses_a_huge_number_in_the_config(tmp_path: Path):
    path = write(tmp_path, GOOD)
    config = write(tmp_path, f'[{{"model": "gpt-4o-mini", "max_tokens": {HUGE}}}]', "OAI_CONFIG_LIST")
    done = cli(tmp_path, "models", "import", str(config), str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"{config}: error: not valid JSON: a number is far too long"]
    assert path.read_text() == GOOD


MCP = 'tools:\n  files: {builtin: read_text_file}\n  srv: {mcp: {command: "python3", args: [server.py], cwd: "."}}\n'
NUL_FIELDS = {
    "the MCP cwd": ('cwd: "."', 'cwd: "sub\\0dir"', "tools.srv.mcp.cwd"),
    "the MCP command": ('command: "python3"', 'command: "python3\\0-evil"', "tools.srv.mcp.command"),
    "an MCP argument": ("args: [server.py]", 'args: ["server\\0.py"]', "tools.srv.mcp.args[0]"),
    "an environment value": ('cwd: "."', 'cwd: ".", env: {HOME: "/tmp\\0x"}', "tools.srv.mcp.env.HOME"),
}


@pytest.mark.parametrize("name", sorted(NUL_FIELDS))
def test_a_nul_character_in_a_path_field_is_one_located_line(tmp_path: Path, name: str):
    base = spoil("tools:\n  files: {builtin: read_text_file}\n", MCP)
    old, new, dotted = NUL_FIELDS[name]
    path = write(tmp_path, base.replace(old, new))
    for command in ("validate", "run"):
        match = refused_once(cli(tmp_path, command, str(path)), path, "NUL character")
        assert match["message"].endswith(f"[{dotted}] (hint: remove the NUL character)")


def agents_file(count: int, pattern: str) -> str:
    agents = "".join(f"  a{i}: {{}}\n" for i in range(count))
    if pattern == "sequential":
        orchestration = "{pattern: sequential, order: [" + ", ".join(f"a{i}" for i in range(count)) + "]}"
    else:  # a chain: the deepest graph there is
        edges = ", ".join(f"{{from: a{i}, to: a{i + 1}}}" for i in range(count - 1))
        orchestration = "{pattern: graph, entry: a0, edges: [" + edges + "]}"
    return ("schema: team-designer/v1\nname: Many\ntask: go\ndefault_model: s\n"
            "models:\n  s: {provider: scripted, responses: [one, two, three]}\n"
            f"agents:\n{agents}orchestration: {orchestration}\ntermination: {{max_messages: 3}}\n")


@pytest.mark.parametrize("pattern", ["sequential", "graph"])
def test_a_few_thousand_agents_are_refused_by_a_clear_limit(tmp_path: Path, pattern: str):
    path = write(tmp_path, agents_file(3000, pattern))
    for command in ("validate", "run"):
        match = refused_once(cli(tmp_path, command, str(path)), path, "a team can have at most 500")
        assert (match["line"], match["col"]) == ("8", "3")


@pytest.mark.parametrize("pattern", ["sequential", "graph"])
def test_the_largest_team_allowed_validates_and_runs(tmp_path: Path, pattern: str):
    """The limit is where AgentChat's own recursive graph check still works, with room to spare."""
    path = write(tmp_path, agents_file(500, pattern))
    done = cli(tmp_path, "run", str(path), "--jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert '"reason": "termination", "detail": "the limit of 3 messages was reached' in done.stdout.splitlines()[-1]


def test_a_long_loop_without_an_exit_is_found_without_recursion(tmp_path: Path):
    """Cycle checking walks an explicit stack: a 3000-node loop is a problem, not a RecursionError."""
    text = agents_file(3000, "graph").replace("}]}", "}, {from: a2999, to: a0}]}")
    done = cli(tmp_path, "validate", str(write(tmp_path, text)))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    loop = [line for line in done.stderr.splitlines() if "has no exit condition" in line]
    assert len(loop) == 1 and "a0 -> a1 -> a2 -> a3 -> … (2993 more) -> a2997 -> a2998 -> a2999 -> a0" in loop[0]


FORMATS = ["{topic:>300000000}", "{topic!r}", "{topic!s:^99999999}", "{topic:{topic}}"]


@pytest.mark.parametrize("placeholder", FORMATS)
def test_a_task_placeholder_with_a_format_is_refused(tmp_path: Path, placeholder: str):
    path = write(tmp_path, spoil("task: Write about {topic}", f"task: 'Write about {placeholder}'"))
    for command in ("validate", "run"):
        match = refused_once(cli(tmp_path, command, str(path)), path, "has a format: write {topic} only")
        assert (match["line"], match["col"]) == ("3", "7")


@pytest.mark.parametrize("placeholder", FORMATS)
def test_a_task_given_on_the_command_line_is_held_to_the_same_rule(tmp_path: Path, placeholder: str):
    path = write(tmp_path, GOOD)
    done = cli(tmp_path, "run", str(path), "--task", f"About {placeholder}")
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: placeholder {placeholder} has a format: write {{topic}} only"]


NEWLINE_IDS = {
    "an agent id": ('  a: {description: writer}', '  "a\\n": {description: writer}', "is not a valid id"),
    "a model id": ('  s: {provider', '  "s\\n": {provider', "is not a valid id"),
    "a tool id": ("  files: {builtin", '  "files\\n": {builtin', "is not a valid id"),
    "an input name": ("  topic: {default", '  "topic\\n": {default', "is not a valid id"),
    "a function reference": ("files: {builtin: read_text_file}", 'files: {function: "mod:func\\n"}',
                             "a tool function is written 'package.module:function'"),
    "an api key reference": ("options: {seed: 7}", ('options: {seed: 7}}\n  o: {provider: openai, model: m, '
                                                    'api_key: "env:KEY\\n"'), "api_key must be a reference"),
}


@pytest.mark.parametrize("name", sorted(NEWLINE_IDS))
def test_an_id_with_a_trailing_newline_is_refused_as_the_run_would(tmp_path: Path, name: str):
    old, new, words = NEWLINE_IDS[name]
    path = write(tmp_path, spoil(old, new))
    for command in ("validate", "run"):
        refused_once(cli(tmp_path, command, str(path)), path, words)
