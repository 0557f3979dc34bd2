"""The team panel's Memories section, driven through its widgets: add, rename (readers follow),
entries one a line, writers, remove (references go), each one undo step; the saved file reloads equal."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from PySide6.QtCore import Qt

from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team
from designer.ui.panels import AgentPanelWidget, TeamPanelWidget

TEAM = """
schema: team-designer/v1
name: Memories
agents:
  writer: {description: Writes., memory: [notes]}
  critic: {description: Criticises.}
memories:
  notes: {entries: [The sky is blue.]}
orchestration: {pattern: round_robin, participants: [writer, critic]}
termination: {max_messages: 6}
"""


@pytest.fixture
def editor(qtbot, make_controller) -> tuple[Any, Any, Any]:
    result = parse_team(textwrap.dedent(TEAM))
    assert result.spec is not None
    controller = make_controller(result.spec)
    panel = TeamPanelWidget(controller)
    qtbot.addWidget(panel)
    panel.resize(600, 1600)
    panel.show()
    qtbot.waitExposed(panel)
    return controller, panel, panel.memories


def focus(qtbot: Any, widget: Any) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def retype(qtbot: Any, line: Any, text: str) -> None:
    focus(qtbot, line)
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_the_section_shows_the_files_memories(editor):
    _controller, panel, memories = editor
    assert memories.isVisibleTo(panel) and memories.list.count() == 1
    assert memories.current == "notes" and memories.name_edit.text() == "notes"
    assert memories.entries_edit.toPlainText() == "The sky is blue."
    assert memories.writers_list.keys() == ["writer", "critic"] and memories.writers_list.checked_keys() == []


def test_add_then_rename_a_memory_and_every_reader_follows(qtbot, editor):
    controller, _panel, memories = editor
    before = controller.spec
    qtbot.mouseClick(memories.add_button, Qt.MouseButton.LeftButton)
    assert list(controller.spec.memories) == ["notes", "notes_2"] and memories.current == "notes_2"
    assert memories.name_edit.hasFocus()  # ready to be named
    memories.list.setCurrentRow(0)
    retype(qtbot, memories.name_edit, "journal")
    assert list(controller.spec.memories) == ["journal", "notes_2"]
    assert controller.spec.agents["writer"].memory == ["journal"]
    assert memories.current == "journal" and memories.list.item(0).text() == "journal"
    controller.undo_stack.undo()
    assert controller.spec.agents["writer"].memory == ["notes"]
    controller.undo_stack.undo()
    assert controller.spec == before and memories.list.count() == 1


def test_a_taken_name_is_refused_in_words_and_nothing_changes(qtbot, editor):
    controller, _panel, memories = editor
    qtbot.mouseClick(memories.add_button, Qt.MouseButton.LeftButton)
    before = controller.spec
    retype(qtbot, memories.name_edit, "notes")
    assert controller.spec == before and "already exists" in memories.message.text()
    assert memories.name_edit.text() == "notes_2"


def test_entries_one_a_line_are_one_step_when_the_field_is_left(qtbot, editor):
    controller, _panel, memories = editor
    before = controller.spec
    focus(qtbot, memories.entries_edit)
    memories.entries_edit.moveCursor(memories.entries_edit.textCursor().MoveOperation.End)
    qtbot.keyClick(memories.entries_edit, Qt.Key.Key_Return)
    qtbot.keyClick(memories.entries_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(memories.entries_edit, "Water is wet.")
    assert controller.spec == before  # typing is no edit yet
    focus(qtbot, memories.description_edit)
    assert controller.spec.memories["notes"].entries == ["The sky is blue.", "Water is wet."]
    assert "    entries: [The sky is blue., Water is wet.]" in dump_team(controller.spec)
    assert controller.undo_stack.count() == 1
    controller.undo_stack.undo()
    assert controller.spec == before and memories.entries_edit.toPlainText() == "The sky is blue."


def test_writers_are_ticked_and_removing_a_memory_removes_its_readers(qtbot, editor):
    controller, panel, memories = editor
    before = controller.spec
    memories.writers_list.item_for("critic").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.memories["notes"].writers == ["critic"]
    assert parse_team(dump_team(controller.spec)).spec == controller.spec
    qtbot.mouseClick(memories.remove_button, Qt.MouseButton.LeftButton)
    assert controller.spec.memories == {} and controller.spec.agents["writer"].memory == []
    assert memories.empty_note.isVisibleTo(panel) and not memories.details.isVisibleTo(panel)
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    assert controller.spec == before


def test_the_agent_panel_offers_a_memory_added_in_the_team_panel(qtbot, editor):
    controller, _panel, memories = editor
    agents = AgentPanelWidget(controller)
    qtbot.addWidget(agents)
    controller.select_agents(["critic"])
    qtbot.mouseClick(memories.add_button, Qt.MouseButton.LeftButton)
    assert agents.parts.memory_list.keys() == ["notes", "notes_2"]
    agents.parts.memory_list.item_for("notes_2").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.agents["critic"].memory == ["notes_2"]


def test_a_memory_problem_focuses_its_field(qtbot, editor):
    _controller, panel, memories = editor
    qtbot.mouseClick(memories.add_button, Qt.MouseButton.LeftButton)
    focus(qtbot, panel.name_edit)
    assert panel.focus_path(("memories", "notes", "entries"))
    assert memories.current == "notes" and memories.entries_edit.hasFocus()
