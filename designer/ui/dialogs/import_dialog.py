"""The dialogs of File ▸ Import… and File ▸ Export ▸ …: pick teams from a gallery, read a report.

Both take plain values (labels, descriptions, the report's text) so they know nothing of the
interop records and can be shown on their own in tests.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class TeamPickerDialog(QDialog):
    """A gallery's teams, each with a check box, its label and description: Import takes the ticked ones.

    The first team starts ticked (the usual case is one team), Select all / Select none tick
    every row, and Import is disabled while nothing is ticked."""

    def __init__(self, teams: Sequence[tuple[str, str]], source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team_picker_dialog")
        self.setWindowTitle("Import teams")
        note = QLabel(f"{source} holds {len(teams)} teams. Tick the ones to import; each becomes its own team file.")
        note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("team_picker_list")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        for index, (label, description) in enumerate(teams):
            # The description on a second line: gallery labels are short, the descriptions say what differs.
            item = QListWidgetItem(f"{label}\n{description}" if description else label)
            item.setToolTip(description or label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if index == 0 else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(self._on_item_changed)
        self.all_button = QPushButton("Select &all")
        self.all_button.clicked.connect(self._on_select_all)
        self.none_button = QPushButton("Select &none")
        self.none_button.clicked.connect(self._on_select_none)
        row = QHBoxLayout()
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.resize(520, 380)
        self._on_item_changed()

    def set_checked(self, rows: Sequence[int]) -> None:
        """Tick exactly these rows (what a user's clicks do, for tests and callers)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setCheckState(Qt.CheckState.Checked if row in rows else Qt.CheckState.Unchecked)

    def chosen(self) -> list[int]:
        """The ticked rows, in the file's order."""
        return [row for row in range(self.list.count()) if self.list.item(row).checkState() == Qt.CheckState.Checked]

    @Slot()
    def _on_select_all(self) -> None:
        self.set_checked(range(self.list.count()))

    @Slot()
    def _on_select_none(self) -> None:
        self.set_checked([])

    @Slot()
    def _on_item_changed(self, *args: object) -> None:
        count = len(self.chosen())
        self.import_button.setEnabled(count > 0)
        self.import_button.setText(f"&Import {count}" if count > 1 else "&Import")


class InteropReportDialog(QDialog):
    """What an import or export did: a heading, then the report's lines in a read-only,
    selectable text box (people copy the dropped lines into bug reports and notes)."""

    def __init__(self, title: str, heading: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("interop_report_dialog")
        self.setWindowTitle(title)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QPlainTextEdit(body)
        self.body.setObjectName("interop_report_text")
        self.body.setReadOnly(True)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.body, 1)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def text(self) -> str:
        """The whole report as shown: heading, then the lines."""
        return f"{self.heading.text()}\n\n{self.body.toPlainText()}".rstrip()
