"""The tasks table: one row per task (name, a column per team input, checks as text, repeats).

The model edits the draft's rows in place and says so with ``edited``; the window then checks
the draft again. Rows with a problem are tinted and carry the problem as their tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ..theme import colors
from .checks_text import HELP
from .draft import TaskRow

Index = QModelIndex | QPersistentModelIndex


class TasksModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TaskRow] = []
        self.inputs: list[str] = []
        self.problems: dict[int, str] = {}  # row -> the first problem of that task

    # --- columns ---------------------------------------------------------------------------

    @property
    def checks_column(self) -> int:
        return 1 + len(self.inputs)

    @property
    def repeats_column(self) -> int:
        return 2 + len(self.inputs)

    def column_of(self, key: str) -> int:
        """'name', 'checks', 'repeats' or an input's name -> its column (-1: none)."""
        if key == "name":
            return 0
        if key == "checks":
            return self.checks_column
        if key == "repeats":
            return self.repeats_column
        return 1 + self.inputs.index(key) if key in self.inputs else -1

    def set_rows(self, rows: list[TaskRow], inputs: list[str]) -> None:
        """Show these rows (the draft's list, edited in place) with these input columns."""
        self.beginResetModel()
        self.rows = rows
        self.inputs = list(inputs)
        self.problems = {}
        self.endResetModel()

    def set_problems(self, problems: dict[int, str]) -> None:
        if problems == self.problems:
            return
        self.problems = problems
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else 3 + len(self.inputs)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Name"
            if section == self.checks_column:
                return "Checks"
            if section == self.repeats_column:
                return "Repeats"
            return "{" + self.inputs[section - 1] + "}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == self.checks_column:
                return HELP + " The default checks run first."
            if section == self.repeats_column:
                return "How many times the task runs per variant (empty: the default)"
            if section == 0:
                return "How the matrix names the task (empty: its inputs)"
            return f"The value of the team's input {{{self.inputs[section - 1]}}} (empty: its default)"
        return None

    def _text(self, row: TaskRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == self.checks_column:
            return row.checks
        if column == self.repeats_column:
            return row.repeats
        return row.inputs.get(self.inputs[column - 1], "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, index.column())
        problem = self.problems.get(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or None
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return colors().diff_removed
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 - Qt API
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column, text = self.rows[index.row()], index.column(), "" if value is None else str(value)
        if self._text(row, column) == text:
            return False
        if column == 0:
            row.name = text
        elif column == self.checks_column:
            row.checks = text
        elif column == self.repeats_column:
            row.repeats = text
        else:
            row.inputs[self.inputs[column - 1]] = text
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True

    # --- rows ------------------------------------------------------------------------------

    def add_row(self, row: TaskRow | None = None) -> int:
        at = len(self.rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.append(row or TaskRow())
        self.endInsertRows()
        self.edited.emit()
        return at

    def remove_rows(self, rows: list[int]) -> None:
        for at in sorted(set(rows), reverse=True):
            if 0 <= at < len(self.rows):
                self.beginRemoveRows(QModelIndex(), at, at)
                del self.rows[at]
                self.endRemoveRows()
        self.problems = {}
        self.edited.emit()
