"""Reading AgentChat / AutoGen Studio JSON as data, and finding the teams in it.

A file may hold one team component (AgentChat's ``dump_component()``, AutoGen Studio's
team builder download), a team record of AutoGen Studio's database (``{"component": …}``, the
``/api/teams`` answer ``{"status": …, "data": …}``), a gallery (``{"components": {"teams": […]}}``)
or a gallery record (``{"config": <gallery>}``, what its gallery page downloads). Nothing is
loaded as a component: the JSON stays plain dicts and lists (see the package's note).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypeGuard

from ..safefile import describe_os_error, read_regular_file
from . import InteropError, TeamEntry

#: Larger than any team or gallery (AutoGen Studio's default gallery is 80 kB).
MAX_FILE_BYTES = 8_000_000
#: Deeper than any component tree; a deeper one is a hostile file, not a team.
MAX_DEPTH = 60

#: What AgentChat's team classes (0.7.5) say of themselves: ``dump_component()`` writes the class's
#: docstring as ``description`` (and the class name as ``label``) when nobody described the team.
#: Whitespace-collapsed; tests/unit/test_interop_import.py checks them against AgentChat itself.
TEAM_CLASS_DESCRIPTIONS = {
    "RoundRobinGroupChat": "A team that runs a group chat with participants taking turns in a round-robin fashion to "
                           "publish a message to all.",
    "SelectorGroupChat": "A group chat team that have participants takes turn to publish a message to all, using a "
                         "ChatCompletion model to select the next speaker after each message.",
    "Swarm": "A group chat team that selects the next speaker based on handoff message only.",
    "GraphFlow": "A team that runs a group chat following a Directed Graph execution pattern.",
    "MagenticOneGroupChat": "A team that runs a group chat with participants managed by the MagenticOneOrchestrator.",
}
#: What AgentChat's team configs say of themselves when nobody described them.
TEAM_DEFAULT_DESCRIPTIONS = frozenset({"A team of agents.", "A team of agents"})

ACCEPTED = ("an AgentChat team component (dump_component() JSON), an AutoGen Studio team JSON, "
            "or an AutoGen Studio gallery")


def short_name(provider: object) -> str:
    """'autogen_agentchat.teams.SelectorGroupChat' -> 'SelectorGroupChat' (what reports name)."""
    return str(provider).rsplit(".", 1)[-1] if provider else "component"


def is_component(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("provider"), str) and isinstance(value.get("config", {}), dict)


def is_team(value: object) -> TypeGuard[dict[str, Any]]:
    return is_component(value) and (value.get("component_type") == "team" or ".teams." in str(value.get("provider")))


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a file's odd value reads as unset)."""
    return value if isinstance(value, dict) else {}


def read_component_file(path: str | Path) -> list[TeamEntry]:
    """The teams of a JSON file (one, or a gallery's several). InteropError: not readable, not
    JSON, or not a team file (the message says what it is and what is accepted)."""
    file = Path(path)
    try:
        data = read_regular_file(file, MAX_FILE_BYTES)
    except OSError as exc:
        raise InteropError(f"cannot read {file}: {describe_os_error(exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InteropError(f"{file} is larger than a team file can be ({MAX_FILE_BYTES // 1_000_000} MB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InteropError(f"{file} is not UTF-8 text") from None
    return parse_components(text, file.name)


def parse_components(text: str, name: str = "the file") -> list[TeamEntry]:
    """:func:`read_component_file` for text already read (the window's import dialog)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Position only: the file may hold keys, so the message never quotes it.
        if name.lower().endswith((".yaml", ".yml")):
            raise InteropError(f"{name} is not JSON (a team file is opened or run as it is); import reads {ACCEPTED}") from None
        raise InteropError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):  # a number of thousands of digits; nesting past the parser's stack
        raise InteropError(f"{name} is not valid JSON: a number is far too long or it is nested too deeply") from None
    if _depth(data) > MAX_DEPTH:
        raise InteropError(f"{name} is nested more than {MAX_DEPTH} levels deep; it is not a team file")
    teams = _find_teams(data, file_label(name))
    if teams is None:
        raise InteropError(f"{name} is {_what_it_is(data)}; import reads {ACCEPTED}")
    if not teams:
        raise InteropError(f"{name} is an AutoGen Studio gallery without teams; there is nothing to import")
    return teams


def _depth(value: object) -> int:
    """How deeply ``value`` nests (without recursion, so a deep file cannot overflow the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _entry(component: dict[str, Any], fallback: str) -> TeamEntry:
    """The team's label and description, leaving out what AgentChat writes when nobody named or
    described it (the class's name and docstring, the config's "A team of agents.") — the rule
    the importer follows for agents and inner teams too."""
    config = as_dict(component.get("config"))
    kind = short_name(component.get("provider"))
    default_label = _text(component.get("label")) == kind  # dump_component's label: the class name
    label = "" if default_label else _text(component.get("label"))
    name = _text(config.get("name"))
    label = label or ("" if name == kind else name) or fallback
    description = "" if default_label else _text(component.get("description"))
    if " ".join(description.split()) == TEAM_CLASS_DESCRIPTIONS.get(kind):
        description = ""  # the class's docstring, whatever the label (an exported team without a description)
    if not description:
        description = _text(config.get("description"))
        description = "" if description in TEAM_DEFAULT_DESCRIPTIONS else description
    return TeamEntry(label=label, description=description, component=component)


def file_label(name: str) -> str:
    """A team's label from its file's name, for a file naming it nowhere else:
    'agentchat_round_robin.json' -> 'Agentchat round robin'."""
    stem = " ".join(re.sub(r"[_\-.]+", " ", Path(name).stem).split())
    return stem[:1].upper() + stem[1:] if stem and name != "the file" else "Imported team"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _find_teams(data: object, fallback: str) -> list[TeamEntry] | None:
    """The teams ``data`` holds, None when it is not a file import reads."""
    if isinstance(data, dict) and "data" in data and "status" in data:  # an AutoGen Studio API answer
        data = data["data"]
    if isinstance(data, list):
        found = [_find_teams(item, fallback) for item in data]
        if data and all(f is not None for f in found):
            return [entry for f in found for entry in f or []]
        return None
    if not isinstance(data, dict):
        return None
    if is_team(data):
        return [_entry(data, fallback)]
    if is_team(data.get("component")):  # AutoGen Studio's team record
        return [_entry(data["component"], fallback)]
    gallery = data.get("config") if isinstance(data.get("config"), dict) and "components" in data["config"] else data
    components = gallery.get("components") if isinstance(gallery, dict) else None
    if isinstance(components, dict) and isinstance(components.get("teams", []), list):
        teams = [t for t in components.get("teams", []) if is_team(t)]
        return [_entry(t, f"Team {i + 1}") for i, t in enumerate(teams)]
    return None


def _what_it_is(data: object) -> str:
    """A few words on what a refused file holds, without quoting it."""
    entries = data if isinstance(data, list) else [data]
    if entries and all(isinstance(e, dict) and "model" in e and "provider" not in e for e in entries):
        return ("an OAI_CONFIG_LIST (model entries), not a team; add its models to a team file with "
                "'team-designer models import FILE TEAM.yaml'")
    if is_component(data):
        kind = data.get("component_type") or "component"
        return f"a single {kind} ({short_name(data.get('provider'))}), not a team"
    if isinstance(data, dict):
        return "a JSON object that is not an AgentChat component"
    if isinstance(data, list):
        return "a JSON list that is not a list of teams"
    return "a single JSON value, not a component"
