"""The main window: canvas in the middle, editors and the live transcript in docks."""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QStackedWidget, QWidget

from ..core.probe_cache import ProbeCache
from ..core.problems import Problem
from ..core.trust import TrustStore
from . import settings
from .actions import build_actions, build_menus
from .canvas.export import DiagramExport
from .canvas.view import CanvasView
from .document.controller import DocumentController
from .dialogs.run_and_help import AboutDialog, ShortcutsDialog
from .document.editor_views import EditorViews
from .document.files import FileManager, Recovery, pending_recoveries
from .document.recent_menu import RecentFilesMenu
from .dialogs.models import ModelsDialog
from .panels import AgentPanelWidget, PatternPanelWidget, ProblemsPanelWidget, TeamPanelWidget, focus_problem
from .run.controller import RunController
from .run.export import choose_export_path
from .run.preparation import RunPreparation
from .run.window_runs import WindowRuns
from .document.start_page import StartPageWidget
from .start_mode import StartPageMode
from .run.status import RunStatusWidget
from .theme import ThemeMenu
from .tools_menu import ToolsMenu
from .tools.dock import install_tool_library
from .dialogs.trust import ask_with_dialog, gui_trust_path
from .run.transcript_view import TranscriptWidget

log = logging.getLogger(__name__)


class MainWindow(WindowRuns):
    def __init__(self, *, restore_settings: bool = True) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.controller = DocumentController(self)
        # The validator warns about tool users on models whose last connection test failed.
        self.probe_cache = ProbeCache()
        self.controller.probe_results = self.probe_cache
        self.models_dialog: ModelsDialog | None = None
        self.log_dialog: Any = None  # a LogDialog once Help ▸ Show log was used (imported then)
        self.files = FileManager(self.controller, self)
        self.runs = RunController(self)
        #: Replaceable in tests: choose a run's task and options (None = cancelled).
        self.ask_run: Callable[[], tuple[str, dict[str, Any]] | None] = self._run_dialog
        #: Replaceable in tests: offer to restore a recovery file.
        self.ask_restore: Callable[[Recovery], bool] = self._restore_dialog
        #: The trust question and the workspace choice before code runs (its ask and trust are replaceable in tests).
        self.preparation = RunPreparation(TrustStore(gui_trust_path()), lambda items: ask_with_dialog(self, items))
        self.choose_export_path: Callable[[str, str], str | None] = lambda title, suffix: choose_export_path(self, title, suffix)

        self.canvas = CanvasView(self.controller, self)
        self.start_page = StartPageWidget(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.canvas)
        self.views = EditorViews(self, self.stack, self.canvas, self.start_page, self.files, self._update_title)  # + YAML, repair

        self.agent_panel = AgentPanelWidget(self.controller, self)
        self.team_panel = TeamPanelWidget(self.controller, self)
        self.pattern_panel = PatternPanelWidget(self.controller, self)
        self.problems_panel = ProblemsPanelWidget(self.controller, self)
        self.transcript = TranscriptWidget(self)
        self.docks = {
            "agent": self._dock("Agent", "agent_dock", self.agent_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "team": self._dock("Team", "team_dock", self.team_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "pattern": self._dock("Pattern", "pattern_dock", self.pattern_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "transcript": self._dock("Transcript", "transcript_dock", self.transcript, Qt.DockWidgetArea.BottomDockWidgetArea),
            "problems": self._dock("Problems", "problems_dock", self.problems_panel, Qt.DockWidgetArea.BottomDockWidgetArea),
        }

        # Not "actions": that would hide QWidget.actions().
        self.window_actions = build_actions(self, {name: getattr(self, f"_on_{name}") for name in (
            "new", "open", "save", "save_as", "close", "quit", "delete", "duplicate", "select_all", "add_agent",
            "rename", "auto_layout", "run", "stop", "finish_turn", "export_markdown", "export_jsonl", "zoom_in",
            "zoom_out", "zoom_reset", "fit", "about", "shortcuts", "show_log", "models")})
        undo = self.controller.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.controller.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        self.undo_action, self.redo_action = undo, redo
        self.recent_menu = RecentFilesMenu(self)
        self.recent_menu.fileChosen.connect(self.open_file)
        build_menus(self, self.window_actions, undo, redo, self.recent_menu, [d.toggleViewAction() for d in self.docks.values()])
        self.tools_menu = ToolsMenu(self, self.controller, self.preparation)
        self.tool_library = install_tool_library(self, self.controller, self.preparation, self.tools_menu, self.docks)
        self.theme_menu, self.diagram_export = ThemeMenu(self), DiagramExport(self)
        self.start_mode = StartPageMode(self)  # no document on the start page; examples open as copies

        self.status = RunStatusWidget(self)
        self.statusBar().addPermanentWidget(self.status)
        self.run_reason = QLabel(self)
        self.statusBar().addPermanentWidget(self.run_reason)

        self._wire()
        self._update_recent(settings.get("files/recent"))
        self._on_running_changed(False)
        self._on_problems_changed()
        self._update_title()
        self.resize(1400, 900)
        self._saved = (settings.get("window/geometry"), settings.get("window/state")) if restore_settings else None
        self._docks_arranged = False
        if self._saved:
            self.restoreGeometry(self._saved[0] or QByteArray())

    def _arrange_docks(self) -> None:
        """Tab the docks together (then the saved arrangement, if any). Done at the first show:
        Qt 6.11 tabifying two dock areas before the window is shown leaves a stale copy of the
        bottom tab bar drawn over the left dock (checked with a bare QMainWindow)."""
        self._docks_arranged = True
        self.tabifyDockWidget(self.docks["agent"], self.docks["pattern"])
        self.tabifyDockWidget(self.docks["pattern"], self.docks["team"])
        self.tabifyDockWidget(self.docks["transcript"], self.docks["problems"])
        self.docks["agent"].raise_()
        self.docks["transcript"].raise_()
        if self._saved:
            self.restoreState(self._saved[1] or QByteArray())
            # Again: showing with every dock visible may have grown the window to their minimum.
            self.restoreGeometry(self._saved[0] or QByteArray())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        if not self._docks_arranged:
            self._arrange_docks()
        super().showEvent(event)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        c = self.controller
        c.undo_stack.cleanChanged.connect(self._update_title)
        c.pathChanged.connect(self._update_title)
        c.changed.connect(self._on_design_changed)
        c.problemsChanged.connect(self._on_problems_changed)
        c.editRefused.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.files.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.files.recentChanged.connect(self._update_recent)
        self.start_page.newRequested.connect(self._on_new)
        self.start_page.openRequested.connect(self.open_file)
        self.start_page.openDialogRequested.connect(self._on_open)
        self.problems_panel.problemActivated.connect(self._on_problem_activated)
        self.team_panel.modelsDialogRequested.connect(self._on_models)
        self.runs.events.connect(self._on_run_events)
        self.runs.runningChanged.connect(self._on_running_changed)
        self.transcript.inputSubmitted.connect(self.runs.provide_input)

    # --- files ---------------------------------------------------------------------------

    def open_file(self, path: str) -> bool:
        if self.files.open(path):  # the canvas applies the file's saved view (or fits) itself
            self._show_editor()
            return True
        return False

    def offer_recovery(self) -> bool:
        """At start: offer to restore designs a crashed session left unsaved."""
        for recovery in pending_recoveries():
            if self.ask_restore(recovery):
                if self.files.restore(recovery):
                    self._show_editor()
                    return True
            else:
                recovery.discard()
        return False

    def _restore_dialog(self, recovery: Recovery) -> bool:
        from PySide6.QtWidgets import QMessageBox

        what = recovery.original.name if recovery.original else "an unsaved new team"
        answer = QMessageBox.question(self, "Restore unsaved work?",
                                      f"Team Designer did not close normally. Restore the unsaved changes to {what}?")
        return answer == QMessageBox.StandardButton.Yes

    def _show_editor(self) -> None:
        self.stack.setCurrentWidget(self.canvas)
        self._update_title()

    def _show_start(self) -> None:
        self.stack.setCurrentWidget(self.start_page)
        self._update_title()

    def _update_recent(self, paths: list[str]) -> None:
        self.recent_menu.set_paths(paths)
        self.start_page.set_recent(paths)

    def _update_title(self, *args: Any) -> None:
        editing = self.views.editing  # the canvas or the YAML tab shows the design
        name = self.controller.document.display_name if editing else self.views.title or "Start"
        self.setWindowTitle(f"{name}[*] — Team Designer")
        self.setWindowModified(editing and not self.controller.undo_stack.isClean())

    def _on_new(self) -> None:
        if self.files.new():
            self._show_editor()

    def _on_open(self) -> None:
        path = self.files.choose_open_path()
        if path:
            self.open_file(path)

    def _on_save(self) -> None:
        self.files.save()

    def _on_save_as(self) -> None:
        self.files.save_as()

    def _on_close(self) -> None:
        if self.files.maybe_save():
            from ..core.edits import new_team

            self.files.discard_recovery()
            self.controller.set_design(new_team(), None)
            self._show_start()

    def _on_quit(self) -> None:
        self.close()

    # --- editing -------------------------------------------------------------------------

    def _on_delete(self) -> None:
        self.canvas.delete_selection()

    def _on_duplicate(self) -> None:
        self.canvas.duplicate_selection()

    def _on_select_all(self) -> None:
        self.canvas.select_all()

    def _on_add_agent(self) -> None:
        self._show_editor()
        self.canvas.add_agent_at(None)

    def _on_rename(self) -> None:
        if self.controller.current_agent:
            self.canvas.start_rename(self.controller.current_agent)

    def _on_auto_layout(self) -> None:
        self.canvas.auto_layout()

    def _on_models(self) -> None:
        """One non-modal Models dialog, kept so its list and test report survive closing it."""
        if self.models_dialog is None:
            self.models_dialog = ModelsDialog(self.controller, self, cache=self.probe_cache)
        self._show_editor()
        self.models_dialog.show()
        self.models_dialog.raise_()
        self.models_dialog.activateWindow()

    def _on_zoom_in(self) -> None:
        self.canvas.zoom_in()

    def _on_zoom_out(self) -> None:
        self.canvas.zoom_out()

    def _on_zoom_reset(self) -> None:
        self.canvas.zoom_reset()

    def _on_fit(self) -> None:
        self.canvas.fit_all()

    def _on_design_changed(self, change: Any) -> None:
        if self.stack.currentWidget() is self.start_page and not change.reset:
            self._show_editor()

    def _on_problem_activated(self, problem: Problem) -> None:
        focus_problem(problem, agent_panel=self.agent_panel, team_panel=self.team_panel,
                      pattern_panel=self.pattern_panel, reveal=self._raise_dock_of)

    def _raise_dock_of(self, panel: QWidget) -> None:
        dock = next(d for d in self.docks.values() if d.widget() is panel)
        dock.show()
        dock.raise_()

    # --- help -----------------------------------------------------------------------------------

    def _on_about(self) -> None:
        AboutDialog(self).exec()

    def _on_shortcuts(self) -> None:
        ShortcutsDialog([*self.window_actions.all.values(), self.undo_action, self.redo_action], self).exec()

    def _on_show_log(self) -> None:
        from .dialogs.log import show_log_dialog  # on first use: not part of the window's cold start

        self.log_dialog = show_log_dialog(self, self.log_dialog)

    # --- window ---------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if any(u.toLocalFile().endswith((".yaml", ".yml")) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith((".yaml", ".yml")):
                event.acceptProposedAction()
                self.open_file(url.toLocalFile())
                return

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.files.maybe_save():
            event.ignore()
            return
        self.runs.shutdown()
        self.files.discard_recovery()
        self.files.release_session()
        settings.put("window/geometry", self.saveGeometry())
        settings.put("window/state", self.saveState())
        event.accept()
