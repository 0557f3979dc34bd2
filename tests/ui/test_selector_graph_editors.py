"""The window edits selector transitions and graph activation groups: the pattern editors and the
canvas's edge dialog each make one undoable edit, and the saved file reads what was set."""

from __future__ import annotations

from PySide6.QtCore import Qt

from designer.core.teamfile import dump_team
from designer.ui.canvas.edge_dialog import EdgeDialog
from designer.ui.panels import PatternPanelWidget
from tests.ui import test_canvas, test_panels
from tests.ui.test_canvas import GRAPH as CANVAS_GRAPH
from tests.ui.test_canvas import LEFT, at
from tests.ui.test_panels import assert_one_undo_step, choose, edit_cell

#: The panel and canvas tests' fixtures, shared.
make_panel, canvas = test_panels.make_panel, test_canvas.canvas

SELECTOR = "orchestration: {pattern: selector, participants: [writer, editor, human]}"

GRAPH = """
orchestration:
  pattern: graph
  entry: human
  edges:
    - {from: human, to: writer}
    - {from: human, to: editor}
    - {from: writer, to: editor}
"""


def test_allowed_transitions_are_set_per_speaker_and_saved(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, SELECTOR)
    editor = panel.editors["selector"]
    before = controller.spec
    assert "anyone may speak after anyone" in editor.transitions_note.text()
    choose(editor.after_combo, "writer")
    editor.next_list.item_for("editor").setCheckState(Qt.CheckState.Checked)  # the user's tick (itemChanged)
    assert controller.spec.orchestration.allowed_transitions == {"writer": ["editor"]}
    assert controller.undo_stack.undoText() == "Change allowed transitions"
    assert "  allowed_transitions:\n    writer: [editor]\n" in dump_team(controller.spec)
    assert "after writer: editor" in editor.transitions_note.text()
    assert editor.after_combo.currentText() == "writer (restricted)"
    assert_one_undo_step(controller, before)
    # A problem's place (e.g. orchestration.allowed_transitions.editor[0]) shows that speaker's list.
    assert editor.focus_path(("allowed_transitions", "editor", 0))
    assert editor.after_combo.currentData() == "editor" and editor.next_list.checked_keys() == []
    choose(editor.after_combo, "writer")
    # Unticking the last follower makes the writer free again: nothing of it is left in the file.
    editor.next_list.item_for("editor").setCheckState(Qt.CheckState.Checked)
    editor.next_list.item_for("editor").setCheckState(Qt.CheckState.Unchecked)
    assert "allowed_transitions" not in dump_team(controller.spec)


def test_selector_attempts_steps_merge_into_one_edit_and_the_prompt_knows_the_inputs(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, SELECTOR)
    editor = panel.editors["selector"]
    before = controller.spec
    editor.attempts_spin.setFocus()
    qtbot.keyClick(editor.attempts_spin, Qt.Key.Key_Up)
    qtbot.keyClick(editor.attempts_spin, Qt.Key.Key_Up)
    assert controller.spec.orchestration.max_selector_attempts == 5
    assert "max_selector_attempts: 5" in dump_team(controller.spec)
    assert_one_undo_step(controller, before)
    assert editor.prompt_note.text() == "May use {roles}, {participants}, {history}, {topic}."


def test_an_edges_group_and_join_are_edited_in_the_graph_table(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, GRAPH)
    table = panel.editors["graph"].edges_table
    before = controller.spec
    edit_cell(qtbot, table, 1, 4, "critical")
    assert controller.spec.orchestration.edges[1].group == "critical"
    assert controller.undo_stack.undoText() == "Change edge group"
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 1, 4, "critical")
    edit_cell(qtbot, table, 2, 4, "critical")
    assert table.cellWidget(2, 5).currentText() == "(default: any)"
    choose(table.cellWidget(2, 5), "all")
    edges = controller.spec.orchestration.edges
    assert [(e.group, e.activation) for e in edges] == [(None, None), ("critical", None), ("critical", "all")]
    # The group's activation, set on one edge, is what the other edge's default now says.
    assert table.cellWidget(1, 5).currentText() == "(default: all)"
    saved = dump_team(controller.spec)
    assert "- {from: human, to: editor, group: critical}" in saved
    assert "  - from: writer\n    to: editor\n    group: critical\n    activation: all\n" in saved  # too long for one line
    controller.undo_stack.undo()
    assert controller.spec.orchestration.edges[2].activation is None


def test_the_canvas_edge_dialog_sets_group_and_join_as_one_edit(qtbot, canvas):
    view, controller = canvas(CANVAS_GRAPH)
    before = controller.spec
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, view.connection_items()[0].midpoint()))
    qtbot.waitUntil(lambda: view.findChild(EdgeDialog) is not None)
    dialog = view.findChild(EdgeDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.join_box.currentText() == "(default: any)"
    qtbot.keyClicks(dialog.group_edit, "review")
    dialog.join_box.setCurrentIndex(dialog.join_box.findData("all"))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    edge = controller.spec.orchestration.edges[0]
    assert (edge.group, edge.activation, edge.when) == ("review", "all", None)
    assert controller.undo_stack.undoText() == "Edit edge"
    assert view.connection_items()[0].label == "[review: all]"
    controller.undo_stack.undo()
    assert controller.spec == before
    qtbot.waitUntil(lambda: view.findChild(EdgeDialog) is None)
