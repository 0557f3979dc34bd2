"""Help ▸ Show log…: the end of the log file, where it is, and a way to attach it to a bug report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.logs import log_path, read_tail


class LogDialog(QDialog):
    """Read-only tail of the log with Open folder and Copy path. Non-modal: it can stay open
    beside the window while the user reproduces a problem, and Refresh shows the new lines."""

    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log")
        self.path = path or log_path()
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("Nothing has been logged yet.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.refresh_button = self._button(buttons, "&Refresh", "Read the log file again", self.refresh)
        self.open_button = self._button(buttons, "&Open folder", "Show the log folder in the file manager", self.open_folder)
        self.copy_button = self._button(buttons, "&Copy path", "Copy the log file's path, to attach it to a bug report",
                                        self.copy_path)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(820, 520)
        self.refresh()

    def _button(self, box: QDialogButtonBox, text: str, tip: str, slot: object) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter must not open a file manager
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        """Show the end of the file, scrolled to the newest line."""
        exists = self.path.is_file()
        self.where.setText(
            f"The log is written to <b>{self.path}</b> (older parts in .1 to .3 beside it). "
            "Keys are masked in it; attach it to a bug report." if exists else
            f"No log file yet at <b>{self.path}</b>: nothing has been logged, or the folder cannot be written."
        )
        self.text.setPlainText(read_tail(self.path) if exists else "")
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.open_button.setEnabled(self.path.parent.is_dir())

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))

    def copy_path(self) -> None:
        QGuiApplication.clipboard().setText(str(self.path))


def show_log_dialog(parent: QWidget, dialog: LogDialog | None = None) -> LogDialog:
    """Show ``dialog`` (read again) or a new one: one non-modal log dialog per window."""
    if dialog is None:
        dialog = LogDialog(parent=parent)
    else:
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
