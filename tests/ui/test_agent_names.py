"""A name with spaces typed as an agent's name: the window renames to the mapped id and says so."""

from __future__ import annotations

from PySide6.QtCore import Qt

from designer.ui.canvas.editors import NameEditWidget
from tests.ui.test_first_hour_bugs import copy_of, focus


def test_the_agent_panel_maps_research_lead_to_an_id(make_main_window, qtbot, tmp_path):
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    w.canvas.item_for("summarizer").setSelected(True)
    panel = w.agent_panel
    w.docks["agent"].raise_()
    qtbot.waitUntil(lambda: panel.agent_id == "summarizer" and panel.id_edit.isVisible())
    focus(qtbot, panel.id_edit)
    panel.id_edit.selectAll()
    qtbot.keyClicks(panel.id_edit, "Research Lead")
    assert panel.id_note.isVisible() and "“research_lead”" in panel.id_note.text()  # said before Enter
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert list(w.controller.spec.agents) == ["researcher", "research_lead"]
    assert panel.id_edit.text() == "research_lead" and panel.agent_id == "research_lead"
    assert "renamed to “research_lead”" in panel.message.text()
    w.controller.undo_stack.undo()
    assert list(w.controller.spec.agents) == ["researcher", "summarizer"]


def test_the_canvas_name_box_maps_a_name_too(make_main_window, qtbot, tmp_path):
    w = make_main_window(copy_of(tmp_path, "research_report.yaml"))
    view = w.canvas
    view.item_for("researcher").setSelected(True)
    focus(qtbot, view.viewport())
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F2)
    editor = view.findChild(NameEditWidget)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Summarizer Two")
    assert "“summarizer_two”" in editor.reason
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert list(w.controller.spec.agents) == ["summarizer_two", "summarizer"]
    assert list(w.controller.selected_agents) == ["summarizer_two"]
    qtbot.waitUntil(lambda: view.findChild(NameEditWidget) is None)
