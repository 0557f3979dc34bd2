"""How the window's rooms fit together: typed YAML is never dropped silently, the start page
covers every document panel (the Tools dock too), and the docks' tab bars are drawn once.

Contract: closing a team (Ctrl+W) or the window while the YAML tab holds typed text asks like any
unsaved change; Cancel keeps the text, Save applies it first (and refuses, keeping it, when it
has problems), Discard drops it. Each dock group has one visible tab bar (Qt 6.11 left a stale
copy of the bottom one over the left dock when two areas were tabified before the first show).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from .test_yaml_view import TEAM, click_tab, open_team, replace_in_editor


def typed(qtbot: Any, w: Any, text: str, old: str | None = None) -> Any:
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    old = old or w.controller.spec.agents["summarizer"].system_message
    replace_in_editor(qtbot, view.editor, old, text)
    assert view.dirty
    return view


def test_closing_with_typed_yaml_asks_and_cancel_keeps_the_text(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = typed(qtbot, w, "Write one crisp sentence.")
    asked: list[str] = []
    w.files.ask_save = lambda name: asked.append(name) or "cancel"
    w.window_actions["close"].trigger()
    assert asked == ["team.yaml"]
    assert w.stack.currentWidget() is view and view.dirty
    assert "Write one crisp sentence." in view.editor.toPlainText()


def test_save_on_close_applies_the_typed_yaml_then_writes_it(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    typed(qtbot, w, "Write one crisp sentence.")
    w.files.ask_save = lambda name: "save"
    w.window_actions["close"].trigger()
    assert w.stack.currentWidget() is w.start_page
    assert "Write one crisp sentence." in (tmp_path / "team.yaml").read_text(encoding="utf-8")


def test_save_on_close_with_invalid_typed_yaml_refuses_and_keeps_it(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = typed(qtbot, w, "orchestration: [unclosed", old="orchestration:")
    before = (tmp_path / "team.yaml").read_bytes()
    w.files.ask_save = lambda name: "save"
    w.window_actions["close"].trigger()
    assert w.stack.currentWidget() is view and view.dirty
    assert any("YAML tab has problems" in e for e in w.errors)
    assert (tmp_path / "team.yaml").read_bytes() == before


def test_discard_on_close_drops_the_typed_yaml(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = typed(qtbot, w, "Write one crisp sentence.")
    w.files.ask_save = lambda name: "discard"
    w.window_actions["close"].trigger()
    assert w.stack.currentWidget() is w.start_page and not view.dirty


def test_the_start_page_covers_the_tools_dock_too(make_main_window, qtbot, tmp_path: Path):
    w = open_team(make_main_window, tmp_path)
    assert w.tool_library.isEnabled()
    w.window_actions["close"].trigger()
    assert w.stack.currentWidget() is w.start_page
    assert not w.tool_library.isEnabled()


# A fresh process, as `team-designer FILE` starts (inside the test process, with other windows
# made before, Qt did not show the stale bar; a fresh start did, every time).
BARS_SCRIPT = """
import json, sys, time
from PySide6.QtWidgets import QTabBar
from designer.ui.app import make_application
app = make_application()
from designer.ui.main_window import MainWindow
w = MainWindow(restore_settings=False)
assert w.open_file(sys.argv[1])
w.show()
end = time.monotonic() + 0.5
while time.monotonic() < end:
    app.processEvents()
bars = [b for b in w.findChildren(QTabBar) if b.parent() is w and b.isVisible()]
print(json.dumps([[b.tabText(i) for i in range(b.count())] for b in bars]))
w.files.discard_recovery()
"""


def test_each_dock_group_has_one_visible_tab_bar(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", BARS_SCRIPT, str(TEAM)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    groups = [tuple(g) for g in json.loads(done.stdout.strip().splitlines()[-1])]
    assert ("Transcript", "Problems", "History") in groups and ("Agent", "Pattern", "Team") in groups
    assert len(groups) == len(set(groups)), groups


def test_a_file_repaired_from_the_start_page_leaves_no_hidden_document_to_act_on(make_main_window, qtbot, tmp_path):
    from .test_repair_view import TYPO

    broken = tmp_path / "broken.yaml"
    broken.write_text(TYPO, encoding="utf-8")
    w = make_main_window()
    assert w.stack.currentWidget() is w.start_page
    assert not w.open_file(str(broken))
    assert w.stack.currentWidget() is w.views.repair
    # The untitled team behind the start page is not a document: nothing acts on it.
    for name in ("run", "save", "save_as", "add_agent", "close"):
        assert not w.window_actions[name].isEnabled(), name
    assert not w.agent_panel.isEnabled() and not w.tool_library.isEnabled()
    asked: list[str] = []
    w.files.ask_save = lambda name: asked.append(name) or "discard"
    w.views.repair.editor.setPlainText(TYPO.replace("sytem_message:", "system_message:"))
    qtbot.waitUntil(lambda: w.views.repair.apply_button.isEnabled(), timeout=15000)
    qtbot.mouseClick(w.views.repair.apply_button, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.canvas and asked == []
    assert w.window_actions["save"].isEnabled() and w.agent_panel.isEnabled()


def test_a_broken_file_opened_over_unsaved_work_asks_once_at_apply(make_main_window, qtbot, tmp_path):
    from .test_repair_view import TYPO

    broken = tmp_path / "broken.yaml"
    broken.write_text(TYPO, encoding="utf-8")
    w = make_main_window()
    w.window_actions["new"].trigger()
    w.window_actions["add_agent"].trigger()  # unsaved work
    asked: list[str] = []
    w.files.ask_save = lambda name: asked.append(name) or "discard"
    assert not w.open_file(str(broken))
    assert asked == []  # nothing is replaced yet: nothing to ask
    w.views.repair.editor.setPlainText(TYPO.replace("sytem_message:", "system_message:"))
    qtbot.waitUntil(lambda: w.views.repair.apply_button.isEnabled(), timeout=15000)
    qtbot.mouseClick(w.views.repair.apply_button, Qt.MouseButton.LeftButton)
    assert asked == ["Untitled"] and w.stack.currentWidget() is w.canvas


def test_file_save_with_typed_yaml_saves_what_is_seen_or_refuses(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    typed(qtbot, w, "orchestration: [unclosed", old="orchestration:")
    assert w.isWindowModified()  # typed text is a change, even before Apply
    before = (tmp_path / "team.yaml").read_bytes()
    w.canvas.setFocus()
    w.window_actions["save"].trigger()
    assert any("YAML tab has problems" in e for e in w.errors)
    assert (tmp_path / "team.yaml").read_bytes() == before and w.views.yaml.dirty
    w.views.yaml.revert()
    assert not w.isWindowModified()
    typed(qtbot, w, "Write one crisp sentence.")
    w.canvas.setFocus()
    w.window_actions["save"].trigger()
    assert "Write one crisp sentence." in (tmp_path / "team.yaml").read_text(encoding="utf-8")
    assert not w.views.yaml.dirty and not w.isWindowModified()
