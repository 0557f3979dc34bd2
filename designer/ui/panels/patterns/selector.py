"""Selector: participants, the selector prompt and model, and whether a speaker may repeat."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from ....core import edits
from ....core.patterns.selector import SELECTOR_FIELDS, SelectorSpec
from ....core.spec import EMBEDDED_MODEL_ID, TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget, UndoRouter, set_checked, set_combo_entries, toggled_list
from ...widgets.prompt_editor import PromptEditorWidget
from .base import PatternEditorWidget, agent_rows, editor_for


@editor_for("selector")
class SelectorEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.participants_list = ChecklistWidget()
        self.participants_list.setToolTip("Agents a model picks the next speaker from, by their descriptions.")
        self.prompt = PromptEditorWidget(compact=True)
        self.prompt.set_known_placeholders(SELECTOR_FIELDS)
        self.prompt.editor.setPlaceholderText("Empty: AutoGen's default selector prompt")
        self.prompt.editor.setToolTip("How the selector model picks the next speaker. "
                                      "It may use {roles}, {participants} and {history}.")
        note = QLabel("May use {roles}, {participants} and {history}.")
        self.model_combo = QComboBox()
        self.model_combo.setToolTip("The model that picks the next speaker.")
        self.repeat_check = QCheckBox("Allow the same speaker t&wice in a row")
        self.repeat_check.setToolTip("Let the selector choose the agent that just spoke.")
        form = QFormLayout(self)
        form.addRow("Parti&cipants:", self.participants_list)
        form.addRow("Selector p&rompt:", self.prompt)
        form.addRow("", note)
        form.addRow("Selector &model:", self.model_combo)
        form.addRow(self.repeat_check)
        UndoRouter(controller, self).watch(self.prompt.editor)
        self.participants_list.toggled.connect(self._on_participant_toggled)
        self.prompt.textEdited.connect(self._on_prompt_edited)
        self.prompt.editingFinished.connect(controller.break_merge)
        self.model_combo.activated.connect(self._on_model_activated)
        self.repeat_check.clicked.connect(self._on_repeat_clicked)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, SelectorSpec)
        rows = orch.participants + [a for a in spec.agents if a not in orch.participants]
        self.participants_list.set_entries(agent_rows(spec, rows), orch.participants)
        self.prompt.set_text(orch.selector_prompt or "")
        models: list[tuple[str, Any]] = [(f"(team default: {spec.default_model or EMBEDDED_MODEL_ID})", None)]
        models += [(m, m) for m in spec.models]
        extra = orch.selector_model if orch.selector_model and orch.selector_model not in spec.models else None
        if EMBEDDED_MODEL_ID not in spec.models:
            models.append((EMBEDDED_MODEL_ID, EMBEDDED_MODEL_ID))
        if extra and extra != EMBEDDED_MODEL_ID:
            models.append((f"{extra} (unknown)", extra))
        set_combo_entries(self.model_combo, models, orch.selector_model)
        set_checked(self.repeat_check, orch.allow_repeated_speaker)

    def _on_participant_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, SelectorSpec)
        self._set("Add participant" if checked else "Remove participant", "participants",
                  toggled_list(orch.participants, agent, checked))

    def _on_prompt_edited(self, text: str) -> None:
        self._controller.edit("Edit selector prompt", edits.set_orchestration_field, "selector_prompt", text or None,
                              merge_key=("orchestration", "selector_prompt"))

    def _on_model_activated(self, index: int) -> None:
        self._set("Change selector model", "selector_model", self.model_combo.itemData(index))

    def _on_repeat_clicked(self, checked: bool) -> None:
        self._set("Toggle repeated speaker", "allow_repeated_speaker", checked)

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        widgets = {"selector_prompt": self.prompt.editor, "selector_model": self.model_combo,
                   "allow_repeated_speaker": self.repeat_check}
        if path[:1] in ((), ("participants",)):
            return self._focus_list(self.participants_list, path)
        widgets.get(path[0], self.participants_list).setFocus()
        return True
