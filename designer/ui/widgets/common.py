"""Small pieces every editor panel shares: quiet setters, a checklist, undo routing.

Panels are views: they copy the document into widgets and turn user gestures into
controller edits. The setters here write a widget only when its value differs, with its
signals blocked, so a refresh never echoes back as a new edit and never moves the cursor
of a field the user is typing in.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence, TypeVar

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..document.controller import DocumentController

#: Item data role holding an entry's key (agent id, tool id, ...), independent of its label.
KEY_ROLE = Qt.ItemDataRole.UserRole

#: A QSpinBox or QDoubleSpinBox, kept as the caller's type.
SpinT = TypeVar("SpinT", QSpinBox, QDoubleSpinBox)


def set_line_text(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        with QSignalBlocker(edit):
            cursor = edit.cursorPosition()
            edit.setText(text)
            if edit.hasFocus():  # an undo while typing: keep the caret where the user was
                edit.setCursorPosition(min(cursor, len(text)))


def set_plain_text(edit: QPlainTextEdit, text: str) -> None:
    if edit.toPlainText() != text:
        with QSignalBlocker(edit):
            position = edit.textCursor().position()
            edit.setPlainText(text)
            if edit.hasFocus():
                cursor = edit.textCursor()
                cursor.setPosition(min(position, len(text)))
                edit.setTextCursor(cursor)


def set_checked(button: QAbstractButton, checked: bool) -> None:
    if button.isChecked() != checked:
        with QSignalBlocker(button):
            button.setChecked(checked)


def set_spin_value(spin: QAbstractSpinBox, value: float) -> None:
    if spin.value() != value:  # type: ignore[attr-defined]
        with QSignalBlocker(spin):
            spin.setValue(value)  # type: ignore[attr-defined]


def off_spin(spin: SpinT, maximum: int, tooltip: str) -> SpinT:
    """``spin`` set up for a bound that may be off: 0 to ``maximum``, and 0 reads "off"."""
    spin.setRange(0, maximum)
    spin.setSpecialValueText("off")  # shown at the minimum, 0
    spin.setToolTip(tooltip)
    return spin


def set_combo_entries(combo: QComboBox, entries: Sequence[tuple[str, Any]], current: Any) -> None:
    """Show ``entries`` (label, data) with the one whose data is ``current`` chosen."""
    with QSignalBlocker(combo):
        have = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        if have != list(entries):
            combo.clear()
            for label, data in entries:
                combo.addItem(label, data)
        index = combo.findData(current) if current is not None else next(
            (i for i, (_, data) in enumerate(entries) if data is None), -1
        )
        if combo.currentIndex() != index:
            combo.setCurrentIndex(index)


def set_label(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)
    label.setVisible(bool(text))


def make_table(headers: Sequence[str], tooltip: str) -> QTableWidget:
    """A compact, row-selecting table whose columns share the width."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    table.setMaximumHeight(table.fontMetrics().lineSpacing() * 12)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrow keys move between cells
    table.setToolTip(tooltip)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]], skip: Iterable[int] = ()) -> None:
    """Row count and cell texts as given, touching only what differs; ``skip`` columns hold cell widgets."""
    skip = set(skip)
    with QSignalBlocker(table):
        if table.rowCount() != len(rows):
            table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if c in skip:
                    continue
                item = table.item(r, c)
                if item is None:
                    table.setItem(r, c, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)


def agent_entries(agent_ids: Iterable[str], current: str | None, *, none_label: str | None = None) -> list[tuple[str, Any]]:
    """Combo entries for choosing an agent; a dangling current id stays visible, marked unknown."""
    entries: list[tuple[str, Any]] = [(none_label, None)] if none_label is not None else []
    ids = list(agent_ids)
    entries += [(a, a) for a in ids]
    if current and current not in ids:
        entries.append((f"{current} (unknown)", current))
    return entries


class ChecklistWidget(QListWidget):
    """A list of entries keyed by id, optionally checkable and reorderable by drag and drop.

    ``toggled(key, checked)`` and ``reordered(keys)`` fire for user gestures only.
    """

    toggled = Signal(str, bool)
    reordered = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, checkable: bool = True, reorderable: bool = False) -> None:
        super().__init__(parent)
        self._base_flags = Qt.ItemFlag.ItemIsSelectable
        if checkable:
            self._base_flags |= Qt.ItemFlag.ItemIsUserCheckable
        if reorderable:
            self._base_flags |= Qt.ItemFlag.ItemIsDragEnabled
            self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.model().rowsMoved.connect(self._on_rows_moved)
        self._checkable = checkable
        self.itemChanged.connect(self._on_item_changed)

    def set_entries(
        self,
        entries: Sequence[tuple[str, str, str]],
        checked: Iterable[str] = (),
        *,
        locked: Iterable[str] = (),
    ) -> None:
        """Show (key, label, tooltip) entries in order; ``locked`` ones are shown but cannot change."""
        checked, locked = set(checked), set(locked)
        with QSignalBlocker(self):
            if [(self.item(i).data(KEY_ROLE), self.item(i).text()) for i in range(self.count())] != [
                (key, label) for key, label, _ in entries
            ]:
                self.clear()
                for key, label, _ in entries:
                    item = QListWidgetItem(label)
                    item.setData(KEY_ROLE, key)
                    self.addItem(item)
            for i, (key, _, tooltip) in enumerate(entries):
                item = self.item(i)
                flags = self._base_flags if key in locked else self._base_flags | Qt.ItemFlag.ItemIsEnabled
                if item.flags() != flags:
                    item.setFlags(flags)
                if self._checkable:
                    state = Qt.CheckState.Checked if key in checked else Qt.CheckState.Unchecked
                    # A new item has no check state at all (and shows no box) until one is set.
                    if item.data(Qt.ItemDataRole.CheckStateRole) is None or item.checkState() != state:
                        item.setCheckState(state)
                if item.toolTip() != tooltip:
                    item.setToolTip(tooltip)

    def keys(self) -> list[str]:
        return [self.item(i).data(KEY_ROLE) for i in range(self.count())]

    def checked_keys(self) -> list[str]:
        return [k for i, k in enumerate(self.keys()) if self.item(i).checkState() == Qt.CheckState.Checked]

    def item_for(self, key: str) -> QListWidgetItem | None:
        return next((self.item(i) for i, k in enumerate(self.keys()) if k == key), None)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._checkable:
            self.toggled.emit(item.data(KEY_ROLE), item.checkState() == Qt.CheckState.Checked)

    def _on_rows_moved(self, *_: Any) -> None:
        self.reordered.emit(self.keys())


def toggled_list(current: Sequence[str], key: str, checked: bool) -> list[str]:
    """``current`` with ``key`` added at the end or removed, keeping the order of the rest."""
    out = [k for k in current if k != key]
    return out + [key] if checked else out


class PlainTextEditWidget(QPlainTextEdit):
    """A plain text field that reports user edits and losing focus, like QLineEdit does.

    ``textEdited`` fires for changes the user makes only: programmatic updates go through
    :func:`set_plain_text`, which blocks signals.
    """

    textEdited = Signal(str)  # noqa: N815 - Qt naming
    editingFinished = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Tab moves on to the next field: prompts rarely need tab characters, keyboards need Tab.
        self.setTabChangesFocus(True)
        # One history only (the document's); see UndoRouter.
        self.setUndoRedoEnabled(False)
        self._last = ""
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self) -> None:
        text = self.toPlainText()
        # Highlighters re-format without changing the text; only real changes are edits.
        if text != self._last:
            self._last = text
            self.textEdited.emit(text)

    def setPlainText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._last = text
        super().setPlainText(text)

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        self.editingFinished.emit()


class UndoRouter(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a field undo the document, not the field's private history.

    Text widgets claim the undo shortcut for themselves; with two histories, undo in a field
    would diverge from Edit > Undo. Routing both to the controller's stack keeps one.
    """

    def __init__(self, controller: DocumentController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        undo, redo = event.matches(QKeySequence.StandardKey.Undo), event.matches(QKeySequence.StandardKey.Redo)
        if not (undo or redo):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # deliver the key press here rather than to a window shortcut
            return True
        # Typing after an undo must start a new step, not merge into the one below.
        self._controller.break_merge()
        (self._controller.undo_stack.undo if undo else self._controller.undo_stack.redo)()
        return True

