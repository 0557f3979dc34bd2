"""Tool folders: where ``module:function`` tools are looked up, and where runs keep their files."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


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
