"""The editor half of the main window, built when the first design opens (or is preloaded).

The start page needs none of this: the team model (pydantic), the canvas, the panels, the
YAML and repair views, the run machinery and the Tools dock cost about 0.35 s of imports and
construction, which the first screen no longer pays. ``build_editor`` makes them the window's
attributes (``window.controller``, ``window.canvas`` ...), wires them, and puts their docks in
place; MainWindow calls it on the first access to any of those attributes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from ..core.probe_cache import ProbeCache
from ..core.trust import TrustStore
from .actions import menu_named
from .canvas.view import CanvasView
from .dialogs.trust import ask_with_dialog, gui_trust_path
from .document.controller import DocumentController
from .document.editor_views import EditorViews
from .document.files import FileManager
from .eval.launch import EvalLauncher
from .history.panel import HistoryPanel
from .panels import AgentPanelWidget, PatternPanelWidget, ProblemsPanelWidget, TeamPanelWidget
from .run.controller import RunController
from .run.preparation import RunPreparation
from .run.replay import RunReplays
from .run.status import RunStatusWidget
from .run.transcript_view import TranscriptWidget
from .tools.dock import TOGGLE_TIP, make_tool_library

#: The window attributes this module makes; reading any of them first builds them all.
EDITOR_PARTS = frozenset({
    "controller", "probe_cache", "files", "runs", "preparation", "canvas", "views", "agent_panel", "team_panel",
    "pattern_panel", "problems_panel", "transcript", "docks", "tool_library", "status", "run_reason",
    "replays", "history_panel", "evaluations",
})

_DOCKS = (  # key, title, object name, window attribute, area
    ("agent", "Agent", "agent_dock", "agent_panel", Qt.DockWidgetArea.RightDockWidgetArea),
    ("team", "Team", "team_dock", "team_panel", Qt.DockWidgetArea.RightDockWidgetArea),
    ("pattern", "Pattern", "pattern_dock", "pattern_panel", Qt.DockWidgetArea.RightDockWidgetArea),
    ("transcript", "Transcript", "transcript_dock", "transcript", Qt.DockWidgetArea.BottomDockWidgetArea),
    ("problems", "Problems", "problems_dock", "problems_panel", Qt.DockWidgetArea.BottomDockWidgetArea),
    # On the left, as in AutoGen Studio and Langflow: the palette beside the canvas it feeds.
    ("tools", "Tools", "tools_dock", "tool_library", Qt.DockWidgetArea.LeftDockWidgetArea),
    # Beside the live transcript: a run that ends is read there, then kept here.
    ("history", "History", "history_dock", "history_panel", Qt.DockWidgetArea.BottomDockWidgetArea),
)


# ``w`` is the MainWindow, typed Any: main_window imports this module (on first use), so this
# module cannot import it back without an import cycle; MainWindow declares every part it gets.
def build_editor(w: Any) -> None:
    """Make and wire the editor's parts on ``w`` (once; MainWindow guards it)."""
    w.controller = DocumentController(w, undo_stack=w.undo_stack)
    # The validator warns about tool users on models whose last connection test failed.
    w.probe_cache = ProbeCache()
    w.controller.probe_results = w.probe_cache
    w.files = FileManager(w.controller, w)
    w.runs = RunController(w)
    #: The trust question and the workspace choice before code runs (its ask and trust are replaceable in tests).
    w.preparation = RunPreparation(TrustStore(gui_trust_path()), lambda items: ask_with_dialog(w, items))
    w.canvas = CanvasView(w.controller, w)
    w.stack.addWidget(w.canvas)
    w.views = EditorViews(w, w.stack, w.canvas, w.start_page, w.files, w._update_title)  # + YAML, repair
    w.agent_panel = AgentPanelWidget(w.controller, w)
    w.team_panel = TeamPanelWidget(w.controller, w)
    w.pattern_panel = PatternPanelWidget(w.controller, w)
    w.problems_panel = ProblemsPanelWidget(w.controller, w)
    w.transcript = TranscriptWidget(w)
    w.history_panel = HistoryPanel(w)  # reads the run history when first shown
    w.status = RunStatusWidget(w)  # the run's figures, in the status bar once a design is open
    w.replays = RunReplays(w)  # Run ▸ Replay Last Run, the transcript's Re-run from here, Compare
    w.evaluations = EvalLauncher(w)  # Run ▸ Evaluate…: the Evaluate window (built on first use)
    w.statusBar().addPermanentWidget(w.status)
    w.run_reason = QLabel(w)  # why Run is disabled
    w.statusBar().addPermanentWidget(w.run_reason)
    w.tool_library = make_tool_library(w.controller, w.preparation, w.tools_menu)
    w.docks = {key: _dock(w, title, name, getattr(w, attr), area) for key, title, name, attr, area in _DOCKS}
    w.docks["tools"].toggleViewAction().setStatusTip(TOGGLE_TIP)
    _list_docks_in_view_menu(w)
    w.start_mode.cover()
    _wire(w)


def _dock(w: Any, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, w)
    dock.setObjectName(name)
    dock.setWidget(widget)
    w.addDockWidget(area, dock)
    return dock


def _list_docks_in_view_menu(w: Any) -> None:
    # The View menu starts with the docks' toggles, in their order.
    view = menu_named(w, "View")
    if view is None:
        return
    first = view.actions()[0] if view.actions() else None
    for dock in w.docks.values():
        toggle = dock.toggleViewAction()
        view.insertAction(first, toggle) if first is not None else view.addAction(toggle)


def _wire(w: Any) -> None:
    from .panels.inner_team_editor import open_inner_team_editor

    c = w.controller
    c.undo_stack.cleanChanged.connect(w._update_title)
    c.pathChanged.connect(w._update_title)
    c.changed.connect(w._on_design_changed)
    c.problemsChanged.connect(w._on_problems_changed)
    c.editRefused.connect(lambda text: w.statusBar().showMessage(text, 6000))
    w.files.message.connect(lambda text: w.statusBar().showMessage(text, 6000))
    w.files.recentChanged.connect(w._update_recent)
    w.problems_panel.problemActivated.connect(w._on_problem_activated)
    w.team_panel.modelsDialogRequested.connect(w._on_models)
    w.runs.events.connect(w._on_run_events)
    w.runs.runEvents.connect(w.history_panel.on_run_events)  # every run the window starts, replays too
    c.pathChanged.connect(w.history_panel.on_team_changed)
    w.docks["history"].visibilityChanged.connect(w.history_panel.on_dock_visibility)
    w.runs.runningChanged.connect(w._on_running_changed)
    w.transcript.inputSubmitted.connect(w.runs.provide_input)
    # The agent panel's "Edit inner team…" opens the same editor as the canvas's group menu.
    w.agent_panel.parts.innerTeamRequested.connect(lambda team: open_inner_team_editor(w, c, team))
