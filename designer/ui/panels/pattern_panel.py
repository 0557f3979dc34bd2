"""The pattern panel: pick the orchestration pattern, then edit that pattern's data.

Switching pattern is one undoable edit. When the switch would drop data (graph edges,
a selector prompt, ...), the user is asked first and told afterwards what went, so a
click on the picker can never silently throw work away.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QLabel, QMessageBox, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from ...core import edits
from ...core.document import Change
from ...core.patterns import PATTERNS, rules_for
from ..document.controller import DocumentController
from ..widgets.common import set_combo_entries, set_label
from .patterns import PatternEditorWidget, editor_factories


def drop_question(pattern: str, dropped: list[str]) -> tuple[str, str]:
    """(title, text) of the confirmation shown before a switch that loses data."""
    label = rules_for(pattern).label
    return f"Switch to {label}?", f"Switching to {label} drops: {', '.join(dropped)}.\n\nSwitch?"


class PatternPanelWidget(QWidget):
    """Pattern picker above a stack with one editor per pattern.

    ``confirm(title, text) -> bool`` asks before a switch that drops data; tests replace it.
    """

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._switching = False
        self.confirm: Callable[[str, str], bool] = self._ask

        self.pattern_combo = QComboBox()
        self.pattern_combo.setToolTip("How the agents take turns. Switching keeps every agent.")
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.stack = QStackedWidget()
        factories = editor_factories()
        self.editors: dict[str, PatternEditorWidget] = {p: factories[p](controller) for p in PATTERNS}
        for pattern in PATTERNS:
            self.stack.addWidget(self.editors[pattern])
        set_combo_entries(self.pattern_combo, [(rules_for(p).label, p) for p in PATTERNS], None)
        for i, pattern in enumerate(PATTERNS):
            self.pattern_combo.setItemData(i, rules_for(pattern).summary, Qt.ItemDataRole.ToolTipRole)

        form = QFormLayout()
        form.addRow("&Pattern:", self.pattern_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help_label)
        layout.addWidget(self.note)
        # Scrolled, so the largest editor (the selector's transitions) never sets the window's minimum size.
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.stack)
        layout.addWidget(self.scroll_area, 1)

        self.pattern_combo.activated.connect(self._on_pattern_activated)
        controller.changed.connect(self._on_changed)
        self._refresh()

    # --- public ----------------------------------------------------------------------------

    @property
    def current_editor(self) -> PatternEditorWidget:
        return self.editors[self._controller.spec.orchestration.pattern]

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        """Focus the field for a problem path such as ('orchestration', 'edges', 2, 'to')."""
        rest = tuple(path[1:]) if path[:1] == ("orchestration",) else tuple(path)
        if not rest or rest == ("pattern",):
            self.pattern_combo.setFocus()
            return True
        return self.current_editor.focus_path(rest)

    # --- from the document -----------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        if change.reset or (change.orchestration and not self._switching):
            set_label(self.note, "")  # the note describes the last switch only
        self._refresh()

    def _refresh(self) -> None:
        spec = self._controller.spec
        pattern = spec.orchestration.pattern
        set_combo_entries(self.pattern_combo, [(rules_for(p).label, p) for p in PATTERNS], pattern)
        set_label(self.help_label, rules_for(pattern).summary)
        editor = self.editors[pattern]
        editor.refresh(spec)
        if self.stack.currentWidget() is not editor:
            self.stack.setCurrentWidget(editor)

    # --- from the user ---------------------------------------------------------------------

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _on_pattern_activated(self, index: int) -> None:
        pattern = self.pattern_combo.itemData(index)
        if pattern == self._controller.spec.orchestration.pattern:
            return
        _, dropped = edits.set_pattern(self._controller.spec, pattern)
        if dropped and not self.confirm(*drop_question(pattern, dropped)):
            self._refresh()  # the picker goes back to the pattern the design still has
            return
        self._switching = True
        try:
            dropped = self._controller.edit(f"Switch to {rules_for(pattern).label}", edits.set_pattern, pattern).extra or []
        finally:
            self._switching = False
        note = f"Switched to {rules_for(pattern).label}."
        if dropped:
            note += f" Dropped: {', '.join(dropped)}. Undo brings them back."
        set_label(self.note, note)
