"""Small editors the canvas opens: the inline rename box and the edge-condition dialog."""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPushButton, QWidget

from ...core.patterns import graph
from ...core.patterns.graph import EdgeCondition


class NameEditWidget(QLineEdit):
    """The inline rename editor: Enter (or clicking elsewhere) commits, Escape cancels."""

    committed = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._done = False
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.selectAll()

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
