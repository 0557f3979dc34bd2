"""Help ▸ Show log…: after something goes wrong in the window, the user finds it in the log dialog,
copies the file's path or opens its folder to attach it to a bug report."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from designer.core.logs import close_logging, log_path, setup_logging

TEAM = """\
schema: team-designer/v1
name: Short
task: hi
default_model: s
models:
  s: {provider: scripted, responses: ["hello DONE"]}
agents:
  a: {streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: DONE, max_messages: 4}
"""


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Logging as the app starts it (cli.main does this before the window), into a fresh data folder."""
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    path = setup_logging(warn=False)
    assert path == log_path() == tmp_path / "data" / "logs" / "team-designer.log"
    yield path
    close_logging()


def help_action(window: Any, text: str) -> Any:
    """The Help menu's entry with this text, as the user sees the menu."""
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"]
    (action,) = [a for a in menu.actions() if a.text().replace("&", "") == text]
    return action


def open_log(window: Any, qtbot: Any) -> Any:
    help_action(window, "Show log…").trigger()
    dialog = window.log_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_a_failed_export_can_be_found_in_the_log_dialog(make_main_window, qtbot, tmp_path, logged, monkeypatch):
    team = tmp_path / "team.yaml"
    team.write_text(TEAM, encoding="utf-8")
    w = make_main_window(team)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    assert w.start_run("hi")
    qtbot.waitUntil(lambda: not w.runs.running and bool(w.transcript.model.entries), timeout=10000)
    target = tmp_path / "no-such-folder" / "transcript.md"
    w.choose_export_path = lambda title, suffix: str(target)
    w.window_actions["export_markdown"].trigger()
    assert w.errors and "could not be written" in w.errors[-1]  # what the user was shown

    dialog = open_log(w, qtbot)
    text = dialog.text.toPlainText()
    assert f"WARNING designer.ui.run.export: exporting the transcript to {target} failed" in text
    assert "Traceback" in text  # the part the error message left out
    assert dialog.text.isReadOnly()
    assert str(logged) in dialog.where.text()

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == str(logged)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert dialog.open_button.isEnabled()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(logged.parent))]


def test_the_dialog_shows_new_lines_when_asked_again(make_main_window, qtbot, logged):
    import logging

    w = make_main_window()
    dialog = open_log(w, qtbot)
    assert "a line written later" not in dialog.text.toPlainText()
    logging.getLogger("designer.test").info("a line written later")
    assert open_log(w, qtbot) is dialog  # one dialog per window, read again
    assert "a line written later" in dialog.text.toPlainText()
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.text.toPlainText().rstrip().endswith("a line written later")


def test_without_a_log_file_the_dialog_says_so(make_main_window, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "never-written"))
    w = make_main_window()
    dialog = open_log(w, qtbot)
    assert "No log file yet" in dialog.where.text() and str(tmp_path / "never-written") in dialog.where.text()
    assert dialog.text.toPlainText() == "" and not dialog.open_button.isEnabled()


def test_an_exception_escaping_the_window_is_logged_and_still_printed(monkeypatch, caplog):
    import sys

    from designer.ui.app import log_uncaught_exceptions

    printed: list[type] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: printed.append(kind))  # restored after the test
    log_uncaught_exceptions()  # what run_app installs, for exceptions raised in slots
    try:
        raise RuntimeError("a slot failed")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    (record,) = [r for r in caplog.records if r.name == "designer.ui.app"]
    assert record.levelname == "ERROR" and "RuntimeError: a slot failed" in caplog.text
    assert printed == [RuntimeError]
