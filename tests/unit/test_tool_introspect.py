"""User tools described from their source: name, description and parameter schema, never imported.

Validation finds ``module:function`` in tools/ beside the team file or in extra folders,
and says what is wrong (and what exists) when it cannot.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from designer.core.tool_catalog import describe_tool, schema_text
from designer.core.tool_introspect import (
    IntrospectionError,
    ToolLocations,
    introspect_function,
    local_dependencies,
)
from designer.core.spec import ToolSpec
from designer.core.validate import validate_file

WEATHER = '''\
"""Weather tools for the tests. Importing this module leaves a marker: nothing may import it."""
from pathlib import Path
from typing import Annotated, Literal, Optional

import helpers
from pkg import sub

Path(__file__).with_name("IMPORTED").write_text("the module was imported")


def get_weather(city: str, days: int = 3, unit: Literal["c", "f"] = "c", detailed: bool = False,
                note: Optional[str] = None, tags: list[str] = []) -> str:
    """Current weather for a city.

    Args:
        city: The city name,
            e.g. Paris.
        days (int): How many days to forecast.
    """
    return "sunny"


async def forecast(place: Annotated[str, "where"], *, hours: "float" = 1.5) -> str:
    """Forecast for a place.

    :param place: ignored, Annotated wins
    :param hours: how many hours ahead
    """
    return "rain"


def numpy_style(x, y=2.5):
    """Numpy docstring.

    Parameters
    ----------
    x : int
        The first value.
    y : float
        The second.
    """


def _private() -> None:
    pass
'''


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    folder = tmp_path / "tools"
    (folder / "pkg").mkdir(parents=True)
    (folder / "weather.py").write_text(WEATHER)
    (folder / "helpers.py").write_text("X = 1\n")
    (folder / "pkg" / "__init__.py").write_text("")
    (folder / "pkg" / "sub.py").write_text("from . import deep\n")
    (folder / "pkg" / "deep.py").write_text("")
    return folder


def test_signature_hints_and_docstring_become_a_schema_without_importing(tools: Path):
    locations = ToolLocations.for_file(tools.parent / "team.yaml")
    info = introspect_function("weather:get_weather", locations)
    assert info.name == "get_weather" and info.description == "Current weather for a city."
    assert info.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city name, e.g. Paris."},
            "days": {"type": "integer", "description": "How many days to forecast.", "default": 3},
            "unit": {"type": "string", "enum": ["c", "f"], "default": "c"},
            "detailed": {"type": "boolean", "default": False},
            "note": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []},
        },
        "required": ["city"],
    }
    forecast = introspect_function("weather:forecast", locations)
    assert forecast.is_async and forecast.parameters["properties"] == {
        "place": {"type": "string", "description": "where"},
        "hours": {"type": "number", "description": "how many hours ahead", "default": 1.5},
    }
    numpy_style = introspect_function("weather:numpy_style", locations)
    assert numpy_style.parameters["properties"]["x"] == {"description": "The first value."}
    assert numpy_style.parameters["required"] == ["x"]
    assert not (tools / "IMPORTED").exists() and "weather" not in sys.modules


def test_the_catalog_describes_every_kind_of_tool(tools: Path):
    locations = ToolLocations.for_file(tools.parent / "team.yaml")
    function = describe_tool("w", ToolSpec(function="weather:get_weather"), locations)
    assert schema_text(function.parameters) == (
        "city: string, days?: integer, unit?: 'c' | 'f', detailed?: boolean, note?: string, tags?: array"
    )
    assert function.where.endswith("weather.py:11") and not function.problem
    builtin = describe_tool("c", ToolSpec(builtin="current_datetime"))
    assert builtin.parameters == {"type": "object", "properties": {"timezone": {
        "type": "string", "default": "",
        "description": "An IANA timezone name such as 'Europe/Paris' or 'America/New_York'. Empty: this computer's local time."}},
        "required": []}
    mcp = describe_tool("m", ToolSpec(mcp={"command": "npx", "args": ["server"], "tools": ["a"]}))
    assert mcp.parameters is None and "npx server" in mcp.description and "(only: a)" in mcp.description
    missing = describe_tool("x", ToolSpec(function="nowhere:f"), locations)
    assert missing.problem.startswith("no module 'nowhere' in the tool folders")


def test_extra_folders_come_after_the_team_files_own(tools: Path, tmp_path: Path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "weather.py").write_text("def get_weather(city: str) -> str:\n    return 'other'\n")
    (extra / "only_here.py").write_text("def f(n: int) -> int:\n    return n\n")
    locations = ToolLocations.for_file(tools.parent / "team.yaml", [extra])
    assert introspect_function("weather:get_weather", locations).module.path == tools / "weather.py"
    assert introspect_function("only_here:f", locations).module.folder == extra


@pytest.mark.parametrize("ref, message, hint", [
    ("weather:nope", "module 'weather' (weather.py) has no function 'nope'", "functions defined there: forecast, get_weather, numpy_style"),
    ("weather:_private", "module 'weather' (weather.py) has no function '_private'", "functions defined there"),
    ("nomod:f", "no module 'nomod' in the tool folders", "modules there: helpers, weather, pkg"),
    ("os:system", "module 'os' is one of Python's own modules, not a tool module", "rename tools/os.py"),
    ("subprocess:run", "module 'subprocess' is one of Python's own modules", ""),
])
def test_unknown_references_say_what_exists(tools: Path, ref: str, message: str, hint: str):
    with pytest.raises(IntrospectionError) as caught:
        introspect_function(ref, ToolLocations.for_file(tools.parent / "team.yaml"))
    assert caught.value.message.startswith(message) and hint in caught.value.hint


def test_a_syntax_error_is_reported_with_its_line(tools: Path):
    (tools / "broken.py").write_text("def f(:\n    pass\n")
    with pytest.raises(IntrospectionError, match=r"broken.py line 1: "):
        introspect_function("broken:f", ToolLocations.for_file(tools.parent / "team.yaml"))


def test_local_dependencies_are_found_from_imports(tools: Path):
    info = introspect_function("weather:get_weather", ToolLocations.for_file(tools.parent / "team.yaml"))
    names = [p.relative_to(tools).as_posix() for p in local_dependencies(info.module)]
    assert names == ["weather.py", "helpers.py", "pkg/__init__.py", "pkg/sub.py", "pkg/deep.py"]


def test_validation_locates_bad_references_and_imports_nothing(tools: Path):
    team = tools.parent / "team.yaml"
    team.write_text(textwrap.dedent("""\
        schema: team-designer/v1
        name: refs
        tools:
          weather: {function: "weather:get_weather"}
          gone: {function: "weather:gone"}
          spare: {function: "nowhere:f"}
          opts: {function: "weather:forecast", options: {x: 1}}
          web: {builtin: http_get, options: {allow_hosts: "example.com", retries: 3}}
        agents:
          a: {tools: [weather, gone, opts, web]}
        orchestration: {pattern: round_robin, participants: [a]}
    """))
    result = validate_file(team)
    found = {(p.path, p.severity): p for p in result.problems}
    gone = found[(("tools", "gone", "function"), "error")]
    assert gone.line == 5 and gone.hint == "functions defined there: forecast, get_weather, numpy_style"
    assert (("tools", "spare", "function"), "warning") in found  # not used by any agent: the run does not need it
    assert (("tools", "opts", "options"), "error") in found
    assert found[(("tools", "web", "options", "allow_hosts"), "error")].message == "allow_hosts must be a list of host names"
    assert found[(("tools", "web", "options", "retries"), "error")].hint == "its options: allow_hosts, max_bytes"
    assert not any(p.path[:2] == ("tools", "weather") for p in result.problems)
    assert not (tools / "IMPORTED").exists() and "weather" not in sys.modules


def test_a_pathological_tool_module_is_a_problem_not_a_crash(tmp_path):
    from designer.core.tool_introspect import IntrospectionError, parse_source

    deep = tmp_path / "deep.py"
    deep.write_text("def f(x: int) -> int:\n    return " + "-" * 200_000 + "1\n")
    with pytest.raises(IntrospectionError):
        parse_source(deep)
