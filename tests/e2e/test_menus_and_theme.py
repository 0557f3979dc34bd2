"""Menus carry the standard actions with standard shortcuts; the palette follows the system scheme."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtTest import QTest

MENUS = {
    "File": ["New", "Open…", "Open Recent", "Save", "Save As…", "Export transcript as Markdown…",
             "Export transcript as JSONL…", "Close", "Quit"],
    "Edit": ["Undo", "Redo", "Add agent", "Rename agent", "Duplicate agent", "Delete", "Select all"],
    "Run": ["Run…", "Stop", "Finish turn"],
    "Help": ["Keyboard shortcuts", "About Team Designer"],
}


def menu_texts(window) -> dict[str, list[str]]:
    out = {}
    for action in window.menuBar().actions():
        names = [a.text().replace("&", "") for a in action.menu().actions() if not a.isSeparator()]
        out[action.text().replace("&", "")] = [n for n in names if n]
    return out


def test_menus_hold_the_standard_actions(make_main_window):
    w = make_main_window()
    menus = menu_texts(w)
    for title, expected in MENUS.items():
        assert [n for n in menus[title] if n in expected] == expected, title
    assert {"Agent", "Team", "Pattern", "Transcript", "Problems", "Zoom in", "Zoom out", "Fit to window"} <= set(menus["View"])


@pytest.mark.parametrize(
    "name, keys",
    [("new", "Ctrl+N"), ("open", "Ctrl+O"), ("save", "Ctrl+S"), ("save_as", "Ctrl+Shift+S"), ("close", "Ctrl+W"),
     ("quit", "Ctrl+Q"), ("zoom_in", "Ctrl++"), ("run", "Ctrl+R"), ("stop", "Ctrl+."), ("delete", "Del"), ("rename", "F2")],
)
def test_standard_shortcuts(make_main_window, name, keys):
    w = make_main_window()
    assert QKeySequence(keys) in w.window_actions[name].shortcuts()
    assert w.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)


def test_ctrl_r_runs_from_the_keyboard(make_main_window, qtbot, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "schema: team-designer/v1\nname: K\ndefault_model: s\nmodels:\n  s: {provider: scripted, responses: [hi]}\n"
        "agents:\n  a: {}\norchestration: {pattern: sequential, order: [a]}\n"
    )
    w = make_main_window(path)
    asked = []
    w.ask_run = lambda: asked.append(True) or None
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.activateWindow()
    qtbot.waitActive(w)
    # Through the window, as the platform delivers keys, so the shortcut map sees it.
    QTest.keyClick(w.windowHandle(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert asked == [True]


class FakeHints(QObject):
    """The offscreen platform has no system scheme to change; this stands in for QStyleHints."""

    colorSchemeChanged = Signal(Qt.ColorScheme)  # noqa: N815 - QStyleHints' signal name

    def __init__(self) -> None:
        super().__init__()
        self.scheme = Qt.ColorScheme.Light

    def colorScheme(self) -> Qt.ColorScheme:  # noqa: N802 - QStyleHints' name
        return self.scheme

    def switch(self, scheme: Qt.ColorScheme) -> None:
        self.scheme = scheme
        self.colorSchemeChanged.emit(scheme)


def test_the_palette_follows_the_system_colour_scheme(qapp):
    from designer.ui.app import apply_system_palette

    hints = FakeHints()
    follower = apply_system_palette(qapp, hints)
    try:
        assert qapp.palette().color(QPalette.ColorRole.Base).lightness() > 200
        hints.switch(Qt.ColorScheme.Dark)
        assert qapp.palette().color(QPalette.ColorRole.Base).lightness() < 100
        hints.switch(Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Base).lightness() > 200
    finally:
        follower.deleteLater()
