"""The team panel's "Memories" section: the team's shared memories (``memories:`` in the file).

A list of memories with Add / Remove, and for the chosen one its name (renamed when the field is
left; every agent reading it follows), description, entries (one a line, applied when the field
is left: one undo step, and blank lines typed on the way are not snapped away) and writers (a
checklist of the team's agents, who get a tool to add entries during a run). Which agents *read*
a memory is chosen in the agent panel.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core import agent_part_edits as parts
from ...core.document import Change
from ..document.controller import DocumentController
from ..widgets.common import (
    KEY_ROLE,
    ChecklistWidget,
    PlainTextEditWidget,
    UndoRouter,
    set_label,
    set_line_text,
    set_plain_text,
    toggled_list,
)


class MemoriesEditorWidget(QGroupBox):
    """Edits ``spec.memories``; every committed change is one controller edit."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__("Memories", parent)
        self._controller = controller
        self._current: str | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.list = QListWidget()
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.list.setToolTip("Memories several agents share (AgentChat's ListMemory): agents that read one are given "
                             "its entries before they answer.")
        self.add_button = QPushButton("Add memor&y")
        self.remove_button = QPushButton("Remove memory")
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The memory's id; renaming updates every agent that reads it.")
        self.description_edit = QLineEdit()
        self.description_edit.setToolTip("What the memory holds, for whoever opens the file next.")
        self.entries_edit = PlainTextEditWidget()
        self.entries_edit.setPlaceholderText("one entry a line, e.g. The customer prefers short answers.")
        self.entries_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.entries_edit.setToolTip("What the memory holds when a run starts, one entry a line.")
        self.writers_list = ChecklistWidget()
        self.writers_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.writers_list.setToolTip("Agents that get a tool to add an entry during the run.")
        self.empty_note = QLabel("No memories. Add one, then choose who reads it in each agent's Memory section.")
        self.empty_note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Memory &name:", self.name_edit)
        form.addRow("Des&cription:", self.description_edit)
        form.addRow("&Entries:", self.entries_edit)
        form.addRow("&Writers:", self.writers_list)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.details)
        UndoRouter(controller, self).watch(self.name_edit, self.description_edit, self.entries_edit)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.name_edit.editingFinished.connect(self._on_name_finished)
        self.description_edit.textEdited.connect(self._on_description_edited)
        self.description_edit.editingFinished.connect(controller.break_merge)
        self.entries_edit.editingFinished.connect(self._on_entries_finished)
        self.writers_list.toggled.connect(self._on_writer_toggled)
        # Writers are agents and agents change everywhere: this section follows every change.
        controller.changed.connect(self._on_changed)
        self.refresh()

    @property
    def current(self) -> str | None:
        return self._current

    # --- from the document -----------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        self.refresh()

    def refresh(self) -> None:
        spec = self._controller.spec
        ids = list(spec.memories)
        if self._current not in spec.memories:
            self._current = ids[0] if ids else None
        with QSignalBlocker(self.list):
            if [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())] != ids:
                self.list.clear()
                for memory_id in ids:
                    item = QListWidgetItem(memory_id)
                    item.setData(KEY_ROLE, memory_id)
                    self.list.addItem(item)
            for i, (memory_id, each) in enumerate(spec.memories.items()):
                n = len(each.entries)
                self.list.item(i).setToolTip(f"{each.description or memory_id}: {n} entr{'y' if n == 1 else 'ies'}")
            self.list.setCurrentRow(ids.index(self._current) if self._current else -1)
        self.empty_note.setVisible(not ids)
        self.details.setVisible(bool(ids))
        self.remove_button.setEnabled(bool(ids))
        memory = spec.memories.get(self._current) if self._current else None
        if memory is None:
            return
        if not (self.name_edit.hasFocus() and self.name_edit.isModified()):
            set_line_text(self.name_edit, self._current or "")
        set_line_text(self.description_edit, memory.description)
        # The text stays as typed (blank lines too) while it says what the document holds.
        if parts.entries_from_text(self.entries_edit.toPlainText()) != memory.entries:
            set_plain_text(self.entries_edit, "\n".join(memory.entries))
        writers = [(a, a, spec.agents[a].description) for a in spec.agents]
        writers += [(w, f"{w} (unknown agent)", "No such agent: uncheck to remove.") for w in memory.writers
                    if w not in spec.agents]
        self.writers_list.set_entries(writers, memory.writers)

    # --- public ----------------------------------------------------------------------------

    def focus_path(self, path: tuple[Any, ...]) -> QWidget | None:
        """The field for a problem at ('memories', id, field, ...), with that memory chosen."""
        if len(path) < 2 or path[1] not in self._controller.spec.memories:
            return self.list if path[:1] == ("memories",) else None
        self._choose(str(path[1]))
        field = path[2] if len(path) > 2 else None
        widgets: dict[Any, QWidget] = {"description": self.description_edit, "entries": self.entries_edit,
                                       "writers": self.writers_list}
        widget = widgets.get(field, self.name_edit)
        if field == "writers" and len(path) > 3 and isinstance(path[3], int):
            writers = self._controller.spec.memories[str(path[1])].writers
            item = self.writers_list.item_for(writers[path[3]]) if path[3] < len(writers) else None
            if item is not None:
                self.writers_list.setCurrentItem(item)
        return widget

    # --- from the user ---------------------------------------------------------------------

    def _edit(self, label: str, fn: Callable[..., Any], *args: Any, merge_key: Any = None) -> Any:
        result = self._controller.edit(label, fn, *args, merge_key=merge_key)
        set_label(self.message, result.refusal or "")
        if result.refused:
            self.refresh()
        return result

    def _choose(self, memory_id: str) -> None:
        if memory_id != self._current:
            self._current = memory_id
            set_label(self.message, "")
            self.refresh()

    def _on_current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self._choose(item.data(KEY_ROLE))

    def _on_add_clicked(self) -> None:
        added = self._edit("Add memory", parts.add_memory)
        if added.applied:
            self._choose(str(added.extra))
            self.name_edit.setFocus()
            self.name_edit.selectAll()

    def _on_remove_clicked(self) -> None:
        if self._current is not None:
            self._edit(f"Remove memory {self._current}", parts.remove_memory, self._current)

    def _on_name_finished(self) -> None:
        old, new = self._current, self.name_edit.text().strip()
        self.name_edit.setModified(False)
        if old is None or new == old:
            return
        if self._edit(f"Rename memory {old} to {new}", parts.rename_memory, old, new).applied:
            self._choose(new)
        else:
            set_line_text(self.name_edit, old)

    def _on_description_edited(self, text: str) -> None:
        if self._current is not None:
            self._edit(f"Edit description of memory {self._current}", parts.set_memory_description, self._current,
                       text, merge_key=("memories", self._current, "description"))

    def _on_entries_finished(self) -> None:
        if self._current is not None:
            entries = parts.entries_from_text(self.entries_edit.toPlainText())
            self._edit(f"Edit entries of memory {self._current}", parts.set_memory_entries, self._current, entries)

    def _on_writer_toggled(self, agent_id: str, checked: bool) -> None:
        memory = self._controller.spec.memories.get(self._current or "")
        if memory is not None and self._current is not None:
            self._edit(f"{'Add' if checked else 'Remove'} writer of memory {self._current}", parts.set_memory_writers,
                       self._current, toggled_list(memory.writers, agent_id, checked))

