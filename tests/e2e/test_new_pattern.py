"""A new orchestration pattern is three new files and nothing else.

The product is copied to a temporary folder, a "solo" pattern (one agent answers alone) is
added as exactly three modules — its rules in core, its compile function in runtime, its
editor in the window — and the copy is then used as a user would: the file format accepts
it, validation checks it, the command line runs it on a scripted model, and the window's
pattern panel offers and edits it. No existing file of the copy is changed.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

CORE = '''
"""Solo: one agent answers the task alone."""
from __future__ import annotations
from typing import Literal, Mapping
from .base import Checks, PatternRules, PatternSpec, mapped, register, with_


class SoloSpec(PatternSpec):
    pattern: Literal["solo"]
    agent: str = ""


@register
class Solo(PatternRules[SoloSpec]):
    name = "solo"
    label = "Solo"
    summary = "One agent answers the task alone."
    spec_type = SoloSpec
    order = 99

    def members(self, orch: SoloSpec) -> list[str]:
        return [orch.agent] if orch.agent else []

    def from_members(self, members: list[str]) -> SoloSpec:
        return SoloSpec(pattern="solo", agent=members[0] if members else "")

    def map_agents(self, orch: SoloSpec, mapping: Mapping[str, str | None]) -> SoloSpec:
        return with_(orch, agent=mapped(orch.agent, mapping))

    def with_new_agent(self, orch: SoloSpec, agent_id: str) -> SoloSpec:
        return orch if orch.agent else with_(orch, agent=agent_id)

    def check(self, orch: SoloSpec, checks: Checks) -> None:
        checks.agent_ref(orch.agent, ("orchestration", "agent"), "soloist")
'''

RUNTIME = '''
"""Solo: the agent answers once."""
from __future__ import annotations
from autogen_agentchat.conditions import SourceMatchTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from .base import PatternTeam, compiles


@compiles("solo")
def compile_solo(b, orch, condition):
    return PatternTeam(RoundRobinGroupChat([b.agent(orch.agent)],
                                           termination_condition=condition | SourceMatchTermination([orch.agent])))
'''

UI = '''
"""Solo: choose the agent."""
from __future__ import annotations
from PySide6.QtWidgets import QComboBox, QFormLayout
from ....core import edits
from ...widgets.common import agent_entries, set_combo_entries
from .base import PatternEditorWidget, editor_for


@editor_for("solo")
class SoloEditorWidget(PatternEditorWidget):
    def __init__(self, controller, parent=None):
        super().__init__(controller, parent)
        self.agent_combo = QComboBox()
        QFormLayout(self).addRow("&Agent:", self.agent_combo)
        self.agent_combo.activated.connect(self._on_agent_activated)

    def refresh(self, spec):
        set_combo_entries(self.agent_combo, agent_entries(spec.agents, spec.orchestration.agent), spec.orchestration.agent)

    def _on_agent_activated(self, index):
        self._set("Change soloist", "agent", self.agent_combo.itemData(index))
'''

TEAM = """
schema: team-designer/v1
name: solo team
default_model: s
models:
  s: {provider: scripted, responses: ["a solo answer"]}
agents:
  soloist: {streaming: false}
  understudy: {streaming: false}
orchestration: {pattern: solo, agent: soloist}
termination: {max_messages: 4}
"""

WINDOW = """
import sys
from PySide6.QtWidgets import QApplication
from designer.core.yamlio import load_team
from designer.ui.document.controller import DocumentController
from designer.ui.panels.pattern_panel import PatternPanelWidget
app = QApplication([])
controller = DocumentController()
controller.set_design(load_team(sys.argv[1]).spec, None)
panel = PatternPanelWidget(controller)
labels = [panel.pattern_combo.itemText(i) for i in range(panel.pattern_combo.count())]
editor = panel.current_editor
index = editor.agent_combo.findData("understudy")
editor.agent_combo.activated.emit(index)
print(labels[-1], type(editor).__name__, controller.spec.orchestration.agent, controller.undo_stack.undoText())
"""

NEW_FILES = {
    "designer/core/patterns/solo.py": CORE,
    "designer/runtime/patterns/solo.py": RUNTIME,
    "designer/ui/panels/patterns/solo.py": UI,
}


def _copy_product(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("designer", "resources", "teams"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)


def _changed_files(a: Path, b: Path) -> list[str]:
    """Files that differ between two trees, or exist in only one of them (relative paths)."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files
                   if name != "__pycache__")
        for name, sub in cmp.subdirs.items():
            if name != "__pycache__":
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b), "")
    return sorted(out)


def test_a_pattern_added_in_three_new_files_is_in_the_format_the_checks_the_cli_and_the_window(tmp_path):
    product = tmp_path / "product"
    _copy_product(product)
    for rel, source in NEW_FILES.items():
        (product / rel).write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    assert _changed_files(ROOT / "designer", product / "designer") == sorted(
        rel.removeprefix("designer/") for rel in NEW_FILES), "only the three new files differ from the product"

    team = tmp_path / "solo.yaml"
    team.write_text(TEAM, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEAM.replace("agent: soloist}", "agent: nobody}"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(product), "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "offscreen"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=product, env=env, timeout=120)

    schema = run("-m", "designer", "schema")
    assert schema.returncode == 0, schema.stderr
    assert "SoloSpec" in json.loads(schema.stdout)["$defs"], "the file format's union includes the new record"

    valid = run("-m", "designer", "validate", str(team))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    invalid = run("-m", "designer", "validate", str(broken))
    assert invalid.returncode == 2, invalid.stdout + invalid.stderr
    assert "broken.yaml:10:39: error: unknown soloist 'nobody' [orchestration.agent]" in invalid.stderr, "the pattern's own check"

    ran = run("-m", "designer", "run", str(team), "--task", "say something")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "a solo answer" in ran.stdout and "(solo;" in ran.stdout

    window = run("-c", WINDOW, str(team))
    assert window.returncode == 0, window.stderr
    assert window.stdout.split() == ["Solo", "SoloEditorWidget", "understudy", "Change", "soloist"]
