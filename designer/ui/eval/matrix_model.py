"""The matrix: rows are tasks, columns are variants, a cell is one variant on one task over its
repeats ("PASS 2/2 · 340 tok · 1.2 s"), green when it reached its threshold, red when it did
not, grey while it waits or runs.

The model holds its own EvalSummary, filled on the GUI thread from the results the runner
hands over (``add``), so painting never reads what the evaluation thread is writing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette

from ...core.eval_types import CellSummary, EvalSummary, JobResult
from ..theme import colors

Index = QModelIndex | QPersistentModelIndex
#: The role that gives a cell's CellSummary.
CellRole = Qt.ItemDataRole.UserRole + 1


def copy_summary(summary: EvalSummary) -> EvalSummary:
    """An empty copy of an evaluation's summary (its cells without runs), for the GUI to fill."""
    cells = {key: CellSummary(c.variant, c.task_id, c.threshold, [], c.expected) for key, c in summary.cells.items()}
    return EvalSummary(summary.name, summary.file, summary.eval_id, list(summary.variants), list(summary.tasks), cells,
                       started_at=summary.started_at, backend=summary.backend, workers=summary.workers,
                       replay=summary.replay)


def cell_state(cell: CellSummary, stopped: bool) -> str:
    """'pass', 'fail', 'running' (some runs to come) or 'waiting' (none yet, or stopped before)."""
    if cell.complete:
        return "pass" if cell.passed else "fail"
    if not cell.runs:
        return "waiting"
    return "fail" if stopped else "running"


def cell_text(cell: CellSummary, stopped: bool = False) -> str:
    state = cell_state(cell, stopped)
    if state == "waiting":
        return f"{'stopped' if stopped else '…'} 0/{cell.expected}"
    head = {"pass": "PASS", "fail": "FAIL", "running": "…"}[state]
    if cell.runs and all(r.status == "error" for r in cell.runs):
        head = "ERROR" if state == "fail" else head
    text = f"{head} {cell.passes}/{cell.expected} · {cell.tokens:,} tok · {cell.seconds:.1f} s"
    cost = cell.cost
    if cost:
        currency = next((r.currency for r in cell.runs if r.currency), "")
        text += f" · {cost:.4f} {currency}".rstrip()
    return text


def cell_tooltip(cell: CellSummary) -> str:
    lines = [(f"{cell.variant} on {cell.task_id}: {cell.passes} of {cell.expected} runs passed "
              f"(threshold {cell.threshold:.0%})")]
    for run in sorted(cell.runs, key=lambda r: r.repeat):
        if run.status == "error":
            lines.append(f"run {run.repeat + 1}: error: {run.error}")
            continue
        failed = [c for c in run.checks if not c.passed]
        if not failed:
            lines.append(f"run {run.repeat + 1}: passed")
        for check in failed:
            lines.append(f"run {run.repeat + 1}: ✖ {check.label}" + (f" — {check.detail}" if check.detail else ""))
    if cell.runs:
        lines.append("Double-click: the first run's transcript")
    return "\n".join(lines)


class MatrixModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.summary: EvalSummary | None = None

    def show(self, summary: EvalSummary | None) -> None:
        self.beginResetModel()
        self.summary = summary
        self.endResetModel()

    def add(self, result: JobResult) -> None:
        """One run ended: its cell shows it."""
        summary = self.summary
        if summary is None:
            return
        cell = summary.cells.get((result.variant, result.task_id))
        if cell is None:
            return
        cell.runs.append(result)
        index = self.index(summary.tasks.index(result.task_id), summary.variants.index(result.variant))
        self.dataChanged.emit(index, index)

    def set_stopped(self) -> None:
        if self.summary is not None:
            self.summary.stopped = True
            self.refresh()

    def refresh(self) -> None:
        if self.summary is not None and self.summary.tasks and self.summary.variants:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def cell(self, index: Index) -> CellSummary | None:
        if self.summary is None or not index.isValid():
            return None
        return self.summary.cells.get((self.summary.variants[index.column()], self.summary.tasks[index.row()]))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.summary is None else len(self.summary.tasks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.summary is None else len(self.summary.variants)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or self.summary is None:
            return None
        names = self.summary.variants if orientation == Qt.Orientation.Horizontal else self.summary.tasks
        return names[section] if 0 <= section < len(names) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None or self.summary is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell, self.summary.stopped)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(cell)
        if role == CellRole:
            return cell
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            state = cell_state(cell, self.summary.stopped)
            palette = colors()
            if role == Qt.ItemDataRole.ForegroundRole:
                return palette.text if state in ("pass", "fail") else palette.muted_text
            if state == "pass":
                return palette.diff_added
            if state == "fail":
                return palette.diff_removed
            grey = QPalette().color(QPalette.ColorRole.AlternateBase)
            return QColor(grey)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
