"""First-hour bugs, driven the way a user meets them: Close leaves no hidden document, the wheel
changes only the focused field, a recent file opens on a double click, and a reserved agent name
is explained where it is typed, with a name that works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QListWidget, QTableWidget, QWidget

from designer.ui.canvas.editors import NameEditWidget
from designer.ui.start_mode import DOCUMENT_ACTIONS
from tests.conftest import TEAMS


def press(window: Any, qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.ControlModifier) -> None:
    """A key as the platform delivers it to the window, so the shortcut map sees it."""
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window.windowHandle(), key, modifiers)


def copy_of(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    target.write_text((TEAMS / name).read_text(encoding="utf-8"), encoding="utf-8")
    return target


def focus(qtbot: Any, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def wheel(widget: QWidget, steps: int) -> None:
    """One notch per step (up is positive) over the middle of ``widget``."""
    at = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(at, QPointF(widget.mapToGlobal(at.toPoint())), QPoint(), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


# --- Close (Ctrl+W) ---------------------------------------------------------------------------


def test_after_close_the_start_page_has_no_hidden_document(make_main_window, qtbot, tmp_path):
    """Ctrl+W shows the start page: Ctrl+R and Ctrl+S ask nothing, every document action is
    disabled (Run stays so after the design is validated again), and the panels show nothing."""
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    asked: list[str] = []
    w.ask_run = lambda: asked.append("run") or None
    w.files.choose_save_path = lambda: asked.append("save") or None
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    press(w, qtbot, Qt.Key.Key_R)
    assert asked == ["run"]  # the keys work while a design is open
    assert w.pattern_panel.isEnabled() and w.start_mode.placeholders[w.pattern_panel].isHidden()

    press(w, qtbot, Qt.Key.Key_W)
    assert w.stack.currentWidget() is w.start_page
    w.controller.validate_now()  # what the validation timer does after the reset: it re-enables Run
    press(w, qtbot, Qt.Key.Key_R)
    press(w, qtbot, Qt.Key.Key_S)
    press(w, qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == ["run"] and not w.runs.running
    disabled = [n for n in DOCUMENT_ACTIONS if w.window_actions[n].isEnabled()]
    assert disabled == [] and not w.undo_action.isEnabled() and not w.redo_action.isEnabled()
    assert [a.text() for a in w.start_mode.group.actions() if a.isEnabled()] == []  # Try a tool, Export diagram too
    for panel in (w.pattern_panel, w.team_panel, w.agent_panel, w.problems_panel):
        # Nothing of the closed design shows: a placeholder covers the disabled panel.
        placeholder = w.start_mode.placeholders[panel]
        assert not panel.isEnabled() and not placeholder.isHidden() and "No team is open" in placeholder.text()
        assert placeholder.geometry() == panel.rect()
    assert w.window_actions["new"].isEnabled() and w.window_actions["open"].isEnabled()

    w.window_actions["new"].trigger()  # a design again: everything is back
    assert w.pattern_panel.isEnabled() and w.start_mode.placeholders[w.pattern_panel].isHidden()
    assert w.window_actions["save"].isEnabled()
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())


# --- the mouse wheel --------------------------------------------------------------------------


def test_the_wheel_changes_a_team_panel_field_only_when_it_has_focus(make_main_window, qtbot, tmp_path):
    """Scrolling over Max messages (or the Pattern combo) leaves it alone; once focused, it steps."""
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    w.docks["team"].raise_()
    spin = w.team_panel.max_messages_spin
    qtbot.waitUntil(spin.isVisible)
    start = w.controller.spec.termination.max_messages
    assert spin.value() == start
    # Clicking or Tab focuses it; the wheel does not (else the wheel would focus it and then step it).
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus
    focus(qtbot, w.canvas)
    wheel(spin, -1)
    wheel(spin, -1)
    assert spin.value() == start and w.controller.spec.termination.max_messages == start
    focus(qtbot, spin)
    wheel(spin, 1)
    assert spin.value() == start + 1 and w.controller.spec.termination.max_messages == start + 1

    w.docks["pattern"].raise_()
    combo = w.pattern_panel.pattern_combo
    qtbot.waitUntil(combo.isVisible)
    pattern = w.controller.spec.orchestration.pattern
    focus(qtbot, w.canvas)
    wheel(combo, -1)
    assert combo.currentIndex() == combo.findData(pattern) and w.controller.spec.orchestration.pattern == pattern


def test_fields_made_later_in_a_table_are_guarded_too(make_main_window, qtbot, tmp_path):
    """The graph editor makes a combo per edge cell when the table fills: they take focus by click
    or Tab only, and the wheel over an unfocused one changes nothing."""
    w = make_main_window(copy_of(tmp_path, "customer_support.yaml"))
    w.docks["pattern"].raise_()
    table = w.pattern_panel.findChild(QTableWidget)
    qtbot.waitUntil(lambda: table is not None and table.isVisible() and table.rowCount() > 0)
    cells = [table.cellWidget(r, c) for r in range(table.rowCount()) for c in range(table.columnCount())]
    combos = [c for c in cells if isinstance(c, QComboBox)]
    assert combos
    qtbot.waitUntil(lambda: all(c.focusPolicy() == Qt.FocusPolicy.StrongFocus for c in combos))
    everything = [f for panel in (w.team_panel, w.agent_panel, w.pattern_panel)
                  for f in panel.findChildren(QWidget) if isinstance(f, (QComboBox, QAbstractSpinBox)) and f.isVisible()]
    assert everything and all(f.focusPolicy() == Qt.FocusPolicy.StrongFocus for f in everything)
    before = w.controller.spec
    combo = combos[0]
    index = combo.currentIndex()
    focus(qtbot, w.canvas)
    wheel(combo, -1)
    assert combo.currentIndex() == index and w.controller.spec == before


# --- recent files -----------------------------------------------------------------------------


def double_click_row(qtbot: Any, widget: QListWidget, row: int) -> None:
    """Press and release, then the double click: what a real double click delivers."""
    at = widget.visualItemRect(widget.item(row)).center()
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=at)


def test_double_clicking_a_recent_file_opens_it_without_an_error(make_main_window, qtbot, tmp_path):
    """The recent list is rebuilt when a file opens; the double click that opened it must not then
    reach a deleted row (pytest-qt fails the test on an exception in a slot)."""
    path = copy_of(tmp_path, "rectangle_area.yaml")
    w = make_main_window(path)
    press(w, qtbot, Qt.Key.Key_W)
    assert w.stack.currentWidget() is w.start_page
    recent = w.start_page.recent
    row = next(r for r in range(recent.count()) if recent.item(r).data(Qt.ItemDataRole.UserRole) == str(path.resolve()))
    opened: list[str] = []
    w.files.message.connect(opened.append)
    with qtbot.captureExceptions() as exceptions:
        double_click_row(qtbot, recent, row)
    assert exceptions == []
    assert w.stack.currentWidget() is w.canvas and w.controller.path == path.resolve()
    assert opened == [f"Opened {path.name}"]  # once, not once per signal


# --- reserved names ---------------------------------------------------------------------------


def test_naming_an_agent_user_on_the_canvas_says_why_in_place(make_main_window, qtbot, tmp_path):
    """F2 and 'user': the box says why ('reserved' and names to try) while typing and after Enter,
    stays open with the name marked, and nothing changes; 'human' and 'user_proxy' work."""
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    view = w.canvas
    view.item_for("researcher").setSelected(True)
    focus(qtbot, view.viewport())
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F2)
    editor = view.findChild(NameEditWidget)
    assert editor is not None and editor.hasFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "user")
    assert "reserved" in editor.reason and "“user_proxy”" in editor.reason and "“human”" in editor.reason
    assert editor.note.isVisible() and editor.toolTip() == editor.reason
    before, steps = w.controller.spec, w.controller.undo_stack.count()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert view.findChild(NameEditWidget) is editor and editor.isVisible() and editor.hasFocus()
    assert editor.selectedText() == "user" and "reserved" in editor.reason
    assert w.controller.spec == before and w.controller.undo_stack.count() == steps
    qtbot.keyClicks(editor, "human")  # typing replaces the marked name
    assert editor.reason == ""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert list(w.controller.spec.agents) == ["human", "summarizer"]
    qtbot.waitUntil(lambda: view.findChild(NameEditWidget) is None)

    view.scene().clearSelection()
    view.item_for("summarizer").setSelected(True)
    focus(qtbot, view.viewport())
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F2)
    editor = view.findChild(NameEditWidget)
    editor.selectAll()
    qtbot.keyClicks(editor, "user_proxy")
    assert editor.reason == ""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert list(w.controller.spec.agents) == ["human", "user_proxy"]


def test_naming_an_agent_user_in_the_agent_panel_says_why_at_the_field(make_main_window, qtbot, tmp_path):
    """The panel's Name field: the reason and a name to try show under it while typing and stay
    after Enter (the old name comes back, marked); 'human' is accepted."""
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    w.canvas.item_for("summarizer").setSelected(True)
    panel = w.agent_panel
    w.docks["agent"].raise_()
    qtbot.waitUntil(lambda: panel.agent_id == "summarizer" and panel.id_edit.isVisible())
    focus(qtbot, panel.id_edit)
    panel.id_edit.selectAll()
    rows = panel.description_edit.geometry(), panel.kind_combo.geometry()
    qtbot.keyClicks(panel.id_edit, "user")
    assert panel.id_note.isVisible() and "reserved" in panel.id_note.text() and "“user_proxy”" in panel.id_note.text()
    # The note floats under the field: the rows below stay where the pointer found them.
    assert (panel.description_edit.geometry(), panel.kind_combo.geometry()) == rows
    assert panel.id_note.geometry().top() >= panel.id_edit.geometry().bottom()
    before = w.controller.spec
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert w.controller.spec == before and panel.id_edit.text() == "summarizer"
    assert panel.id_edit.selectedText() == "summarizer"
    assert panel.id_note.isVisible() and "AgentChat uses it" in panel.id_note.text()
    assert panel.id_edit.toolTip() == panel.id_note.text()
    qtbot.keyClicks(panel.id_edit, "human")
    assert not panel.id_note.isVisible()
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert list(w.controller.spec.agents) == ["researcher", "human"]
    assert w.controller.spec.orchestration.order == ["researcher", "human"]
