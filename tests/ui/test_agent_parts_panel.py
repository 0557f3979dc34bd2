"""The agent panel's part sections (Context, Sees, Memory, Output schema, Code, Inner team), driven
through their widgets: each gesture is one undoable edit, a bad schema changes nothing, and a
saved file holds the parts and reloads equal."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSpinBox

from designer.core.agent_parts import CodeSpec, ContextSpec, SourceFilter
from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team
from designer.ui.panels import AgentPanelWidget

TEAM = """
schema: team-designer/v1
name: Parts
agents:
  writer: {description: Writes., system_message: You write.}
  critic: {description: Criticises.}
  human: {kind: user_proxy}
  runner: {kind: code_executor}
  crew: {kind: team, team: research}
  a: {}
  b: {}
teams:
  research:
    orchestration: {pattern: round_robin, participants: [a, b]}
memories:
  notes: {description: Shared notes., entries: [The sky is blue.]}
  facts: {}
orchestration: {pattern: round_robin, participants: [writer, critic, human, runner, crew]}
termination: {max_messages: 6}
"""


def spec_of(text: str = TEAM) -> Any:
    result = parse_team(textwrap.dedent(text))
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


@pytest.fixture
def panel_for(qtbot, make_controller):
    def make(agent: str) -> tuple[Any, Any]:
        controller = make_controller(spec_of())
        panel = AgentPanelWidget(controller)
        qtbot.addWidget(panel)
        panel.resize(600, 1400)
        panel.show()
        qtbot.waitExposed(panel)
        controller.select_agents([agent])
        return controller, panel

    return make


def choose(combo: QComboBox, data: Any) -> None:
    """Pick an entry as a user would: current index, then the user-only ``activated`` signal."""
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into_spin(qtbot: Any, spin: QSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def focus(qtbot: Any, widget: Any) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_sections_show_per_kind(panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    shown = lambda: {n for n, w in parts._sections.items() if w.isVisibleTo(panel)}  # noqa: E731
    assert shown() == {"context", "sees", "memory", "output_schema"}
    controller.select_agents(["human"])
    assert shown() == set()
    controller.select_agents(["runner"])
    assert shown() == {"context", "sees", "code"} and panel.model_combo.isVisibleTo(panel)
    controller.select_agents(["crew"])
    assert shown() == {"team", "context", "sees"} and not panel.prompt.isVisibleTo(panel)
    assert panel.kind_combo.currentData() == "team"
    assert "a, b (round_robin)" in parts.team_note.text()


def test_context_last_three_messages_through_the_spin_box_is_undoable(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    before = controller.spec
    assert not parts.context_count.isVisibleTo(panel)
    choose(parts.context_mode, "last_messages")
    assert controller.spec.agents["writer"].context == ContextSpec(last_messages=10)
    type_into_spin(qtbot, parts.context_count, "3")
    assert controller.spec.agents["writer"].context == ContextSpec(last_messages=3)
    assert "context: {last_messages: 3}" in dump_team(controller.spec)
    controller.undo_stack.undo()  # the count
    assert controller.spec.agents["writer"].context == ContextSpec(last_messages=10)
    assert parts.context_count.value() == 10
    controller.undo_stack.undo()  # the choice
    assert controller.spec == before and parts.context_mode.currentData() is None
    choose(parts.context_mode, "max_tokens")
    assert controller.spec.agents["writer"].context == ContextSpec(max_tokens=4000)
    assert parts.context_count.minimum() == 16


def test_a_sees_row_is_added_edited_and_removed(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    before = controller.spec
    qtbot.mouseClick(parts.add_sees_button, Qt.MouseButton.LeftButton)
    assert controller.spec.agents["writer"].sees == [SourceFilter(source="critic", last=1)]
    assert parts.sees_table.rowCount() == 1
    source = parts.sees_table.cellWidget(0, 0)
    assert "writer" not in [source.itemData(i) for i in range(source.count())]  # not itself
    choose(source, "user")
    choose(parts.sees_table.cellWidget(0, 1), "first")
    type_into_spin(qtbot, parts.sees_table.cellWidget(0, 2), "2")
    assert controller.spec.agents["writer"].sees == [SourceFilter(source="user", first=2)]
    assert "sees:\n    - {source: user, first: 2}" in dump_team(controller.spec)
    qtbot.mouseClick(parts.add_sees_button, Qt.MouseButton.LeftButton)
    assert [f.source for f in controller.spec.agents["writer"].sees] == ["user", "critic"]
    parts.sees_table.setCurrentCell(0, 2)
    qtbot.mouseClick(parts.remove_sees_button, Qt.MouseButton.LeftButton)
    assert controller.spec.agents["writer"].sees == [SourceFilter(source="critic", last=1)]
    for _ in range(6):  # remove, add, count, position, source, add: one step each
        controller.undo_stack.undo()
    assert controller.spec == before and parts.sees_table.rowCount() == 0


def test_ticking_a_memory_gives_it_to_the_agent(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    before = controller.spec
    assert parts.memory_list.keys() == ["notes", "facts"] and not parts.memory_note.isVisibleTo(panel)
    parts.memory_list.item_for("facts").setCheckState(Qt.CheckState.Checked)
    parts.memory_list.item_for("notes").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.agents["writer"].memory == ["facts", "notes"]
    controller.undo_stack.undo()
    assert controller.spec.agents["writer"].memory == ["facts"]
    controller.undo_stack.undo()
    assert controller.spec == before
    assert parts.memory_list.checked_keys() == []


def test_a_schema_is_applied_when_the_field_is_left_and_is_one_undo_step(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    before = controller.spec
    focus(qtbot, parts.schema_edit)
    qtbot.keyClicks(parts.schema_edit, '{"type": "object", "properties": {"city": {"type": "string"}}')
    assert controller.spec == before  # nothing while typing
    assert "not valid JSON or YAML" in parts.schema_error.text()  # the closing brace is missing
    qtbot.keyClicks(parts.schema_edit, "}")
    assert not parts.schema_error.isVisibleTo(panel)
    focus(qtbot, panel.description_edit)  # leave the field
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    assert controller.spec.agents["writer"].output_schema == schema
    assert controller.undo_stack.count() == 1
    text = dump_team(controller.spec)
    assert "    output_schema:\n      type: object\n      properties:\n        city: {type: string}\n" in text
    reloaded = parse_team(text).spec
    assert reloaded == controller.spec
    controller.undo_stack.undo()
    assert controller.spec == before and parts.schema_edit.toPlainText() == ""


def test_a_bad_schema_shows_the_error_and_changes_nothing(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    before = controller.spec
    focus(qtbot, parts.schema_edit)
    qtbot.keyClicks(parts.schema_edit, "[1, 2]")
    focus(qtbot, panel.description_edit)
    assert controller.spec == before and controller.undo_stack.count() == 0
    assert parts.schema_error.isVisibleTo(panel)
    assert "a schema is an object" in parts.schema_error.text() and "not a list" in parts.schema_error.text()
    # The draft stays for fixing, even when another edit refreshes the panel.
    choose(parts.context_mode, "last_messages")
    assert parts.schema_edit.toPlainText() == "[1, 2]"
    controller.select_agents(["critic"])  # another agent shows its own (empty) schema
    assert parts.schema_edit.toPlainText() == "" and not parts.schema_error.isVisibleTo(panel)


def test_code_options_edit_the_code_block(qtbot, panel_for):
    controller, panel = panel_for("runner")
    code = panel.parts.code
    before = controller.spec
    assert code.approval_check.isChecked() and code.languages_list.checked_keys() == ["python"]
    code.languages_list.item_for("bash").setCheckState(Qt.CheckState.Checked)
    choose(code.docker_combo, "auto")
    type_into_spin(qtbot, code.retries_spin, "2")
    code.approval_check.click()
    focus(qtbot, code.work_dir_edit)
    qtbot.keyClicks(code.work_dir_edit, "work")
    qtbot.keyClick(code.work_dir_edit, Qt.Key.Key_Return)
    assert controller.spec.agents["runner"].code == CodeSpec(
        languages=["python", "bash"], docker="auto", retries=2, approval=False, work_dir="work")
    assert parse_team(dump_team(controller.spec)).spec == controller.spec
    # Unchecking the last language is refused in words; the box comes back.
    code.languages_list.item_for("python").setCheckState(Qt.CheckState.Unchecked)
    code.languages_list.item_for("bash").setCheckState(Qt.CheckState.Unchecked)
    assert controller.spec.agents["runner"].code.languages == ["bash"]
    assert "at least 1" in panel.parts.message.text()
    assert code.languages_list.checked_keys() == ["bash"]
    for _ in range(6):
        controller.undo_stack.undo()
    assert controller.spec == before


def test_an_inner_team_is_chosen_and_edit_is_a_hook(qtbot, panel_for):
    controller, panel = panel_for("crew")
    parts = panel.parts
    choose(parts.team_combo, None)
    assert controller.spec.agents["crew"].team is None and not parts.edit_team_button.isEnabled()
    choose(parts.team_combo, "research")
    assert controller.spec.agents["crew"].team == "research"
    qtbot.mouseClick(parts.edit_team_button, Qt.MouseButton.LeftButton)
    assert "canvas" in parts.message.text()  # nobody connected: says where inner teams are edited
    with qtbot.waitSignal(parts.innerTeamRequested) as asked:
        parts.innerTeamRequested.connect(lambda team: None)
        qtbot.mouseClick(parts.edit_team_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["research"]


def test_changing_the_kind_to_team_drops_what_a_team_agent_does_not_use(qtbot, panel_for):
    controller, panel = panel_for("writer")
    parts = panel.parts
    parts.memory_list.item_for("notes").setCheckState(Qt.CheckState.Checked)
    choose(panel.kind_combo, "team")
    agent = controller.spec.agents["writer"]
    assert agent.kind == "team" and agent.memory == [] and agent.system_message == ""
    assert "removed: system message, memories" in panel.message.text()
    assert parts.team_box.isVisibleTo(panel) and not parts.memory_box.isVisibleTo(panel)


def test_problems_focus_the_part_fields(qtbot, panel_for):
    _controller, panel = panel_for("writer")
    focus(qtbot, panel.description_edit)
    assert panel.focus_field("output_schema") and panel.parts.schema_edit.hasFocus()
    assert panel.focus_field("memory", 0)
    assert not panel.focus_field("code")  # an assistant has no code options


def scroll_to(qtbot: Any, area: Any, widget: Any) -> None:
    """Scroll ``widget`` into view, as a user does, once the layout has placed it."""
    def shown() -> bool:
        area.ensureWidgetVisible(widget)
        return not widget.visibleRegion().isEmpty()

    qtbot.waitUntil(shown)


def test_the_window_saves_the_parts_and_the_file_reloads_equal(qtbot, make_main_window, tmp_path):
    """Through the window: select the agent, give it a context, a filter and a memory, add a
    memory in the team panel, save; the file reads back as the design, in the documented order."""
    path = tmp_path / "parts.yaml"
    path.write_text(textwrap.dedent(TEAM), encoding="utf-8")
    w = make_main_window(path)
    w.controller.select_agents(["writer"])
    w.docks["agent"].raise_()  # the agent and team docks share a place: the one in front takes clicks
    qtbot.waitUntil(lambda: not w.agent_panel.visibleRegion().isEmpty())
    parts = w.agent_panel.parts
    choose(parts.context_mode, "last_messages")
    type_into_spin(qtbot, parts.context_count, "3")
    scroll_to(qtbot, w.agent_panel.scroll_area, parts.add_sees_button)
    qtbot.mouseClick(parts.add_sees_button, Qt.MouseButton.LeftButton)
    w.docks["team"].raise_()
    qtbot.waitUntil(lambda: not w.team_panel.visibleRegion().isEmpty())
    scroll_to(qtbot, w.team_panel.scroll_area, w.team_panel.memories.add_button)
    qtbot.mouseClick(w.team_panel.memories.add_button, Qt.MouseButton.LeftButton)
    parts.memory_list.item_for("notes_2").setCheckState(Qt.CheckState.Checked)
    assert w.files.save()
    saved = path.read_text(encoding="utf-8")
    writer = saved.split("  writer:\n")[1].split("\n  critic:")[0]
    assert writer.splitlines()[-4:] == ["    context: {last_messages: 3}", "    sees:", "    - {source: critic, last: 1}",
                                        "    memory: [notes_2]"]
    assert "  notes_2: {}" in saved
    assert parse_team(saved).spec == w.controller.spec
