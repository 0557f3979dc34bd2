"""The History panel, driven as a user drives it: runs from the window land in it, newest on top,
with what changed; a run's transcript, rename, star, delete, its team reopened, bundles opened
read-only, the settings dialog, a damaged store, and a list that pages instead of reading all."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from designer.core.run_bundle import write_bundle
from designer.core.run_data import StoredRun
from designer.core.run_store import RunStore
from designer.ui.history import store as history_store
from designer.ui.history.model import COLUMN, PAGE

TEAM = """\
schema: team-designer/v1
name: History demo
task: Write a haiku about {topic}
inputs:
  topic: {default: rain}
default_model: s
models:
  s:
    provider: scripted
    responses:
    - Soft rain on the roof. DONE
agents:
  poet: {system_message: You write haiku.}
orchestration: {pattern: round_robin, participants: [poet]}
termination: {text: DONE, max_messages: 4}
"""


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A run history of this test's own (the window's store is opened afresh from here)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(folder))
    history_store.reset_store()
    yield folder
    history_store.reset_store()


def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "haiku.yaml"
    path.write_text(TEAM, encoding="utf-8")
    return path


def show_history(qtbot, w):
    w.window_actions["history"].trigger()
    qtbot.waitUntil(w.history_panel.isVisible)
    return w.history_panel


def run_once(qtbot, w, task: str = "Write a haiku about rain") -> None:
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.ask_run = lambda: (task, {"inputs": {"topic": "rain"}})
    w.window_actions["run"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)


def cell(panel, row: int, column: str) -> str:
    return panel.model.index(row, COLUMN[column]).data()


def click_cell(qtbot, panel, row: int, column: str) -> None:
    rect = panel.table.visualRect(panel.model.index(row, COLUMN[column]))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def edit_system_message(qtbot, w, text: str) -> None:
    w.controller.select_agents(["poet"])
    editor = w.agent_panel.prompt.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, text)


def test_runs_from_the_window_are_listed_newest_first_with_what_changed(make_main_window, qtbot, tmp_path, data_dir):
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    assert panel.model.rowCount() == 0
    run_once(qtbot, w, "first")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    edit_system_message(qtbot, w, " Be brief.")
    run_once(qtbot, w, "second")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert [cell(panel, row, "label") for row in (0, 1)] == ["second", "first"]
    assert "poet.system_message" in cell(panel, 0, "changes")
    assert cell(panel, 1, "changes") == ""
    assert cell(panel, 0, "finish") == "Finished" and cell(panel, 0, "messages") == "1"
    assert cell(panel, 0, "cost") == "$0"  # a scripted model costs a known 0, not "unknown"
    # Recorded with the run: its inputs (asked for in the run dialog) and its file.
    store = history_store.window_store()
    assert store is not None and store.count(str((tmp_path / "haiku.yaml").resolve())) == 2
    assert "Be brief." in store.load(panel.model.runs[0].id).snapshot
    with closing(sqlite3.connect(store.path)) as db:  # the store has no reader for inputs: they are kept for the record
        assert json.loads(db.execute("SELECT inputs FROM runs WHERE id = ?", (panel.model.runs[0].id,)).fetchone()[0]) == {
            "topic": "rain"}

    # Selecting a run shows its transcript, read back from the store.
    click_cell(qtbot, panel, 1, "time")
    texts = [(e.kind, e.agent, e.text) for e in panel.transcript.model.entries]
    assert ("task", "user", "first") in texts
    assert ("message", "poet", "Soft rain on the roof. DONE") in texts
    assert texts[-1][0] == "finished"


def test_rename_star_delete_and_open_the_team_as_it_was(make_main_window, qtbot, tmp_path, data_dir):
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    run_once(qtbot, w, "old one")
    edit_system_message(qtbot, w, " New rule.")
    run_once(qtbot, w, "new one")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    store = history_store.window_store()
    old_id = panel.model.runs[1].id

    # Rename: F2 opens the delegate's editor on the label.
    click_cell(qtbot, panel, 1, "label")
    qtbot.keyClick(panel.table, Qt.Key.Key_F2)
    editor = panel.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "old one"
    editor.selectAll()
    qtbot.keyClicks(editor, "baseline")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(panel, 1, "label") == "baseline")  # Qt commits the edit in a queued call
    assert store.load(old_id, events=False).title == "baseline"

    # Star: a click on the ★ column, again to unstar.
    click_cell(qtbot, panel, 1, "star")
    assert cell(panel, 1, "star") == "★" and store.load(old_id, events=False).starred
    click_cell(qtbot, panel, 1, "star")
    assert cell(panel, 1, "star") == "☆" and not store.load(old_id, events=False).starred
    panel.table.selectRow(1)

    # Open the team as it was: a new unsaved document with the old system message.
    panel.actions_["open_team"].trigger()
    assert w.controller.path is None
    assert w.controller.spec.agents["poet"].system_message == "You write haiku."
    assert "team of run " + old_id[:7] in w.windowTitle()
    assert w.controller.undo_stack.isClean()

    # Delete: Del asks (answered here), then the row and the stored run are gone.
    asked = []
    panel.confirm_delete = lambda runs: asked.append([r.id for r in runs]) or True
    panel.scope.setCurrentIndex(panel.scope.findData("all"))
    row = panel.model.row_of(old_id)
    click_cell(qtbot, panel, row, "time")
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert asked == [[old_id]]
    assert panel.model.row_of(old_id) is None and store.count() == 1
    panel.confirm_delete = lambda runs: False  # a refusal deletes nothing
    click_cell(qtbot, panel, 0, "time")
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert store.count() == 1 and panel.model.rowCount() == 1


def test_compare_and_replay_call_the_window_or_say_why_not(make_main_window, qtbot, tmp_path, data_dir):
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    run_once(qtbot, w, "a")
    run_once(qtbot, w, "b")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    calls = []
    w.compare_runs = lambda a, b: calls.append(("compare", a, b))
    w.replay_run = lambda run_id, strict=False: calls.append(("replay", run_id, strict))
    panel.table.selectAll()
    menu = panel.build_menu()
    assert panel.actions_["compare"].isEnabled() and not panel.actions_["replay"].isEnabled()
    panel.actions_["compare"].trigger()
    newer, older = panel.model.runs[0].id, panel.model.runs[1].id
    panel.table.selectRow(0)
    panel.actions_["replay"].trigger()
    assert calls == [("compare", older, newer), ("replay", newer, False)]
    menu.deleteLater()


def test_export_a_run_and_open_it_read_only_as_a_bundle(make_main_window, qtbot, tmp_path, data_dir):
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    run_once(qtbot, w, "shared run")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    run_id = panel.model.runs[0].id
    panel.table.selectRow(0)
    out = {".md": tmp_path / "run.md", ".tdrun": tmp_path / "run.tdrun"}
    w.choose_export_path = lambda title, suffix: str(out[suffix])
    panel.actions_["export_markdown"].trigger()
    assert "Soft rain on the roof." in out[".md"].read_text(encoding="utf-8")
    panel.actions_["export_bundle"].trigger()

    # A colleague's view: another history, the bundle opened from File ▸ Open Run….
    store = history_store.window_store()
    store.delete([run_id])
    panel.choose_bundle_path = lambda: str(out[".tdrun"])
    w.window_actions["open_run"].trigger()
    assert panel.scope.currentData() == "bundles" and panel.model.read_only
    assert panel.banner.isVisible() and "Read-only" in panel.banner_text.text()
    assert cell(panel, 0, "label") == "shared run"
    assert not panel.model.flags(panel.model.index(0, COLUMN["label"])) & Qt.ItemFlag.ItemIsEditable
    assert not panel.actions_["delete"].isEnabled() and not panel.actions_["star"].isEnabled()
    assert ("message", "poet", "Soft rain on the roof. DONE") in [(e.kind, e.agent, e.text) for e in panel.transcript.model.entries]
    assert store.count() == 0  # opening imported nothing
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    assert store.count() == 1 and store.load(run_id).events

    # A file that is not a bundle: one clear message, nothing else changes.
    bad = tmp_path / "bad.tdrun"
    bad.write_text("{not json", encoding="utf-8")
    panel.choose_bundle_path = lambda: str(bad)
    w.window_actions["open_run"].trigger()
    assert w.errors and "bad.tdrun is not a run bundle" in w.errors[-1]
    assert len(panel.bundles) == 1


def test_a_damaged_store_is_explained_and_runs_still_work(make_main_window, qtbot, tmp_path, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "runs.sqlite3").write_bytes(b"this is not a database" * 100)
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    assert panel.problem.isVisible() and not panel.splitter.isVisible()
    text = panel.problem_text.text()
    assert str(data_dir / "runs.sqlite3") in text and "damaged" in text and "Move the file away" in text
    run_once(qtbot, w)
    assert w.transcript.model.finished is not None and w.transcript.model.finished.reason == "termination"
    # Moved away, Try again: a new, empty history that records the next run.
    (data_dir / "runs.sqlite3").rename(data_dir / "old.sqlite3")
    qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert not panel.problem.isVisible() and panel.model.rowCount() == 0
    run_once(qtbot, w)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)


def test_settings_dialog_turns_recording_off(make_main_window, qtbot, tmp_path, data_dir):
    w = make_main_window(team_file(tmp_path))
    panel = show_history(qtbot, w)
    qtbot.mouseClick(panel.settings_button, Qt.MouseButton.LeftButton)
    dialog = panel.settings_dialog
    assert dialog is not None and dialog.record.isChecked() and dialog.keep_runs.value() == 200
    qtbot.mouseClick(dialog.record, Qt.MouseButton.LeftButton)
    dialog.keep_days.setValue(30)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    store = history_store.window_store()
    assert store.setting("record") == "off" and store.setting("keep_days") == "30"
    run_once(qtbot, w)
    assert w.transcript.model.finished is not None
    assert store.count() == 0 and panel.model.rowCount() == 0


def _stored(n: int, team_path: str) -> StoredRun:
    return StoredRun(id=f"{n:012x}", team="Many", team_path=team_path, snapshot="name: Many\n", task=f"task {n}",
                     started_at=1_700_000_000 + n, reason="completed", detail="", messages=2, prompt_tokens=10,
                     completion_tokens=5, duration=0.1, cost=None, currency=None)


def test_two_thousand_runs_are_read_a_page_at_a_time(make_main_window, qtbot, tmp_path, data_dir):
    path = team_file(tmp_path)
    with RunStore(data_dir / "runs.sqlite3") as store:
        for n in range(2000):
            store.import_run(_stored(n, str(path.resolve())), [])
    w = make_main_window(path)
    panel = show_history(qtbot, w)
    model = panel.model
    assert model.rowCount() <= PAGE and model.canFetchMore()
    assert cell(panel, 0, "label") == "task 1999" and cell(panel, 0, "cost") == "unknown"
    model.fetchMore()
    assert model.rowCount() <= 2 * PAGE and cell(panel, PAGE, "label") == f"task {1999 - PAGE}"
    panel.table.scrollToBottom()  # the view asks for more itself as it nears the end
    qtbot.waitUntil(lambda: model.rowCount() > 2 * PAGE)
    assert model.rowCount() < 2000


def test_this_team_lists_only_the_open_files_runs(make_main_window, qtbot, tmp_path, data_dir):
    path = team_file(tmp_path)
    with RunStore(data_dir / "runs.sqlite3") as store:
        store.import_run(_stored(1, str(path.resolve())), [])
        store.import_run(_stored(2, str(tmp_path / "other.yaml")), [])
        replay = _stored(3, str(path.resolve()))
        replay.origin, replay.parent, replay.started_at = "replay", _stored(1, "").id, time.time()
        store.import_run(replay, [])
    w = make_main_window(path)
    panel = show_history(qtbot, w)
    assert [r.task for r in panel.model.runs] == ["task 3", "task 1"]
    assert cell(panel, 0, "label").startswith("↺ ")
    assert "Replay of run 0000000" in panel.model.index(0, COLUMN["label"]).data(Qt.ItemDataRole.ToolTipRole)
    panel.scope.setCurrentIndex(panel.scope.findData("all"))
    assert [r.task for r in panel.model.runs] == ["task 3", "task 2", "task 1"]


def test_a_bundle_can_be_opened_from_the_start_page(make_main_window, qtbot, tmp_path, data_dir):
    bundle = tmp_path / "colleague.tdrun"
    run = _stored(7, "/elsewhere/team.yaml")
    run.events = [{"type": "started", "agent": "team", "team": "Many", "pattern": "round_robin", "bound": "none"},
                  {"type": "message", "agent": "user", "content": "task 7", "kind": "task"},
                  {"type": "message", "agent": "poet", "content": 42, "kind": "bogus"},  # damaged: read as defaults
                  {"type": "finished", "agent": "team", "reason": "completed", "messages": 2}]
    write_bundle(bundle, run, [])
    w = make_main_window()
    w.history_panel.choose_bundle_path = lambda: str(bundle)
    w.window_actions["open_run"].trigger()
    panel = w.history_panel
    qtbot.waitUntil(panel.isVisible)
    assert panel.model.runs[0].id == run.id and panel.model.read_only
    assert [e.kind for e in panel.transcript.model.entries] == ["system", "task", "message", "finished"]


def test_a_run_deleted_elsewhere_leaves_the_list_without_an_error(make_main_window, qtbot, tmp_path, data_dir):
    path = team_file(tmp_path)
    with RunStore(data_dir / "runs.sqlite3") as store:
        for n in (1, 2):
            store.import_run(_stored(n, str(path.resolve())), [])
    w = make_main_window(path)
    panel = show_history(qtbot, w)
    assert panel.model.rowCount() == 2
    history_store.window_store().delete([_stored(1, "").id])  # as `team-designer runs delete` would
    click_cell(qtbot, panel, 1, "time")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.runs[0].task == "task 2" and w.errors == []
    assert "no longer in the history" in w.statusBar().currentMessage()
