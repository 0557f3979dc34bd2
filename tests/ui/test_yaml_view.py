"""The YAML tab: the open design as the text Save writes, live, and editable as one undo step.

Contract: the tab shows exactly what Save would write and follows every design change while
the user is not typing in it (keeping the cursor's line); typed text is parsed after a pause,
problems are marked on their line and named in a strip that never moves the editor, Apply is
only possible for a valid team and makes ONE undo step ("Edit YAML") that one Ctrl+Z reverts;
typed text survives leaving the tab (the tab shows a badge) and a change made elsewhere;
Revert discards it. Colours suit light and dark palettes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCursor

from designer.core.teamfile import dump_team

ROOT = Path(__file__).resolve().parents[2]
TEAM = ROOT / "teams" / "research_report.yaml"


def open_team(make_main_window: Any, tmp_path: Path) -> Any:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM.read_text(encoding="utf-8"), encoding="utf-8")
    return make_main_window(path)


def click_tab(qtbot: Any, w: Any, index: int) -> None:
    tabs = w.views.tabs
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(index).center())


def replace_in_editor(qtbot: Any, editor: Any, old: str, new: str) -> None:
    start = editor.toPlainText().index(old)
    cursor = editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(old), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClicks(editor, new)


def test_the_tab_shows_what_save_writes_and_follows_a_rename_in_the_agent_panel(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    assert w.stack.currentWidget() is view and w.views.editing
    assert w.windowTitle().startswith("team.yaml")
    w.files.choose_save_path = lambda: str(tmp_path / "written.yaml")
    w.window_actions["save_as"].trigger()
    assert view.editor.toPlainText() == (tmp_path / "written.yaml").read_text(encoding="utf-8")

    # The cursor sits on the orchestration line; the rename must not move it.
    line = next(i for i, t in enumerate(view.editor.toPlainText().splitlines()) if t.startswith("orchestration:"))
    cursor = QTextCursor(view.editor.document().findBlockByNumber(line))
    view.editor.setTextCursor(cursor)
    w.controller.select_agents(["researcher"])
    panel = w.agent_panel
    panel.id_edit.selectAll()
    qtbot.keyClicks(panel.id_edit, "scout")
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert "scout" in w.controller.spec.agents
    qtbot.waitUntil(lambda: "  scout:\n" in view.editor.toPlainText(), timeout=15000)  # once the edits settle
    text = view.editor.toPlainText()
    assert "  scout:\n" in text and "  researcher:" not in text and "order: [scout, summarizer]" in text
    assert text == dump_team(w.controller.spec) and not view.dirty
    assert view.editor.textCursor().blockNumber() == line


def test_typed_change_applies_as_one_undo_step_that_ctrl_z_reverts(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    before, steps = w.controller.spec, w.controller.undo_stack.count()
    old = before.agents["summarizer"].system_message
    replace_in_editor(qtbot, view.editor, old, "Write one crisp sentence.")
    assert view.dirty and w.views.tabs.tabText(1) == "YAML ●"
    qtbot.waitUntil(lambda: view.apply_button.isEnabled(), timeout=15000)
    assert w.controller.spec == before  # nothing changes before Apply
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    after = w.controller.spec
    assert after.agents["summarizer"].system_message == "Write one crisp sentence."
    assert after.layout == before.layout and w.controller.path == (tmp_path / "team.yaml").resolve()
    assert w.controller.undo_stack.count() == steps + 1
    assert w.controller.undo_stack.undoText() == "Edit YAML"
    assert not view.dirty and w.views.tabs.tabText(1) == "YAML"
    assert view.editor.toPlainText() == dump_team(after)

    qtbot.keyClick(view.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # focus is in the editor
    assert w.controller.spec == before
    qtbot.waitUntil(lambda: view.editor.toPlainText() == dump_team(before), timeout=15000)


def test_invalid_yaml_is_marked_in_place_apply_is_disabled_and_the_design_is_kept(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    before = w.controller.spec
    geometry = view.editor.geometry()
    replace_in_editor(qtbot, view.editor, "order: [researcher, summarizer]", "order: [researcher, summarizer")
    qtbot.waitUntil(lambda: bool(view.problems), timeout=15000)
    problem = view.problems[0]
    assert "YAML syntax" in problem.message and problem.line is not None
    assert view.message.text().startswith(f"⚠ Line {problem.line}, column {problem.column}")
    assert problem.line in view.editor.marked_lines()
    assert view.editor.geometry() == geometry  # the message did not push the editor
    assert not view.apply_button.isEnabled()
    qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.controller.spec == before and view.dirty

    # Leaving the tab keeps the typed text and badges the tab; so does a change made elsewhere.
    typed = view.editor.toPlainText()
    click_tab(qtbot, w, 0)
    assert w.stack.currentWidget() is w.canvas and w.views.tabs.tabText(1) == "YAML ●"
    w.controller.select_agents(["summarizer"])
    w.agent_panel.id_edit.selectAll()
    qtbot.keyClicks(w.agent_panel.id_edit, "writer")
    qtbot.keyClick(w.agent_panel.id_edit, Qt.Key.Key_Return)
    click_tab(qtbot, w, 1)
    assert view.editor.toPlainText() == typed and view.dirty
    assert "design changed" in view.message.text()

    qtbot.mouseClick(view.revert_button, Qt.MouseButton.LeftButton)
    assert not view.dirty and view.problems == [] and view.editor.marked_lines() == []
    assert view.editor.toPlainText() == dump_team(w.controller.spec) and "writer:" in view.editor.toPlainText()
    assert w.views.tabs.tabText(1) == "YAML"


def test_text_without_its_layout_block_keeps_the_canvas_positions(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    before = w.controller.spec
    assert before.layout is not None
    text = view.editor.toPlainText()
    start = text.index("\nlayout:") + 1
    cursor = view.editor.textCursor()
    cursor.setPosition(start)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    view.editor.setTextCursor(cursor)
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_Delete)  # the whole layout block, gone from the text
    assert "layout:" not in view.editor.toPlainText()
    replace_in_editor(qtbot, view.editor, "name: Research and report", "name: Notes")
    qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.controller.undo_stack.undoText() == "Edit YAML"
    assert w.controller.spec.name == "Notes" and w.controller.spec.layout == before.layout
    assert "\nlayout:" in view.editor.toPlainText()


def test_ctrl_s_with_typed_text_applies_it_then_saves(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    replace_in_editor(qtbot, view.editor, "name: Research and report", "name: Field notes")
    qtbot.keyClick(view.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert w.controller.spec.name == "Field notes" and not w.isWindowModified()
    assert "name: Field notes" in (tmp_path / "team.yaml").read_text(encoding="utf-8")


def colour_of(view: Any, line_start: str) -> QColor:
    block = view.editor.document().begin()
    while block.isValid() and not block.text().startswith(line_start):
        block = block.next()
    ranges = block.layout().formats()
    first = ranges[0].format
    return QColor(first.foreground().color())


def test_colours_follow_the_palette_between_light_and_dark(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, tmp_path)
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    light, dark = QPalette(view.editor.palette()), QPalette(view.editor.palette())
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    view.editor.setPalette(light)
    assert colour_of(view, "agents:").lightness() < 128  # dark keys on a light base
    view.editor.setPalette(dark)  # what a theme switch does: a PaletteChange
    assert colour_of(view, "agents:").lightness() > 128
    assert colour_of(view, "schema:") != colour_of(view, "agents:")
