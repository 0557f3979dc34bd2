"""Editor panels: every user gesture is one undoable edit, and the panels follow the document."""

from __future__ import annotations

import textwrap
from typing import Any, Callable

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QTableWidget, QWidget

from designer.core.yamlio import parse_team
from designer.ui import settings
from designer.ui.panels import (
    AgentPanelWidget,
    PatternPanelWidget,
    ProblemsPanelWidget,
    TeamPanelWidget,
    focus_problem,
)

TEAM = """
schema: team-designer/v1
name: Panel test
task: 'Write about {topic}'
inputs:
  topic: {default: water, description: What to write about.}
default_model: fast
models:
  fast: {provider: embedded, model: SmolLM2-135M-Instruct}
tools:
  calc: {builtin: calculator}
  weather: {function: 'weather_tools:get_weather', description: Current weather for a city.}
agents:
  writer: {description: Writes the text., tools: [calc], system_message: You write.}
  editor: {description: Edits the text., system_message: You edit.}
  human: {kind: user_proxy, description: The person.}
orchestration: {pattern: sequential, order: [writer, editor]}
termination: {max_messages: 20, timeout: 600}
"""

GRAPH = """
orchestration:
  pattern: graph
  entry: writer
  edges:
    - {from: writer, to: editor}
    - {from: editor, to: writer, when: {contains: REVISE}}
    - {from: editor, to: human, when: {not_contains: REVISE}}
"""


def spec_of(text: str, orchestration: str | None = None) -> Any:
    text = textwrap.dedent(text)
    if orchestration is not None:
        head = text.split("orchestration:")[0]
        tail = text.split("termination:")[1]
        text = head + textwrap.dedent(orchestration).strip() + "\ntermination:" + tail
    result = parse_team(text)
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


@pytest.fixture
def make_panel(qtbot: Any, make_controller: Callable[..., Any]) -> Callable[..., tuple[Any, Any]]:
    """(controller, panel) for a panel class over TEAM (or the given orchestration), shown and exposed."""

    def make(cls: type, orchestration: str | None = None, select: str | None = None) -> tuple[Any, Any]:
        controller = make_controller(spec_of(TEAM, orchestration))
        panel = cls(controller)
        qtbot.addWidget(panel)
        panel.resize(600, 900)
        panel.show()
        qtbot.waitExposed(panel)
        if select:
            controller.select_agents([select])
        return controller, panel

    return make


def choose(combo: QComboBox, data: Any) -> None:
    """Pick an entry as a user would: current index, then the user-only ``activated`` signal."""
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def focus(qtbot: Any, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def click_box(qtbot: Any, check: QWidget) -> None:
    """Click a check box on its indicator (a stretched box ignores clicks right of its label)."""
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(6, check.height() // 2))


def cell_editor(table: QTableWidget) -> QLineEdit:
    editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def commit_cell(qtbot: Any, table: QTableWidget, editor: QLineEdit) -> None:
    # The delegate commits a cell on Enter through a queued call: wait for it.
    with qtbot.waitSignal(table.itemDelegate().closeEditor):
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def edit_cell(qtbot: Any, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Type into a table cell through its editor and press Enter."""
    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    editor = cell_editor(table)
    editor.selectAll()
    qtbot.keyClicks(editor, text) if text else qtbot.keyClick(editor, Qt.Key.Key_Delete)
    commit_cell(qtbot, table, editor)


def assert_one_undo_step(controller: Any, before: Any) -> None:
    """The gesture was exactly one undo step: one undo brings back ``before``."""
    assert controller.spec != before
    controller.undo_stack.undo()
    assert controller.spec == before


# --- agent panel ----------------------------------------------------------------------------


def test_agent_panel_needs_exactly_one_selected_agent(make_panel):
    controller, panel = make_panel(AgentPanelWidget)
    assert panel.hint.isVisibleTo(panel) and not panel.body.isEnabled()
    controller.select_agents(["writer", "editor"])
    assert not panel.body.isEnabled()
    controller.select_agents(["writer"])
    assert panel.body.isEnabled() and not panel.hint.isVisibleTo(panel)
    assert panel.id_edit.text() == "writer" and panel.prompt.text() == "You write."


def test_system_message_keystrokes_are_one_undo_step(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    before = controller.spec
    panel.prompt.editor.moveCursor(panel.prompt.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.prompt.editor, " Be brief.")
    assert controller.spec.agents["writer"].system_message == "You write. Be brief."
    assert panel.prompt.stats.text() == "20 characters · ~5 tokens"
    assert controller.undo_stack.count() == 1
    assert_one_undo_step(controller, before)
    assert panel.prompt.text() == "You write."  # the view followed the undo


def test_leaving_the_system_message_starts_a_new_undo_step(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    focus(qtbot, panel.prompt.editor)
    qtbot.keyClicks(panel.prompt.editor, "A")
    focus(qtbot, panel.id_edit)  # focus leaves: break_merge
    focus(qtbot, panel.prompt.editor)
    qtbot.keyClicks(panel.prompt.editor, "B")
    assert controller.undo_stack.count() == 2


def test_ctrl_z_in_a_field_undoes_the_document(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    before = controller.spec
    focus(qtbot, panel.prompt.editor)
    qtbot.keyClicks(panel.prompt.editor, "xyz")
    qtbot.keyClick(panel.prompt.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert controller.spec == before and panel.prompt.text() == "You write."


def test_description_typing_is_one_edit(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="editor")
    before = controller.spec
    panel.description_edit.selectAll()
    qtbot.keyClicks(panel.description_edit, "Checks facts.")
    assert controller.spec.agents["editor"].description == "Checks facts."
    assert_one_undo_step(controller, before)


def test_rename_through_the_id_field_follows_references(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    before = controller.spec
    panel.id_edit.selectAll()
    qtbot.keyClicks(panel.id_edit, "author")
    assert "writer" in controller.spec.agents  # nothing happens before the field is committed
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert list(controller.spec.agents) == ["author", "editor", "human"]
    assert controller.spec.orchestration.order == ["author", "editor"]
    assert controller.current_agent == "author" and panel.id_edit.text() == "author"
    assert_one_undo_step(controller, before)


def test_refused_rename_restores_the_id_and_says_why(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    refusals: list[str] = []
    controller.editRefused.connect(refusals.append)
    panel.id_edit.selectAll()
    qtbot.keyClicks(panel.id_edit, "editor")
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert list(controller.spec.agents) == ["writer", "editor", "human"]
    assert controller.undo_stack.count() == 0
    assert panel.id_edit.text() == "writer"
    assert "already exists" in panel.message.text() and panel.message.isVisibleTo(panel)
    assert refusals == ["an agent named 'editor' already exists"]


def test_tools_checklist_toggles_tools_and_describes_them(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    tools = panel.tools_list
    assert tools.keys() == ["calc", "weather"] and tools.checked_keys() == ["calc"]
    assert "expression: str" in tools.item_for("calc").toolTip()
    assert "Evaluate an arithmetic expression" in tools.item_for("calc").text()
    assert "no module 'weather_tools' in the tool folders" in tools.item_for("weather").toolTip()  # read, not imported
    assert "Current weather for a city." in tools.item_for("weather").toolTip()
    before = controller.spec
    tools.item_for("weather").setCheckState(Qt.CheckState.Checked)  # what a click on the box does
    assert controller.spec.agents["writer"].tools == ["calc", "weather"]
    assert_one_undo_step(controller, before)
    assert tools.checked_keys() == ["calc"]


def test_tool_checkbox_responds_to_the_keyboard(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    focus(qtbot, panel.tools_list)
    panel.tools_list.setCurrentRow(0)
    qtbot.keyClick(panel.tools_list.viewport(), Qt.Key.Key_Space)
    assert controller.spec.agents["writer"].tools == []


def test_handoffs_model_and_options_are_single_edits(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    assert panel.handoffs_list.keys() == ["editor", "human"]
    before = controller.spec
    panel.handoffs_list.item_for("editor").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.agents["writer"].handoffs == ["editor"]
    assert_one_undo_step(controller, before)

    assert panel.model_combo.itemText(0) == "(team default: fast)"
    choose(panel.model_combo, "embedded")
    assert controller.spec.agents["writer"].model == "embedded"
    assert_one_undo_step(controller, before)

    for check, field in ((panel.reflect_check, "reflect_on_tool_use"), (panel.streaming_check, "streaming")):
        old = getattr(before.agents["writer"], field)
        click_box(qtbot, check)
        assert getattr(controller.spec.agents["writer"], field) is (not old)
        assert_one_undo_step(controller, before)
        assert check.isChecked() is old


def test_max_tool_iterations_steps_merge_into_one_edit(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    before = controller.spec
    qtbot.keyClick(panel.iterations_spin, Qt.Key.Key_Up)
    qtbot.keyClick(panel.iterations_spin, Qt.Key.Key_Up)
    assert controller.spec.agents["writer"].max_tool_iterations == 3
    assert_one_undo_step(controller, before)


def test_kind_human_hides_model_fields_and_drops_tools(make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    before = controller.spec
    choose(panel.kind_combo, "user_proxy")
    agent = controller.spec.agents["writer"]
    assert agent.kind == "user_proxy" and agent.tools == []
    assert not panel.tools_list.isVisibleTo(panel) and not panel.model_combo.isVisibleTo(panel)
    assert "removed: calc" in panel.message.text()
    assert not panel.focus_field("tools")
    assert_one_undo_step(controller, before)
    assert panel.tools_list.isVisibleTo(panel) and panel.model_combo.isVisibleTo(panel)


def test_prompt_editor_highlights_placeholders_and_toggles_monospace(qtbot, make_panel):
    controller, panel = make_panel(AgentPanelWidget, select="writer")
    highlighter = panel.prompt.highlighter
    assert highlighter.placeholders("Use {topic} but not {{literal}} or { spaced }") == [(4, 7, "topic")]
    controller.edit("prompt", lambda spec: spec.model_copy(update={"agents": {
        **spec.agents, "writer": spec.agents["writer"].model_copy(update={"system_message": "Hi {name}!"})}}))
    formats = panel.prompt.editor.document().firstBlock().layout().formats()
    assert [(f.start, f.length) for f in formats] == [(3, 6)]
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    click_box(qtbot, panel.prompt.monospace)
    assert panel.prompt.editor.font().family() == fixed and settings.get("editor/monospace") is True
    click_box(qtbot, panel.prompt.monospace)
    assert panel.prompt.editor.font() == panel.prompt.font() and settings.get("editor/monospace") is False
    assert controller.undo_stack.count() == 1  # a view preference, not an edit of the design


def test_focus_paths_put_the_cursor_in_the_field(qtbot, make_controller):
    controller = make_controller(spec_of(TEAM))
    window = QWidget()  # one window, as in the app: focus moves between panels
    qtbot.addWidget(window)
    agents, team, pattern = AgentPanelWidget(controller), TeamPanelWidget(controller), PatternPanelWidget(controller)
    row = QHBoxLayout(window)
    for widget in (agents, team, pattern):
        row.addWidget(widget)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    controller.select_agents(["writer"])
    focus(qtbot, agents.id_edit)
    assert agents.focus_field("system_message") and agents.prompt.editor.hasFocus()
    assert agents.focus_field("tools", 0) and agents.tools_list.currentItem().text().startswith("calc")
    assert team.focus_path(("models", "fast", "api_key"))
    assert (team.models_table.currentRow(), team.models_table.currentColumn()) == (0, 4)
    assert team.focus_path(("termination",)) and team.max_messages_spin.hasFocus()
    assert not team.focus_path(("inputs", "missing"))
    assert pattern.focus_path(("orchestration", "order", 1))
    assert pattern.editors["sequential"].list.currentRow() == 1


# --- team panel -----------------------------------------------------------------------------


def test_team_text_fields_are_one_edit_each(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    before = controller.spec
    qtbot.keyClicks(panel.name_edit, " v2")
    assert controller.spec.name == "Panel test v2"
    assert_one_undo_step(controller, before)
    panel.task_edit.editor.selectAll()
    qtbot.keyClicks(panel.task_edit.editor, "Summarize {topic}")
    assert controller.spec.task == "Summarize {topic}"
    assert_one_undo_step(controller, before)
    panel.name_edit.selectAll()
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Delete)  # a team always keeps a name
    assert controller.spec.name == "Panel test"


def test_inputs_table_add_rename_edit_remove(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    table = panel.inputs_table
    before = controller.spec
    edit_cell(qtbot, table, 0, 0, "subject")
    assert list(controller.spec.inputs) == ["subject"]
    assert controller.spec.inputs["subject"].default == "water"
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 0, 1, "air")
    assert controller.spec.inputs["topic"].default == "air"
    assert_one_undo_step(controller, before)
    qtbot.mouseClick(panel.add_input_button, Qt.MouseButton.LeftButton)
    assert list(controller.spec.inputs) == ["topic", "input"]
    assert_one_undo_step(controller, before)
    table.selectRow(0)
    qtbot.mouseClick(panel.remove_input_button, Qt.MouseButton.LeftButton)
    assert controller.spec.inputs == {}
    assert_one_undo_step(controller, before)


def test_bad_input_name_is_refused(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    edit_cell(qtbot, panel.inputs_table, 0, 0, "two words")
    assert list(controller.spec.inputs) == ["topic"] and controller.undo_stack.count() == 0
    assert panel.inputs_table.item(0, 0).text() == "topic"
    assert "not a valid input name" in panel.message.text()


def test_models_table_edits_provider_and_follows_renames(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    table = panel.models_table
    before = controller.spec
    choose(table.cellWidget(0, 1), "ollama")
    model = controller.spec.models["fast"]
    assert model.provider == "ollama" and model.base_url == "http://127.0.0.1:11434/v1"
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 0, 0, "quick")
    assert list(controller.spec.models) == ["quick"] and controller.spec.default_model == "quick"
    assert_one_undo_step(controller, before)
    qtbot.mouseClick(panel.add_model_button, Qt.MouseButton.LeftButton)
    assert list(controller.spec.models) == ["fast", "model"] and table.rowCount() == 2
    assert_one_undo_step(controller, before)


def test_api_key_field_refuses_a_literal_key(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    table = panel.models_table
    secret = "sk-live-0123456789abcdef"
    edit_cell(qtbot, table, 0, 4, secret)
    assert controller.spec.models["fast"].api_key is None and controller.undo_stack.count() == 0
    assert table.item(0, 4).text() == ""  # the key does not even stay on screen
    assert "env:OPENAI_API_KEY" in panel.message.text() and secret not in panel.message.text()
    before = controller.spec
    edit_cell(qtbot, table, 0, 4, "env:OPENAI_API_KEY")
    assert controller.spec.models["fast"].api_key == "env:OPENAI_API_KEY"
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 0, 3, "localhost:8080")
    assert controller.spec.models["fast"].base_url is None and "http://" in panel.message.text()


def test_default_model_and_termination(qtbot, make_panel):
    controller, panel = make_panel(TeamPanelWidget)
    before = controller.spec
    choose(panel.default_model_combo, None)
    assert controller.spec.default_model is None
    assert_one_undo_step(controller, before)
    assert panel.bound_label.text() == "Run bound: 20 messages, 600 s"
    qtbot.keyClick(panel.max_messages_spin, Qt.Key.Key_Up)
    qtbot.keyClick(panel.max_messages_spin, Qt.Key.Key_Up)
    assert controller.spec.termination.max_messages == 22
    assert panel.bound_label.text() == "Run bound: 22 messages, 600 s"
    assert_one_undo_step(controller, before)
    panel.timeout_spin.selectAll()
    qtbot.keyClicks(panel.timeout_spin, "0")  # 0 is "off"
    assert controller.spec.termination.timeout is None
    assert panel.bound_label.text() == "Run bound: 20 messages"
    controller.undo_stack.undo()
    qtbot.keyClicks(panel.text_edit, "DONE")
    assert controller.spec.termination.text == "DONE"
    assert_one_undo_step(controller, before)


# --- pattern panel --------------------------------------------------------------------------


def test_pattern_switch_that_drops_data_asks_and_is_undoable(make_panel):
    controller, panel = make_panel(PatternPanelWidget, GRAPH)
    asked: list[tuple[str, str]] = []
    panel.confirm = lambda title, text: asked.append((title, text)) or False
    before = controller.spec
    choose(panel.pattern_combo, "sequential")
    assert asked == [("Switch to Sequential?",
                      "Switching to Sequential drops: 3 graph edges (2 with conditions).\n\nSwitch?")]
    assert controller.spec == before and panel.pattern_combo.currentData() == "graph"

    panel.confirm = lambda title, text: True
    choose(panel.pattern_combo, "sequential")
    assert controller.spec.orchestration.pattern == "sequential"
    assert controller.spec.orchestration.order == ["writer", "editor", "human"]
    assert panel.stack.currentWidget() is panel.editors["sequential"]
    assert "Dropped: 3 graph edges (2 with conditions)" in panel.note.text()
    assert_one_undo_step(controller, before)
    assert panel.pattern_combo.currentData() == "graph" and not panel.note.isVisibleTo(panel)


def test_pattern_switch_without_loss_does_not_ask(make_panel):
    controller, panel = make_panel(PatternPanelWidget)
    panel.confirm = lambda title, text: pytest.fail("nothing is dropped, so nothing to ask")
    before = controller.spec
    choose(panel.pattern_combo, "round_robin")
    assert controller.spec.orchestration.participants == ["writer", "editor"]
    assert_one_undo_step(controller, before)


def test_sequential_reorder_by_buttons_and_drag(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget)
    editor = panel.editors["sequential"]
    before = controller.spec
    editor.list.setCurrentRow(1)
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert controller.spec.orchestration.order == ["editor", "writer"]
    assert_one_undo_step(controller, before)
    # What an InternalMove drop does to the list's model.
    editor.list.model().moveRow(QModelIndex(), 1, QModelIndex(), 0)
    assert controller.spec.orchestration.order == ["editor", "writer"]
    assert_one_undo_step(controller, before)
    choose(editor.add_combo, "human")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert controller.spec.orchestration.order == ["writer", "editor", "human"]
    assert_one_undo_step(controller, before)
    editor.list.setCurrentRow(0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert controller.spec.orchestration.order == ["editor"]
    assert_one_undo_step(controller, before)


def test_round_robin_checklist_sets_who_speaks_and_in_which_order(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, "orchestration: {pattern: round_robin, participants: [writer, editor]}")
    editor = panel.editors["round_robin"]
    assert editor.list.keys() == ["writer", "editor", "human"] and editor.list.checked_keys() == ["writer", "editor"]
    before = controller.spec
    editor.list.item_for("human").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.orchestration.participants == ["writer", "editor", "human"]
    assert_one_undo_step(controller, before)
    editor.list.setCurrentRow(0)
    qtbot.mouseClick(editor.down_button, Qt.MouseButton.LeftButton)
    assert controller.spec.orchestration.participants == ["editor", "writer"]
    assert_one_undo_step(controller, before)


def test_hierarchical_coordinator_leaves_the_workers(make_panel):
    controller, panel = make_panel(PatternPanelWidget, "orchestration: {pattern: hierarchical, coordinator: writer, workers: [editor]}")
    editor = panel.editors["hierarchical"]
    before = controller.spec
    choose(editor.coordinator_combo, "editor")
    assert (controller.spec.orchestration.coordinator, controller.spec.orchestration.workers) == ("editor", [])
    assert_one_undo_step(controller, before)
    editor.workers_list.item_for("human").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.orchestration.workers == ["editor", "human"]
    assert_one_undo_step(controller, before)


def test_selector_fields(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, "orchestration: {pattern: selector, participants: [writer, editor]}")
    editor = panel.editors["selector"]
    before = controller.spec
    qtbot.keyClicks(editor.prompt.editor, "Pick from {participants}.")
    assert controller.spec.orchestration.selector_prompt == "Pick from {participants}."
    assert_one_undo_step(controller, before)
    choose(editor.model_combo, "fast")
    assert controller.spec.orchestration.selector_model == "fast"
    assert_one_undo_step(controller, before)
    click_box(qtbot, editor.repeat_check)
    assert controller.spec.orchestration.allow_repeated_speaker is True
    assert_one_undo_step(controller, before)


def test_swarm_entry_joins_the_participants(make_panel):
    controller, panel = make_panel(PatternPanelWidget, "orchestration: {pattern: swarm, entry: writer, participants: [writer]}")
    editor = panel.editors["swarm"]
    before = controller.spec
    choose(editor.entry_combo, "editor")
    assert (controller.spec.orchestration.entry, controller.spec.orchestration.participants) == ("editor", ["editor", "writer"])
    assert_one_undo_step(controller, before)


def test_graph_edge_condition_is_edited_in_the_table(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, GRAPH)
    editor = panel.editors["graph"]
    table = editor.edges_table
    before = controller.spec
    # contains -> does not contain keeps the text: one edit
    choose(table.cellWidget(1, 2), "not_contains")
    assert controller.spec.orchestration.edges[1].when.not_contains == "REVISE"
    assert_one_undo_step(controller, before)
    # always -> contains needs text first: the text cell opens, the edit happens on Enter ...
    choose(table.cellWidget(0, 2), "contains")
    with qtbot.waitSignal(table.itemDelegate().closeEditor):
        qtbot.keyClick(cell_editor(table), Qt.Key.Key_Escape)
    assert controller.spec == before and table.cellWidget(0, 2).currentData() == "always"  # ... Escape: nothing
    choose(table.cellWidget(0, 2), "contains")
    assert controller.spec == before
    editor_field = cell_editor(table)
    qtbot.keyClicks(editor_field, "DRAFT")
    commit_cell(qtbot, table, editor_field)
    assert controller.spec.orchestration.edges[0].when.contains == "DRAFT"
    assert controller.undo_stack.count() == 1
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 1, 3, "AGAIN")
    assert controller.spec.orchestration.edges[1].when.contains == "AGAIN"
    assert_one_undo_step(controller, before)
    edit_cell(qtbot, table, 1, 3, "")  # a condition without text is refused
    assert controller.spec == before and "needs text" in editor.message.text()


def test_graph_edges_add_remove_and_endpoints(qtbot, make_panel):
    controller, panel = make_panel(PatternPanelWidget, GRAPH)
    editor = panel.editors["graph"]
    before = controller.spec
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert len(controller.spec.orchestration.edges) == 4 and editor.edges_table.rowCount() == 4
    assert_one_undo_step(controller, before)
    editor.edges_table.selectRow(2)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert [(e.source, e.target) for e in controller.spec.orchestration.edges] == [("writer", "editor"), ("editor", "writer")]
    assert_one_undo_step(controller, before)
    choose(editor.edges_table.cellWidget(0, 1), "human")
    assert controller.spec.orchestration.edges[0].target == "human"
    assert_one_undo_step(controller, before)
    choose(editor.edges_table.cellWidget(0, 1), "writer")  # a self-loop is refused
    assert controller.spec == before and "itself" in editor.message.text()
    assert editor.edges_table.cellWidget(0, 1).currentData() == "editor"
    editor.join_list.item_for("editor").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.orchestration.wait_for_all == ["editor"]
    assert_one_undo_step(controller, before)


def test_selected_connection_selects_the_edge_row_and_back(make_panel):
    controller, panel = make_panel(PatternPanelWidget, GRAPH)
    table = panel.editors["graph"].edges_table
    controller.select_connection("editor", "writer", 1)
    assert table.currentRow() == 1 and table.item(1, 3).isSelected()
    table.selectRow(2)
    assert controller.selected_connection == ("editor", "human", 2)
    assert panel.focus_path(("orchestration", "edges", 0, "to"))
    assert table.currentRow() == 0 and table.currentColumn() == 1


# --- problems panel -------------------------------------------------------------------------


def test_problems_panel_lists_problems_and_leads_to_the_agent(qtbot, make_panel, make_controller):
    controller, panel = make_panel(ProblemsPanelWidget)
    agents = AgentPanelWidget(controller)
    qtbot.addWidget(agents)
    controller.edit("break it", lambda spec: spec.model_copy(
        update={"agents": {**spec.agents, "editor": spec.agents["editor"].model_copy(update={"model": "nope"})}}))
    qtbot.waitUntil(lambda: any(p.message == "unknown model 'nope'" for p in panel.problems))
    # The second warning: the spare library tool 'weather' has no module in the (absent) tool folders.
    assert panel.summary.text() == "1 error, 2 warnings"
    item = panel.item_for(next(p for p in panel.problems if p.is_error))
    assert item.text(1) == "agents.editor.model" and "Hint: defined: embedded, fast" in item.toolTip(0)
    with qtbot.waitSignal(panel.problemActivated) as activated:
        qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=panel.tree.visualItemRect(item).center())
    assert controller.selected_agents == ["editor"]
    assert activated.args[0].path == ("agents", "editor", "model")
    team, pattern = TeamPanelWidget(controller), PatternPanelWidget(controller)
    for widget in (team, pattern):
        qtbot.addWidget(widget)
    assert focus_problem(activated.args[0], agent_panel=agents, team_panel=team, pattern_panel=pattern) is agents
    assert agents.focus_field("model")


def test_problems_panel_selects_the_graph_edge_of_a_problem(qtbot, make_panel):
    controller, panel = make_panel(ProblemsPanelWidget, GRAPH.replace(", when: {not_contains: REVISE}", ""))
    controller.validate_now()
    problem = next(p for p in panel.problems if p.path[:2] == ("orchestration", "edges"))
    assert "mixes conditional" in problem.message
    with qtbot.waitSignal(panel.problemActivated):
        panel.tree.itemActivated.emit(panel.item_for(problem), 0)  # Enter on the row
    assert controller.selected_connection == ("editor", "human", 2)
