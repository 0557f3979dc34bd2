"""The main window: canvas in the middle, editors and the live transcript in docks.

The first screen (menus, toolbar, start page, status bar) is built here and imports neither the
team model nor the editor; the editor half (editor_room.py: controller, canvas, panels, docks,
run machinery) is built the first time any of its parts is used, e.g. ``window.controller``
when a file opens. It is imported in idle time after the window shows (see preload), so the
first New or Open does not wait for it either.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QByteArray, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import QStackedWidget, QWidget

from . import settings
from .actions import build_actions, build_menus
from .diagram_action import DiagramExport
from .interop_actions import InteropActions
from .document.recent_menu import RecentFilesMenu
from .document.start_page import StartPageWidget
from .run.window_runs import WindowRuns
from .start_mode import StartPageMode
from .theme import ThemeMenu
from .tools_menu import ToolsMenu
from .widgets.icon_tint import ToolbarIconTint

if TYPE_CHECKING:
    from ..core.problems import Problem
    from .document.recovery import Recovery
    from .dialogs.models import ModelsDialog
    from .document.editor_views import EditorViews
    from .panels import AgentPanelWidget, PatternPanelWidget, ProblemsPanelWidget, TeamPanelWidget
    from .tools.library_panel import ToolLibraryWidget

log = logging.getLogger(__name__)

#: What preload imports, in order (relative to this package); the last one imports the rest.
PRELOAD_MODULES = ("pydantic", "..core.records", "..core.spec", "..core.validate", "..core.teamfile", ".panels",
                   ".canvas.view", ".run.transcript_view", ".editor_room")
#: After the first paint (a zero timer may run before it), before a person can click anything.
PRELOAD_DELAY_MS = 100


class MainWindow(WindowRuns):
    #: The editor's modules are imported (or the editor was built before they all were).
    editorPreloaded = Signal()  # noqa: N815 - Qt naming

    # The editor's parts (made by editor_room.build_editor; the rest are declared in WindowRuns).
    probe_cache: Any
    views: EditorViews
    agent_panel: AgentPanelWidget
    team_panel: TeamPanelWidget
    pattern_panel: PatternPanelWidget
    problems_panel: ProblemsPanelWidget
    tool_library: ToolLibraryWidget

    def __init__(self, *, restore_settings: bool = True) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.models_dialog: ModelsDialog | None = None
        self.log_dialog: Any = None  # a LogDialog once Help ▸ Show log was used (imported then)
        #: Replaceable in tests: choose a run's task and options (None = cancelled).
        self.ask_run: Callable[[], tuple[str, dict[str, Any]] | None] = self._run_dialog
        #: Replaceable in tests: offer to restore a recovery file.
        self.ask_restore: Callable[[Recovery], bool] = self._restore_dialog
        self.choose_export_path: Callable[[str, str], str | None] = self._choose_export_path

        self.start_page = StartPageWidget(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.setCentralWidget(self.stack)
        # The document's undo stack exists from the start, so Edit ▸ Undo/Redo are real actions
        # on the first screen; the controller takes it over when the editor is built.
        self.undo_stack = QUndoStack(self)
        # Not "actions": that would hide QWidget.actions().
        self.window_actions = build_actions(self, {name: getattr(self, f"_on_{name}") for name in (
            "new", "open", "save", "save_as", "close", "quit", "delete", "duplicate", "select_all", "add_agent",
            "rename", "auto_layout", "run", "stop", "finish_turn", "export_markdown", "export_jsonl", "zoom_in",
            "zoom_out", "zoom_reset", "fit", "about", "shortcuts", "show_log", "models", "history", "open_run")})
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        self.undo_action, self.redo_action = undo, redo
        self.recent_menu = RecentFilesMenu(self)
        self.recent_menu.fileChosen.connect(self.open_file)
        toolbar = build_menus(self, self.window_actions, undo, redo, self.recent_menu, [])  # the docks' toggles come with them
        self.icon_tint = ToolbarIconTint(toolbar)  # Qt's black icons stay visible on a dark toolbar
        self.tools_menu = ToolsMenu(self, lambda: (self.controller, self.preparation))
        self.theme_menu, self.diagram_export = ThemeMenu(self), DiagramExport(self)
        self.interop = InteropActions(self)  # File ▸ Import… and File ▸ Export ▸ (after the diagram's)
        self.start_mode = StartPageMode(self)  # no document on the start page; examples open as copies


        self.start_page.newRequested.connect(self._on_new)
        self.start_page.openRequested.connect(self.open_file)
        self.start_page.openDialogRequested.connect(self._on_open)
        self._update_recent(settings.get("files/recent"))
        self._on_running_changed(False)
        self._on_problems_changed()
        self._update_title()
        self.resize(1400, 900)
        self._saved = (settings.get("window/geometry"), settings.get("window/state")) if restore_settings else None
        self._docks_arranged = False
        self._preload_started = False
        self._preload_steps: list[str] = []
        if self._saved:
            self.restoreGeometry(self._saved[0] or QByteArray())

    # --- the editor half, built on first use -------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: an editor part not built yet.
        from .editor_room import EDITOR_PARTS

        if name in EDITOR_PARTS and not self.__dict__.get("_building"):
            self.ensure_editor()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def editor_built(self) -> bool:
        return self.__dict__.get("_editor_built", False)

    def ensure_editor(self) -> None:
        """Build the editor half now (the first open, New, restore or test access does it)."""
        if self.editor_built:
            return
        from .editor_room import build_editor

        self._building = True
        try:
            build_editor(self)
        finally:
            self._building = False
        self._editor_built = True
        if self.isVisible():
            self._arrange_docks()
        self._on_running_changed(False)
        self._on_problems_changed()
        self._update_title()

    def _arrange_docks(self, *, first_show: bool = False) -> None:
        """Tab the docks together (then the saved arrangement, if any), once the window is shown:
        Qt 6.11 tabifying two dock areas before the window is shown leaves a stale copy of the
        bottom tab bar drawn over the left dock (checked with a bare QMainWindow)."""
        self._docks_arranged = True
        self.tabifyDockWidget(self.docks["agent"], self.docks["pattern"])
        self.tabifyDockWidget(self.docks["pattern"], self.docks["team"])
        self.tabifyDockWidget(self.docks["transcript"], self.docks["problems"])
        self.tabifyDockWidget(self.docks["problems"], self.docks["history"])
        self.docks["agent"].raise_()
        self.docks["transcript"].raise_()
        if self._saved:
            self.restoreState(self._saved[1] or QByteArray())
            if first_show:  # showing with every dock visible may have grown the window to their minimum
                self.restoreGeometry(self._saved[0] or QByteArray())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        if self.editor_built and not self._docks_arranged:
            self._arrange_docks(first_show=True)
        super().showEvent(event)
        if not self._preload_started:
            self._preload_started = True
            self.preload()

    def preload(self) -> None:
        """Import the editor's modules in idle time once the first screen is painted, one module
        per event-loop turn (the largest, pydantic with the team model, takes ~0.15 s), so the
        first New or Open builds the editor without waiting for imports. ``editorPreloaded``
        fires at the end (the app freezes the garbage collector's view of the heap then)."""
        self._preload_steps = list(PRELOAD_MODULES)
        QTimer.singleShot(PRELOAD_DELAY_MS, self._preload_step)

    @Slot()
    def _preload_step(self) -> None:
        if self._preload_steps and not self.editor_built:
            importlib.import_module(self._preload_steps.pop(0), __package__)
            QTimer.singleShot(0, self._preload_step)
            return
        self._preload_steps = []
        self.editorPreloaded.emit()

    def _choose_export_path(self, title: str, suffix: str) -> str | None:
        from .run.export import choose_export_path

        return choose_export_path(self, title, suffix)

    # --- files ---------------------------------------------------------------------------

    def open_file(self, path: str) -> bool:
        if self.files.open(path):  # the canvas applies the file's saved view (or fits) itself
            self._show_editor()
            return True
        return False

    def offer_recovery(self) -> bool:
        """At start: offer to restore designs a crashed session left unsaved."""
        from .document.recovery import pending_recoveries

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
        if not self.editor_built:
            self.setWindowTitle("Start[*] — Team Designer")
            return
        editing = self.views.editing  # the canvas or the YAML tab shows the design
        name = self.controller.document.display_name if editing else self.views.title or "Start"
        self.setWindowTitle(f"{name}[*] — Team Designer")
        self.setWindowModified(editing and (not self.controller.undo_stack.isClean() or self.files.unapplied()))

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
        if self.editor_built and self.files.maybe_save():
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
            from .dialogs.models import ModelsDialog

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
        from .panels import focus_problem

        focus_problem(problem, agent_panel=self.agent_panel, team_panel=self.team_panel,
                      pattern_panel=self.pattern_panel, reveal=self._raise_dock_of)

    def _raise_dock_of(self, panel: QWidget) -> None:
        dock = next(d for d in self.docks.values() if d.widget() is panel)
        dock.show()
        dock.raise_()

    # --- help -----------------------------------------------------------------------------------

    def _on_about(self) -> None:
        from .dialogs.run_and_help import AboutDialog

        AboutDialog(self).exec()

    def _on_shortcuts(self) -> None:
        from .dialogs.run_and_help import ShortcutsDialog

        ShortcutsDialog([*self.window_actions.all.values(), self.undo_action, self.redo_action], self).exec()

    def _on_show_log(self) -> None:
        from .dialogs.log import show_log_dialog  # on first use: not part of the window's cold start

        self.log_dialog = show_log_dialog(self, self.log_dialog)

    # --- window ---------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if any(u.toLocalFile().endswith((".yaml", ".yml", ".json")) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith((".yaml", ".yml")):
                event.acceptProposedAction()
                self.open_file(url.toLocalFile())
                return
            if url.toLocalFile().endswith(".json"):  # AgentChat / AutoGen Studio JSON: as File ▸ Import…
                event.acceptProposedAction()
                self.interop.import_file(url.toLocalFile())
                return

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.editor_built:  # else there is no design, run or recovery copy to look after
            if not self.files.maybe_save():
                event.ignore()
                return
            self.runs.shutdown()
            self.files.discard_recovery()
            self.files.release_session()
        settings.put("window/geometry", self.saveGeometry())
        settings.put("window/state", self.saveState())
        event.accept()
