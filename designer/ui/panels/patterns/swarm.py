"""Swarm: the entry agent and the participants (hand-offs are edited on the agents and the canvas)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from ....core import edits
from ....core.patterns import swarm
from ....core.patterns.swarm import SwarmSpec
from ....core.spec import TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget, agent_entries, set_combo_entries, toggled_list
from .base import PatternEditorWidget, agent_rows, editor_for


@editor_for("swarm")
class SwarmEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.entry_combo = QComboBox()
        self.entry_combo.setToolTip("The agent that answers first; it hands off from there.")
        self.participants_list = ChecklistWidget()
        self.participants_list.setToolTip("Agents in the swarm. The entry agent always takes part.")
        note = QLabel("Hand-offs are edited in the agent panel and on the canvas.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("&Entry agent:", self.entry_combo)
        form.addRow("Parti&cipants:", self.participants_list)
        form.addRow(note)
        self.entry_combo.activated.connect(self._on_entry_activated)
        self.participants_list.toggled.connect(self._on_participant_toggled)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, SwarmSpec)
        set_combo_entries(self.entry_combo, agent_entries(spec.agents, orch.entry, none_label="(choose)"), orch.entry or None)
        rows = list(dict.fromkeys([*spec.agents, *orch.participants]))
        self.participants_list.set_entries(agent_rows(spec, rows), [*orch.participants, orch.entry], locked=[orch.entry])

    def _on_entry_activated(self, index: int) -> None:
        entry = self.entry_combo.itemData(index)
        if entry:
            self._controller.edit("Change entry agent", edits.edit_orchestration, swarm.set_swarm_entry, entry)

    def _on_participant_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, SwarmSpec)
        self._set("Add participant" if checked else "Remove participant", "participants",
                  toggled_list(orch.participants, agent, checked))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        if path[:1] == ("participants",):
            return self._focus_list(self.participants_list, path)
        self.entry_combo.setFocus()
        return True
