"""The tool library: what a team can add (built-ins, functions read from source), and its edits.

Functions are found by parsing the tool folders' files, never by importing them: a module
that would do something on import is listed and nothing runs. Each edit is one pure
function (one undo step in the window); removing a tool removes every agent's use of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.core import tool_edits
from designer.core.errors import EditError
from designer.core.spec import ToolSpec
from designer.core.tool_introspect import ToolLocations
from designer.core.tool_library import builtin_entries, scan_functions, tool_for_key
from designer.core.validate import validate_spec

LOUD = '''\
"""Importing this module leaves a marker and then fails: listing must do neither."""
from pathlib import Path

Path(__file__).with_name("IMPORTED").write_text("the module was imported")
raise RuntimeError("imported!")


def forecast(city: str, days: int = 3) -> str:
    """Weather forecast for a city.

    Args:
        city: The city name.
    """
    return "sunny"


async def alerts(region: str) -> list[str]:
    """Weather alerts."""
    return []


def _helper() -> None:
    pass
'''

TEAM = """\
schema: team-designer/v1
name: Lib
tools:
  calc: {builtin: calculator}
  web: {builtin: http_get, options: {allow_hosts: [example.com]}}
agents:
  a: {tools: [calc, web]}
  b: {tools: [web]}
  person: {kind: user_proxy}
orchestration: {pattern: round_robin, participants: [a, b, person]}
"""


@pytest.fixture
def folders(tmp_path: Path) -> ToolLocations:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "weather.py").write_text(LOUD)
    (tools / "broken.py").write_text("def oops(:\n    pass\n")
    (tools / "json.py").write_text("def dumps(x): return x\n")
    (tools / "my-tool.py").write_text("def f(): pass\n")
    (tools / "pkg").mkdir()
    (tools / "pkg" / "__init__.py").write_text("")
    (tools / "pkg" / "maths.py").write_text('def double(x: float) -> float:\n    """Twice x."""\n    return 2 * x\n')
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "texts.py").write_text('def shout(text: str) -> str:\n    """In capitals."""\n    return text.upper()\n')
    (extra / "weather.py").write_text("def other(): pass\n")  # hidden by tools/weather.py
    return ToolLocations.for_file(tmp_path / "team.yaml", [extra])


def test_functions_are_found_by_parsing_never_importing(folders: ToolLocations, tmp_path: Path):
    scan = scan_functions(folders)
    by_ref = {e.ref: e for e in scan.entries}
    assert set(by_ref) == {"weather:forecast", "weather:alerts", "pkg.maths:double", "texts:shout"}
    assert not (tmp_path / "tools" / "IMPORTED").exists(), "the module was imported"
    forecast = by_ref["weather:forecast"]
    assert forecast.key == "function:weather:forecast" and forecast.name == "forecast"
    assert forecast.signature == "(city: str, days: int=3) -> str"
    assert forecast.description == "Weather forecast for a city."
    assert forecast.parameters is not None and forecast.parameters["required"] == ["city"]
    assert forecast.where == f"{(tmp_path / 'tools' / 'weather.py').resolve()}:8"
    assert by_ref["weather:alerts"].is_async and by_ref["texts:shout"].where.startswith(str((tmp_path / "extra").resolve()))


def test_files_that_list_no_tool_say_why(folders: ToolLocations):
    problems = {p.path.name: p.message for p in scan_functions(folders).problems}
    assert problems["broken.py"] == "broken.py line 1: invalid syntax"
    assert "one of Python's own modules" in problems["json.py"]
    assert "not importable" in problems["my-tool.py"]
    assert "hidden by another module named 'weather'" in problems["weather.py"]


def test_no_folder_lists_nothing_and_does_not_fail(tmp_path: Path):
    assert scan_functions(ToolLocations.for_file(None)).entries == ()
    assert scan_functions(ToolLocations.for_file(tmp_path / "team.yaml")).problems == ()  # no tools/ yet


def test_every_builtin_is_listed_with_its_options_and_defaults():
    entries = {e.name: e for e in builtin_entries()}
    assert {"calculator", "http_get", "read_text_file", "run_python"} <= set(entries)
    http = entries["http_get"]
    assert http.signature == "url: str" and http.parameters is not None and http.parameters["required"] == ["url"]
    options = {o.name: o for o in http.options}
    assert options["allow_hosts"].kind == "hosts" and "none" in options["allow_hosts"].default
    assert options["max_bytes"].default == "1000000"
    assert {o.name: o.choices for o in entries["run_python"].options}["executor"] == ("local", "docker")


def test_adding_gives_unique_ids_and_a_valid_team(make_spec):
    spec = make_spec(TEAM)
    spec, first = tool_edits.add_from_key(spec, "builtin:calculator")
    spec, second = tool_edits.add_from_key(spec, "builtin:calculator")
    spec, fn = tool_edits.add_from_key(spec, "function:weather:forecast")
    assert (first, second, fn) == ("calculator", "calculator_2", "forecast")
    assert spec.tools["forecast"] == ToolSpec(function="weather:forecast")
    with pytest.raises(EditError, match="already exists"):
        tool_edits.add_tool(spec, ToolSpec(builtin="calculator"), "calc")
    with pytest.raises(EditError, match="not a tool of the library"):
        tool_for_key("builtin:no_such_tool")
    assert not [p for p in validate_spec(spec) if p.is_error]


def test_an_mcp_server_by_command_keeps_secrets_out_of_the_file(make_spec):
    spec = make_spec(TEAM)
    spec, tool_id = tool_edits.add_mcp_server(spec, "npx", ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
                                              env={"API_TOKEN": "env:MY_TOKEN", "LOG": "debug"}, cwd="")
    assert tool_id == "server_filesystem"
    server = spec.tools[tool_id].mcp
    assert server is not None and server.args[-1] == "/tmp" and server.env == {"API_TOKEN": "env:MY_TOKEN", "LOG": "debug"}
    assert server.cwd is None
    with pytest.raises(EditError, match="API_KEY looks like a secret"):
        tool_edits.add_mcp_server(spec, "uvx", ["server"], env={"API_KEY": "sk-123"})
    with pytest.raises(EditError, match="enter the command"):
        tool_edits.add_mcp_server(spec, "  ")


def test_options_are_validated_with_clear_messages(make_spec):
    spec = make_spec(TEAM)
    problems = tool_edits.settings_problems(spec, "web", {"allow_hosts": "example.com, not a host!", "max_bytes": "lots",
                                                          "timeout": "0"})
    assert problems == {
        "allow_hosts": "'host!' is not a host name: write names like example.com, *.wikipedia.org or 127.0.0.1",
        "max_bytes": "max_bytes must be a whole number of bytes, e.g. 1000000",
        "timeout": "the time limit is more than 0 and at most 3600 seconds",
    }
    with pytest.raises(EditError, match="is not a host name"):
        tool_edits.set_tool_settings(spec, "web", {"allow_hosts": "bad/host"})
    changed = tool_edits.set_tool_settings(spec, "web", {"allow_hosts": "example.com *.wikipedia.org", "max_bytes": "",
                                                         "timeout": "12.5", "description": "Fetch pages"})
    web = changed.tools["web"]
    assert web.options == {"allow_hosts": ["example.com", "*.wikipedia.org"]}
    assert (web.timeout, web.description) == (12.5, "Fetch pages")
    assert tool_edits.set_tool_settings(changed, "web", {"allow_hosts": ""}).tools["web"].options == {}
    with pytest.raises(EditError, match="max_bytes must be a whole number from 1"):
        tool_edits.set_tool_options(spec, "web", {"max_bytes": 0})
    with pytest.raises(EditError, match="only built-ins have options"):
        tool_edits.set_tool_options(tool_edits.add_from_key(spec, "function:m:f").spec, "f", {"x": 1})


def test_wiring_an_agent_and_dropping_an_entry_on_it(make_spec):
    spec = make_spec(TEAM)
    spec = tool_edits.wire_tool(spec, "b", "calc")
    assert spec.agents["b"].tools == ["web", "calc"]
    assert tool_edits.wire_tool(spec, "b", "calc", False).agents["b"].tools == ["web"]
    with pytest.raises(EditError, match="only assistants call tools"):
        tool_edits.wire_tool(spec, "person", "calc")
    # Dropping a built-in the team has already reuses its entry; a new one is added and wired.
    same, tool_id = tool_edits.add_and_wire(spec, "builtin:http_get", "b")
    assert tool_id == "web" and same == spec
    spec, tool_id = tool_edits.add_and_wire(spec, "builtin:current_datetime", "a")
    assert tool_id == "current_datetime" and spec.agents["a"].tools == ["calc", "web", "current_datetime"]


def test_removing_a_tool_removes_every_use_of_it_in_one_edit(make_spec):
    spec = make_spec(TEAM)
    after, users = tool_edits.remove_tool(spec, "web")
    assert users == ["a", "b"]
    assert "web" not in after.tools and after.agents["a"].tools == ["calc"] and after.agents["b"].tools == []
    assert spec.tools["web"].options == {"allow_hosts": ["example.com"]}, "the edit changed its input"
    assert not [p for p in validate_spec(after) if p.is_error]
    with pytest.raises(EditError, match="there is no tool 'nope'"):
        tool_edits.remove_tool(spec, "nope")
