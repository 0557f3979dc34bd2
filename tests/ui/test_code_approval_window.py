"""Code approval in the window: before a code_executor agent runs code, the approval bar under the
transcript shows the code (monospace, read-only) with Run and Don't run; nothing runs until Run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from designer.core.trust import TrustStore
from designer.ui.run.approval_bar import ApprovalBar, approval_bar
from tests.e2e.test_code_approval import CODE, TEAM


def _window(make_main_window, tmp_path: Path):
    team = tmp_path / "coder.yaml"
    team.write_text(TEAM, encoding="utf-8")
    w = make_main_window(team)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    w.preparation.ask = lambda items: True  # the trust question, answered yes (its own tests: test_trust_window)
    return w


def _asked(w, qtbot) -> ApprovalBar:
    assert w.start_run("Write the file.") is True
    bar = approval_bar(w)
    qtbot.waitUntil(bar.isVisible, timeout=15000)
    return bar


def test_the_bar_shows_the_code_and_dont_run_refuses_it(make_main_window, qtbot, tmp_path: Path):
    w = _window(make_main_window, tmp_path)
    bar = _asked(w, qtbot)
    assert CODE in bar.code_view.toPlainText() and bar.code_view.isReadOnly()
    assert bar.label.text() == "<b>runner</b> wants to run this code:"
    assert bar.focusWidget() is bar.skip_button  # Enter refuses: the safe answer is the default
    qtbot.mouseClick(bar.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    assert not bar.isVisible()
    assert not (tmp_path / "work" / "made.txt").exists()
    texts = [e.text for e in w.transcript.model.entries]
    assert "runner waits for your approval to run code" in texts
    assert "Code execution was not approved. Reason: denied by the person running the team" in texts


def test_run_runs_the_code(make_main_window, qtbot, tmp_path: Path):
    w = _window(make_main_window, tmp_path)
    bar = _asked(w, qtbot)
    qtbot.mouseClick(bar.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    assert (tmp_path / "work" / "made.txt").read_text() == "hi"
    entries = [(e.agent, e.text.strip()) for e in w.transcript.model.entries]
    assert ("runner", "runner: code approved: approved by the person running the team") in entries
    assert ("runner", "wrote made.txt") in entries  # what the code printed, as the runner's message


def test_stop_while_the_bar_waits_ends_the_run_and_clears_it(make_main_window, qtbot, tmp_path: Path):
    w = _window(make_main_window, tmp_path)
    bar = _asked(w, qtbot)
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    assert not bar.isVisible() and bar.queue == []
    assert w.transcript.model.finished is not None and w.transcript.model.finished.reason == "stopped"
    assert not (tmp_path / "work" / "made.txt").exists()
