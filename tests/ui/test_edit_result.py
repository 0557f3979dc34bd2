"""DocumentController.edit returns a typed EditResult: whether the edit applied, its extra
result, and why it was refused; the panel that asked shows the reason where the user is."""

from __future__ import annotations

from designer.core import canvas_edits, edits
from designer.core.team_edits import add_input, edit_input
from designer.ui.document.controller import EditResult


def test_an_applied_edit_is_one_undo_step_and_carries_the_edits_extra_result(make_controller):
    controller = make_controller()
    result = controller.edit("Add agent", canvas_edits.add_agent_at, (10.0, 20.0))
    assert isinstance(result, EditResult)
    assert result.applied and not result.refused and result.refusal is None
    assert result.extra in controller.spec.agents and controller.undo_stack.count() == 1


def test_a_refused_edit_changes_nothing_and_says_why_to_the_caller_and_the_status_bar(qtbot, make_controller):
    controller = make_controller()
    before = controller.spec
    with qtbot.waitSignal(controller.editRefused) as heard:
        result = controller.edit("Rename", edits.rename_agent, "assistant", "two words")
    assert not result.applied and result.refused and result.refusal == heard.args[0]
    assert result.extra is None and controller.spec is before and controller.undo_stack.count() == 0


def test_an_edit_that_changes_nothing_is_neither_applied_nor_refused(make_controller):
    controller = make_controller()
    assert controller.edit("Add input", add_input).extra == "input"
    after = controller.spec
    result = controller.edit("Same name", edit_input, 0, "name", "input")
    assert result == EditResult(False)
    assert controller.undo_stack.count() == 1 and controller.spec is after
