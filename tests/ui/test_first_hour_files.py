"""The first hour with files: examples open as copies, saved files carry no leftovers, and Save As
suggests a safe file name. Driven through the window's widgets, keys and actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget

from designer.core.yamlio import load_team
from tests.conftest import TEAMS


def press(window: Any, qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.ControlModifier) -> None:
    """A key as the platform delivers it to the window, so the shortcut map sees it."""
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window.windowHandle(), key, modifiers)


def double_click_row(qtbot: Any, widget: QListWidget, row: int) -> None:
    """What a double click delivers: press and release, then the double click (QTest's mouseDClick
    alone sends only the last part, so the view would not know which row was pressed)."""
    at = widget.visualItemRect(widget.item(row)).center()
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=at)


def example_row(window: Any, name: str) -> int:
    examples = window.start_page.examples
    rows = [r for r in range(examples.count()) if Path(examples.item(r).data(Qt.ItemDataRole.UserRole)).name == name]
    assert rows, name
    return rows[0]


def saving_to(window: Any, target: Path) -> list[str]:
    """Answer the Save dialog with ``target``; returns the suggested paths the dialog was asked with."""
    asked: list[str] = []
    window.files.choose_save_path = lambda: asked.append(window.files.suggested_save_path()) or str(target)
    return asked


def test_an_example_from_the_start_page_opens_as_a_copy_and_save_asks_where(make_main_window, qtbot, tmp_path):
    """Double-clicking an example opens its design untitled: Ctrl+S asks where (suggesting the
    example's name outside the shipped folder), and the shipped file's bytes never change."""
    shipped = TEAMS / "research_report.yaml"
    original = shipped.read_bytes()
    w = make_main_window()
    double_click_row(qtbot, w.start_page.examples, example_row(w, shipped.name))
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.canvas)
    assert w.controller.path is None and w.controller.spec == load_team(shipped).spec
    assert not w.isWindowModified() and w.windowTitle().startswith("Untitled")
    w.window_actions["add_agent"].trigger()  # an edit, so there is something to save
    target = tmp_path / "mine.yaml"
    asked = saving_to(w, target)
    press(w, qtbot, Qt.Key.Key_S)
    assert len(asked) == 1, "Ctrl+S on a copy asks where to save"
    suggested = Path(asked[0])
    assert suggested.name == "research_report.yaml" and suggested.parent.resolve() != TEAMS.resolve()
    assert target.exists() and w.controller.path == target.resolve()
    assert shipped.read_bytes() == original
    # The next save goes to the chosen file, not to the example, without asking again.
    w.window_actions["add_agent"].trigger()
    press(w, qtbot, Qt.Key.Key_S)
    assert len(asked) == 1 and shipped.read_bytes() == original
    assert "agent_2" in load_team(target).spec.agents


def test_changing_the_kind_in_the_agent_panel_drops_leftovers_in_one_undo_step(make_main_window, qtbot, tmp_path):
    """Assistant -> human input through the Kind combo: the saved agent keeps only what a user proxy
    uses (no model, system message, tools or empty lists), and one Ctrl+Z brings everything back."""
    source = tmp_path / "team.yaml"
    source.write_text((TEAMS / "rectangle_area.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    w = make_main_window(source)
    before = w.controller.spec
    agent_id, agent = next((a, s) for a, s in before.agents.items() if s.kind == "assistant" and s.tools)
    w.canvas.item_for(agent_id).setSelected(True)
    qtbot.waitUntil(lambda: w.agent_panel.agent_id == agent_id)
    w.docks["agent"].raise_()
    combo = w.agent_panel.kind_combo
    assert combo.currentData() == "assistant"
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next kind: human input (user proxy)
    assert w.controller.spec.agents[agent_id].kind == "user_proxy"
    assert "removed:" in w.agent_panel.message.text() and agent.tools[0] in w.agent_panel.message.text()
    w.window_actions["save"].trigger()
    saved = load_team(source)
    assert saved.spec is not None
    text = source.read_text(encoding="utf-8")
    block = text[text.index(f"  {agent_id}:"):text.index("\norchestration:")]
    for leftover in ("tools:", "system_message:", "model:", "handoffs:", "reflect_on_tool_use:", "[]"):
        assert leftover not in block, (leftover, block)
    assert set(saved.spec.agents[agent_id].model_fields_set) <= {"kind", "description"}
    press(w, qtbot, Qt.Key.Key_Z)
    assert w.controller.spec == before


def test_an_empty_task_is_not_written(make_main_window, qtbot, tmp_path):
    """A new team has no task yet: its file has no ``task: ''`` (nor other empty defaults)."""
    w = make_main_window()
    w.window_actions["new"].trigger()
    target = tmp_path / "new.yaml"
    saving_to(w, target)
    press(w, qtbot, Qt.Key.Key_S)
    text = target.read_text(encoding="utf-8")
    assert "task:" not in text and "''" not in text and "[]" not in text and "{}" not in text
    assert load_team(target).spec == w.controller.spec


def test_save_as_suggests_a_safe_slug_of_the_team_name(make_main_window, qtbot, tmp_path):
    """'Research & Report' typed in the Team panel's name: Save As suggests research_and_report.yaml."""
    w = make_main_window()
    w.window_actions["new"].trigger()
    w.docks["team"].raise_()
    name = w.team_panel.name_edit
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    name.selectAll()
    qtbot.keyClicks(name, "Research & Report")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert w.controller.spec.name == "Research & Report"
    asked = saving_to(w, tmp_path / "chosen.yaml")
    w.window_actions["save_as"].trigger()
    assert [Path(p).name for p in asked] == ["research_and_report.yaml"]
