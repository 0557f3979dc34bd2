"""The Run dialog remembers the last task and inputs per team, runs on Ctrl+Enter from any
field, and keeps its rows still when its preview turns into a warning."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from designer.ui.dialogs.run_and_help import RunDialog

TEAM = """\
schema: team-designer/v1
name: NAME
task: 'Topic: {topic}'
inputs:
  topic: {default: tides, description: What to talk about.}
default_model: s
models:
  s: {provider: scripted, responses: ["noted", "noted again", "and again"]}
agents:
  a: {}
orchestration: {pattern: sequential, order: [a]}
termination: {max_messages: 5}
"""


def write(tmp_path: Path, name: str = "Memory team") -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent(TEAM).replace("NAME", name), encoding="utf-8")
    return path


def activate(qtbot: Any, dialog: RunDialog) -> None:
    """Shortcuts reach the active window only; offscreen, a new window is not always made active."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=15000)


def in_run_dialog(qtbot: Any, act: Callable[[RunDialog], None]) -> list[str]:
    """Arrange for ``act`` to drive the Run dialog the window is about to show modally; the
    dialog is always closed afterwards, so a failing check cannot leave exec() hanging."""
    failures: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, RunDialog):
            QTimer.singleShot(20, drive)  # not shown yet
            return
        try:
            activate(qtbot, dialog)
            act(dialog)
        except AssertionError as exc:  # reported by the test, after exec() returned
            failures.append(str(exc) or repr(exc))
        finally:
            if dialog.isVisible():
                dialog.reject()
            dialog.deleteLater()

    QTimer.singleShot(0, drive)
    return failures


def test_the_last_task_and_inputs_come_back_for_the_same_team_and_ctrl_enter_runs(make_main_window, qtbot, tmp_path):
    """Typed in the real dialog the window shows on Run, run with Ctrl+Enter from the task box,
    and found there again the next time the same team is run."""
    w = make_main_window(write(tmp_path))
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())

    def type_and_run(dialog: RunDialog) -> None:
        dialog.task_edit.selectAll()
        qtbot.keyClicks(dialog.task_edit, "Explain {topic} to a child")
        dialog.inputs["topic"].selectAll()
        qtbot.keyClicks(dialog.inputs["topic"], "volcanoes")
        dialog.task_edit.setFocus()
        qtbot.keyClick(dialog.task_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.result() == RunDialog.DialogCode.Accepted, "Ctrl+Enter in the task box did not run"

    failures = in_run_dialog(qtbot, type_and_run)
    w.window_actions["run"].trigger()
    assert not failures, failures
    qtbot.waitUntil(lambda: w.transcript.model.finished is not None, timeout=15000)
    assert w.transcript.model.started.task == "Explain volcanoes to a child"  # the run got what was typed
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)

    seen: dict[str, str] = {}

    def look(dialog: RunDialog) -> None:
        seen["task"] = dialog.task_edit.toPlainText()
        seen["topic"] = dialog.inputs["topic"].text()
        seen["preview"] = dialog.preview.text()

    failures = in_run_dialog(qtbot, look)
    w.window_actions["run"].trigger()  # cancelled by the helper: no second run
    assert not failures, failures
    assert seen == {"task": "Explain {topic} to a child", "topic": "volcanoes", "preview": "Explain volcanoes to a child"}
    assert not w.runs.running


def test_memory_is_per_team_and_a_new_team_starts_from_its_file(qtbot, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = write(tmp_path / "x")
    other = write(tmp_path / "y", "Other team")
    from designer.core.yamlio import parse_team

    spec = parse_team(first.read_text(encoding="utf-8")).spec
    dialog = RunDialog(spec, key=str(first))
    qtbot.addWidget(dialog)
    dialog.inputs["topic"].clear()
    qtbot.keyClicks(dialog.inputs["topic"], "glaciers")
    dialog.show()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.result() == RunDialog.DialogCode.Accepted

    again = RunDialog(spec, key=str(first))
    qtbot.addWidget(again)
    assert again.inputs["topic"].text() == "glaciers"
    other_spec = parse_team(other.read_text(encoding="utf-8")).spec
    fresh = RunDialog(other_spec, key=str(other))
    qtbot.addWidget(fresh)
    assert fresh.inputs["topic"].text() == "tides" and fresh.task_edit.toPlainText() == "Topic: {topic}"


def test_ctrl_enter_in_an_input_field_runs_and_does_nothing_while_the_task_is_invalid(qtbot, tmp_path):
    from designer.core.yamlio import parse_team

    spec = parse_team(write(tmp_path, "Keys team").read_text(encoding="utf-8")).spec
    dialog = RunDialog(spec, key=str(tmp_path / "keys"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    dialog.task_edit.setFocus()
    dialog.task_edit.selectAll()
    qtbot.keyClick(dialog.task_edit, Qt.Key.Key_Delete)  # no task: Run is disabled, and so is Ctrl+Enter
    qtbot.keyClick(dialog.task_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.result() != RunDialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.task_edit, "About {topic}")
    dialog.inputs["topic"].setFocus()
    qtbot.keyClick(dialog.inputs["topic"], Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)  # the keypad's Enter
    assert dialog.result() == RunDialog.DialogCode.Accepted


def test_a_warning_in_the_preview_does_not_move_the_rows(qtbot, tmp_path):
    """A message appearing (task validation) has its room reserved: the model row and the Run
    button stay where the pointer is."""
    from designer.core.yamlio import parse_team

    spec = parse_team(write(tmp_path, "Rows team").read_text(encoding="utf-8")).spec
    dialog = RunDialog(spec, key=str(tmp_path / "rows"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    run_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def where() -> tuple[int, int, int]:
        QApplication.processEvents()
        return (dialog.model_combo.mapTo(dialog, dialog.model_combo.rect().topLeft()).y(),
                run_button.mapTo(dialog, run_button.rect().topLeft()).y(), dialog.height())

    before = where()
    dialog.task_edit.selectAll()
    qtbot.keyClicks(dialog.task_edit, "Use {nothing_like_this} " + "and a long sentence " * 20)
    assert dialog.preview.text().startswith("⚠")
    assert where() == before
    dialog.task_edit.selectAll()
    qtbot.keyClicks(dialog.task_edit, "A task " * 60)  # a preview many lines long
    assert where() == before
    assert dialog.preview.toolTip().startswith("A task")  # what does not fit is in the tooltip


def test_a_task_edited_in_the_team_since_the_last_run_wins_over_the_remembered_one(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path))
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())

    def type_and_run(dialog: RunDialog) -> None:
        dialog.task_edit.selectAll()
        qtbot.keyClicks(dialog.task_edit, "Old task about {topic}")
        dialog.task_edit.setFocus()
        qtbot.keyClick(dialog.task_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    failures = in_run_dialog(qtbot, type_and_run)
    w.window_actions["run"].trigger()
    assert not failures, failures
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)

    # The user now types a new task into the Team panel, then presses Run again.
    w.docks["team"].raise_()
    editor = w.team_panel.task_edit.editor
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "New task about {topic}")
    qtbot.waitUntil(lambda: w.controller.spec.task == "New task about {topic}", timeout=15000)
    seen: dict[str, str] = {}
    failures = in_run_dialog(qtbot, lambda dialog: seen.update(task=dialog.task_edit.toPlainText()))
    w.window_actions["run"].trigger()  # cancelled by the helper
    assert not failures, failures
    assert seen == {"task": "New task about {topic}"}
