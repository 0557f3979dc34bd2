"""The team panel: name, description, default task, inputs, model library, default model, run bound.

Tables edit one cell at a time, and each committed cell is one undoable edit of the whole
``inputs`` or ``models`` mapping (the rules are in core/team_edits.py). API keys are
references only (``env:NAME`` or ``keyring:NAME``); anything else is refused, shown here,
and never reaches the document.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import edits
from ...core.document import Change
from ...core.spec import EMBEDDED_MODEL_ID, TeamSpec, TerminationSpec
from ...core.model_edits import add_model_from_preset
from ...core.team_edits import INPUT_COLUMNS, MODEL_COLUMNS, add_input, edit_input, edit_model, remove_inputs
from ..document.controller import DocumentController, EditResult
from ..widgets.common import (
    PlainTextEditWidget,
    UndoRouter,
    fill_table,
    make_table,
    off_spin,
    set_combo_entries,
    set_label,
    set_line_text,
    set_plain_text,
    set_spin_value,
)
from ..widgets.prompt_editor import PromptEditorWidget
from .termination_editor import TerminationExtras
from .memories_editor import MemoriesEditorWidget

PROVIDERS: tuple[str, ...] = ("embedded", "openai", "azure_openai", "anthropic", "gemini", "ollama", "openai_compatible")
_MODEL_HEADERS = ("Id", "Provider", "Model name", "Base URL", "API key reference")


def bound_note(term: TerminationSpec) -> str:
    """'Run bound: 20 messages, 600 s, text 'DONE'' — what stops a run that nobody ends."""
    if not term.has_bound():
        return "No run bound: a run could go on forever. Set max messages, a timeout, a token budget or max turns."
    return f"Run bound: {term.describe()}"


class TeamPanelWidget(QWidget):
    """Team-wide settings; every committed change is one controller edit."""

    #: The user asked for the Models dialog (presets, keys, Test connection); the window opens it.
    modelsDialogRequested = Signal()  # noqa: N815 - Qt naming

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._build()
        UndoRouter(controller, self).watch(self.name_edit, self.description_edit, self.task_edit.editor, self.text_edit)
        self._connect()
        controller.changed.connect(self._on_changed)
        self._refresh()

    def _build(self) -> None:
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The team's display name.")
        self.description_edit = PlainTextEditWidget()
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.description_edit.setToolTip("What the team is for, for whoever opens the file next.")
        self.task_edit = PromptEditorWidget(compact=True)
        self.task_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 8 + 12)
        self.task_edit.editor.setToolTip("The first message of a run. {name} placeholders are filled from the inputs.")
        self.default_model_combo = QComboBox()
        self.default_model_combo.setToolTip("The model agents use when they do not choose one.")
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Description:", self.description_edit)
        form.addRow("Default &task:", self.task_edit)
        form.addRow("Default &model:", self.default_model_combo)

        self.inputs_table = make_table(("Name", "Default", "Description"), "Values a run fills into the task's {placeholders}.")
        self.add_input_button = QPushButton("Add in&put")
        self.remove_input_button = QPushButton("Remove input")
        inputs = self._group("&Inputs", self.inputs_table, self.add_input_button, self.remove_input_button)

        self.models_table = make_table(_MODEL_HEADERS, "Models agents can run on. API keys are references "
                                   "(env:NAME or keyring:NAME), never the key itself.")
        self.add_model_button = QPushButton("Add mod&el")
        self.remove_model_button = QPushButton("Remove model")
        self.models_dialog_button = QPushButton("Models…")
        self.models_dialog_button.setToolTip("Presets, model lists from the server, keys and Test connection.")
        models = self._group("Mode&ls", self.models_table, self.add_model_button, self.remove_model_button,
                             self.models_dialog_button)

        self.text_edit = QLineEdit()
        self.text_edit.setToolTip("End the run when a message mentions this text (e.g. TERMINATE). Empty: off.")
        self.max_messages_spin = off_spin(QSpinBox(), 100_000, "End after this many messages. 0: off.")
        self.timeout_spin = off_spin(QDoubleSpinBox(), 86_400, "End after this many seconds. 0: off.")
        self.timeout_spin.setDecimals(1)
        self.timeout_spin.setSuffix(" s")
        self.max_tokens_spin = off_spin(QSpinBox(), 2_000_000_000, "End when all agents together used this many tokens. 0: off.")
        self.bound_label = QLabel()
        self.bound_label.setWordWrap(True)
        term = QGroupBox("Termination")
        term_form = QFormLayout(term)
        term_form.addRow("Te&xt mention:", self.text_edit)
        term_form.addRow("Max messa&ges:", self.max_messages_spin)
        term_form.addRow("Time&out:", self.timeout_spin)
        term_form.addRow("Token b&udget:", self.max_tokens_spin)
        self.termination_extras = TerminationExtras(self._controller, self._edit)  # turns, caps, conditions, blocks
        term_form.addRow(self.termination_extras)
        term_form.addRow(self.bound_label)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(inputs)
        layout.addWidget(models)
        self.memories = MemoriesEditorWidget(self._controller)  # follows the document itself
        layout.addWidget(self.memories)
        layout.addWidget(term)
        layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        QVBoxLayout(self).addWidget(self.scroll_area)

    @staticmethod
    def _group(title: str, table: QTableWidget, add: QPushButton, remove: QPushButton, *more: QPushButton) -> QWidget:
        label = QLabel(title)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setBuddy(table)
        buttons = QHBoxLayout()
        buttons.addWidget(label)
        buttons.addStretch(1)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        for button in more:
            buttons.addWidget(button)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(table)
        return box

    def _connect(self) -> None:
        c = self._controller
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.name_edit.editingFinished.connect(self._on_name_editing_finished)
        self.description_edit.textEdited.connect(self._on_description_edited)
        self.task_edit.textEdited.connect(self._on_task_edited)
        for finished in (self.description_edit.editingFinished, self.task_edit.editingFinished,
                         self.text_edit.editingFinished, self.max_messages_spin.editingFinished,
                         self.timeout_spin.editingFinished, self.max_tokens_spin.editingFinished):
            finished.connect(c.break_merge)
        self.default_model_combo.activated.connect(self._on_default_model_activated)
        self.inputs_table.itemChanged.connect(self._on_input_item_changed)
        self.add_input_button.clicked.connect(self._on_add_input_clicked)
        self.remove_input_button.clicked.connect(self._on_remove_input_clicked)
        self.models_table.itemChanged.connect(self._on_model_item_changed)
        self.add_model_button.clicked.connect(self._on_add_model_clicked)
        self.remove_model_button.clicked.connect(self._on_remove_model_clicked)
        self.models_dialog_button.clicked.connect(self.modelsDialogRequested)
        self.text_edit.textEdited.connect(self._on_termination_text_edited)
        self.max_messages_spin.valueChanged.connect(self._on_max_messages_changed)
        self.timeout_spin.valueChanged.connect(self._on_timeout_changed)
        self.max_tokens_spin.valueChanged.connect(self._on_max_tokens_changed)

    # --- public ----------------------------------------------------------------------------

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        """Put the cursor where a problem at ``path`` (e.g. ('models', 'fast', 'base_url')) can be fixed."""
        spec = self._controller.spec
        head = path[0] if path else None
        simple: dict[Any, QWidget] = {"name": self.name_edit, "description": self.description_edit,
                                      "task": self.task_edit.editor, "default_model": self.default_model_combo}
        widget: QWidget | None = simple.get(head)
        if head == "memories":
            widget = self.memories.focus_path(path)
        elif head == "termination":
            fields = {"text": self.text_edit, "max_messages": self.max_messages_spin, "timeout": self.timeout_spin,
                      "max_tokens": self.max_tokens_spin}
            widget = fields.get(path[1] if len(path) > 1 else "max_messages")
            widget = widget if widget is not None else self.termination_extras.widget_for(path[1:]) or self.max_messages_spin
        elif head in ("inputs", "models") and len(path) > 1:
            table, keys = (self.inputs_table, list(spec.inputs)) if head == "inputs" else (self.models_table, list(spec.models))
            columns = INPUT_COLUMNS if head == "inputs" else MODEL_COLUMNS
            if path[1] not in keys:
                return False
            column = columns.index(path[2]) if len(path) > 2 and path[2] in columns else 0
            table.setCurrentCell(keys.index(path[1]), column)
            widget = table
        if widget is None:
            return False
        self.scroll_area.ensureWidgetVisible(widget)
        widget.setFocus()
        return True

    # --- from the document -----------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        if change.team or change.reset:
            self._refresh()

    def _refresh(self) -> None:
        spec = self._controller.spec
        if not self.name_edit.hasFocus() or self.name_edit.text().strip():
            set_line_text(self.name_edit, spec.name)
        set_plain_text(self.description_edit, spec.description)
        self.task_edit.set_text(spec.task)
        self.task_edit.set_known_placeholders(spec.inputs)
        entries: list[tuple[str, Any]] = [(f"(not set: {EMBEDDED_MODEL_ID}, built in)", None)]
        entries += [(m, m) for m in spec.models]
        if spec.default_model == EMBEDDED_MODEL_ID and EMBEDDED_MODEL_ID not in spec.models:
            entries.append((EMBEDDED_MODEL_ID, EMBEDDED_MODEL_ID))
        elif spec.default_model and spec.default_model not in spec.models:
            entries.append((f"{spec.default_model} (unknown)", spec.default_model))
        set_combo_entries(self.default_model_combo, entries, spec.default_model)
        fill_table(self.inputs_table, [[k, v.default, v.description] for k, v in spec.inputs.items()])
        self._refresh_models(spec)
        term = spec.termination
        set_line_text(self.text_edit, term.text or "")
        set_spin_value(self.max_messages_spin, term.max_messages or 0)
        set_spin_value(self.timeout_spin, term.timeout or 0.0)
        set_spin_value(self.max_tokens_spin, term.max_tokens or 0)
        set_label(self.bound_label, bound_note(term))

    def _refresh_models(self, spec: TeamSpec) -> None:
        rows = [[k, m.provider, m.model, m.base_url or "", m.api_key or ""] for k, m in spec.models.items()]
        fill_table(self.models_table, rows, skip={1})
        for r, (_, model) in enumerate(spec.models.items()):
            combo = self.models_table.cellWidget(r, 1)
            if not isinstance(combo, QComboBox):
                combo = QComboBox()
                combo.setToolTip("Who serves the model: built in, a cloud API, or a local server.")
                combo.activated.connect(lambda _i, box=combo: self._on_provider_activated(box))
                self.models_table.setCellWidget(r, 1, combo)
            providers = PROVIDERS if model.provider in PROVIDERS else (*PROVIDERS, model.provider)
            set_combo_entries(combo, [(p, p) for p in providers], model.provider)

    # --- from the user ---------------------------------------------------------------------

    def _edit(self, label: str, fn: Any, *args: Any, merge_key: Any = None) -> EditResult:
        """One edit; a refusal is shown here and the widgets go back to the document."""
        result = self._controller.edit(label, fn, *args, merge_key=merge_key)
        set_label(self.message, result.refusal or "")
        if result.refused:
            self._refresh()
        return result

    def _on_name_edited(self, text: str) -> None:
        # A team needs a name: while the field is empty the document keeps the last one.
        if text.strip():
            self._edit("Rename team", edits.set_team_field, "name", text, merge_key=("team", "name"))

    def _on_name_editing_finished(self) -> None:
        self._controller.break_merge()
        set_line_text(self.name_edit, self._controller.spec.name)

    def _on_description_edited(self, text: str) -> None:
        self._edit("Edit team description", edits.set_team_field, "description", text, merge_key=("team", "description"))

    def _on_task_edited(self, text: str) -> None:
        self._edit("Edit default task", edits.set_team_field, "task", text, merge_key=("team", "task"))

    def _on_default_model_activated(self, index: int) -> None:
        self._edit("Change default model", edits.set_team_field, "default_model", self.default_model_combo.itemData(index))

    def _on_input_item_changed(self, item: QTableWidgetItem) -> None:
        self._edit("Edit input", edit_input, item.row(), INPUT_COLUMNS[item.column()], item.text())

    def _on_add_input_clicked(self) -> None:
        added = self._edit("Add input", add_input)
        if added.applied:
            row = list(self._controller.spec.inputs).index(added.extra)
            self.inputs_table.setCurrentCell(row, 0)
            item = self.inputs_table.item(row, 0)
            assert item is not None, "the edit refreshed the table, which gives every input's row its cells"
            self.inputs_table.editItem(item)

    def _on_remove_input_clicked(self) -> None:
        spec = self._controller.spec
        rows = {i.row() for i in self.inputs_table.selectedIndexes()} or {self.inputs_table.currentRow()}
        names = [n for r, n in enumerate(spec.inputs) if r in rows]
        if names:
            self._edit(f"Remove input {', '.join(names)}", remove_inputs, names)

    def _on_model_item_changed(self, item: QTableWidgetItem) -> None:
        self._edit("Edit model", edit_model, item.row(), MODEL_COLUMNS[item.column()], item.text())

    def _on_provider_activated(self, combo: QComboBox) -> None:
        for row in range(self.models_table.rowCount()):
            if self.models_table.cellWidget(row, 1) is combo:
                self._edit("Change provider", edit_model, row, "provider", combo.currentData())

    def _on_add_model_clicked(self) -> None:
        self._edit("Add model", add_model_from_preset)  # the built-in model: valid until changed

    def _on_remove_model_clicked(self) -> None:
        row = self.models_table.currentRow()
        keys = list(self._controller.spec.models)
        if 0 <= row < len(keys):
            self._edit(f"Remove model {keys[row]}", edits.remove_model, keys[row])

    def _on_termination_text_edited(self, text: str) -> None:
        # Not stripped: a refresh would then eat the space the user just typed.
        self._edit_termination("text", text or None)

    def _on_max_messages_changed(self, value: int) -> None:
        self._edit_termination("max_messages", value or None)  # 0 is "off"

    def _on_timeout_changed(self, value: float) -> None:
        self._edit_termination("timeout", value or None)

    def _on_max_tokens_changed(self, value: int) -> None:
        self._edit_termination("max_tokens", value or None)

    def _edit_termination(self, field: str, value: Any) -> None:
        self._edit("Change termination", edits.set_termination_field, field, value, merge_key=("termination", field))
