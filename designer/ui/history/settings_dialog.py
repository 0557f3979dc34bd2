"""History settings: record runs or not, and how many runs (or days) to keep.

Stored in the run store itself (``RunStore.set_setting``), not in the window's settings: the
CLI reads the same switches, so ``team-designer run`` obeys what was chosen here.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ...core.run_store import RunStore

#: Bounds of the two retention fields (0 means no limit).
MAX_RUNS = 100_000
MAX_DAYS = 36_500


def _number(value: str) -> int:
    try:
        return max(0, int(value))
    except ValueError:  # written by hand or by another version: read as "no limit"
        return 0


class HistorySettingsDialog(QDialog):
    """Shown with open() (not exec): it never blocks, and a test answers it by its widgets."""

    def __init__(self, store: RunStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.store = store
        self.record = QCheckBox("&Record every run in the history", self)
        self.record.setChecked(store.recording)
        self.record.setToolTip("Off: runs from the window and the command line are not kept (run --no-record does this for one run)")
        self.keep_runs = QSpinBox(self)
        self.keep_runs.setRange(0, MAX_RUNS)
        self.keep_runs.setSpecialValueText("no limit")
        self.keep_runs.setSuffix(" runs")
        self.keep_runs.setValue(_number(store.setting("keep_runs")))
        self.keep_days = QSpinBox(self)
        self.keep_days.setRange(0, MAX_DAYS)
        self.keep_days.setSpecialValueText("forever")
        self.keep_days.setSuffix(" days")
        self.keep_days.setValue(_number(store.setting("keep_days")))
        self.note = note = QLabel("Older runs are deleted when a run ends; starred and renamed runs are always kept. "
                      "The command line uses the same settings.", self)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.record)
        form.addRow("Keep per team file:", self.keep_runs)
        form.addRow("Keep for:", self.keep_days)
        form.addRow(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            self.store.set_setting("record", "on" if self.record.isChecked() else "off")
            self.store.set_setting("keep_runs", str(self.keep_runs.value()))
            self.store.set_setting("keep_days", str(self.keep_days.value()))
        except sqlite3.Error as exc:  # a read-only or full disk: say so here and keep the dialog open
            self.note.setText(f"⚠ The settings could not be saved: {exc}")
            return
        super().accept()
