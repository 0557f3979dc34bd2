"""Run ▸ Evaluate…: tasks typed into the table, a variant with another system message, Run, the
matrix filling in, a cell's transcript, two cells compared, Stop in the middle, a malformed
check, an unsaved team, and the evaluation file written and read back. Scripted models in real
worker processes (one worker: each costs about 1.5 s to start)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from designer.core.eval_file import load_eval
from designer.ui.compare.view import CompareDialog
from designer.ui.eval.matrix_model import CellRole
from designer.ui.eval.run_view import RunDialog
from designer.ui.eval.window import EvalWindow
from designer.ui.history.store import window_store
from designer.ui.theme import colors
from tests.conftest import STOP_BOUND_S

TEAM = """\
schema: team-designer/v1
name: Rect
task: "Area of {length} x {width}?"
inputs:
  length: {default: '2'}
  width: {default: '3'}
default_model: fast
models:
  fast:
    provider: scripted
    responses:
      - tool_calls: [{name: area, arguments: {length: 3, width: 4}}]
      - "The area is 12 square units."
  slow:
    provider: scripted
    delay: 30
    responses: ["too late"]
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  solver:
    system_message: You compute areas.
    tools: [area]
    reflect_on_tool_use: true
orchestration: {pattern: sequential, order: [solver]}
termination: {max_messages: 6, timeout: 60}
"""


from tests.ui.test_replay_window import history  # noqa: E402, F401 - autouse: a run history of each test's own


def open_evaluate(make_main_window: Any, qtbot: Any, tmp_path: Path) -> tuple[Any, EvalWindow]:
    team = tmp_path / "rect.yaml"
    team.write_text(TEAM, encoding="utf-8")
    w = make_main_window(team)
    w.asked_trust = []
    w.preparation.ask = lambda items: w.asked_trust.append(items) or False
    w.window_actions["evaluate"].trigger()
    ev = w.evaluations.eval_window
    assert isinstance(ev, EvalWindow) and ev.isVisible() and not ev.isModal()
    ev.errors = []
    ev.show_error = lambda title, text: ev.errors.append(text)
    ev.ask_save = lambda name: "discard"
    ev.run_side.workers.setValue(1)
    return w, ev


def cell_center(view: Any, row: int, column: int) -> QPoint:
    return view.visualRect(view.model().index(row, column)).center()


def open_editor(view: Any) -> QLineEdit:
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, "no editor open"
    return editors[0]


def type_and_enter(qtbot: Any, view: Any, text: str) -> None:
    editor = open_editor(view)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()])


def type_into_cell(qtbot: Any, view: Any, row: int, column: int, text: str) -> None:
    """Double-click the cell, type into its editor, Enter: as a user edits a table."""
    view.scrollTo(view.model().index(row, column))
    double_click(qtbot, view, row, column)
    type_and_enter(qtbot, view, text)


def double_click(qtbot: Any, view: Any, row: int, column: int) -> None:
    at = cell_center(view, row, column)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # a double-click begins with a press
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)


def add_task(qtbot: Any, ev: EvalWindow, name: str, length: str, width: str, checks: str) -> None:
    """Add task (its name's editor opens), the name, then the other cells."""
    setup = ev.setup
    qtbot.mouseClick(setup.add_task_button, Qt.MouseButton.LeftButton)
    view, model = setup.tasks_view, setup.tasks_model
    type_and_enter(qtbot, view, name)
    row = model.rowCount() - 1
    for key, text in (("length", length), ("width", width), ("checks", checks)):
        type_into_cell(qtbot, view, row, model.column_of(key), text)


def add_variant(qtbot: Any, ev: EvalWindow, name: str, agent: str, system_message: str = "", model: str = "") -> None:
    qtbot.mouseClick(ev.setup.add_variant_button, Qt.MouseButton.LeftButton)
    dialog = ev.setup.variant_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.name, name)
    if system_message:
        qtbot.keyClicks(dialog.agents[agent].system_message, system_message)
    if model:
        dialog.every_model.setCurrentIndex(dialog.every_model.findData(model))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ev.setup.variant_dialog is None)


def wait_runnable(qtbot: Any, ev: EvalWindow) -> None:
    qtbot.waitUntil(lambda: ev.run_side.run_button.isEnabled(), timeout=15000)


def texts(ev: EvalWindow) -> dict[tuple[str, str], str]:
    model = ev.run_side.matrix
    return {(model.headerData(r, Qt.Orientation.Vertical), model.headerData(c, Qt.Orientation.Horizontal)):
            model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())}


def test_tasks_typed_and_a_variant_run_into_a_matrix_whose_cells_open_runs_and_compare(make_main_window, qtbot, tmp_path):
    w, ev = open_evaluate(make_main_window, qtbot, tmp_path)
    assert ev.path == tmp_path / "rect.eval.yaml" and ev.team_file == tmp_path / "rect.yaml"
    assert not ev.run_side.run_button.isEnabled()  # no task yet: the evaluation needs one
    add_task(qtbot, ev, "twelve", "3", "4", "contains: 12; tool-called: area")
    add_task(qtbot, ev, "wrong", "5", "5", "contains: 25")  # the script always answers 12: fails on purpose
    add_variant(qtbot, ev, "terse", "solver", system_message="Reply with the number only.")
    wait_runnable(qtbot, ev)

    qtbot.mouseClick(ev.run_side.run_button, Qt.MouseButton.LeftButton)
    assert ev.run_side.running and ev.run_side.stop_button.isEnabled()
    matrix = ev.run_side.matrix
    qtbot.waitUntil(lambda: not ev.run_side.running, timeout=30000)
    assert not w.asked_trust and not ev.errors
    summary = matrix.summary
    assert summary is not None and summary.done_runs == summary.total_runs == 4
    cells = texts(ev)
    assert set(cells) == {("twelve", "base"), ("twelve", "terse"), ("wrong", "base"), ("wrong", "terse")}
    assert cells[("twelve", "base")].startswith("PASS 1/1") and cells[("twelve", "terse")].startswith("PASS 1/1")
    assert cells[("wrong", "base")].startswith("FAIL 0/1") and cells[("wrong", "terse")].startswith("FAIL 0/1")
    assert " tok · " in cells[("twelve", "base")] and cells[("twelve", "base")].endswith(" s")
    theme = colors()
    assert matrix.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) == theme.diff_added
    assert matrix.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == theme.diff_removed
    assert "contains '25'" in matrix.index(1, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert ev.run_side.progress.format().startswith("4/4 runs · 2 failed")
    # The file Run saved is the table, and loads as the CLI loads it.
    saved = yaml.safe_load(ev.path.read_text(encoding="utf-8"))
    assert list(saved)[:3] == ["schema", "team", "variants"] and saved["team"] == "rect.yaml"
    assert saved["tasks"][0] == {"name": "twelve", "inputs": {"length": "3", "width": "4"},
                                 "checks": [{"type": "contains", "value": "12"}, {"type": "tool-called", "value": "area"}]}
    assert saved["variants"] == {"terse": {"system_messages": {"solver": "Reply with the number only."}}}
    assert load_eval(ev.path).ok

    # Double-click the terse variant's cell: that run's transcript, and its team had the new system message.
    view = ev.run_side.matrix_view
    double_click(qtbot, view, 0, 1)
    dialog = ev.run_side.run_dialog
    assert isinstance(dialog, RunDialog) and dialog.isVisible()
    cell = matrix.index(0, 1).data(CellRole)
    assert dialog.run.id == cell.runs[0].run_id and dialog.run.origin == "eval"
    assert "Reply with the number only." in dialog.run.snapshot
    shown = [e.text for e in dialog.transcript.model.entries if e.kind == "message"]
    assert shown and shown[-1] == "The area is 12 square units."
    assert dialog.verdict.text().startswith("✔ passed")
    dialog.close()

    # Click one cell, Ctrl+click the one beside it: Compare opens on their runs (base is A).
    assert not ev.run_side.compare_button.isEnabled()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(view, 0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     pos=cell_center(view, 0, 1))
    assert ev.run_side.compare_button.isEnabled()
    qtbot.mouseClick(ev.run_side.compare_button, Qt.MouseButton.LeftButton)
    compare = ev.run_side.compare_dialog
    assert isinstance(compare, CompareDialog) and compare.isVisible()
    base_run = matrix.index(0, 0).data(CellRole).runs[0].run_id
    assert (compare.a.id, compare.b.id) == (base_run, cell.runs[0].run_id)
    assert "Reply with the number only." in compare.text()
    compare.close()

    # Enter on a cell opens it too.
    view.setCurrentIndex(matrix.index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert ev.run_side.run_dialog is not None and ev.run_side.run_dialog.job.task_id == "wrong"
    ev.run_side.run_dialog.close()

    # Strict replay of the recorded evaluation: the same verdicts, every model call answered from the recording.
    ev.run_side.replay.setCurrentIndex(ev.run_side.replay.findData("strict"))
    qtbot.mouseClick(ev.run_side.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ev.run_side.running, timeout=30000)
    replayed = matrix.summary
    assert replayed is not summary and replayed.done_runs == 4
    assert {k: v.split(" ")[0] for k, v in texts(ev).items()} == {k: v.split(" ")[0] for k, v in cells.items()}
    assert all(r.replayed_calls > 0 and r.live_calls == 0 for r in replayed.results), replayed.results

    # Another evaluation file opened: the last one's matrix, progress and Compare go with it ...
    other = tmp_path / "other.eval.yaml"
    other.write_text("schema: team-designer-eval/v1\nteam: rect.yaml\ntasks: [{name: one, inputs: {length: 1, width: 1}}]\n")
    ev.choose_open_path = lambda: str(other)
    ev.actions_["open"].trigger()
    assert ev.path == other and matrix.rowCount() == 0 and ev.run_side.progress.format() == ""
    assert not ev.run_side.compare_button.isEnabled()
    # ... and it is still the one shown when the window is closed and opened again.
    ev.close()
    w.window_actions["evaluate"].trigger()
    assert w.evaluations.eval_window is ev and ev.path == other
    ev.close()


def test_stop_in_the_middle_stops_the_evaluation_quickly_and_says_so(make_main_window, qtbot, tmp_path):
    w, ev = open_evaluate(make_main_window, qtbot, tmp_path)
    add_task(qtbot, ev, "twelve", "3", "4", "contains: 12")
    add_variant(qtbot, ev, "slow", "solver", model="slow")  # each of its runs would take 30 s
    wait_runnable(qtbot, ev)
    ev.actions_["run"].trigger()  # Ctrl+R
    matrix = ev.run_side.matrix
    qtbot.waitUntil(lambda: matrix.summary is not None and matrix.summary.done_runs == 1, timeout=30000)
    assert texts(ev)[("twelve", "base")].startswith("PASS")

    ev.activateWindow()  # a user looks at the window they press Esc in
    qtbot.waitUntil(ev.isActiveWindow, timeout=15000)
    asked = time.monotonic()
    qtbot.keyClick(ev.run_side.matrix_view, Qt.Key.Key_Escape)  # Esc: Stop
    assert ev.run_side.status.text() == "Stopping…"
    qtbot.waitUntil(lambda: not ev.run_side.running, timeout=15000)
    assert time.monotonic() - asked < STOP_BOUND_S
    assert ev.run_side.status.text() == "Stopped after 1 of 2 runs"
    assert texts(ev)[("twelve", "slow")].startswith("stopped 0/1")
    assert ev.run_side.run_button.isEnabled() and not ev.run_side.stop_button.isEnabled()

    # Closing the window while it runs stops the evaluation and waits for it (the leak check
    # fails the test if its thread were left behind).
    ev.actions_["run"].trigger()
    assert ev.run_side.running
    closing = time.monotonic()
    ev.close()
    assert not ev.run_side.running and time.monotonic() - closing < STOP_BOUND_S
    # Opened again, it is ready to run: not stuck in a run that was stopped with the window.
    w.window_actions["evaluate"].trigger()
    assert w.evaluations.eval_window is ev and ev.isVisible()
    assert ev.run_side.run_button.isEnabled() and not ev.run_side.stop_button.isEnabled()
    assert ev.run_side.status.text().startswith("Stopped after")
    ev.close()


def test_a_malformed_check_is_a_located_problem_and_run_is_disabled(make_main_window, qtbot, tmp_path):
    _, ev = open_evaluate(make_main_window, qtbot, tmp_path)
    add_task(qtbot, ev, "ok", "3", "4", "contains: 12")
    add_task(qtbot, ev, "bad", "1", "1", "max-messages: lots")
    def problems() -> list[str]:
        return [ev.setup.problems.item(i).text() for i in range(ev.setup.problems.count())]

    qtbot.waitUntil(lambda: any("max-messages" in p for p in problems()))
    assert len(problems()) == 1 and "max-messages needs 'value': a number" in problems()[0], problems()
    assert "[tasks[1].checks[0]]" in problems()[0]
    assert not ev.run_side.run_button.isEnabled() and not ev.actions_["run"].isEnabled()
    assert "max-messages" in ev.run_side.run_button.toolTip()
    model = ev.setup.tasks_model
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == colors().diff_removed
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    # Clicking the problem selects its task's row.
    list_view = ev.setup.problems
    qtbot.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=list_view.visualItemRect(list_view.item(0)).center())
    assert ev.setup.tasks_view.currentIndex().row() == 1
    # Text that is not checks at all: said as such.
    type_into_cell(qtbot, ev.setup.tasks_view, 1, model.column_of("checks"), 'contains: "unclosed')
    qtbot.waitUntil(lambda: any("quote" in p for p in problems()))
    assert not ev.run_side.run_button.isEnabled()
    # Removing the task removes its problem.
    qtbot.mouseClick(ev.setup.tasks_view.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(ev.setup.tasks_view, 1, 0))
    qtbot.mouseClick(ev.setup.remove_task_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in ev.draft.tasks] == ["ok"]
    wait_runnable(qtbot, ev)
    assert ev.setup.problems.count() == 0
    ev.close()


def test_an_unsaved_team_is_saved_first_from_the_window(make_main_window, qtbot, tmp_path):
    w = make_main_window()
    w.window_actions["new"].trigger()
    w.window_actions["evaluate"].trigger()
    ev = w.evaluations.eval_window
    ev.ask_save = lambda name: "cancel"  # never asked: nothing was typed
    assert ev.team_file is None and ev.draft is None
    assert "Save the team first" in ev.team_bar.label.text() and ev.team_bar.save_button.isVisible()
    assert not ev.run_side.run_button.isEnabled() and not ev.setup.isEnabled()
    target = tmp_path / "fresh.yaml"
    w.files.choose_save_path = lambda: str(target)
    qtbot.mouseClick(ev.team_bar.save_button, Qt.MouseButton.LeftButton)
    assert target.is_file() and ev.team_file == target.absolute()
    assert ev.path == tmp_path / "fresh.eval.yaml" and ev.draft is not None and ev.setup.isEnabled()
    assert not ev.team_bar.save_button.isVisible()
    ev.close()


def test_save_and_open_keep_what_the_table_cannot_show(make_main_window, qtbot, tmp_path):
    _, ev = open_evaluate(make_main_window, qtbot, tmp_path)
    other = tmp_path / "suite.eval.yaml"
    other.write_text(
        "# a comment the window cannot keep\n"
        "schema: team-designer-eval/v1\nname: Suite\ndescription: |\n  Two lines\n  of text.\nteam: rect.yaml\ntimeout: 90\n"
        "judge: embedded\nconcurrency: {fast: 1}\n"
        "tasks:\n  - name: sq\n    inputs: {length: 3, width: 3}\n    threshold: 0.5\n"
        "    checks: [{type: llm-rubric, value: says nine, threshold: 0.7}, {type: contains, value: '9'}]\n"
        "defaults: {checks: [{type: max-messages, value: 6}], repeats: 2, threshold: 1.0}\n", encoding="utf-8")
    ev.choose_open_path = lambda: str(other)
    ev.actions_["open"].trigger()
    assert ev.path == other and not ev.errors
    model = ev.setup.tasks_model
    assert model.index(0, model.column_of("checks")).data() == \
        "{type: llm-rubric, value: says nine, threshold: 0.7}; contains: 9"
    assert ev.setup.default_checks.text() == "max-messages: 6" and ev.setup.repeats.value() == 2
    qtbot.waitUntil(lambda: ev.run_side.run_button.isEnabled())  # a valid file
    type_into_cell(qtbot, ev.setup.tasks_view, 0, model.column_of("width"), "4")
    qtbot.mouseClick(ev.setup.add_variant_button, Qt.MouseButton.LeftButton)
    dialog = ev.setup.variant_dialog
    dialog.choose_team_file = lambda: str(tmp_path / "rect.yaml")
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.team_file.text() == "rect.yaml"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "name" in dialog.error.text()  # a variant needs a name
    qtbot.keyClicks(dialog.name, "same_file")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ev.setup.variant_dialog is None)
    copy = tmp_path / "copy"
    ev.choose_save_path = lambda: str(copy)
    ev.actions_["save_as"].trigger()
    assert ev.path == tmp_path / "copy.eval.yaml"
    text = ev.path.read_text(encoding="utf-8")
    assert "description: |\n  Two lines\n  of text.\n" in text  # a block, as written
    assert "comments are not kept" in ev.statusBar().currentMessage()
    written = yaml.safe_load(text)
    assert written.pop("description") == "Two lines\nof text.\n"
    assert written == {
        "schema": "team-designer-eval/v1", "name": "Suite", "team": "rect.yaml", "judge": "embedded",
        "variants": {"same_file": {"team": "rect.yaml"}},
        "tasks": [{"name": "sq", "inputs": {"length": "3", "width": "4"},
                   "checks": [{"type": "llm-rubric", "value": "says nine", "threshold": 0.7},
                              {"type": "contains", "value": "9"}], "threshold": 0.5}],
        "defaults": {"checks": [{"type": "max-messages", "value": 6}], "repeats": 2, "threshold": 1.0},
        "concurrency": {"fast": 1}, "timeout": 90}
    assert list(written) == ["schema", "name", "team", "variants", "judge", "tasks", "defaults", "concurrency", "timeout"]
    assert load_eval(ev.path).ok
    assert window_store() is not None
    ev.close()


def test_code_not_trusted_yet_is_asked_about_and_a_no_runs_nothing(make_main_window, qtbot, tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "greeter.py").write_text("def greet(who: str) -> str:\n    return who\n", encoding="utf-8")
    team = TEAM.replace("  area: {builtin: calculate_rectangle_area}", "  area: {builtin: calculate_rectangle_area}\n"
                        "  greet: {function: 'greeter:greet'}").replace("tools: [area]", "tools: [area, greet]")
    path = tmp_path / "rect.yaml"
    path.write_text(team, encoding="utf-8")
    w = make_main_window(path)
    asked: list[Any] = []
    w.preparation.ask = lambda items: asked.append(list(items)) or False
    w.window_actions["evaluate"].trigger()
    ev = w.evaluations.eval_window
    add_task(qtbot, ev, "twelve", "3", "4", "contains: 12")
    wait_runnable(qtbot, ev)
    qtbot.mouseClick(ev.run_side.run_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and any("greeter.py" in str(item) for item in asked[0]), asked
    assert not ev.run_side.running and ev.run_side.status.text() == "Not run: the code it needs is not trusted"
    assert ev.run_side.matrix.summary is None
    ev.close()

