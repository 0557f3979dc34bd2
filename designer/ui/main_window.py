"""The main window: canvas in the middle, editors and the live transcript in docks."""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QWidget

from ..core import events as ev
from ..core.finish import finish_text
from ..core.probe_cache import ProbeCache
from ..core.problems import Problem
from ..core.task import TaskError
from ..core.trust import TrustStore
from . import settings
from .actions import build_actions, build_menus
from .canvas.view import CanvasView
from .document.controller import DocumentController
from .dialogs.run_and_help import AboutDialog, RunDialog, ShortcutsDialog
from .document.files import FileManager, Recovery, pending_recoveries
from .document.recent_menu import RecentFilesMenu
from .dialogs.models import ModelsDialog
from .panels import AgentPanelWidget, PatternPanelWidget, ProblemsPanelWidget, TeamPanelWidget, focus_problem
from .run.controller import RunController
from .run.export import ExportFormat, choose_export_path, export_transcript
from .run.preparation import RunPreparation
from .document.start_page import StartPageWidget
from .run.status import RunStatusWidget
from .tools_menu import ToolsMenu
from .dialogs.trust import ask_with_dialog, gui_trust_path
from .run.transcript_view import TranscriptWidget

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
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
        self.setCentralWidget(self.stack)

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
        self.tabifyDockWidget(self.docks["agent"], self.docks["pattern"])
        self.tabifyDockWidget(self.docks["pattern"], self.docks["team"])
        self.tabifyDockWidget(self.docks["transcript"], self.docks["problems"])
        self.docks["agent"].raise_()
        self.docks["transcript"].raise_()

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
        if restore_settings:
            self.restoreGeometry(settings.get("window/geometry") or QByteArray())
            self.restoreState(settings.get("window/state") or QByteArray())

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
        editing = self.stack.currentWidget() is self.canvas
        name = self.controller.document.display_name if editing else "Start"
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
        if self.stack.currentWidget() is not self.canvas and not change.reset:
            self._show_editor()

    def _on_problems_changed(self) -> None:
        errors = self.controller.errors
        can_run = not errors and not self.runs.running
        self.window_actions["run"].setEnabled(can_run)
        if errors:
            reason = f"Run disabled: {len(errors)} problem{'s' if len(errors) != 1 else ''} — {errors[0].message}"
            self.window_actions["run"].setToolTip(reason)
            self.run_reason.setText(f"⚠ {len(errors)} problem{'s' if len(errors) != 1 else ''}")
            self.run_reason.setToolTip(reason)
        else:
            self.window_actions["run"].setToolTip("Run the team (Ctrl+R)")
            self.run_reason.setText("")

    def _on_problem_activated(self, problem: Problem) -> None:
        focus_problem(problem, agent_panel=self.agent_panel, team_panel=self.team_panel,
                      pattern_panel=self.pattern_panel, reveal=self._raise_dock_of)

    def _raise_dock_of(self, panel: QWidget) -> None:
        dock = next(d for d in self.docks.values() if d.widget() is panel)
        dock.show()
        dock.raise_()

    # --- running ------------------------------------------------------------------------------

    def _run_dialog(self) -> tuple[str, dict[str, Any]] | None:
        dialog = RunDialog(self.controller.spec, self)
        if dialog.exec() != RunDialog.DialogCode.Accepted:
            return None
        try:
            return dialog.task(), dialog.options()
        except TaskError:
            return None

    def _on_run(self) -> None:
        if self.runs.running or self.controller.errors:
            return
        choice = self.ask_run()
        if choice is None:
            return
        task, options = choice
        self.start_run(task, **options)

    def start_run(self, task: str, **options: Any) -> bool:
        """Run a frozen snapshot of the design (later edits cannot race the run). Code it would
        execute that is not trusted yet is listed and asked about first; False: not started."""
        snapshot = self.controller.spec  # never edited in place (edits return a new spec); TeamRun freezes its copy
        # None: the user did not trust its code.
        tool_options = self.preparation.run_options(snapshot, self.controller.tool_locations(), self.controller.path)
        if tool_options is None:
            self.statusBar().showMessage("Run cancelled: the code it needs is not trusted", 8000)
            return False
        options.update(tool_options)
        self.transcript.model.clear()
        self.transcript.end_input()
        self.docks["transcript"].show()
        self.docks["transcript"].raise_()
        self.status.begin()
        self.runs.start(snapshot, task, **options)
        return True

    def _on_stop(self) -> None:
        self.runs.stop()
        self.statusBar().showMessage("Stopping…")

    def _on_finish_turn(self) -> None:
        self.runs.finish_turn()
        self.statusBar().showMessage("Finishing after the current turn…")

    def _on_run_events(self, batch: list[ev.RunEvent]) -> None:
        self.transcript.model.add_events(batch)
        self.status.add_events(batch)
        for event in batch:
            if isinstance(event, (ev.Chunk, ev.Message, ev.ToolCall)) and event.agent in self.controller.spec.agents:
                self.canvas.set_active_agent(event.parent or event.agent)
            elif isinstance(event, ev.InputRequested):
                self.canvas.set_active_agent(event.agent)
                self.transcript.ask(event.agent, event.request_id)
            elif isinstance(event, ev.Finished):
                self.canvas.set_active_agent(None)
                self.transcript.end_input()
                self.statusBar().showMessage("Run " + finish_text(event.reason, event.detail, capital=False), 15000)

    def _on_running_changed(self, running: bool) -> None:
        self.window_actions["stop"].setEnabled(running)
        self.window_actions["finish_turn"].setEnabled(running)
        self._on_problems_changed()
        if not running:
            self.status.end()

    def _export(self, fmt: ExportFormat) -> None:
        message = export_transcript(self.transcript.model, fmt, choose_path=self.choose_export_path,
                                    show_error=self.files.show_error)
        if message:
            self.statusBar().showMessage(message, 6000)

    def _on_export_markdown(self) -> None:
        self._export("markdown")

    def _on_export_jsonl(self) -> None:
        self._export("jsonl")

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
