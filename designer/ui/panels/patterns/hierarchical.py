"""Hierarchical: the coordinator and the workers it can delegate to."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from ....core import edits
from ....core.patterns import hierarchical
from ....core.patterns.hierarchical import HierarchicalSpec
from ....core.spec import TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget, agent_entries, set_combo_entries, toggled_list
from .base import PatternEditorWidget, agent_rows, editor_for


@editor_for("hierarchical")
class HierarchicalEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.coordinator_combo = QComboBox()
        self.coordinator_combo.setToolTip("Plans the work and delegates: each worker is a tool it can call.")
        self.workers_list = ChecklistWidget()
        self.workers_list.setToolTip("Agents the coordinator can delegate to; their description tells it what each does.")
        form = QFormLayout(self)
        form.addRow("&Coordinator:", self.coordinator_combo)
        form.addRow("&Workers:", self.workers_list)
        self.coordinator_combo.activated.connect(self._on_coordinator_activated)
        self.workers_list.toggled.connect(self._on_worker_toggled)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, HierarchicalSpec)
        set_combo_entries(self.coordinator_combo, agent_entries(spec.agents, orch.coordinator, none_label="(choose)"),
                          orch.coordinator or None)
        others = [a for a in spec.agents if a != orch.coordinator] + [w for w in orch.workers if w not in spec.agents]
        self.workers_list.set_entries(agent_rows(spec, others), orch.workers)

    def _on_coordinator_activated(self, index: int) -> None:
        coordinator = self.coordinator_combo.itemData(index)
        if coordinator:
            self._controller.edit("Change coordinator", edits.edit_orchestration, hierarchical.set_coordinator, coordinator)

    def _on_worker_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, HierarchicalSpec)
        self._set("Add worker" if checked else "Remove worker", "workers", toggled_list(orch.workers, agent, checked))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        if path[:1] == ("workers",):
            return self._focus_list(self.workers_list, path)
        self.coordinator_combo.setFocus()
        return True
