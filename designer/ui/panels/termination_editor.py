"""The termination settings beyond text, messages, timeout and tokens, under them in the team panel.

The turn cap and the two separate token caps; the "ends when" conditions (a tool was called, an
agent sent a text message, a hand-off went to someone, an agent spoke) with pickers of the team's
own tools and agents; and nested blocks, one list combined "any of" or "all of", each block shown
as its one-line description and edited in a small dialog with the same fields. Every change is one
undoable edit through the panel's edit path (a refusal shows in the panel's message line).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import edits
from ...core.document import Change
from ...core.spec import TeamSpec, TerminationSpec
from ...core.termination_edits import Mode, add_block, block_mode, remove_block, replace_block, set_block_mode
from ..document.controller import DocumentController, EditResult
from ..widgets.common import (
    ChecklistWidget,
    agent_entries,
    off_spin,
    set_combo_entries,
    set_label,
    set_spin_value,
    toggled_list,
)

#: The panel's edit path: (label, edit function, *args, merge_key=...) -> the result.
EditFunc = Callable[..., EditResult]
MODES: tuple[tuple[str, Mode], ...] = (("any of them ends the run", "any"), ("all of them must have held", "all"))


def tool_entries(spec: TeamSpec, current: str | None) -> list[tuple[str, Any]]:
    """The tools a condition can name: the team's own (an MCP server is no tool name; MCP tool
    names are written in the file), with a current name that is none of them kept, marked."""
    ids = [t for t, tool in spec.tools.items() if tool.mcp is None]
    entries: list[tuple[str, Any]] = [("(off)", None), *((t, t) for t in ids)]
    if current and current not in ids:
        entries.append((f"{current} (not a tool id)", current))
    return entries


def handoff_entries(spec: TeamSpec, current: str | None) -> list[tuple[str, Any]]:
    entries = agent_entries(spec.agents, current, none_label="(off)")
    return [entries[0], ("user (the person running the team)", "user"), *entries[1:]]


class ConditionFields(QWidget):
    """The "ends when" pickers; the inline editor and the block dialog both use them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool_combo = QComboBox()
        self.tool_combo.setToolTip("End when an agent has called this tool.")
        self.text_from_combo = QComboBox()
        self.text_from_combo.setToolTip("End when this agent sends a plain text message (not a tool call).")
        self.handoff_combo = QComboBox()
        self.handoff_combo.setToolTip("End when an agent hands off to this target (swarm hand-offs).")
        self.spoke_list = ChecklistWidget()
        self.spoke_list.setToolTip("End when any checked agent has spoken.")
        self.spoke_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 8)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Tool &called:", self.tool_combo)
        form.addRow("Text &from:", self.text_from_combo)
        form.addRow("&Hand-off to:", self.handoff_combo)
        form.addRow("Spo&ke:", self.spoke_list)

    def show_block(self, spec: TeamSpec, block: TerminationSpec) -> None:
        set_combo_entries(self.tool_combo, tool_entries(spec, block.tool_called), block.tool_called)
        set_combo_entries(self.text_from_combo, agent_entries(spec.agents, block.text_from, none_label="(off)"),
                          block.text_from)
        set_combo_entries(self.handoff_combo, handoff_entries(spec, block.handoff_to), block.handoff_to)
        known = list(spec.agents) + [s for s in block.spoke if s not in spec.agents]
        self.spoke_list.set_entries([(a, a if a in spec.agents else f"{a} (unknown)", "") for a in known], block.spoke)


class BlockDialog(QDialog):
    """One nested block: every condition a block can hold (no turn cap: that is the team's).
    The block's own nested blocks, if the file has any, are kept as they are."""

    def __init__(self, spec: TeamSpec, block: TerminationSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("termination_block_dialog")
        self.setWindowTitle("Condition block")
        self._base = block or TerminationSpec()
        self.text_edit = QLineEdit(self._base.text or "")
        self.max_messages_spin = off_spin(QSpinBox(), 100_000, "Messages in the run. 0: off.")
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(0, 86_400)
        self.timeout_spin.setSpecialValueText("off")
        self.timeout_spin.setSuffix(" s")
        self.max_tokens_spin = off_spin(QSpinBox(), 2_000_000_000, "Tokens of all agents together. 0: off.")
        self.prompt_spin = off_spin(QSpinBox(), 2_000_000_000, "Prompt tokens of all agents together. 0: off.")
        self.completion_spin = off_spin(QSpinBox(), 2_000_000_000, "Completion tokens of all agents together. 0: off.")
        self.timeout_spin.setValue(self._base.timeout or 0.0)
        for spin, value in ((self.max_messages_spin, self._base.max_messages), (self.max_tokens_spin, self._base.max_tokens),
                            (self.prompt_spin, self._base.max_prompt_tokens),
                            (self.completion_spin, self._base.max_completion_tokens)):
            spin.setValue(value or 0)
        self.conditions = ConditionFields()
        self.conditions.show_block(spec, self._base)
        self.message = QLabel()
        self.message.hide()
        form = QFormLayout()
        form.addRow("Text mention:", self.text_edit)
        form.addRow("Max messages:", self.max_messages_spin)
        form.addRow("Timeout:", self.timeout_spin)
        form.addRow("Token budget:", self.max_tokens_spin)
        form.addRow("Prompt tokens:", self.prompt_spin)
        form.addRow("Completion tokens:", self.completion_spin)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.conditions)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def block(self) -> TerminationSpec:
        """The block as the fields say, with the nested blocks it came with."""
        c = self.conditions
        values: dict[str, Any] = {
            "text": self.text_edit.text() or None, "max_messages": self.max_messages_spin.value() or None,
            "timeout": self.timeout_spin.value() or None, "max_tokens": self.max_tokens_spin.value() or None,
            "max_prompt_tokens": self.prompt_spin.value() or None,
            "max_completion_tokens": self.completion_spin.value() or None,
            "tool_called": c.tool_combo.currentData(), "text_from": c.text_from_combo.currentData(),
            "handoff_to": c.handoff_combo.currentData(), "spoke": c.spoke_list.checked_keys(),
        }
        # Only what is on is set, so the saved block holds nothing else.
        set_values = {k: v for k, v in values.items() if v not in (None, [])}
        nested = {k: getattr(self._base, k) for k in ("any_of", "all_of") if getattr(self._base, k)}
        return TerminationSpec(**set_values, **nested)

    def _on_ok(self) -> None:
        if not self.block().describe():
            set_label(self.message, "Set at least one condition, or Cancel.")
            return
        self.accept()


class TerminationExtras(QWidget):
    """Turn cap, token caps, "ends when" conditions and nested blocks of the run's termination."""

    def __init__(self, controller: DocumentController, edit: EditFunc, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller, self._edit = controller, edit
        #: Asks for a block (None: a new one); None when cancelled. Replaceable (tests, no modal dialog).
        self.ask_block: Callable[[TeamSpec, TerminationSpec | None], TerminationSpec | None] = self._block_dialog
        #: How a first block combines while there is none yet (the file has no say until then).
        self._mode: Mode = "any"
        self.max_turns_spin = off_spin(QSpinBox(), 100_000, "The team's turn cap (AgentChat's max_turns): one turn is one "
                                             "agent's reply. 0: off.")
        self.prompt_spin = off_spin(QSpinBox(), 2_000_000_000, "End when all agents' prompts together used this many tokens. 0: off.")
        self.completion_spin = off_spin(QSpinBox(), 2_000_000_000, "End when all agents' replies together used this many tokens. 0: off.")
        self.conditions = ConditionFields()
        self.mode_combo = QComboBox()
        self.mode_combo.setToolTip("How the blocks below combine with each other; the run also ends on any "
                                   "condition above.")
        self.blocks_list = QListWidget()
        self.blocks_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 8)
        self.blocks_list.setToolTip("Condition blocks: within a block, any one condition holds it.")
        self.add_button, self.edit_button, self.remove_button = (QPushButton("Add block…"), QPushButton("Edit…"),
                                                                 QPushButton("Remove"))
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Max tu&rns:", self.max_turns_spin)
        form.addRow("Prompt tokens:", self.prompt_spin)
        form.addRow("Completion tokens:", self.completion_spin)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(QLabel("Ends when:"))
        layout.addWidget(self.conditions)
        blocks = QFormLayout()
        blocks.addRow("&Blocks:", self.mode_combo)
        layout.addLayout(blocks)
        layout.addWidget(self.blocks_list)
        layout.addLayout(buttons)
        self._connect()
        controller.changed.connect(self._on_changed)
        self.refresh()

    def _connect(self) -> None:
        for spin, field in ((self.max_turns_spin, "max_turns"), (self.prompt_spin, "max_prompt_tokens"),
                            (self.completion_spin, "max_completion_tokens")):
            spin.valueChanged.connect(lambda value, f=field: self._set(f, value or None))  # 0 is "off"
            spin.editingFinished.connect(self._controller.break_merge)
        c = self.conditions
        for combo, field in ((c.tool_combo, "tool_called"), (c.text_from_combo, "text_from"),
                             (c.handoff_combo, "handoff_to")):
            combo.activated.connect(lambda _i, box=combo, f=field: self._set(f, box.currentData()))
        c.spoke_list.toggled.connect(self._on_spoke_toggled)
        self.mode_combo.activated.connect(self._on_mode_activated)
        self.add_button.clicked.connect(self._on_add)
        self.edit_button.clicked.connect(self._on_edit)
        self.blocks_list.itemDoubleClicked.connect(lambda _item: self._on_edit())
        self.remove_button.clicked.connect(self._on_remove)

    # --- public ----------------------------------------------------------------------------

    def widget_for(self, path: Sequence[Any]) -> QWidget | None:
        """Where a problem at ``termination.<path>`` is fixed; None when this editor has no field for it."""
        head = path[0] if path else None
        if head in ("any", "all"):
            return self.blocks_list
        c = self.conditions
        fields: dict[Any, QWidget] = {"max_turns": self.max_turns_spin, "max_prompt_tokens": self.prompt_spin,
                                      "max_completion_tokens": self.completion_spin, "tool_called": c.tool_combo,
                                      "text_from": c.text_from_combo, "handoff_to": c.handoff_combo, "spoke": c.spoke_list}
        return fields.get(head)

    def rows(self) -> list[tuple[Mode, int]]:
        """What each row of the block list is: (its list, its index there)."""
        term = self._controller.spec.termination
        return [("any", i) for i in range(len(term.any_of))] + [("all", i) for i in range(len(term.all_of))]

    # --- from the document -----------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        if change.team or change.reset:
            self.refresh()

    def refresh(self) -> None:
        spec = self._controller.spec
        term = spec.termination
        set_spin_value(self.max_turns_spin, term.max_turns or 0)
        set_spin_value(self.prompt_spin, term.max_prompt_tokens or 0)
        set_spin_value(self.completion_spin, term.max_completion_tokens or 0)
        self.conditions.show_block(spec, term)
        mode = block_mode(term)
        if term.any_of or term.all_of:
            self._mode = mode or self._mode
        both = mode is None
        entries = list(MODES) if not both else [*MODES, ("both: 'any' and 'all' (edit them in the YAML tab)", None)]
        set_combo_entries(self.mode_combo, entries, None if both else self._mode)
        self.mode_combo.setEnabled(not both)
        labels = [f"{m}: {b.describe()}" if both else b.describe() or "(no condition)"
                  for m, blocks in (("any", term.any_of), ("all", term.all_of)) for b in blocks]
        if [self.blocks_list.item(i).text() for i in range(self.blocks_list.count())] != labels:
            row = self.blocks_list.currentRow()
            self.blocks_list.clear()
            self.blocks_list.addItems(labels)
            self.blocks_list.setCurrentRow(min(row, len(labels) - 1))

    # --- from the user ---------------------------------------------------------------------

    def _set(self, field: str, value: Any) -> None:
        self._edit("Change termination", edits.set_termination_field, field, value, merge_key=("termination", field))

    def _on_spoke_toggled(self, agent_id: str, checked: bool) -> None:
        spoke = toggled_list(self._controller.spec.termination.spoke, agent_id, checked)
        self._edit("Change termination", edits.set_termination_field, "spoke", spoke)

    def _on_mode_activated(self, index: int) -> None:
        mode = self.mode_combo.itemData(index)
        if mode is None:
            return
        self._mode = mode
        self._edit("Combine condition blocks", set_block_mode, mode)
        self.refresh()

    def _on_add(self) -> None:
        block = self.ask_block(self._controller.spec, None)
        if block is not None:
            added = self._edit("Add condition block", add_block, self._mode, block)
            if added.applied:
                self.blocks_list.setCurrentRow(self.rows().index((self._mode, added.extra)))

    def _current(self) -> tuple[Mode, int] | None:
        rows, row = self.rows(), self.blocks_list.currentRow()
        return rows[row] if 0 <= row < len(rows) else None

    def _on_edit(self) -> None:
        current = self._current()
        if current is None:
            return
        mode, index = current
        term = self._controller.spec.termination
        block = self.ask_block(self._controller.spec, (term.any_of if mode == "any" else term.all_of)[index])
        if block is not None and self._current() == current:  # the list did not change meanwhile
            self._edit("Edit condition block", replace_block, mode, index, block)

    def _on_remove(self) -> None:
        current = self._current()
        if current is not None:
            self._edit("Remove condition block", remove_block, *current)

    def _block_dialog(self, spec: TeamSpec, block: TerminationSpec | None) -> TerminationSpec | None:
        dialog = BlockDialog(spec, block, self)
        try:
            return dialog.block() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
