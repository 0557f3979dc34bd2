"""The window's actions, menus and toolbar, with standard shortcuts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

Key = QKeySequence.StandardKey
_FALLBACK = {Key.Quit: "Ctrl+Q", Key.Close: "Ctrl+W", Key.HelpContents: "F1", Key.SaveAs: "Ctrl+Shift+S"}
# A standard key, one key sequence as text, several sequences, or none.
Shortcut = QKeySequence.StandardKey | str | list[QKeySequence] | list[str] | None


@dataclass
class Actions:
    all: dict[str, QAction] = field(default_factory=dict)

    def __getitem__(self, name: str) -> QAction:
        return self.all[name]


def _action(window: QMainWindow, text: str, slot: Callable[[], object] | None, shortcut: Shortcut = None,
            tip: str = "", icon: QStyle.StandardPixmap | None = None) -> QAction:
    action = QAction(text, window)
    if isinstance(shortcut, QKeySequence.StandardKey):
        # Some platforms (and the offscreen one) bind nothing to e.g. Quit: use the common keys.
        action.setShortcuts(QKeySequence.keyBindings(shortcut) or [QKeySequence(_FALLBACK.get(shortcut, ""))])
    elif isinstance(shortcut, list):
        action.setShortcuts([QKeySequence(s) for s in shortcut])
    elif shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if slot is not None:
        action.triggered.connect(slot)
    return action


def build_actions(w: QMainWindow, handlers: dict[str, Callable[[], object]]) -> Actions:
    """Create every action; ``handlers`` maps action names to window slots."""
    sp = QStyle.StandardPixmap
    h = handlers.get
    spec: list[tuple[str, str, Shortcut, str, QStyle.StandardPixmap | None]] = [
        ("new", "&New", Key.New, "Start a new team", sp.SP_FileIcon),
        ("open", "&Open…", Key.Open, "Open a team file", sp.SP_DialogOpenButton),
        ("open_run", "Open R&un…", None, "Open a shared run file (.tdrun) read-only in the History panel: nothing in it runs", None),
        ("save", "&Save", Key.Save, "Save the team file", sp.SP_DialogSaveButton),
        ("save_as", "Save &As…", Key.SaveAs, "Save under a new name", None),
        ("close", "&Close", Key.Close, "Close the team and show the start page", None),
        ("quit", "&Quit", Key.Quit, "Quit Team Designer", None),
        ("delete", "&Delete", [QKeySequence(Key.Delete), QKeySequence("Backspace")], "Delete the selected agents or connection", None),
        ("duplicate", "D&uplicate agent", "Ctrl+D", "Duplicate the selected agent", None),
        ("select_all", "Select &all", Key.SelectAll, "Select every agent", None),
        ("add_agent", "&Add agent", "Ctrl+Shift+A", "Add an agent to the canvas", sp.SP_FileDialogNewFolder),
        ("rename", "&Rename agent", "F2", "Rename the selected agent", None),
        ("auto_layout", "Auto &layout", "Ctrl+L", "Arrange the agents to show the pattern", None),
        ("models", "&Models…", "Ctrl+Shift+M", "Add, edit and test the team's models (presets, keys, Test connection)", None),
        ("run", "&Run…", ["Ctrl+R", "F5"], "Run the team", sp.SP_MediaPlay),
        ("stop", "&Stop", ["Ctrl+.", "Shift+F5"], "Stop the run now", sp.SP_MediaStop),
        ("finish_turn", "&Finish turn", "Ctrl+Shift+.", "Stop the run after the current agent's turn", sp.SP_MediaSkipForward),
        ("replay_last", "Re&play Last Run", "Ctrl+Shift+R",
         "Run the current design with the last run's task, answering unchanged model calls from its recording", None),
        ("strict_replay", "S&trict Replay", None, "Replay only from the recording: stop at the first request not in it", None),
        ("history", "Run &History", "Ctrl+Shift+H", "Show the recorded runs of this team (and of all teams)", None),
        ("evaluate", "&Evaluate…", "Ctrl+Shift+E", "Run the team (and variants of it) over a table of tasks with checks", None),
        ("export_markdown", "Export transcript as &Markdown…", None, "Save the transcript as Markdown", None),
        ("export_jsonl", "Export transcript as &JSONL…", None, "Save the run's events, one JSON object per line", None),
        ("zoom_in", "Zoom &in", [QKeySequence(Key.ZoomIn), QKeySequence("Ctrl+=")], "Zoom in on the canvas", None),
        ("zoom_out", "Zoom &out", Key.ZoomOut, "Zoom out of the canvas", None),
        ("zoom_reset", "&Actual size", "Ctrl+0", "Reset the canvas zoom", None),
        ("fit", "&Fit to window", "Ctrl+9", "Show every agent", None),
        ("about", "&About Team Designer", None, "Versions of Team Designer, AutoGen, Qt and Python", None),
        ("show_log", "Show &log…", None, "The log file, to attach to a bug report", None),
        ("shortcuts", "&Keyboard shortcuts", Key.HelpContents, "List every keyboard shortcut", None),
    ]
    actions = Actions()
    for name, text, shortcut, tip, icon in spec:
        actions.all[name] = _action(w, text, h(name), shortcut, tip, icon)
    actions.all["strict_replay"].setCheckable(True)  # a choice Replay Last Run reads (run/replay.py)
    return actions


def build_menus(w: QMainWindow, a: Actions, undo: QAction, redo: QAction, recent: QMenu, panels: list[QAction]) -> QToolBar:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    for name in ("new", "open"):
        file_menu.addAction(a[name])
    file_menu.addMenu(recent)
    file_menu.addAction(a["open_run"])
    file_menu.addSeparator()
    for name in ("save", "save_as"):
        file_menu.addAction(a[name])
    file_menu.addSeparator()
    file_menu.addAction(a["export_markdown"])
    file_menu.addAction(a["export_jsonl"])
    file_menu.addSeparator()
    file_menu.addAction(a["close"])
    file_menu.addAction(a["quit"])

    edit = bar.addMenu("&Edit")
    edit.addAction(undo)
    edit.addAction(redo)
    edit.addSeparator()
    for name in ("add_agent", "rename", "duplicate", "delete", "select_all"):
        edit.addAction(a[name])
    edit.addSeparator()
    edit.addAction(a["models"])

    run = bar.addMenu("&Run")
    for name in ("run", "stop", "finish_turn"):
        run.addAction(a[name])
    run.addSeparator()
    run.addAction(a["replay_last"])
    run.addAction(a["strict_replay"])
    run.addSeparator()
    run.addAction(a["history"])
    run.addAction(a["evaluate"])

    view = bar.addMenu("&View")
    for action in panels:
        view.addAction(action)
    view.addSeparator()
    for name in ("zoom_in", "zoom_out", "zoom_reset", "fit", "auto_layout"):
        view.addAction(a[name])

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["shortcuts"])
    help_menu.addAction(a["show_log"])
    help_menu.addSeparator()
    help_menu.addAction(a["about"])

    toolbar = w.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    for name in ("new", "open", "save"):
        toolbar.addAction(a[name])
    toolbar.addSeparator()
    # Icons, so the toolbar shows no text: "Undo Duplicate agents" would widen the button and
    # shift every button after it under the pointer. The text stays in the menu and the tooltip.
    sp = QStyle.StandardPixmap
    for action, theme, fallback in ((undo, "edit-undo", sp.SP_ArrowBack), (redo, "edit-redo", sp.SP_ArrowForward)):
        if action.icon().isNull():
            action.setIcon(QIcon.fromTheme(theme, w.style().standardIcon(fallback)))
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(a["add_agent"])
    toolbar.addSeparator()
    for name in ("run", "stop", "finish_turn"):
        toolbar.addAction(a[name])
    return toolbar


def menu_named(w: QMainWindow, title: str) -> QMenu | None:
    """The menu bar's menu with this title (without its & mnemonic), for modules that add to it."""
    for action in w.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
            return menu
    return None
