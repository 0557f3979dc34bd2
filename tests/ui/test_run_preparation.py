"""Run preparation: the trust question and the workspace choice, shared by the window's runs
and the Tools menu's try-it dialog, handed what it needs (no window involved)."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from designer.core.tool_introspect import ToolLocations
from designer.core.trust import TrustStore
from designer.core.yamlio import parse_team
from designer.ui.run.preparation import RunPreparation, workspace_for_run

TEAM = """
schema: team-designer/v1
name: My team!
tools:
  greet: {function: 'greeter:greet'}
agents:
  a: {tools: [greet]}
orchestration: {pattern: round_robin, participants: [a]}
"""


def setup(tmp_path: Path) -> tuple[Any, ToolLocations, Path]:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "greeter.py").write_text("def greet(who: str) -> str:\n    return who\n")
    spec = parse_team(textwrap.dedent(TEAM)).spec
    assert spec is not None
    team_file = tmp_path / "team.yaml"
    return spec, ToolLocations.for_file(team_file), team_file


def test_a_kept_workspace_is_a_new_folder_named_after_the_team_and_the_time():
    at = datetime(2025, 1, 2, 3, 4, 5, 6)
    assert workspace_for_run("/keep", "My team!", at) == Path("/keep/My-team-20250102-030405-000006")
    assert workspace_for_run("  ", "My team!") is None  # no setting: a temporary folder per run
    assert workspace_for_run("/keep", "???", at).name.startswith("team-")


def test_run_options_ask_about_untrusted_code_once_and_name_the_folder_they_use(tmp_path: Path):
    """No: no options (nothing may start). Yes: remembered, so the next run asks nothing; the
    workspace the question named is the one in the options."""
    spec, locations, team_file = setup(tmp_path)
    asked: list[list[str]] = []
    answers = [False, True]

    def ask(items: Any) -> bool:
        asked.append([item.kind for item in items])
        return answers.pop(0)

    store = TrustStore(tmp_path / "trust.json")
    prep = RunPreparation(store, ask, workspace_base=lambda: str(tmp_path / "keep"))
    assert prep.run_options(spec, locations, team_file) is None
    options = prep.run_options(spec, locations, team_file)
    assert options is not None and asked == [["module"], ["module"]]
    assert options["trust"] is store and options["team_file"] == team_file
    assert options["workspace"].parent == tmp_path / "keep" and options["workspace"].name.startswith("My-team-")
    assert prep.run_options(spec, locations, team_file) is not None and len(asked) == 2


def test_confirm_reads_the_current_question_so_tests_and_headless_callers_can_replace_it(tmp_path: Path):
    spec, locations, team_file = setup(tmp_path)
    prep = RunPreparation(TrustStore(tmp_path / "trust.json"), lambda items: True, workspace_base=lambda: "")
    prep.ask = lambda items: False
    assert prep.run_options(spec, locations, team_file) is None
