"""Small editors the canvas opens: the inline rename box and the edge-condition dialog."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QMoveEvent, QResizeEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from ...core.patterns import graph
from ...core.patterns.graph import EdgeCondition


class NameEditWidget(QLineEdit):
    """The inline rename editor: Enter (or clicking elsewhere) commits, Escape cancels.

    ``check(text)`` says why a name cannot be used (None: it can). The reason shows in place,
    in a note under the box and as its tooltip, while the user types; :meth:`refuse` keeps the
    editor open with the name marked after Enter on such a name.
    """

    committed = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget | None = None, *, check: Callable[[str], str | None] | None = None) -> None:
        super().__init__(text, parent)
        self._done = False
        self._check = check
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.selectAll()
        # A sibling, not a child: a child would be clipped to the box. It goes when the box goes.
        self.note = QLabel(parent if parent is not None else self)
        self.note.setObjectName("rename_note")
        self.note.setWordWrap(True)
        self.note.setAutoFillBackground(True)
        self.note.setStyleSheet("QLabel#rename_note { background: palette(tooltip-base); color: palette(tooltip-text);"
                                " border: 1px solid palette(mid); padding: 2px 4px; }")
        self.note.hide()
        self.destroyed.connect(self.note.deleteLater)
        self.textEdited.connect(self._on_text_edited)

    @property
    def reason(self) -> str:
        """Why the current name cannot be used, as shown under the box ('' when it can)."""
        return self.note.text() if not self.note.isHidden() else ""

    def refuse(self, reason: str) -> None:
        """The name was refused: stay open, say why, and mark the name for retyping."""
        self._done = False
        self._show_reason(reason)
        self.selectAll()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(True)
        elif event.key() == Qt.Key.Key_Escape:  # QLineEdit would pass Escape on to the canvas
            self._finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        # Its own context menu or another window taking focus is not the user leaving the field.
        if event.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self._finish(True)

    def moveEvent(self, event: QMoveEvent) -> None:  # noqa: N802
        super().moveEvent(event)
        self._place_note()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_note()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self.note.hide()

    def _on_text_edited(self, text: str) -> None:
        self._show_reason((self._check(text) if self._check is not None else None) or "")

    def _show_reason(self, reason: str) -> None:
        self.note.setText(reason)
        self.setToolTip(reason)
        self.note.setVisible(bool(reason))
        self._place_note()

    def _place_note(self) -> None:
        parent = self.parentWidget()
        width = max(self.width(), 260)
        if parent is not None:
            width = min(width, max(parent.width() - self.x(), 120))
        self.note.setFixedWidth(width)
        self.note.adjustSize()
        self.note.move(self.x(), self.y() + self.height() + 2)
        self.note.raise_()

    def _finish(self, commit: bool) -> None:
        if not self._done:
            self._done = True
            if commit:
                self.committed.emit(self.text())
            else:
                self.cancelled.emit()


class EdgeConditionDialog(QDialog):
    """When a graph edge fires: always, or when the last message does / does not contain a text."""

    _CHOICES = (("always", "Always"), ("contains", "Message contains"), ("not_contains", "Message does not contain"))

    def __init__(self, condition: EdgeCondition | None, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.kind_box = QComboBox(self)
        for key, text in self._CHOICES:
            self.kind_box.addItem(text, key)
        self.text_edit = QLineEdit(self)
        self.text_edit.setPlaceholderText("e.g. APPROVED")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Follow this edge:", self.kind_box)
        form.addRow("Text:", self.text_edit)
        form.addRow(buttons)
        self.kind_box.setCurrentIndex(self.kind_box.findData(graph.condition_kind(condition)))
        self.text_edit.setText(graph.condition_text(condition))
        self.kind_box.currentIndexChanged.connect(self._on_input_changed)
        self.text_edit.textChanged.connect(self._on_input_changed)
        self._on_input_changed()

    def condition(self) -> EdgeCondition | None:
        key, text = self.kind_box.currentData(), self.text_edit.text().strip()
        return graph.make_condition(key, text) if text else None  # Ok is disabled without text

    def _on_input_changed(self, *_: object) -> None:
        needs_text = self.kind_box.currentData() != "always"
        self.text_edit.setEnabled(needs_text)
        self.ok_button.setEnabled(not needs_text or bool(self.text_edit.text().strip()))
