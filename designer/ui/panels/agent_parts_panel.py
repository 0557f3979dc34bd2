"""The agent panel's sections for an agent's optional parts: Context, Sees, Memory, Output schema,
Code (code executors) and Inner team (kind 'team').

A section shows only for the kinds that use its field (core/agent_edits.KIND_FIELDS, the same
table that drops the field when the kind changes). Each gesture is one controller edit through
core/agent_part_edits; typing in a count merges into one undo step per field visit, and the
output schema is applied when its field is left, so a half-typed schema is never an edit.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import SIGNAL, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import agent_part_edits as parts
from ...core.agent_edits import KIND_FIELDS
from ...core.agent_parts import ContextSpec, SourceFilter
from ...core.errors import EditError
from ...core.spec import AgentSpec, TeamSpec
from ..document.controller import DocumentController
from ..widgets.common import (
    ChecklistWidget,
    PlainTextEditWidget,
    UndoRouter,
    make_table,
    set_combo_entries,
    set_label,
    set_plain_text,
    set_spin_value,
    toggled_list,
)
from .code_section import CodeSection

#: (label, ContextSpec field or None) of the context choice, and each count's range and first value.
CONTEXT_MODES: tuple[tuple[str, str | None], ...] = (
    ("All of the conversation", None),
    ("Only the last", "last_messages"),
    ("Only the newest", "max_tokens"),
)
#: Each count's range, first value and unit (the spin box's suffix).
_CONTEXT_RANGES = {"last_messages": (1, 10_000, 10, " messages"), "max_tokens": (16, 10_000_000, 4000, " tokens")}
POSITIONS: tuple[tuple[str, str], ...] = (("last", "last"), ("first", "first"))
SCHEMA_EXAMPLE = '{"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}'
NO_INNER_TEAM_EDITOR = "Inner teams are edited on the canvas: open the team's group there."


def _section(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row


class AgentPartsWidget(QWidget):
    """The part sections of the selected agent; the agent panel calls :meth:`show_agent`."""

    #: "Edit inner team…" was pressed for this inner team id. The hook for the nested-teams editor:
    #: whoever opens an inner team's editor connects here; unconnected, the button says where to go.
    innerTeamRequested = Signal(str)  # noqa: N815 - Qt naming

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._agent_id: str | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.context_mode = QComboBox()
        self.context_mode.setToolTip("How much of the conversation the agent's model is given each turn: "
                                     "fewer messages keep a small model's context from overflowing.")
        self.context_mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.context_count = QSpinBox()
        self.context_count.setToolTip("How many messages, or tokens, the model keeps.")
        self.context_count.setMinimumWidth(self.fontMetrics().horizontalAdvance("10,000,000 messages") + 30)
        self.context_box = _section("Context", _row(self.context_mode, self.context_count))

        self.sees_table = make_table(("Source", "Keeps", "Count"), "Only these messages reach the agent: "
                                     "of each source, the first or last N (the task is from 'user').")
        self.sees_table.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)
        self.add_sees_button = QPushButton("Add filter")
        self.remove_sees_button = QPushButton("Remove filter")
        self.sees_note = QLabel("No filter: the agent sees every message.")
        self.sees_box = _section("Sees", self.sees_table, _row(self.add_sees_button, self.remove_sees_button),
                                 self.sees_note)

        self.memory_list = ChecklistWidget()
        self.memory_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.memory_list.setToolTip("Team memories whose entries the agent is given before it answers.")
        self.memory_note = QLabel("The team has no memories yet: add one under Memories in the team panel.")
        self.memory_note.setWordWrap(True)
        self.memory_box = _section("Memory", self.memory_list, self.memory_note)

        self.schema_edit = PlainTextEditWidget()
        self.schema_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.schema_edit.setPlaceholderText(f"free text replies; or a JSON Schema, e.g. {SCHEMA_EXAMPLE}")
        self.schema_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 10 + 12)
        self.schema_edit.setToolTip("A JSON Schema (JSON or YAML) the agent's replies follow: a structured message. "
                                    "Applied when you leave the field.")
        self.schema_error = QLabel()
        self.schema_error.setObjectName("schema_error")
        self.schema_error.setWordWrap(True)
        self.schema_error.hide()
        self.schema_box = _section("Output schema", self.schema_edit, self.schema_error)

        self.code = CodeSection(self._edit_code, controller.break_merge)

        self.team_combo = QComboBox()
        self.team_combo.setToolTip("The inner team (under 'teams' in the file) this agent runs as one participant.")
        self.edit_team_button = QPushButton("Edit inner team…")
        self.team_note = QLabel()
        self.team_note.setWordWrap(True)
        self.team_box = _section("Inner team", _row(self.team_combo, self.edit_team_button), self.team_note)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.message, self.team_box, self.context_box, self.sees_box, self.memory_box,
                       self.schema_box, self.code):
            layout.addWidget(widget)
        self._sections: dict[str, QWidget] = {"team": self.team_box, "context": self.context_box, "sees": self.sees_box,
                                              "memory": self.memory_box, "output_schema": self.schema_box, "code": self.code}
        UndoRouter(controller, self).watch(self.schema_edit, self.code.work_dir_edit, self.code.image_edit)
        self._connect()

    def _connect(self) -> None:
        c = self._controller
        self.context_mode.activated.connect(self._on_context_mode_activated)
        self.context_count.valueChanged.connect(self._on_context_count_changed)
        self.context_count.editingFinished.connect(c.break_merge)
        self.add_sees_button.clicked.connect(self._on_add_sees_clicked)
        self.remove_sees_button.clicked.connect(self._on_remove_sees_clicked)
        self.memory_list.toggled.connect(self._on_memory_toggled)
        self.schema_edit.textEdited.connect(self._on_schema_edited)
        self.schema_edit.editingFinished.connect(self._on_schema_finished)
        self.team_combo.activated.connect(self._on_team_activated)
        self.edit_team_button.clicked.connect(self._on_edit_team_clicked)

    # --- from the document -----------------------------------------------------------------

    def show_agent(self, spec: TeamSpec, agent_id: str | None) -> None:
        agent = spec.agents.get(agent_id) if agent_id else None
        other = agent_id != self._agent_id  # another agent: its own schema, not the last one's draft
        if other:
            set_label(self.message, "")
        self._agent_id = agent_id if agent is not None else None
        uses = KIND_FIELDS.get(agent.kind, frozenset()) if agent is not None else frozenset()
        for field, section in self._sections.items():
            section.setVisible(field in uses)
        if agent is None or agent_id is None:
            self._show_schema(None, reset=True)
            return
        self._show_context(agent)
        self._show_sees(spec, agent_id, agent)
        memories = [(m, m, spec.memories[m].description) for m in spec.memories]
        memories += [(m, f"{m} (unknown memory)", "No such memory: uncheck to remove.") for m in agent.memory
                     if m not in spec.memories]
        self.memory_list.set_entries(memories, agent.memory)
        self.memory_note.setVisible(not spec.memories)
        self._show_schema(agent.output_schema, reset=other)
        self.code.show_agent(agent)
        teams = [("(none chosen)", None), *((t, t) for t in spec.teams)]
        if agent.team and agent.team not in spec.teams:
            teams.append((f"{agent.team} (unknown)", agent.team))
        set_combo_entries(self.team_combo, teams, agent.team)
        self.edit_team_button.setEnabled(agent.team in spec.teams)
        inner = spec.teams.get(agent.team or "")
        set_label(self.team_note, f"Runs {', '.join(inner.members()) or 'no agents yet'} ({inner.orchestration.pattern}); "
                                  "its model writes the answer from their conversation." if inner is not None else
                                  "Choose the inner team this agent runs.")

    def _show_context(self, agent: AgentSpec) -> None:
        context = agent.context
        mode = None if context is None else "last_messages" if context.last_messages else "max_tokens"
        set_combo_entries(self.context_mode, CONTEXT_MODES, mode)
        self.context_count.setVisible(mode is not None)
        if mode is not None and context is not None:
            low, high, _, unit = _CONTEXT_RANGES[mode]
            if (self.context_count.minimum(), self.context_count.maximum()) != (low, high):
                self.context_count.blockSignals(True)
                self.context_count.setRange(low, high)
                self.context_count.setSuffix(unit)
                self.context_count.blockSignals(False)
            set_spin_value(self.context_count, getattr(context, mode))

    def _show_sees(self, spec: TeamSpec, agent_id: str, agent: AgentSpec) -> None:
        table = self.sees_table
        sources = [a for a in spec.agents if a != agent_id] + [parts.USER_SOURCE]
        if table.rowCount() != len(agent.sees):
            table.setRowCount(len(agent.sees))
        for row, rule in enumerate(agent.sees):
            source, position, count = table.cellWidget(row, 0), table.cellWidget(row, 1), table.cellWidget(row, 2)
            if not isinstance(source, QComboBox) or not isinstance(position, QComboBox) or not isinstance(count, QSpinBox):
                source, position, count = QComboBox(), QComboBox(), QSpinBox()
                count.setRange(1, 10_000)
                source.activated.connect(lambda _i, w=source: self._on_sees_cell(w, "source", w.currentData()))
                position.activated.connect(lambda _i, w=position: self._on_sees_cell(w, "position", w.currentData()))
                count.valueChanged.connect(lambda v, w=count: self._on_sees_cell(w, "count", v))
                count.editingFinished.connect(self._controller.break_merge)
                for column, widget in enumerate((source, position, count)):
                    table.setCellWidget(row, column, widget)
            entries = [(s, s) for s in sources] + ([] if rule.source in sources else [(f"{rule.source} (unknown)", rule.source)])
            set_combo_entries(source, entries, rule.source)
            set_combo_entries(position, POSITIONS, rule.position)
            set_spin_value(count, rule.count)
        self.remove_sees_button.setEnabled(bool(agent.sees))
        self.sees_note.setVisible(not agent.sees)

    def _show_schema(self, schema: dict[str, object] | None, *, reset: bool) -> None:
        """The schema as JSON, unless the field already says it (the user's own YAML or layout is
        kept) or holds a draft that does not parse yet (never thrown away by a refresh)."""
        text = self.schema_edit.toPlainText()
        try:
            typed, draft = parts.parse_schema(text), False
        except EditError:
            typed, draft = None, True
        if reset or (not self.schema_edit.hasFocus() and not draft and typed != schema):
            set_plain_text(self.schema_edit, "" if schema is None else json.dumps(schema, indent=2))
            set_label(self.schema_error, "")

    # --- public ----------------------------------------------------------------------------

    def focus_widget(self, name: str, index: int | None) -> QWidget | None:
        """The widget of field ``name`` (an AgentSpec field) if it is one of these sections, else None."""
        if name not in self._sections:
            return None
        if name == "sees" and index is not None and 0 <= index < self.sees_table.rowCount():
            self.sees_table.setCurrentCell(index, 0)
            return self.sees_table.cellWidget(index, 0)
        widgets: dict[str, QWidget] = {"team": self.team_combo, "context": self.context_mode, "sees": self.sees_table,
                                       "memory": self.memory_list, "output_schema": self.schema_edit,
                                       "code": self.code.focus_widget(None)}
        return widgets[name]

    # --- from the user ---------------------------------------------------------------------

    def _edit(self, label: str, fn: Callable[..., Any], *args: Any, merge: tuple[Any, ...] | None = None) -> bool:
        if self._agent_id is None:
            return False
        key = ("agents", self._agent_id, *merge) if merge else None
        result = self._controller.edit(f"{label} of {self._agent_id}", fn, self._agent_id, *args, merge_key=key)
        set_label(self.message, result.refusal or "")
        if result.refused:  # the widgets go back to what the document says
            self.show_agent(self._controller.spec, self._agent_id)
        return result.applied

    def _agent(self) -> AgentSpec | None:
        return self._controller.spec.agents.get(self._agent_id) if self._agent_id else None

    def _on_context_mode_activated(self, index: int) -> None:
        mode, agent = self.context_mode.itemData(index), self._agent()
        if agent is None:
            return
        if mode is None:
            self._edit("Show all the conversation", parts.set_context, None)
            return
        current = getattr(agent.context, mode, None) if agent.context is not None else None
        self._edit("Limit the context", parts.set_context, ContextSpec(**{mode: current or _CONTEXT_RANGES[mode][2]}))

    def _on_context_count_changed(self, value: int) -> None:
        mode = self.context_mode.currentData()
        if mode is not None:
            self._edit("Limit the context", parts.set_context, ContextSpec(**{mode: value}), merge=("context",))

    def _on_sees_cell(self, widget: QWidget, what: str, value: Any) -> None:
        agent = self._agent()
        row = next((r for r in range(self.sees_table.rowCount()) for c in range(3)
                    if self.sees_table.cellWidget(r, c) is widget), None)
        if agent is None or row is None or row >= len(agent.sees):
            return
        rule = agent.sees[row]
        source = value if what == "source" else rule.source
        position = value if what == "position" else rule.position
        count = value if what == "count" else rule.count
        filters = list(agent.sees)
        filters[row] = SourceFilter(source=source, first=count if position == "first" else None,
                                    last=count if position == "last" else None)
        self._edit("Edit message filter", parts.set_sees, filters, merge=("sees", row, what) if what == "count" else None)

    def _on_add_sees_clicked(self) -> None:
        agent = self._agent()
        if agent is None or self._agent_id is None:
            return
        taken = {rule.source for rule in agent.sees}
        free = [a for a in [*self._controller.spec.agents, parts.USER_SOURCE] if a != self._agent_id and a not in taken]
        if not free:
            set_label(self.message, "Every source has a filter already.")
            return
        if self._edit("Add message filter", parts.set_sees, [*agent.sees, SourceFilter(source=free[0], last=1)]):
            self.sees_table.setCurrentCell(len(agent.sees), 0)

    def _on_remove_sees_clicked(self) -> None:
        agent = self._agent()
        row = self.sees_table.currentRow()
        if agent is not None and agent.sees:
            row = row if 0 <= row < len(agent.sees) else len(agent.sees) - 1
            self._edit("Remove message filter", parts.set_sees, [f for i, f in enumerate(agent.sees) if i != row])

    def _on_memory_toggled(self, memory_id: str, checked: bool) -> None:
        agent = self._agent()
        if agent is not None:
            self._edit("Give memory" if checked else "Take memory", parts.set_agent_memory,
                       toggled_list(agent.memory, memory_id, checked))

    def _on_schema_edited(self, text: str) -> None:
        # Said while typing, applied only when the field is left (one undo step, never a half schema).
        try:
            parts.parse_schema(text)
        except EditError as exc:
            set_label(self.schema_error, str(exc))
        else:
            set_label(self.schema_error, "")

    def _on_schema_finished(self) -> None:
        agent = self._agent()
        if agent is None:
            return
        text = self.schema_edit.toPlainText()
        try:
            schema = parts.parse_schema(text)
        except EditError as exc:
            set_label(self.schema_error, str(exc))  # the text stays for fixing; the document is unchanged
            return
        if schema != agent.output_schema:
            self._edit("Set output schema", parts.set_output_schema, text)

    def _edit_code(self, field: str, value: Any, merge: bool) -> None:
        self._edit("Edit code options", parts.set_code_field, field, value, merge=("code", field) if merge else None)

    def _on_team_activated(self, index: int) -> None:
        self._edit("Choose inner team", parts.set_agent_team, self.team_combo.itemData(index))

    def _on_edit_team_clicked(self) -> None:
        agent = self._agent()
        if agent is None or not agent.team:
            return
        if self.receivers(SIGNAL("innerTeamRequested(QString)")) == 0:
            set_label(self.message, NO_INNER_TEAM_EDITOR)
            return
        self.innerTeamRequested.emit(agent.team)
