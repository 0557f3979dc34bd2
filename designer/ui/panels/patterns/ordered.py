"""An ordered list of agents: the sequential order, or the round-robin speakers (as a checklist)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ....core.spec import TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget, set_combo_entries, toggled_list
from .base import PatternEditorWidget, agent_rows


class OrderEditorWidget(PatternEditorWidget):
    """An ordered list of agents: the sequential order, or round-robin speakers (as a checklist)."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None, *, checklist: bool) -> None:
        super().__init__(controller, parent)
        # Sequential lists only members (add/remove); round robin lists everyone, checked = speaks.
        self._field = "participants" if checklist else "order"
        self._checklist = checklist
        self.list = ChecklistWidget(checkable=checklist, reorderable=True)
        self.list.setToolTip("Drag to reorder, or use Move up / Move down." +
                             (" Check the agents that take turns." if checklist else ""))
        label = QLabel("Speaking &order:" if checklist else "&Order (each agent speaks once):")
        label.setBuddy(self.list)
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        buttons = QHBoxLayout()
        # Owned by the editor even where unused (round robin checks agents instead of adding them):
        # a parentless widget would outlive the window as a stray top-level one.
        self.add_combo = QComboBox(self)
        self.add_combo.setToolTip("An agent to append to the order.")
        self.add_button = QPushButton("&Add", self)
        self.remove_button = QPushButton("&Remove", self)
        if checklist:
            for unused in (self.add_combo, self.add_button, self.remove_button):
                unused.hide()
        else:
            buttons.addWidget(self.add_combo, 1)
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.remove_button)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.reordered.connect(self._on_reordered)
        self.list.toggled.connect(self._on_toggled)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)

    def _members(self) -> list[str]:
        return list(getattr(self._controller.spec.orchestration, self._field, []))

    def refresh(self, spec: TeamSpec) -> None:
        members = list(getattr(spec.orchestration, self._field))
        if self._checklist:
            rows = members + [a for a in spec.agents if a not in members]
            self.list.set_entries(agent_rows(spec, rows), members)
        else:
            self.list.set_entries(agent_rows(spec, members))
            addable = [a for a in spec.agents if a not in members]
            keep = self.add_combo.currentData()
            set_combo_entries(self.add_combo, [(a, a) for a in addable],
                              keep if keep in addable else (addable[0] if addable else None))
            self.add_button.setEnabled(bool(addable))

    def _order_from(self, keys: list[str]) -> list[str]:
        return [k for k in keys if k in self._members()] if self._checklist else keys

    def _on_reordered(self, keys: list[str]) -> None:
        self._set("Reorder agents", self._field, self._order_from(keys))

    def _on_toggled(self, key: str, checked: bool) -> None:
        # Keep list order: a newly checked agent speaks where it stands in the list.
        members = set(toggled_list(self._members(), key, checked))
        self._set("Add speaker" if checked else "Remove speaker", self._field, [k for k in self.list.keys() if k in members])

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        keys = self.list.keys()
        if not 0 <= row < len(keys) or not 0 <= row + step < len(keys):
            return
        keys[row], keys[row + step] = keys[row + step], keys[row]
        self._set("Reorder agents", self._field, self._order_from(keys))
        self.list.setCurrentRow(row + step)

    def _on_up_clicked(self) -> None:
        self._move(-1)

    def _on_down_clicked(self) -> None:
        self._move(1)

    def _on_add_clicked(self) -> None:
        agent = self.add_combo.currentData()
        if agent:
            self._set(f"Add {agent} to the order", self._field, [*self._members(), agent])

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        members = self._members()
        if 0 <= row < len(members):
            self._set(f"Remove {members[row]} from the order", self._field, members[:row] + members[row + 1:])

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        return self._focus_list(self.list, path)
