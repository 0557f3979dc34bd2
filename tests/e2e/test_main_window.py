"""The main window end to end: files, prompts, recovery, runs with a scripted model, settings."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from designer.core.teamfile import dump_team
from designer.core.trust import TrustStore
from designer.core.yamlio import load_team
from designer.ui.document.recovery import pending_recoveries
from tests.conftest import FIXTURES, STOP_BOUND_S, TEAMS, example_files

SCRIPTED = """\
schema: team-designer/v1
name: Scripted demo
task: Plan {thing}
inputs:
  thing: {default: a picnic}
default_model: s
models:
  s:
    provider: scripted
    responses:
    - tool_calls: [{name: area, arguments: {length: 3, width: 4}}]
    - The blanket covers **12** square metres. What snacks do you want?
    - Noted, all set. DONE
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  planner: {tools: [area], reflect_on_tool_use: true}
  guest: {kind: user_proxy}
orchestration: {pattern: round_robin, participants: [planner, guest]}
termination: {text: DONE, max_messages: 10}
"""

SLOW_TOOL = """\
schema: team-designer/v1
name: Slow
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: nap, arguments: {seconds: 120}}]}]}
tools:
  nap: {function: "slowtools:slow_sync", timeout: 300}
agents:
  a: {tools: [nap]}
orchestration: {pattern: round_robin, participants: [a]}
"""


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def slow_team(tmp_path: Path, text: str = SLOW_TOOL) -> Path:
    """A team using the test tools (slowtools), with that module in the tools/ folder beside it."""
    (tmp_path / "tools").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "slowtools.py", tmp_path / "tools" / "slowtools.py")
    return write(tmp_path, text)


def trusting(window, tmp_path: Path):
    """A window whose trust question is answered yes, remembered in a test-owned store."""
    window.preparation.trust = TrustStore(tmp_path / "trust.json")
    window.preparation.ask = lambda items: True
    return window


def test_starts_on_the_start_page_and_new_opens_the_editor(make_main_window, qtbot):
    w = make_main_window()
    assert w.stack.currentWidget() is w.start_page
    assert w.start_page.examples.count() == len(example_files())
    w.window_actions["new"].trigger()
    assert w.stack.currentWidget() is w.canvas
    assert w.windowTitle() == "Untitled[*] — Team Designer"


def test_opening_an_example_from_the_gallery(make_main_window, qtbot):
    w = make_main_window()
    item = w.start_page.examples.item(0)
    w.start_page.examples.itemActivated.emit(item)
    assert w.stack.currentWidget() is w.canvas
    # A copy (issue 9): untitled, so Save asks where and the shipped file is never overwritten.
    assert w.controller.path is None and w.controller.spec.name in item.text()
    assert not w.isWindowModified()


def test_edit_marks_modified_save_clears_and_reopen_is_equal(make_main_window, qtbot, tmp_path):
    path = write(tmp_path, (TEAMS / "research_report.yaml").read_text())
    w = make_main_window(path)
    w.window_actions["add_agent"].trigger()
    assert w.isWindowModified()
    assert w.windowTitle() == "team.yaml[*] — Team Designer"
    w.window_actions["save"].trigger()
    assert not w.isWindowModified()
    assert load_team(path).spec == w.controller.spec
    w.undo_action.trigger()
    assert w.isWindowModified()  # the modified marker follows the undo stack
    w.redo_action.trigger()
    assert not w.isWindowModified()


def test_save_as_writes_a_new_file_and_remembers_it(make_main_window, tmp_path):
    w = make_main_window()
    w.window_actions["new"].trigger()
    target = tmp_path / "mine.yaml"
    w.files.choose_save_path = lambda: str(target)
    w.window_actions["save"].trigger()
    assert target.read_text() == dump_team(w.controller.spec)
    assert w.controller.path == target.resolve()
    assert w.recent_menu.actions()[0].text() == "mine.yaml"


def test_unsaved_changes_are_asked_about_and_cancel_keeps_everything(make_main_window, tmp_path):
    w = make_main_window(write(tmp_path, SCRIPTED))
    w.window_actions["add_agent"].trigger()
    asked: list[str] = []
    w.files.ask_save = lambda name: asked.append(name) or "cancel"
    w.window_actions["new"].trigger()
    assert asked == ["team.yaml"] and "agent" in w.controller.spec.agents
    assert not w.close()  # close is refused too
    w.files.ask_save = lambda name: "discard"


def test_a_bad_file_is_refused_with_located_reasons_and_nothing_is_lost(make_main_window, tmp_path):
    w = make_main_window(write(tmp_path, SCRIPTED))
    before = w.controller.spec
    bad = write(tmp_path, "schema: team-designer/v1\nname: [oops\n", "bad.yaml")
    assert not w.open_file(str(bad))
    # Its content is at fault, so it opens in the repair view with the located reason (tests/ui/test_repair_view.py).
    shown = [p.format() for p in w.views.repair.problems]
    assert w.stack.currentWidget() is w.views.repair and w.errors == []
    assert shown and "bad.yaml:3:1: error: YAML syntax" in shown[0] and "Traceback" not in shown[0]
    assert w.controller.spec == before


def test_crash_recovery_offers_the_unsaved_design(make_main_window, qtbot, tmp_path):
    first = make_main_window(write(tmp_path, SCRIPTED))
    first.window_actions["add_agent"].trigger()
    first.files.write_recovery()  # what the autosave timer does a few seconds after the edit
    edited = first.controller.spec
    assert first.files.recovery_path.exists()
    # While the first window is open, its unsaved work is not a crashed session's.
    assert pending_recoveries() == []
    # Then it "crashes": it never closes, and its process's lock goes with it. A new session
    # starts and is offered the work.
    first.files.release_session()
    second = make_main_window()
    offered = []
    second.ask_restore = lambda recovery: offered.append(recovery) or True
    assert second.offer_recovery()
    assert offered[0].original == (tmp_path / "team.yaml").resolve()
    assert second.controller.spec == edited and second.isWindowModified()


def test_autosave_writes_a_recovery_file_after_an_edit_and_saving_removes_it(make_main_window, qtbot, tmp_path):
    from designer.ui import settings

    settings.put("run/autosave_seconds", 0)
    try:
        w = make_main_window(write(tmp_path, SCRIPTED))
        w.window_actions["add_agent"].trigger()
        qtbot.waitUntil(lambda: w.files.recovery_path.exists())
        w.window_actions["save"].trigger()
        assert not w.files.recovery_path.exists()
    finally:
        settings.put("run/autosave_seconds", 5)


def test_dropping_a_team_file_opens_it(make_main_window, tmp_path):
    w = make_main_window()
    path = write(tmp_path, SCRIPTED, "dropped.yaml")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPoint(10, 10).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    w.dropEvent(drop)
    assert w.controller.path == path.resolve()


def test_run_is_disabled_with_the_reason_while_errors_exist(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, SCRIPTED.replace("participants: [planner, guest]", "participants: [planner, ghost]")))
    qtbot.waitUntil(lambda: not w.window_actions["run"].isEnabled())
    assert "unknown participant 'ghost'" in w.window_actions["run"].toolTip()
    assert w.run_reason.text() == "⚠ 1 problem"


def test_activating_a_problem_raises_the_panel_that_fixes_it_and_puts_the_cursor_there(make_main_window, qtbot, tmp_path):
    """Click a problem in the Problems dock: its agent is selected, the Agent dock comes to the
    front (it shares a tab with Pattern and Team), and the field with the error has focus."""
    w = make_main_window(write(tmp_path, SCRIPTED.replace("planner: {tools: [area], reflect_on_tool_use: true}",
                                                          "planner: {tools: [area], model: nope}")))
    w.activateWindow()
    qtbot.waitActive(w)
    w.docks["team"].raise_()
    panel = w.problems_panel
    qtbot.waitUntil(lambda: any(p.path[:3] == ("agents", "planner", "model") for p in panel.problems))
    problem = next(p for p in panel.problems if p.path[:3] == ("agents", "planner", "model"))
    item = panel.item_for(problem)
    w.docks["problems"].raise_()
    qtbot.waitUntil(panel.tree.isVisible)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=panel.tree.visualItemRect(item).center())
    assert w.controller.selected_agents == ["planner"]
    # Tabbed docks all count as visible; the one in front is the one with something on screen.
    qtbot.waitUntil(lambda: not w.agent_panel.visibleRegion().isEmpty() and w.team_panel.visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: w.agent_panel.model_combo.hasFocus())


def test_a_run_shows_the_transcript_live_with_tools_and_human_input(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, SCRIPTED))
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.ask_run = lambda: ("Plan a picnic", {})
    w.window_actions["run"].trigger()
    qtbot.waitUntil(lambda: w.transcript.input_bar.isVisible(), timeout=10000)
    assert w.transcript.focusWidget() is w.transcript.input_edit
    assert w.canvas.item_for("guest").is_active and not w.canvas.item_for("planner").is_active
    qtbot.keyClicks(w.transcript.input_edit, "crisps")
    qtbot.keyClick(w.transcript.input_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.runs.running, timeout=10000)
    entries = [(e.kind, e.agent, e.text if e.kind != "tool" else e.tool) for e in w.transcript.model.entries]
    assert entries == [
        ("system", "team", "Run of “Scripted demo” (round_robin) — bound: 10 messages, text 'DONE'"),
        ("task", "user", "Plan a picnic"),
        ("tool", "planner", "area"),
        ("message", "planner", "The blanket covers **12** square metres. What snacks do you want?"),
        ("system", "guest", "guest is waiting for your answer"),
        ("message", "guest", "crisps"),
        ("message", "planner", "Noted, all set. DONE"),
        ("finished", "team", entries[-1][2]),
    ]
    assert w.transcript.model.entries[2].result == "12.0"
    assert not any(w.canvas.item_for(a).is_active for a in ("planner", "guest"))  # cleared at the end
    assert entries[-1][2].startswith("Finished: Text 'DONE' mentioned")
    assert w.status.state.text() == "✓ Finished" and w.status.messages.text() == "3 messages"
    assert "planner:" in w.status.tokens.toolTip()


def test_run_uses_a_frozen_snapshot(make_main_window, qtbot, tmp_path):
    w = trusting(make_main_window(slow_team(tmp_path)), tmp_path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    w.window_actions["add_agent"].trigger()  # editing during the run does not touch the run
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in w.transcript.model.events), timeout=10000)
    assert w.transcript.model.started.participants == ["a"]
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=5000)


def test_stop_during_a_tool_call_ends_the_run_and_says_so(make_main_window, qtbot, tmp_path):
    w = trusting(make_main_window(slow_team(tmp_path)), tmp_path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    assert not w.window_actions["run"].isEnabled() and w.window_actions["stop"].isEnabled()
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in w.transcript.model.events), timeout=10000)
    began = time.monotonic()
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=int(STOP_BOUND_S * 1000))
    assert time.monotonic() - began < STOP_BOUND_S  # the tool would sleep for 120 s
    assert w.transcript.model.entries[-1].text.startswith("Stopped: stopped by the user")
    assert w.window_actions["run"].isEnabled() and not w.window_actions["stop"].isEnabled()


def test_export_transcript(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, SCRIPTED))
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("Plan")
    qtbot.waitUntil(lambda: w.transcript.input_bar.isVisible(), timeout=10000)
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=5000)
    w.choose_export_path = lambda title, suffix: str(tmp_path / f"out{suffix}")
    w.window_actions["export_markdown"].trigger()
    w.window_actions["export_jsonl"].trigger()
    assert "### planner" in (tmp_path / "out.md").read_text()
    kinds = [json.loads(line)["type"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert kinds[0] == "started" and kinds[-1] == "finished"


def test_closing_during_a_run_stops_it_and_waits(make_main_window, qtbot, tmp_path):
    w = trusting(make_main_window(slow_team(tmp_path)), tmp_path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in w.transcript.model.events), timeout=10000)
    began = time.monotonic()
    assert w.close()
    assert time.monotonic() - began < STOP_BOUND_S and not w.runs.running


def test_geometry_and_panels_are_restored_between_sessions(make_main_window, qtbot):
    first = make_main_window(restore_settings=True)
    first.resize(990, 640)  # the offscreen screen is 800x800; the window is at least ~954 wide
    first.docks["problems"].hide()
    assert first.close()
    second = make_main_window(restore_settings=True)
    assert second.height() == 640  # (the width is clamped to the small offscreen screen)
    assert not second.docks["problems"].isVisible()


def test_help_dialogs_list_versions_and_shortcuts(make_main_window, qtbot):
    from designer.ui.dialogs.run_and_help import AboutDialog, ShortcutsDialog, versions

    w = make_main_window()
    assert set(versions()) >= {"AutoGen AgentChat", "Qt", "PySide6", "Python"}
    assert versions()["AutoGen AgentChat"] == "0.7.5"
    about = AboutDialog(w)
    qtbot.addWidget(about)
    table = ShortcutsDialog(list(w.window_actions.all.values()), w).table
    names = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert names["Run…"] == "Ctrl+R, F5" and "Ctrl+S" in names["Save"].split(", ")


def test_failures_are_error_entries_not_dialogs(make_main_window, qtbot, tmp_path):
    failing = SCRIPTED.replace("    - Noted, all set. DONE\n", "").replace(
        "tools:\n  area: {builtin: calculate_rectangle_area}",
        'tools:\n  area: {builtin: calculate_rectangle_area}\n  boom: {function: "slowtools:explode"}',
    ).replace("tools: [area]", "tools: [area, boom]").replace(
        "    - tool_calls: [{name: area, arguments: {length: 3, width: 4}}]",
        "    - tool_calls: [{name: boom, arguments: {reason: disk on fire}}]",
    )
    w = trusting(make_main_window(slow_team(tmp_path, failing)), tmp_path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    qtbot.waitUntil(lambda: w.transcript.input_bar.isVisible(), timeout=10000)
    qtbot.keyClicks(w.transcript.input_edit, "ok")
    qtbot.keyClick(w.transcript.input_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.runs.running, timeout=10000)
    entries = w.transcript.model.entries
    tool = next(e for e in entries if e.kind == "tool")
    assert tool.is_error and tool.result == "tool failure: disk on fire"
    error = next(e for e in entries if e.kind == "error")
    assert error.agent == "planner" and error.text == "the scripted model has no reply left (its script has 2)"
    assert entries[-1].kind == "finished" and entries[-1].text.startswith("Failed:")
    assert w.errors == []  # nothing went to a dialog


def test_save_as_next_to_a_tools_folder_updates_the_problems(make_main_window, qtbot, tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "mytools.py").write_text("def hello(name: str) -> str:\n    \"\"\"Greets.\"\"\"\n    return 'hi ' + name\n")
    source = tmp_path / "elsewhere" / "team.yaml"
    source.parent.mkdir()
    source.write_text(SCRIPTED.replace("area: {builtin: calculate_rectangle_area}", 'area: {function: "mytools:hello"}'))
    w = make_main_window(source)
    qtbot.waitUntil(lambda: any("mytools" in p.message for p in w.controller.errors))
    w.files.choose_save_path = lambda: str(tmp_path / "team.yaml")
    w.window_actions["save_as"].trigger()
    qtbot.waitUntil(lambda: not any("mytools" in p.message for p in w.controller.problems))
