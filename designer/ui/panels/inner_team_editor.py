"""The editor of one inner team (``teams.<id>``): its pattern, its members through that pattern's own
editor (the same editors as the pattern panel), its bound and its summary prompts.

The pattern editors are written for the team's orchestration; here they are given a controller
whose spec shows the inner team in the outer team's place and whose edits are applied to the inner
team (core/team_group_edits.py ``edit_inner``), so every gesture is still one undoable edit of
the document. The dialog is not modal: the canvas and the panels stay usable beside it.
"""

from __future__ import annotations

from typing import Any, Callable, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import edits
from ...core.document import Change
from ...core.patterns import PATTERNS, rules_for
from ...core.spec import TeamSpec
from ...core.team_group_edits import edit_inner, inner_view, set_inner_field
from ..document.controller import DocumentController, EditResult
from ..widgets.common import off_spin, set_combo_entries, set_label, set_line_text, set_spin_value
from .pattern_panel import drop_question
from .patterns import PatternEditorWidget, editor_factories


class InnerTeamController:
    """What a pattern editor uses of a controller (``spec``, ``edit``, ``break_merge``, the selected
    connection and its signal), aimed at one inner team: it sees the inner team as the team, and edits it."""

    def __init__(self, controller: DocumentController, team_id: str) -> None:
        self._controller = controller
        self.team_id = team_id

    @property
    def spec(self) -> TeamSpec:
        return inner_view(self._controller.spec, self.team_id)

    def edit(self, label: str, fn: Callable[..., Any], *args: Any, merge_key: Any = None, **kwargs: Any) -> EditResult:
        return self._controller.edit(label, edit_inner, self.team_id, fn, *args, merge_key=merge_key, **kwargs)

    def break_merge(self) -> None:
        self._controller.break_merge()

    @property
    def selectionChanged(self) -> Any:  # noqa: N802 - the controller's signal, as the graph editor listens to it
        return self._controller.selectionChanged

    # The canvas draws an inner team's lines but does not select them: no connection is selected here.
    selected_connection: tuple[str, str, int | None] | None = None

    def select_connection(self, source: str, target: str, index: int | None) -> None:
        """Selecting an inner edge on the canvas is not offered (its lines are drawn only)."""


class InnerTeamEditor(QDialog):
    """Pattern, members, bound and prompts of the inner team ``team_id``; closes itself when it goes."""

    def __init__(self, controller: DocumentController, team_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.team_id = team_id
        self.setWindowTitle(f"Inner team {team_id}")
        self.inner = InnerTeamController(controller, team_id)
        #: Asks before a pattern switch that drops data (as the pattern panel does); tests replace it.
        self.confirm: Callable[[str, str], bool] = self._ask
        # The editors are typed for the window's controller; this one has every part of it they use.
        as_controller = cast(DocumentController, self.inner)
        factories = editor_factories()
        self.editors: dict[str, PatternEditorWidget] = {p: factories[p](as_controller) for p in PATTERNS}
        self.stack = QStackedWidget()
        for pattern in PATTERNS:
            self.stack.addWidget(self.editors[pattern])
        self.runner_label = QLabel()
        self.runner_label.setWordWrap(True)
        self.pattern_combo = QComboBox()
        self.pattern_combo.setToolTip("How the inner team's members take turns. Switching keeps every member.")
        self.max_messages_spin = off_spin(QSpinBox(), 100_000, "The inner team ends after this many messages (its task counts). 0: off.")
        self.max_turns_spin = off_spin(QSpinBox(), 100_000, "The inner team's turn cap. 0: off.")
        self.timeout_spin = off_spin(QDoubleSpinBox(), 86_400, "The inner team ends after this many seconds. 0: off.")
        self.timeout_spin.setSuffix(" s")
        self.instruction_edit = QLineEdit()
        self.instruction_edit.setPlaceholderText("(AgentChat's default)")
        self.instruction_edit.setToolTip("Told to the team agent's model before the inner transcript, when it sums it up.")
        self.summary_edit = QLineEdit()
        self.summary_edit.setPlaceholderText("(AgentChat's default)")
        self.summary_edit.setToolTip("The request for the team agent's answer after the inner transcript.")
        form = QFormLayout()
        form.addRow("&Pattern:", self.pattern_combo)
        bounds = QFormLayout()
        bounds.addRow("Max &messages:", self.max_messages_spin)
        bounds.addRow("Max t&urns:", self.max_turns_spin)
        bounds.addRow("Time&out:", self.timeout_spin)
        bounds.addRow("&Instruction:", self.instruction_edit)
        bounds.addRow("Summary p&rompt:", self.summary_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.runner_label)
        layout.addLayout(form)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bounds)
        layout.addWidget(buttons)
        set_combo_entries(self.pattern_combo, [(rules_for(p).label, p) for p in PATTERNS], None)
        self.pattern_combo.activated.connect(self._on_pattern_activated)
        self.max_messages_spin.valueChanged.connect(lambda v: self._set_bound("max_messages", int(v)))
        self.max_turns_spin.valueChanged.connect(lambda v: self._set_bound("max_turns", int(v)))
        self.timeout_spin.valueChanged.connect(lambda v: self._set_bound("timeout", float(v)))
        self.instruction_edit.editingFinished.connect(lambda: self._set_text("instruction", self.instruction_edit))
        self.summary_edit.editingFinished.connect(lambda: self._set_text("summary_prompt", self.summary_edit))
        controller.changed.connect(self._on_changed)
        self._refresh()

    @property
    def current_editor(self) -> PatternEditorWidget:
        return self.editors[self._controller.spec.teams[self.team_id].orchestration.pattern]

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        """Focus the field of a problem at ``path`` (("teams", id, "orchestration", "participants", 1) ...)."""
        rest = tuple(path[2:]) if path[:2] == ("teams", self.team_id) else tuple(path)
        head = rest[0] if rest else None
        fields: dict[Any, QWidget] = {"instruction": self.instruction_edit, "summary_prompt": self.summary_edit,
                                      "termination": self.max_messages_spin, None: self.pattern_combo}
        if head == "orchestration" and len(rest) > 1 and rest[1] != "pattern":
            return self.current_editor.focus_path(rest[1:])
        if head == "termination" and len(rest) > 1 and rest[1] in ("max_turns", "timeout"):
            widget: QWidget = self.max_turns_spin if rest[1] == "max_turns" else self.timeout_spin
        else:
            widget = fields.get(head, self.pattern_combo)
        widget.setFocus()
        return True

    def _on_changed(self, change: Change) -> None:
        if self.team_id not in self._controller.spec.teams:
            self.close()  # ungrouped, renamed or undone: there is nothing left to edit here
            return
        self._refresh()

    def _refresh(self) -> None:
        spec = self._controller.spec
        if self.team_id not in spec.teams:
            return
        inner = spec.teams[self.team_id]
        runners = [a for a, agent in spec.agents.items() if agent.kind == "team" and agent.team == self.team_id]
        set_label(self.runner_label, f"Run by {', '.join(runners)}." if runners else "No agent of kind 'team' runs it yet.")
        pattern = inner.orchestration.pattern
        set_combo_entries(self.pattern_combo, [(rules_for(p).label, p) for p in PATTERNS], pattern)
        editor = self.editors[pattern]
        editor.refresh(inner_view(spec, self.team_id))
        if self.stack.currentWidget() is not editor:
            self.stack.setCurrentWidget(editor)
        term = inner.termination
        set_spin_value(self.max_messages_spin, term.max_messages or 0)
        set_spin_value(self.max_turns_spin, term.max_turns or 0)
        set_spin_value(self.timeout_spin, term.timeout or 0.0)
        set_line_text(self.instruction_edit, inner.instruction or "")
        set_line_text(self.summary_edit, inner.summary_prompt or "")

    def _on_pattern_activated(self, index: int) -> None:
        pattern = self.pattern_combo.itemData(index)
        if pattern != self._controller.spec.teams[self.team_id].orchestration.pattern:
            _, dropped = edits.set_pattern(self.inner.spec, pattern)
            if dropped and not self.confirm(*drop_question(pattern, dropped)):
                return self._refresh()  # the picker goes back to the pattern the inner team still has
            self.inner.edit(f"Switch inner team {self.team_id} to {rules_for(pattern).label}", edits.set_pattern, pattern)
            self._refresh()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _set_bound(self, field: str, value: float) -> None:
        self.inner.edit(f"Set inner team {self.team_id}'s {field.replace('_', ' ')}", edits.set_termination_field,
                        field, value or None, merge_key=("inner_bound", self.team_id, field))

    def _set_text(self, field: str, edit: QLineEdit) -> None:
        self._controller.edit(f"Set inner team {self.team_id}'s {field.replace('_', ' ')}", set_inner_field,
                              self.team_id, field, edit.text().strip() or None)


def open_inner_team_editor(parent: QWidget, controller: DocumentController, team_id: str) -> InnerTeamEditor:
    """The inner team's editor, beside the canvas (one per inner team: an open one comes to the front)."""
    for editor in parent.findChildren(InnerTeamEditor):
        if editor.team_id == team_id and editor.isVisible():
            editor.raise_()
            editor.activateWindow()
            return editor
    editor = InnerTeamEditor(controller, team_id, parent)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.show()
    return editor
