"""The team panel's termination editor: turn and token caps, "ends when" pickers, nested blocks.

Driven as a user drives it (keys, clicks, picks); each change is one undo step, and what the
panel writes is what the file then holds.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from designer.core.spec import TerminationSpec
from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team
from designer.ui.panels import TeamPanelWidget
from designer.ui.panels.termination_editor import BlockDialog

TEAM = """\
schema: team-designer/v1
name: Review
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  writer: {tools: [area]}
  critic: {}
orchestration: {pattern: round_robin, participants: [writer, critic]}
termination: {max_messages: 20}
"""


@pytest.fixture
def panel(qtbot: Any, make_controller: Callable[..., Any]) -> Any:
    result = parse_team(TEAM)
    assert result.spec is not None
    controller = make_controller(result.spec)
    widget = TeamPanelWidget(controller)
    qtbot.addWidget(widget)
    widget.resize(600, 1200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def controller_of(panel: Any) -> Any:
    return panel._controller


def choose(combo: QComboBox, data: Any) -> None:
    """Pick an entry as a user would: the index, then the user-only ``activated`` signal."""
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def one_undo_step(controller: Any, before: Any) -> None:
    after = controller.spec
    controller.undo_stack.undo()
    assert controller.spec == before
    controller.undo_stack.redo()
    assert controller.spec == after


def test_turn_and_token_caps_are_typed_into_spins_one_undo_step_each(qtbot, panel):
    controller, extras = controller_of(panel), panel.termination_extras
    before = controller.spec
    extras.max_turns_spin.selectAll()
    qtbot.keyClicks(extras.max_turns_spin, "12")
    assert controller.spec.termination.max_turns == 12
    one_undo_step(controller, before)
    assert panel.bound_label.text() == "Run bound: 20 messages, 12 turns"
    extras.max_turns_spin.editingFinished.emit()
    before = controller.spec
    extras.prompt_spin.selectAll()
    qtbot.keyClicks(extras.prompt_spin, "5000")
    extras.completion_spin.selectAll()
    qtbot.keyClicks(extras.completion_spin, "800")
    term = controller.spec.termination
    assert (term.max_prompt_tokens, term.max_completion_tokens) == (5000, 800)
    assert "max_prompt_tokens: 5000\n  max_completion_tokens: 800\n" in dump_team(controller.spec)
    extras.max_turns_spin.selectAll()
    qtbot.keyClicks(extras.max_turns_spin, "0")  # 0 is "off"
    assert controller.spec.termination.max_turns is None


def test_ends_when_pickers_offer_the_teams_tools_and_agents(qtbot, panel):
    controller, c = controller_of(panel), panel.termination_extras.conditions
    assert [c.tool_combo.itemData(i) for i in range(c.tool_combo.count())] == [None, "area"]
    assert [c.handoff_combo.itemData(i) for i in range(c.handoff_combo.count())] == [None, "user", "writer", "critic"]
    before = controller.spec
    choose(c.tool_combo, "area")
    assert controller.spec.termination.tool_called == "area"
    one_undo_step(controller, before)
    choose(c.text_from_combo, "critic")
    choose(c.handoff_combo, "user")
    item = c.spoke_list.item_for("critic")
    assert item is not None
    item.setCheckState(Qt.CheckState.Checked)  # what clicking its box does
    term = controller.spec.termination
    assert (term.tool_called, term.text_from, term.handoff_to, term.spoke) == ("area", "critic", "user", ["critic"])
    assert panel.bound_label.text() == ("Run bound: 20 messages, tool area called, text from critic, hand-off to user, "
                                        "critic spoke")
    choose(c.text_from_combo, None)
    assert controller.spec.termination.text_from is None
    # A rename elsewhere shows here at once: the panel follows the document.
    from designer.core import edits

    controller.edit("Rename", edits.rename_agent, "critic", "reviewer")
    assert c.spoke_list.checked_keys() == ["reviewer"]


def test_blocks_are_added_edited_combined_and_removed_through_the_dialog(qtbot, panel):
    controller, extras = controller_of(panel), panel.termination_extras
    answers = [TerminationSpec(text="APPROVE"), TerminationSpec(spoke=["critic"])]
    asked: list[Any] = []
    extras.ask_block = lambda spec, block: asked.append(block) or (answers.pop(0) if answers else None)
    before = controller.spec
    qtbot.mouseClick(extras.add_button, Qt.MouseButton.LeftButton)
    one_undo_step(controller, before)
    qtbot.mouseClick(extras.add_button, Qt.MouseButton.LeftButton)
    assert asked == [None, None]
    assert [b.describe() for b in controller.spec.termination.any_of] == ["text 'APPROVE'", "critic spoke"]
    assert [extras.blocks_list.item(i).text() for i in range(extras.blocks_list.count())] == [
        "text 'APPROVE'", "critic spoke"]
    before = controller.spec
    choose(extras.mode_combo, "all")  # the critic spoke AND someone said APPROVE
    term = controller.spec.termination
    assert term.any_of == [] and [b.describe() for b in term.all_of] == ["text 'APPROVE'", "critic spoke"]
    one_undo_step(controller, before)
    assert "  all:\n  - {text: APPROVE}\n  - spoke: [critic]\n" in dump_team(controller.spec)
    extras.blocks_list.setCurrentRow(0)
    extras.ask_block = lambda spec, block: asked.append(block) or block.model_copy(update={"text": "LGTM"})
    qtbot.mouseClick(extras.edit_button, Qt.MouseButton.LeftButton)
    assert asked[-1] == TerminationSpec(text="APPROVE")
    assert controller.spec.termination.all_of[0].text == "LGTM"
    extras.blocks_list.setCurrentRow(1)
    qtbot.mouseClick(extras.remove_button, Qt.MouseButton.LeftButton)
    assert [b.describe() for b in controller.spec.termination.all_of] == ["text 'LGTM'"]
    extras.ask_block = lambda spec, block: None  # Cancel changes nothing
    undo_count = controller.undo_stack.count()
    qtbot.mouseClick(extras.add_button, Qt.MouseButton.LeftButton)
    assert controller.undo_stack.count() == undo_count


def test_a_block_with_a_turn_cap_is_refused_with_words(qtbot, panel):
    controller, extras = controller_of(panel), panel.termination_extras
    extras.ask_block = lambda spec, block: TerminationSpec(max_turns=3)
    before = controller.spec
    qtbot.mouseClick(extras.add_button, Qt.MouseButton.LeftButton)
    assert controller.spec == before
    assert "max_turns is the team's turn cap" in panel.message.text()


def test_the_block_dialog_edits_every_field_and_keeps_nested_blocks(qtbot, panel):
    spec = controller_of(panel).spec
    nested = TerminationSpec.model_validate({"text": "x", "any": [{"spoke": ["writer"]}]})
    dialog = BlockDialog(spec, nested, panel)
    qtbot.addWidget(dialog)
    dialog.text_edit.clear()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # nothing of its own left is still a condition: the any
    assert dialog.result() == dialog.DialogCode.Accepted
    dialog = BlockDialog(spec, None, panel)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Set at least one condition, or Cancel."
    assert dialog.result() != dialog.DialogCode.Accepted  # OK kept it open
    qtbot.keyClicks(dialog.text_edit, "DONE")
    dialog.prompt_spin.setValue(900)
    choose(dialog.conditions.tool_combo, "area")
    item = dialog.conditions.spoke_list.item_for("writer")
    assert item is not None
    item.setCheckState(Qt.CheckState.Checked)
    assert dialog.block() == TerminationSpec(text="DONE", max_prompt_tokens=900, tool_called="area", spoke=["writer"])
    assert dialog.block().model_fields_set == {"text", "max_prompt_tokens", "tool_called", "spoke"}


def test_a_problem_in_a_condition_puts_the_cursor_on_its_field(qtbot, panel):
    extras = panel.termination_extras
    assert panel.focus_path(("termination", "text_from")) and extras.conditions.text_from_combo.hasFocus()
    assert panel.focus_path(("termination", "all", 1, "spoke", 0)) and extras.blocks_list.hasFocus()
    assert panel.focus_path(("termination", "max_turns")) and extras.max_turns_spin.hasFocus()
