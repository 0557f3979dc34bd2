"""The window's Tools menu: try a tool, and choose the extra folders tool modules come from.

Only a menu: it is handed the window (a plain QMainWindow, for its menu bar and status bar)
and a way to reach the document controller and the run preparation, and opens dialogs from
them. The menu is on the first screen; the controller, the preparation and the dialogs are
only reached (and imported) when an action is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QMessageBox

from . import settings
from .actions import menu_named

if TYPE_CHECKING:
    from .dialogs.tool_try import ToolTryDialog
    from .document.controller import DocumentController
    from .run.preparation import RunPreparation

#: What the menu acts on, asked for when an action is used: (controller, run preparation).
Parts = Callable[[], "tuple[DocumentController, RunPreparation]"]


class ToolsMenu(QObject):
    """Owns the menu's actions; its slots live in the GUI thread (no lambdas on signals)."""

    #: The tool folders were changed in Tool folders…
    foldersChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(self, window: QMainWindow, parts: Parts) -> None:
        super().__init__(window)
        self._window, self._parts = window, parts
        #: Shows the Tools dock (set when the window has one).
        self.show_library: Callable[[], None] | None = None
        #: Replaceable in tests: offer to show the Tools dock when the team has no tool to try.
        self.ask_show_library: Callable[[], bool] = self._ask_show_library
        self.menu = QMenu("&Tools", window)
        self.try_action = QAction("&Try a tool…", window)
        self.try_action.setStatusTip("Call a tool of the team's library with arguments you type")
        self.try_action.triggered.connect(self._on_try)
        self.folders_action = QAction("Tool &folders…", window)
        self.folders_action.setStatusTip("Choose more folders where module:function tools are found")
        self.folders_action.triggered.connect(self._on_folders)
        self.menu.addAction(self.try_action)
        self.menu.addAction(self.folders_action)
        bar = window.menuBar()
        help_menu = menu_named(window, "Help")
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), self.menu)
        else:
            bar.addMenu(self.menu)

    def make_try_dialog(self, tool_id: str | None = None) -> ToolTryDialog:
        from .dialogs.tool_try import ToolTryDialog

        controller, preparation = self._parts()
        return ToolTryDialog(
            controller.spec.model_copy(deep=True),
            controller.tool_locations(),
            trust=preparation.trust,
            confirm=preparation.confirm,
            team_file=controller.path,
            tool_id=tool_id,
            parent=self._window,
        )

    def show_try_dialog(self, tool_id: str) -> ToolTryDialog:
        """The Try dialog on one tool, not modal (the Tools dock's Try…); it deletes itself when closed."""
        dialog = self.make_try_dialog(tool_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _ask_show_library(self) -> bool:
        answer = QMessageBox.question(
            self._window, "No tools yet",
            "The team has no tools yet. In the Tools dock, pick a built-in, one of your functions or an MCP server "
            "and press Add to team (or drag it onto an agent).\n\nShow the Tools dock?")
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def _on_try(self) -> None:
        controller, _ = self._parts()
        if not controller.spec.tools:
            self._window.statusBar().showMessage(
                "The team has no tools yet: add one from the Tools dock (View ▸ Tools), then try it", 8000)
            if self.show_library is not None and self.ask_show_library():
                self.show_library()
            return
        agent = controller.spec.agents.get(controller.current_agent or "")
        # Start on the selected agent's first tool: the one the user is most likely looking at.
        self.make_try_dialog(agent.tools[0] if agent and agent.tools else None).exec()

    @Slot()
    def _on_folders(self) -> None:
        from .dialogs.tool_folders import ToolFoldersDialog

        dialog = ToolFoldersDialog(settings.get("tools/folders"), settings.get("tools/workspace"), self._window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            settings.put("tools/folders", dialog.folders())
            settings.put("tools/workspace", dialog.workspace_edit.text().strip())
            self._parts()[0].validate_now()
            self.foldersChanged.emit()
