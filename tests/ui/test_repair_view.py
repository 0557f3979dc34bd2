"""A team file that does not load because of what is in it opens in the repair view.

Contract: the window shows the file's text beside its located problems (line and column);
choosing a problem puts the cursor on its line and marks it; the text is checked again once
the user pauses typing; Apply (enabled only when the text is a valid team file) opens it as
the design with the file's own path, so Save writes the file; Cancel goes back unchanged. Files
that cannot be read, or are not UTF-8, get the usual one-line error instead. Every way of opening
a file (window.open_file, File ▸ Open, recent files, a drop) leads here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor

from designer.core.yamlio import MAX_BYTES, load_team
from tests.ui.test_yaml_view import replace_in_editor  # a selection typed over, as a user replaces text

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "teams" / "research_report.yaml").read_text(encoding="utf-8")
TYPO = GOOD.replace("system_message:", "sytem_message:", 1)
SYNTAX = GOOD.replace("order: [researcher, summarizer]", "order: [researcher, summarizer", 1)
NEWER = GOOD.replace("schema: team-designer/v1", "schema: team-designer/v9", 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def open_broken(make_main_window: Any, tmp_path: Path, text: str, name: str = "broken.yaml") -> tuple[Any, Path]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    w = make_main_window()
    w.window_actions["new"].trigger()  # a design is open: Cancel must come back to it
    assert not w.open_file(str(path))  # not opened (yet): shown for repair instead
    return w, path


def test_a_typo_key_opens_the_repair_view_and_the_fixed_text_opens_and_saves(make_main_window, qtbot, tmp_path):
    w, path = open_broken(make_main_window, tmp_path, TYPO)
    repair = w.views.repair
    assert w.stack.currentWidget() is repair and w.errors == []
    assert repair.editor.toPlainText() == TYPO
    assert "broken.yaml" in w.windowTitle() and "Repair" in w.windowTitle()
    typo_line = line_of(TYPO, "sytem_message")
    assert repair.problem_list.count() == 1
    row = repair.problem_list.item(0).text()
    assert row.startswith(f"Line {typo_line}, column ") and "unknown key 'sytem_message'" in row
    assert not repair.apply_button.isEnabled()

    # Choosing the problem puts the cursor on its line and marks that line.
    repair.editor.moveCursor(QTextCursor.MoveOperation.Start)
    rect = repair.problem_list.visualItemRect(repair.problem_list.item(0))
    qtbot.mouseClick(repair.problem_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert repair.editor.textCursor().blockNumber() + 1 == typo_line
    assert typo_line in repair.editor.marked_lines()

    qtbot.keyClick(repair.editor, Qt.Key.Key_Tab)  # two spaces: YAML refuses tab characters
    assert "\t" not in repair.editor.toPlainText()
    qtbot.keyClick(repair.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the text's own undo
    assert repair.editor.toPlainText() == TYPO
    replace_in_editor(qtbot, repair.editor, "sytem_message", "system_message")
    assert repair.problem_list.count() == 1  # not re-checked on every keystroke
    qtbot.waitUntil(lambda: repair.apply_button.isEnabled(), timeout=15000)
    assert repair.problem_list.count() == 0 and repair.editor.marked_lines() == []

    qtbot.keyClick(repair.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Apply
    assert w.stack.currentWidget() is w.canvas
    assert not w.views.repairing
    assert w.controller.path == path.resolve()
    assert set(w.controller.spec.agents) == {"researcher", "summarizer"}
    scene = w.canvas.scene()
    assert scene.node("researcher") is not None and scene.node("summarizer") is not None
    assert w.isWindowModified()  # the file on disk still has the typo until saved
    assert load_team(path).spec is None

    w.window_actions["save"].trigger()
    assert not w.isWindowModified()
    saved = load_team(path)
    assert saved.spec is not None and saved.problems == []
    assert saved.spec.agents["researcher"].system_message == w.controller.spec.agents["researcher"].system_message


@pytest.mark.parametrize(("text", "needle", "message"), [
    (SYNTAX, "order: [researcher, summarizer", "YAML syntax"),
    (NEWER, "schema: team-designer/v9", "team-designer/v9"),
])
def test_syntax_errors_and_newer_formats_are_located_in_the_repair_view(make_main_window, qtbot, tmp_path,
                                                                         text, needle, message):
    w, path = open_broken(make_main_window, tmp_path, text)
    repair = w.views.repair
    assert w.stack.currentWidget() is repair
    assert repair.editor.toPlainText() == text
    assert len(repair.problems) == 1 and message in repair.problems[0].message
    problem = repair.problems[0]
    # The syntax error is found where the parser gives up, at or after the broken line.
    assert problem.line is not None and problem.line >= line_of(text, needle)
    assert repair.problem_list.item(0).text().startswith(f"Line {problem.line}, column {problem.column}")
    assert repair.editor.textCursor().blockNumber() + 1 == problem.line  # the first problem is shown at once
    fixed = "order: [researcher, summarizer]" if text is SYNTAX else "schema: team-designer/v1"
    replace_in_editor(qtbot, repair.editor, needle, fixed)
    qtbot.waitUntil(lambda: repair.apply_button.isEnabled(), timeout=15000)
    qtbot.mouseClick(repair.apply_button, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.canvas and w.controller.path == path.resolve()
    # Ctrl+S in the repair editor applies and saves in one go; here the file is already applied,
    # so the window's Save writes it.
    w.window_actions["save"].trigger()
    assert load_team(path).spec is not None


def test_ctrl_s_in_the_repair_editor_applies_and_saves(make_main_window, qtbot, tmp_path):
    w, path = open_broken(make_main_window, tmp_path, TYPO)
    editor = w.views.repair.editor
    replace_in_editor(qtbot, editor, "sytem_message", "system_message")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert w.stack.currentWidget() is w.canvas and not w.isWindowModified()
    assert load_team(path).spec is not None


def test_apply_is_refused_while_problems_remain_and_cancel_goes_back(make_main_window, qtbot, tmp_path):
    w, path = open_broken(make_main_window, tmp_path, TYPO)
    before = w.controller.spec
    repair = w.views.repair
    qtbot.keyClick(repair.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.stack.currentWidget() is repair and w.controller.spec == before
    assert "Not applied" in repair.status.text()
    qtbot.mouseClick(repair.cancel_button, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.canvas and w.controller.spec == before
    assert not w.views.repairing and path.read_text(encoding="utf-8") == TYPO  # the file is untouched


def test_cancel_from_the_start_page_returns_to_it(make_main_window, qtbot, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(NEWER, encoding="utf-8")
    w = make_main_window()
    assert not w.open_file(str(path))
    assert w.stack.currentWidget() is w.views.repair
    # No design is open: the bar offers only the repair, not an empty canvas.
    assert not w.views.tabs.isTabVisible(0) and not w.views.tabs.isTabVisible(1)
    qtbot.mouseClick(w.views.repair.cancel_button, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.start_page and not w.views.tabs.isVisible()


def test_file_open_recent_files_and_drop_lead_to_the_repair_view(make_main_window, qtbot, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(TYPO, encoding="utf-8")
    w = make_main_window()
    w.files.choose_open_path = lambda: str(path)
    w.window_actions["open"].trigger()
    assert w.stack.currentWidget() is w.views.repair
    w.views.repair.cancel_button.click()

    w.recent_menu.fileChosen.emit(str(path))  # what choosing it in File ▸ Open Recent does
    assert w.stack.currentWidget() is w.views.repair
    w.views.repair.cancel_button.click()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    w.dropEvent(drop)
    assert w.stack.currentWidget() is w.views.repair and w.views.repair.editor.toPlainText() == TYPO


@pytest.mark.parametrize(("content", "why"), [
    (b"schema: team-designer/v1\nname: caf\xe9\n", "not UTF-8"),
    (b"schema: team-designer/v1\n" + b"#" * MAX_BYTES, "too large to repair here"),
    (None, "cannot read"),
])
def test_files_that_cannot_be_edited_as_text_get_a_clear_message(make_main_window, qtbot, tmp_path, content, why):
    path = tmp_path / "odd.yaml"
    if content is None:
        path.mkdir()  # a folder named like a team file: nothing to read
    else:
        path.write_bytes(content)
    w = make_main_window()
    assert not w.open_file(str(path))
    assert w.stack.currentWidget() is w.start_page and not w.views.repairing
    assert len(w.errors) == 1 and "odd.yaml" in w.errors[0] and why in w.errors[0] and "Traceback" not in w.errors[0]


def test_the_screenshot_command_shows_a_broken_file_in_the_repair_view(tmp_path):
    """The CLI's window (here its offscreen screenshot) opens a broken file through the same path."""
    path = tmp_path / "broken.yaml"
    path.write_text(TYPO, encoding="utf-8")
    out = tmp_path / "repair.png"
    done = subprocess.run([sys.executable, "-m", "designer", "screenshot", str(path), str(out), "--size", "900x600"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 0 and "error" not in done.stderr
