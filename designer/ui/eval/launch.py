"""Run ▸ Evaluate…: opens the Evaluate window for the open team (one, kept, not modal).

Built with the editor (``window.evaluations``); light to import: the window's modules are
imported on first use. The main window's Close asks about the evaluation's unsaved changes
first, and once the main window has closed a running evaluation is stopped and waited for,
so no worker outlives it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

if TYPE_CHECKING:
    from .window import EvalWindow


class EvalLauncher(QObject):
    """``window`` is the MainWindow (typed Any: the window's module imports the editor's)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.eval_window: EvalWindow | None = None
        #: The main window's team when the Evaluate window was last opened.
        self._opened_for: Path | None = None
        self.action = window.window_actions["evaluate"]
        self.action.triggered.connect(self.open)
        window.installEventFilter(self)
        # The note over the evaluation says whether the team has unsaved changes: keep it true.
        window.controller.undo_stack.cleanChanged.connect(self._on_team_state)
        window.controller.pathChanged.connect(self._on_team_state)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def _team_path(self) -> Path | None:
        path = self._window.controller.path
        return Path(path).absolute() if path is not None else None

    def open(self) -> EvalWindow:
        """Show the Evaluate window for the open team (a new evaluation when the team changed)."""
        from .window import EvalWindow, same_file

        w = self._window
        team = self._team_path()
        if self.eval_window is None:
            self.eval_window = EvalWindow(team, w, preparation=w.preparation, save_team=self._save_team,
                                          open_team=self._open_team)
        else:
            shown = self.eval_window
            # A new evaluation only when the main window's team changed since the last opening:
            # an evaluation file the user opened in the window (of another team) stays.
            switched = not same_file(self._opened_for, team)
            if switched and not same_file(shown.team_file, team) and not shown.run_side.running and shown.maybe_save():
                shown.set_team(team)
            shown.refresh_team()
        self._opened_for = team
        self.eval_window.show()
        self.eval_window.raise_()
        self.eval_window.activateWindow()
        return self.eval_window

    def _save_team(self) -> Path | None:
        return self._team_path() if self._window.files.save() else None

    def _open_team(self) -> tuple[Path | None, bool]:
        """The main window's team file, and whether it has unsaved changes."""
        return self._team_path(), not self._window.controller.undo_stack.isClean()

    def _on_team_state(self, *args: Any) -> None:
        if self.eval_window is not None:
            self.eval_window.refresh_team()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._window and event.type() == QEvent.Type.Close and self.eval_window is not None:
            if self.eval_window.isVisible() and not self.eval_window.maybe_save():
                event.ignore()
                return True
            QTimer.singleShot(0, self, self._after_close)
        return False

    def _after_close(self) -> None:
        if not self._window.isVisible():  # it did close
            self.shutdown()

    def shutdown(self) -> None:
        if self.eval_window is not None:
            self.eval_window.run_side.shutdown()
            self.eval_window.hide()
