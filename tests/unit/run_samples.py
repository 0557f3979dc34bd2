"""Real runs for the compare and render tests: an example team from teams/, its embedded model
swapped for a scripted one (milliseconds, no model), run to the end, kept as a StoredRun the way
the run store would give it back."""

from __future__ import annotations

from typing import Any

import yaml

from designer.core.run_data import StoredRun
from designer.core.validate import validate_text
from tests.conftest import TEAMS, collect_events


def example_yaml(name: str) -> str:
    return (TEAMS / name).read_text(encoding="utf-8")


def edit_yaml(text: str, edit: Any) -> str:
    """The team text after ``edit(data)`` changed its plain data (keys keep their order)."""
    data = yaml.safe_load(text)
    edit(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def scripted(text: str, responses: list[Any]) -> str:
    """The team with every model entry scripted to give ``responses`` in order."""

    def swap(data: dict[str, Any]) -> None:
        for name, entry in data["models"].items():
            kept = {key: entry[key] for key in ("options", "prices") if key in entry}
            data["models"][name] = {"provider": "scripted", "responses": responses, **kept}

    return edit_yaml(text, swap)


def stored_run(snapshot: str, task: str | None = None, *, run_id: str = "0123456789ab", started_at: float = 1_764_600_000.0,
               cost: float | None = None, currency: str | None = None, origin_of: dict[int, str] | None = None,
               **fields: Any) -> StoredRun:
    """Run the team in ``snapshot`` and keep what it emitted. ``origin_of`` marks the n-th message
    event with an origin ("replayed"), as a replay would."""
    result = validate_text(snapshot)
    assert result.spec is not None, [p.format() for p in result.problems]
    task = task if task is not None else result.spec.task or "the task"
    events = [e.to_dict() for e in collect_events(result.spec, task)]
    for n, index in enumerate(i for i, e in enumerate(events) if e["type"] == "message"):
        if origin_of and n in origin_of:
            events[index]["origin"] = origin_of[n]
    finished = events[-1]
    assert finished["type"] == "finished", finished
    return StoredRun(
        id=run_id, team=result.spec.name, team_path=None, snapshot=snapshot, task=task, started_at=started_at,
        reason=finished["reason"], detail=finished["detail"], messages=finished["messages"],
        prompt_tokens=finished["prompt_tokens"], completion_tokens=finished["completion_tokens"],
        duration=finished["duration"], cost=cost, currency=currency,
        tokens_by_agent=finished["tokens_by_agent"], events=events, **fields,
    )


#: A scripted team whose first agent calls a tool and answers from its result.
TOOL_TEAM = """\
schema: team-designer/v1
name: Tools
task: area please
default_model: s
models:
  s:
    provider: scripted
    responses:
    - tool_calls: [{name: area, arguments: {length: 2, width: 3}}]
    - It is 6.
    - Checked.
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  a: {tools: [area], reflect_on_tool_use: true}
  b: {}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {max_messages: 3}
"""
