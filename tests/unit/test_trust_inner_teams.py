"""Trust counts what an inner team runs as the team's own: its members' tools and code execution
are listed, so an inner team cannot run code nobody was asked about."""

from __future__ import annotations

from pathlib import Path

from designer.core.tool_introspect import ToolLocations
from designer.core.trust import code_manifest, used_tool_ids
from designer.core.yamlio import parse_team

TEAM = """schema: team-designer/v1
name: Inner code
tools:
  py: {builtin: run_python}
agents:
  crew: {kind: team, team: inner, description: Works it out.}
  coder: {tools: [py]}
  runner: {kind: code_executor}
  writer: {}
teams:
  inner:
    orchestration: {pattern: round_robin, participants: [coder, runner]}
    termination: {max_messages: 4}
orchestration: {pattern: sequential, order: [crew, writer]}
"""


def test_an_inner_teams_tools_and_code_executor_are_in_the_trust_manifest(tmp_path: Path):
    spec = parse_team(TEAM).spec
    assert spec is not None
    assert spec.running_agents() == ["crew", "writer", "coder", "runner"]
    assert used_tool_ids(spec) == ["py"]
    items = code_manifest(spec, ToolLocations.for_file(tmp_path / "team.yaml"), tmp_path / "team.yaml")
    local = [item for item in items if item.kind == "python"]
    assert len(local) == 1 and set(local[0].tools) == {"py", "runner"}
