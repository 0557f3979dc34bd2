"""Selector: participants, the selector prompt and model, whether a speaker may repeat, who may
speak after whom (allowed transitions) and how often the selector model may try to name one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

from ....core import edits
from ....core.patterns.selector import SELECTOR_FIELDS, SelectorSpec, set_transitions
from ....core.spec import EMBEDDED_MODEL_ID, TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import (
    ChecklistWidget,
    UndoRouter,
    set_checked,
    set_combo_entries,
    set_label,
    set_spin_value,
    toggled_list,
)
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
                                      "It may use {roles}, {participants}, {history} and the team's inputs.")
        self.prompt_note = QLabel()
        self.prompt_note.setWordWrap(True)
        self.model_combo = QComboBox()
        self.model_combo.setToolTip("The model that picks the next speaker.")
        self.repeat_check = QCheckBox("Allow the same speaker t&wice in a row")
        self.repeat_check.setToolTip("Let the selector choose the agent that just spoke.")
        self.after_combo = QComboBox()
        self.after_combo.setToolTip("The speaker whose followers the list below sets.")
        self.next_list = ChecklistWidget()
        self.next_list.setToolTip("Who may speak after the chosen agent. None checked: anyone may.")
        self.transitions_note = QLabel()
        self.transitions_note.setWordWrap(True)
        self.attempts_spin = QSpinBox()
        self.attempts_spin.setRange(1, 20)
        self.attempts_spin.setToolTip("How many times the selector model may try to name an allowed speaker "
                                      "before AgentChat's fallback picks one.")
        form = QFormLayout(self)
        form.addRow("Parti&cipants:", self.participants_list)
        form.addRow("Selector p&rompt:", self.prompt)
        form.addRow("", self.prompt_note)
        form.addRow("Selector &model:", self.model_combo)
        form.addRow(self.repeat_check)
        form.addRow("&After:", self.after_combo)
        form.addRow("May speak &next:", self.next_list)
        form.addRow("", self.transitions_note)
        form.addRow("Selector a&ttempts:", self.attempts_spin)
        UndoRouter(controller, self).watch(self.prompt.editor)
        self.participants_list.toggled.connect(self._on_participant_toggled)
        self.prompt.textEdited.connect(self._on_prompt_edited)
        self.prompt.editingFinished.connect(controller.break_merge)
        self.model_combo.activated.connect(self._on_model_activated)
        self.repeat_check.clicked.connect(self._on_repeat_clicked)
        self.after_combo.activated.connect(self._on_after_activated)
        self.next_list.toggled.connect(self._on_next_toggled)
        self.attempts_spin.valueChanged.connect(self._on_attempts_changed)
        self.attempts_spin.editingFinished.connect(controller.break_merge)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, SelectorSpec)
        rows = orch.participants + [a for a in spec.agents if a not in orch.participants]
        self.participants_list.set_entries(agent_rows(spec, rows), orch.participants)
        self.prompt.set_text(orch.selector_prompt or "")
        fields = [*SELECTOR_FIELDS, *spec.inputs]
        self.prompt.set_known_placeholders(fields)
        set_label(self.prompt_note, "May use " + ", ".join("{" + f + "}" for f in fields) + ".")
        models: list[tuple[str, Any]] = [(f"(team default: {spec.default_model or EMBEDDED_MODEL_ID})", None)]
        models += [(m, m) for m in spec.models]
        extra = orch.selector_model if orch.selector_model and orch.selector_model not in spec.models else None
        if EMBEDDED_MODEL_ID not in spec.models:
            models.append((EMBEDDED_MODEL_ID, EMBEDDED_MODEL_ID))
        if extra and extra != EMBEDDED_MODEL_ID:
            models.append((f"{extra} (unknown)", extra))
        set_combo_entries(self.model_combo, models, orch.selector_model)
        set_checked(self.repeat_check, orch.allow_repeated_speaker)
        set_spin_value(self.attempts_spin, orch.max_selector_attempts)
        self._refresh_transitions(orch)

    def _refresh_transitions(self, orch: SelectorSpec) -> None:
        participants = list(dict.fromkeys(orch.participants))
        current = self.after_combo.currentData()
        after = current if current in participants else (participants[0] if participants else None)
        set_combo_entries(self.after_combo, [(p + (" (restricted)" if p in orch.allowed_transitions else ""), p)
                                             for p in participants], after)
        allowed = orch.allowed_transitions.get(after, []) if after else []
        self.next_list.set_entries([(p, p, "") for p in participants], allowed)
        rules = [f"after {a}: {', '.join(t) or 'no one'}" for a, t in orch.allowed_transitions.items()]
        set_label(self.transitions_note, ("; ".join(rules) + ". Others: anyone may follow.") if rules
                  else "No transitions set: anyone may speak after anyone.")

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

    def _on_after_activated(self, _index: int) -> None:
        orch = self._controller.spec.orchestration
        if isinstance(orch, SelectorSpec):
            self._refresh_transitions(orch)

    def _on_next_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        after = self.after_combo.currentData()
        if not isinstance(orch, SelectorSpec) or not after:
            return
        targets = toggled_list(orch.allowed_transitions.get(after, []), agent, checked)
        self._controller.edit("Change allowed transitions", edits.edit_orchestration, set_transitions, after, targets)

    def _on_attempts_changed(self, value: int) -> None:
        self._controller.edit("Change selector attempts", edits.set_orchestration_field, "max_selector_attempts", value,
                              merge_key=("orchestration", "max_selector_attempts"))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        widgets = {"selector_prompt": self.prompt.editor, "selector_model": self.model_combo,
                   "allow_repeated_speaker": self.repeat_check, "max_selector_attempts": self.attempts_spin}
        if path[:1] in ((), ("participants",)):
            return self._focus_list(self.participants_list, path)
        if path[:1] == ("allowed_transitions",):
            orch = self._controller.spec.orchestration
            if len(path) > 1 and isinstance(orch, SelectorSpec) and self.after_combo.findData(path[1]) >= 0:
                self.after_combo.setCurrentIndex(self.after_combo.findData(path[1]))  # that speaker's followers
                self._refresh_transitions(orch)
            self.next_list.setFocus()
            return True
        widgets.get(path[0], self.participants_list).setFocus()
        return True
