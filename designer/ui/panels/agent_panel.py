"""The agent panel: every field of the one agent selected on the canvas.

The panel owns no design state. It shows ``controller.current_agent`` and turns each
gesture into one controller edit; typing in a field is one undo step per field visit
(merge keys), a rename happens when the id field is left or Enter is pressed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import edits
from ...core.patterns import registered, rules_for
from ...core.patterns.swarm import HANDOFF_USER
from ...core.agent_edits import KIND_FIELDS, set_kind
from ...core.id_edits import rename_agent_to, renamed_note, typed_name_hint
from ...core.document import Change
from ...core.spec import EMBEDDED_MODEL_ID, AgentSpec, TeamSpec
from ...core.tool_catalog import tool_entries
from ..document.controller import DocumentController
from ..widgets.common import (
    ChecklistWidget,
    PlainTextEditWidget,
    UndoRouter,
    set_checked,
    set_combo_entries,
    set_label,
    set_line_text,
    set_plain_text,
    set_spin_value,
    toggled_list,
)
from ..widgets.prompt_editor import PromptEditorWidget
from .agent_parts_panel import AgentPartsWidget

KINDS: tuple[tuple[str, str], ...] = (
    ("Assistant (model-driven)", "assistant"),
    ("Human input (user proxy)", "user_proxy"),
    ("Code executor", "code_executor"),
    ("Inner team (a team as one agent)", "team"),
)
#: What the panel says under the kind of an agent that is not an assistant.
KIND_NOTES = {
    "user_proxy": "A person answers in this agent's turn: no model, prompt or tools.",
    "code_executor": "Without a model it runs the code blocks in the messages it receives; with one (or with "
                     "retries, on the team default) it writes the code itself and fixes code that failed.",
    "team": "Runs its inner team; its model writes the answer from the inner conversation.",
}
NO_AGENT_HINT = "Select one agent on the canvas"
ID_TIP = ("The agent's id: how other agents, the pattern and the transcript name it. "
          "Letters, digits and '_'. Renaming updates every reference.")


class AgentPanelWidget(QWidget):
    """Edits the selected agent: id, description, kind, model, system message, tools, hand-offs."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._agent_id: str | None = None
        self._build()
        router = UndoRouter(controller, self)
        router.watch(self.id_edit, self.description_edit, self.prompt.editor)
        self._connect()
        controller.changed.connect(self._on_changed)
        controller.selectionChanged.connect(self._on_selection_changed)
        self._refresh()

    # --- construction ----------------------------------------------------------------------

    def _build(self) -> None:
        self.hint = QLabel(NO_AGENT_HINT, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()

        self.body = QWidget()
        form = self.form = QFormLayout()
        self.id_edit = QLineEdit()
        self.id_edit.setToolTip(ID_TIP)
        form.addRow("&Name (id):", self.id_edit)
        # Why a typed name cannot be used, and one that can, right under the field while typing:
        # floating over the rows below (not a row of its own), so no field moves under the pointer.
        self.id_note = QLabel(self.body)
        self.id_note.setObjectName("id_note")
        self.id_note.setWordWrap(True)
        self.id_note.setAutoFillBackground(True)
        self.id_note.setFrameShape(QFrame.Shape.Box)
        self.id_note.setMargin(4)
        self.id_note.hide()
        self.description_edit = PlainTextEditWidget()
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.description_edit.setToolTip("What selectors and coordinators route on: say what this agent is good at.")
        form.addRow("&Description:", self.description_edit)
        self.kind_combo = QComboBox()
        for label, kind in KINDS:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setToolTip("Assistant: answers with a model. Human input: a person types the reply. "
                                   "Code executor: runs code blocks it receives.")
        form.addRow("&Kind:", self.kind_combo)
        self.model_combo = QComboBox()
        self.model_combo.setToolTip("The model this agent runs on; the team default applies when none is chosen.")
        form.addRow("&Model:", self.model_combo)

        self.prompt = PromptEditorWidget(settings_key="editor/monospace")
        self.prompt.editor.setToolTip("The system message: the agent's role, rules and output format.")
        self.prompt_label = QLabel("&System message:")
        self.prompt_label.setBuddy(self.prompt.editor)

        self.tools_list = ChecklistWidget()
        self.tools_list.setToolTip("Tools from the team's library this agent may call (hover a tool for its parameters).")
        self.tools_label = QLabel("&Tools:")
        self.tools_label.setBuddy(self.tools_list)
        self.handoffs_list = ChecklistWidget()
        self.handoffs_list.setToolTip("Agents this one may hand the conversation to (swarm pattern).")
        self.handoffs_label = QLabel("&Hand-offs to:")
        self.handoffs_label.setBuddy(self.handoffs_list)
        self.handoffs_note = QLabel()
        self.handoffs_note.setWordWrap(True)

        options = self.options_form = QFormLayout()
        self.reflect_check = QCheckBox("&Reflect on tool use")
        self.reflect_check.setToolTip("After tools run, make one more model call to answer from their results "
                                      "instead of returning the raw tool output.")
        options.addRow(self.reflect_check)
        self.iterations_spin = QSpinBox()
        self.iterations_spin.setRange(1, 50)
        self.iterations_spin.setToolTip("How many rounds of tool calls the agent may make in one turn.")
        options.addRow("Max tool &iterations:", self.iterations_spin)
        self.streaming_check = QCheckBox("Stream tok&ens")
        self.streaming_check.setToolTip("Show the reply in the transcript while the model writes it.")
        options.addRow(self.streaming_check)
        self.kind_note = QLabel()
        self.kind_note.setWordWrap(True)

        body = QVBoxLayout(self.body)
        body.addLayout(form)
        body.addWidget(self.kind_note)
        body.addWidget(self.prompt_label)
        body.addWidget(self.prompt, 3)
        body.addWidget(self.tools_label)
        body.addWidget(self.tools_list, 1)
        body.addWidget(self.handoffs_label)
        body.addWidget(self.handoffs_list, 1)
        body.addWidget(self.handoffs_note)
        body.addLayout(options)
        self.parts = AgentPartsWidget(self._controller)  # context, sees, memory, schema, code, inner team
        body.addWidget(self.parts)
        body.addStretch(0)  # takes the slack when the stretching fields are hidden, see _show_kind
        self._body_layout = body
        self.scroll_area = QScrollArea(self)  # not "scroll": that would hide QWidget.scroll()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll_area, 1)

    def _connect(self) -> None:
        self.id_edit.editingFinished.connect(self._on_id_editing_finished)
        self.id_edit.textEdited.connect(self._on_id_edited)
        self.description_edit.textEdited.connect(self._on_description_edited)
        self.description_edit.editingFinished.connect(self._controller.break_merge)
        self.kind_combo.activated.connect(self._on_kind_activated)
        self.model_combo.activated.connect(self._on_model_activated)
        self.prompt.textEdited.connect(self._on_prompt_edited)
        self.prompt.editingFinished.connect(self._controller.break_merge)
        self.tools_list.toggled.connect(self._on_tool_toggled)
        self.handoffs_list.toggled.connect(self._on_handoff_toggled)
        self.reflect_check.clicked.connect(self._on_reflect_clicked)
        self.streaming_check.clicked.connect(self._on_streaming_clicked)
        self.iterations_spin.valueChanged.connect(self._on_iterations_changed)
        self.iterations_spin.editingFinished.connect(self._controller.break_merge)

    # --- public ----------------------------------------------------------------------------

    @property
    def agent_id(self) -> str | None:
        return self._agent_id

    def focus_field(self, name: str, index: int | None = None) -> bool:
        """Put the cursor in the field ``name`` (an AgentSpec field or 'id'); False if it is not shown."""
        widgets: dict[str, QWidget] = {
            "id": self.id_edit, "name": self.id_edit, "description": self.description_edit,
            "kind": self.kind_combo, "model": self.model_combo, "system_message": self.prompt.editor,
            "tools": self.tools_list, "handoffs": self.handoffs_list, "reflect_on_tool_use": self.reflect_check,
            "max_tool_iterations": self.iterations_spin, "streaming": self.streaming_check,
        }
        widget = widgets.get(name) or self.parts.focus_widget(name, index)
        if widget is None or self._agent_id is None or not widget.isVisibleTo(self):
            return False
        if isinstance(widget, ChecklistWidget) and index is not None:
            keys = getattr(self._controller.spec.agents[self._agent_id], name)
            item = widget.item_for(keys[index]) if 0 <= index < len(keys) else None
            if item is not None:
                widget.setCurrentItem(item)
        self.scroll_area.ensureWidgetVisible(widget)
        widget.setFocus()
        return True

    # --- from the document -----------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        self._refresh()

    def _on_selection_changed(self) -> None:
        if self._controller.current_agent != self._agent_id:
            set_label(self.message, "")
            self._show_id_hint("")
        self._refresh()

    def _refresh(self) -> None:
        spec = self._controller.spec
        agent_id = self._controller.current_agent
        agent_changed = agent_id != self._agent_id
        self._agent_id = agent_id
        agent = spec.agents.get(agent_id) if agent_id else None
        self.hint.setVisible(agent is None)
        self.body.setEnabled(agent is not None)
        self.parts.show_agent(spec, agent_id)
        if agent_id is None or agent is None:
            set_line_text(self.id_edit, "")
            set_plain_text(self.description_edit, "")
            self.prompt.set_text("")
            self.tools_list.set_entries([])
            self.handoffs_list.set_entries([])
            return
        # Mid-typing a new id, a refresh must not snap the text back.
        if agent_changed or not (self.id_edit.hasFocus() and self.id_edit.isModified()):
            set_line_text(self.id_edit, agent_id)
        set_plain_text(self.description_edit, agent.description)
        set_combo_entries(self.kind_combo, [(label, kind) for label, kind in KINDS], agent.kind)
        set_combo_entries(self.model_combo, self._model_entries(spec, agent), agent.model)
        self.prompt.set_text(agent.system_message)
        self.tools_list.set_entries(tool_entries(spec, agent, self._controller.tool_locations()), agent.tools)
        others = [a for a in spec.agents if a != agent_id]
        targets = [(a, a, spec.agents[a].description) for a in others]
        if rules_for(spec.orchestration).uses_handoffs or HANDOFF_USER in agent.handoffs:  # the person running the team
            targets.append((HANDOFF_USER, "user (you, running the team)", "The run pauses and asks you; your answer resumes it."))
        targets += [(a, f"{a} (unknown agent)", "No such agent: uncheck to remove.") for a in agent.handoffs
                    if a not in spec.agents and a != HANDOFF_USER]
        self.handoffs_list.set_entries(targets, agent.handoffs)
        where = [r.label for r in registered() if r.uses_handoffs]
        active = rules_for(spec.orchestration).uses_handoffs
        set_label(self.handoffs_note, "" if active else f"Hand-offs take effect only in the {' or '.join(where)} pattern.")
        set_checked(self.reflect_check, agent.reflect_on_tool_use)
        set_spin_value(self.iterations_spin, agent.max_tool_iterations)
        set_checked(self.streaming_check, agent.streaming)
        self._show_kind(agent.kind)

    @staticmethod
    def _model_entries(spec: TeamSpec, agent: AgentSpec) -> list[tuple[str, Any]]:
        default = f"(team default: {spec.default_model or EMBEDDED_MODEL_ID})"
        # A code executor without a model runs the code it is sent (see KIND_NOTES).
        entries: list[tuple[str, Any]] = [("(none: runs the code it receives)" if agent.kind == "code_executor" else default, None)]
        entries += [(m, m) for m in spec.models]
        if EMBEDDED_MODEL_ID not in spec.models:
            entries.append((f"{EMBEDDED_MODEL_ID} (built in)", EMBEDDED_MODEL_ID))
        if agent.model and agent.model not in spec.models and agent.model != EMBEDDED_MODEL_ID:
            entries.append((f"{agent.model} (unknown)", agent.model))
        return entries

    def _show_kind(self, kind: str) -> None:
        # Each kind shows the fields it uses at run time (KIND_FIELDS): tools are for assistants only.
        assistant, uses = kind == "assistant", KIND_FIELDS.get(kind, frozenset())
        self.form.setRowVisible(self.model_combo, "model" in uses)
        for prompt_part in (self.prompt_label, self.prompt):
            prompt_part.setVisible("system_message" in uses)
        self.streaming_check.setVisible("streaming" in uses)
        for widget in (self.tools_label, self.tools_list, self.handoffs_label, self.handoffs_list, self.reflect_check):
            widget.setVisible(assistant)
        self.handoffs_note.setVisible(assistant and bool(self.handoffs_note.text()))
        self.options_form.setRowVisible(self.iterations_spin, assistant)
        self.kind_note.setVisible(not assistant)
        self._body_layout.setStretch(self._body_layout.count() - 1, 0 if "system_message" in uses else 1)
        if not assistant:
            self.kind_note.setText(KIND_NOTES.get(kind, ""))

    # --- from the user ---------------------------------------------------------------------

    def _edit_field(self, label: str, field: str, value: Any, *, merge: bool = False) -> None:
        if self._agent_id is None:
            return
        key = ("agents", self._agent_id, field) if merge else None
        self._controller.edit(f"{label} of {self._agent_id}", edits.set_agent_field, self._agent_id, field, value, merge_key=key)

    def _on_id_editing_finished(self) -> None:
        old, new = self._agent_id, self.id_edit.text().strip()
        self.id_edit.setModified(False)
        if old is None or new == old:
            set_line_text(self.id_edit, old or "")
            return
        had_focus = self.id_edit.hasFocus()
        result = self._controller.edit(f"Rename {old} to {new}", rename_agent_to, old, new)  # "Research Lead" -> research_lead
        refusal = result.refusal
        if refusal:
            set_line_text(self.id_edit, old)
            set_label(self.message, f"Cannot rename {old} to {new!r}: {refusal}")
            # Said at the field too, with a name that works; the old name is marked for retyping.
            self._show_id_hint(typed_name_hint(self._controller.spec, old, new) or refusal)
            self.id_edit.selectAll()
            return
        new, typed = result.extra or new, new
        self._show_id_hint("")
        # The controller drops a removed id from the selection; a rename keeps the same agent.
        self._controller.select_agents([new])
        set_label(self.message, renamed_note(typed, new))  # after the selection, which clears it
        if had_focus:
            self.id_edit.setFocus()

    def _on_id_edited(self, text: str) -> None:
        if self._agent_id is not None:
            self._show_id_hint(typed_name_hint(self._controller.spec, self._agent_id, text) or "")

    def _show_id_hint(self, text: str) -> None:
        set_label(self.id_note, text)
        self.id_edit.setToolTip(text or ID_TIP)
        if text:  # just under the field, as wide as it
            field = self.id_edit.geometry()
            self.id_note.setFixedWidth(max(field.width(), 160))
            self.id_note.adjustSize()
            self.id_note.move(field.left(), field.bottom() + 2)
            self.id_note.raise_()

    def _on_description_edited(self, text: str) -> None:
        self._edit_field("Edit description", "description", text, merge=True)

    def _on_kind_activated(self, index: int) -> None:
        if self._agent_id is None:
            return
        kind = self.kind_combo.itemData(index)
        dropped = self._controller.edit(f"Change kind of {self._agent_id}", set_kind, self._agent_id, kind).extra
        set_label(self.message, f"The new kind does not use everything the old one did; removed: {', '.join(dropped)} "
                                "(Undo brings them back)." if dropped else "")

    def _on_model_activated(self, index: int) -> None:
        self._edit_field("Change model", "model", self.model_combo.itemData(index))

    def _on_prompt_edited(self, text: str) -> None:
        self._edit_field("Edit system message", "system_message", text, merge=True)

    def _on_tool_toggled(self, tool_id: str, checked: bool) -> None:
        if self._agent_id is not None:
            tools = toggled_list(self._controller.spec.agents[self._agent_id].tools, tool_id, checked)
            self._edit_field("Add tool" if checked else "Remove tool", "tools", tools)

    def _on_handoff_toggled(self, target: str, checked: bool) -> None:
        if self._agent_id is not None:
            handoffs = toggled_list(self._controller.spec.agents[self._agent_id].handoffs, target, checked)
            self._edit_field("Add hand-off" if checked else "Remove hand-off", "handoffs", handoffs)

    def _on_reflect_clicked(self, checked: bool) -> None:
        self._edit_field("Toggle reflect on tool use", "reflect_on_tool_use", checked)

    def _on_streaming_clicked(self, checked: bool) -> None:
        self._edit_field("Toggle streaming", "streaming", checked)

    def _on_iterations_changed(self, value: int) -> None:
        self._edit_field("Change max tool iterations", "max_tool_iterations", value, merge=True)
