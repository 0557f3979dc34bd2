"""The window's Tools menu: try a tool, and choose the extra folders tool modules come from."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.spec import TeamSpec
from ..core.trust import CodeItem, code_manifest
from . import settings
from .dialogs.tool_try import ToolTryDialog
from .dialogs.trust import confirm_trust

if TYPE_CHECKING:
    from .main_window import MainWindow


class ToolFoldersDialog(QDialog):
    """Edits the "tools/folders" setting (where ``module:function`` tools are found after tools/)
    and "tools/workspace" (where runs keep the files their tools write)."""

    def __init__(self, folders: Sequence[str], workspace: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_folders_dialog")
        self.setWindowTitle("Tool folders")
        note = QLabel("Tool modules (module:function) are looked up in the tools/ folder beside the team file, "
                      "then in these folders, in this order. A run still asks before it imports a module it has "
                      "not run before.")
        note.setWordWrap(True)
        self.list = QListWidget()
        self.list.addItems(list(folders))
        add = QPushButton("&Add…")
        add.clicked.connect(self._on_add)
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._on_remove)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.workspace_edit = QLineEdit(workspace)
        self.workspace_edit.setPlaceholderText("a temporary folder, deleted after each run")
        self.workspace_edit.setToolTip("Each run gets a new sub-folder here for the files its tools write, and keeps it.")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse)
        keep = QHBoxLayout()
        keep.addWidget(QLabel("Keep run files in:"))
        keep.addWidget(self.workspace_edit, 1)
        keep.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addLayout(keep)
        layout.addWidget(buttons)

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    @Slot()
    def _on_add(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of tool modules")
        if folder and folder not in self.folders():
            self.list.addItem(folder)

    @Slot()
    def _on_browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Keep run files in")
        if folder:
            self.workspace_edit.setText(folder)

    @Slot()
    def _on_remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))


class ToolsMenu(QObject):
    """Owns the menu's actions; its slots live in the GUI thread (no lambdas on signals)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
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
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, self.menu)
        else:
            bar.addMenu(self.menu)

    def confirm(self, items: Sequence[CodeItem]) -> bool:
        return confirm_trust(self.window.trust_store, items, lambda untrusted: self.window.ask_trust(untrusted))

    def make_try_dialog(self, tool_id: str | None = None) -> ToolTryDialog:
        controller = self.window.controller
        return ToolTryDialog(
            controller.spec.model_copy(deep=True),
            controller.tool_locations(),
            trust=self.window.trust_store,
            confirm=self.confirm,
            team_file=controller.path,
            tool_id=tool_id,
            parent=self.window,
        )

    @Slot()
    def _on_try(self) -> None:
        if not self.window.controller.spec.tools:
            self.window.statusBar().showMessage("The team has no tools yet: add some to its tools: block", 6000)
            return
        controller = self.window.controller
        agent = controller.spec.agents.get(controller.current_agent or "")
        # Start on the selected agent's first tool: the one the user is most likely looking at.
        self.make_try_dialog(agent.tools[0] if agent and agent.tools else None).exec()

    @Slot()
    def _on_folders(self) -> None:
        dialog = ToolFoldersDialog(settings.get("tools/folders"), settings.get("tools/workspace"), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            settings.put("tools/folders", dialog.folders())
            settings.put("tools/workspace", dialog.workspace_edit.text().strip())
            self.window.controller.validate_now()

    def run_options(self, spec: TeamSpec) -> dict[str, Any] | None:
        """TeamRun options for a run of ``spec`` from the window, after asking about any code it
        would execute that is not trusted yet; None when the user said no."""
        controller = self.window.controller
        locations = controller.tool_locations()
        workspace = self.workspace_for_run()  # one folder: the one the question names is the one used
        if not self.confirm(code_manifest(spec, locations, controller.path, workspace=workspace)):
            return None
        return {"team_file": controller.path, "tool_folders": list(locations.extra_folders),
                "trust": self.window.trust_store, "workspace": workspace}

    def workspace_for_run(self) -> Path | None:
        """A new kept folder for a run's files under the "tools/workspace" setting, or None (temporary)."""
        base = str(settings.get("tools/workspace") or "").strip()
        if not base:
            return None
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", self.window.controller.spec.name).strip("-") or "team"
        return Path(base).expanduser() / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
