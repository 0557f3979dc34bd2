"""Magentic-One: participants, the orchestrator's model, its stall limit and final-answer prompt."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

from ....core import edits
from ....core.patterns.magentic_one import FINAL_ANSWER_FIELDS, ORCHESTRATOR, MagenticOneSpec
from ....core.spec import EMBEDDED_MODEL_ID, TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget, UndoRouter, set_combo_entries, set_spin_value, toggled_list
from ...widgets.prompt_editor import PromptEditorWidget
from .base import PatternEditorWidget, agent_rows, editor_for


@editor_for("magentic_one")
class MagenticOneEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.participants_list = ChecklistWidget()
        self.participants_list.setToolTip("Agents the orchestrator plans with and picks each next speaker from.")
        self.model_combo = QComboBox()
        self.model_combo.setToolTip("The orchestrator's model: it writes the plan, the progress ledger and the final answer.")
        self.stalls_spin = QSpinBox()
        self.stalls_spin.setRange(1, 100)
        self.stalls_spin.setToolTip("Rounds without progress (or in a loop) before the orchestrator makes a new plan.")
        self.prompt = PromptEditorWidget(compact=True)
        self.prompt.set_known_placeholders(FINAL_ANSWER_FIELDS)
        self.prompt.editor.setPlaceholderText("Empty: AutoGen's default final answer prompt")
        self.prompt.editor.setToolTip("What the orchestrator is asked for the final answer, after the conversation. "
                                      "It may use {task}.")
        note = QLabel(f"The orchestrator speaks as “{ORCHESTRATOR}” in the transcript. The prompt may use {{task}}.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Parti&cipants:", self.participants_list)
        form.addRow("Orchestrator &model:", self.model_combo)
        form.addRow("Max &stalls:", self.stalls_spin)
        form.addRow("&Final answer prompt:", self.prompt)
        form.addRow("", note)
        UndoRouter(controller, self).watch(self.prompt.editor)
        self.participants_list.toggled.connect(self._on_participant_toggled)
        self.model_combo.activated.connect(self._on_model_activated)
        self.stalls_spin.valueChanged.connect(self._on_stalls_changed)
        self.stalls_spin.editingFinished.connect(controller.break_merge)
        self.prompt.textEdited.connect(self._on_prompt_edited)
        self.prompt.editingFinished.connect(controller.break_merge)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, MagenticOneSpec)
        rows = orch.participants + [a for a in spec.agents if a not in orch.participants]
        self.participants_list.set_entries(agent_rows(spec, rows), orch.participants)
        first = orch.participants[0] if orch.participants and orch.participants[0] in spec.agents else None
        default = spec.model_id_for(first) if first else spec.default_model or EMBEDDED_MODEL_ID
        models: list[tuple[str, Any]] = [(f"(the first participant's: {default})", None)]
        models += [(m, m) for m in spec.models]
        if EMBEDDED_MODEL_ID not in spec.models:
            models.append((EMBEDDED_MODEL_ID, EMBEDDED_MODEL_ID))
        chosen = orch.orchestrator_model
        if chosen and chosen not in spec.models and chosen != EMBEDDED_MODEL_ID:
            models.append((f"{chosen} (unknown)", chosen))
        set_combo_entries(self.model_combo, models, chosen)
        set_spin_value(self.stalls_spin, orch.max_stalls)
        self.prompt.set_text(orch.final_answer_prompt or "")

    def _orch(self) -> MagenticOneSpec:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, MagenticOneSpec)
        return orch

    def _on_participant_toggled(self, agent: str, checked: bool) -> None:
        self._set("Add participant" if checked else "Remove participant", "participants",
                  toggled_list(self._orch().participants, agent, checked))

    def _on_model_activated(self, index: int) -> None:
        self._set("Change orchestrator model", "orchestrator_model", self.model_combo.itemData(index))

    def _on_stalls_changed(self, value: int) -> None:
        if value != self._orch().max_stalls:
            self._controller.edit("Change max stalls", edits.set_orchestration_field, "max_stalls", value,
                                  merge_key=("orchestration", "max_stalls"))

    def _on_prompt_edited(self, text: str) -> None:
        self._controller.edit("Edit final answer prompt", edits.set_orchestration_field, "final_answer_prompt",
                              text or None, merge_key=("orchestration", "final_answer_prompt"))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        widgets = {"orchestrator_model": self.model_combo, "max_stalls": self.stalls_spin,
                   "final_answer_prompt": self.prompt.editor}
        if path[:1] in ((), ("participants",)):
            return self._focus_list(self.participants_list, path)
        widgets.get(path[0], self.participants_list).setFocus()
        return True
