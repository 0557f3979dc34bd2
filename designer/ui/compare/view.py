"""The Compare view: two stored runs side by side in a window of its own (it never blocks the
main window), with Export HTML… (the self-contained page of core/compare_render.py), a find
bar (Ctrl+F) and Esc to close."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.run_compare import Comparison, compare
from ...core.run_data import StoredRun
from ...core.teamfile import atomic_write
from .rich_text import comparison_rich_text

log = logging.getLogger(__name__)

#: (title, suffix) -> the chosen path, or None when cancelled; (title, text) -> shown to the user.
ChoosePath = Callable[[str, str], "str | None"]
ShowError = Callable[[str, str], None]


class CompareDialog(QDialog):
    """Run ``a`` (the older) against run ``b`` (the newer). Not modal; deleted when closed."""

    def __init__(self, a: StoredRun, b: StoredRun, parent: QWidget | None = None, *,
                 choose_path: ChoosePath, show_error: ShowError) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("compare_dialog")
        self.setWindowTitle(f"Compare {a.short_id} → {b.short_id} — {b.team}")
        self.a, self.b = a, b
        self.comparison: Comparison = compare(a, b)
        self._choose_path, self._show_error = choose_path, show_error

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("compare_browser")
        self.browser.setOpenLinks(False)  # nothing in a run is a link to follow

        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Find in the comparison (Enter: next, Shift+Enter: previous)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self._on_find_next)
        self.find_status = QLabel("", self)
        self.find_bar = QWidget(self)
        bar = QHBoxLayout(self.find_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(self.find_status)
        self.find_bar.hide()
        QShortcut(QKeySequence.StandardKey.Find, self, self._on_show_find)

        self.export_button = QPushButton("Export HTML…", self)
        self.export_button.setToolTip("Save the comparison as one self-contained HTML page (to share or keep)")
        self.export_button.clicked.connect(self._on_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():  # Enter belongs to the find bar, never to a button
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        #: What the last export did.
        self.note = QLabel("", self)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.find_bar)
        layout.addLayout(row)
        self.resize(1100, 760)
        self._render()

    def _render(self) -> None:
        bar = self.browser.verticalScrollBar()
        at = bar.value()
        self.browser.setHtml(comparison_rich_text(self.comparison, self.a, self.b, self.palette()))
        bar.setValue(at)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        # A theme change: the page's colours are the palette's, so it is built again.
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)

    def text(self) -> str:
        """What the view shows, as plain text."""
        return self.browser.toPlainText()

    # --- find --------------------------------------------------------------------------------

    @Slot()
    def _on_show_find(self) -> None:
        self.find_bar.show()
        self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_edit.selectAll()

    def find_text(self, text: str, *, backward: bool = False) -> bool:
        """Select the next match (wrapping at the end); False when there is none."""
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if not text:
            return False
        found = self.browser.find(text, flags)
        if not found:  # wrap around once
            cursor = self.browser.textCursor()
            cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text, flags)
        self.find_status.setText("" if found else "not found")
        return found

    @Slot()
    def _on_find_next(self) -> None:
        from PySide6.QtWidgets import QApplication

        backward = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.find_text(self.find_edit.text(), backward=backward)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        typing = self.find_bar.isVisible() and self.find_edit.hasFocus()
        # Esc first closes the find bar when typing in it, then the view.
        if typing and event.key() == Qt.Key.Key_Escape:
            self.find_bar.hide()
            self.browser.setFocus()
            return
        if typing and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # the find bar has taken it (a dialog would press a button with it)
        super().keyPressEvent(event)

    # --- export ------------------------------------------------------------------------------

    def export_html(self) -> str:
        """Write the comparison page where the user chooses; the file's name ("" when cancelled)."""
        from ...core.compare_render import comparison_html

        path = self._choose_path("Export comparison as HTML", ".html")
        if not path:
            return ""
        try:
            atomic_write(path, comparison_html(self.comparison, self.a, self.b))
        except OSError as exc:
            log.warning("exporting the comparison to %s failed", path, exc_info=True)
            self._show_error("Cannot export", f"{path} could not be written: {exc.strerror or exc}.")
            return ""
        return Path(path).name

    @Slot()
    def _on_export(self) -> None:
        name = self.export_html()
        if name:
            self.note.setText(f"Exported {name}")
