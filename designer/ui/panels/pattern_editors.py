"""One editor per orchestration pattern, shown by the pattern panel in a stack.

Each editor refreshes from the spec it is given and turns every gesture into one
``set_orchestration_field`` edit (or a short pure composition of them).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core import edits
from ...core.spec import (
    EMBEDDED_MODEL_ID,
    HierarchicalSpec,
    SelectorSpec,
    SwarmSpec,
    TeamSpec,
)
from ..document.controller import DocumentController
from ..widgets.common import (
    ChecklistWidget,
    UndoRouter,
    agent_entries,
    set_checked,
    set_combo_entries,
    toggled_list,
)
from ..widgets.prompt_editor import PromptEditorWidget

SELECTOR_PLACEHOLDERS = ("roles", "participants", "history")


def _agent_rows(spec: TeamSpec, ids: list[str]) -> list[tuple[str, str, str]]:
    """Checklist entries; ids that are not agents stay visible so they can be removed."""
    return [(a, a if a in spec.agents else f"{a} (unknown agent)", spec.agents[a].description if a in spec.agents else "")
            for a in ids]


class PatternEditorWidget(QWidget):
    """Base: holds the controller and routes every change through one orchestration edit."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller

    def refresh(self, spec: TeamSpec) -> None:
        raise NotImplementedError

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        """Focus the widget for ``path`` below ``orchestration`` (e.g. ('edges', 2, 'to'))."""
        return False

    def _set(self, label: str, field: str, value: Any) -> None:
        self._controller.edit(label, edits.set_orchestration_field, field, value)

    def _focus_list(self, widget: ChecklistWidget, path: tuple[Any, ...]) -> bool:
        if len(path) > 1 and isinstance(path[1], int) and 0 <= path[1] < widget.count():
            widget.setCurrentRow(path[1])
        widget.setFocus()
        return True


class OrderEditorWidget(PatternEditorWidget):
    """An ordered list of agents: the sequential order, or round-robin speakers (as a checklist)."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None, *, checklist: bool) -> None:
        super().__init__(controller, parent)
        # Sequential lists only members (add/remove); round robin lists everyone, checked = speaks.
        self._field = "participants" if checklist else "order"
        self._checklist = checklist
        self.list = ChecklistWidget(checkable=checklist, reorderable=True)
        self.list.setToolTip("Drag to reorder, or use Move up / Move down." +
                             (" Check the agents that take turns." if checklist else ""))
        label = QLabel("Speaking &order:" if checklist else "&Order (each agent speaks once):")
        label.setBuddy(self.list)
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        buttons = QHBoxLayout()
        self.add_combo = QComboBox()
        self.add_combo.setToolTip("An agent to append to the order.")
        self.add_button = QPushButton("&Add")
        self.remove_button = QPushButton("&Remove")
        if not checklist:
            buttons.addWidget(self.add_combo, 1)
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.remove_button)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.reordered.connect(self._on_reordered)
        self.list.toggled.connect(self._on_toggled)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)

    def _members(self) -> list[str]:
        return list(getattr(self._controller.spec.orchestration, self._field, []))

    def refresh(self, spec: TeamSpec) -> None:
        members = list(getattr(spec.orchestration, self._field))
        if self._checklist:
            rows = members + [a for a in spec.agents if a not in members]
            self.list.set_entries(_agent_rows(spec, rows), members)
        else:
            self.list.set_entries(_agent_rows(spec, members))
            addable = [a for a in spec.agents if a not in members]
            keep = self.add_combo.currentData()
            set_combo_entries(self.add_combo, [(a, a) for a in addable],
                              keep if keep in addable else (addable[0] if addable else None))
            self.add_button.setEnabled(bool(addable))

    def _order_from(self, keys: list[str]) -> list[str]:
        return [k for k in keys if k in self._members()] if self._checklist else keys

    def _on_reordered(self, keys: list[str]) -> None:
        self._set("Reorder agents", self._field, self._order_from(keys))

    def _on_toggled(self, key: str, checked: bool) -> None:
        # Keep list order: a newly checked agent speaks where it stands in the list.
        members = set(toggled_list(self._members(), key, checked))
        self._set("Add speaker" if checked else "Remove speaker", self._field, [k for k in self.list.keys() if k in members])

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        keys = self.list.keys()
        if not 0 <= row < len(keys) or not 0 <= row + step < len(keys):
            return
        keys[row], keys[row + step] = keys[row + step], keys[row]
        self._set("Reorder agents", self._field, self._order_from(keys))
        self.list.setCurrentRow(row + step)

    def _on_up_clicked(self) -> None:
        self._move(-1)

    def _on_down_clicked(self) -> None:
        self._move(1)

    def _on_add_clicked(self) -> None:
        agent = self.add_combo.currentData()
        if agent:
            self._set(f"Add {agent} to the order", self._field, [*self._members(), agent])

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        members = self._members()
        if 0 <= row < len(members):
            self._set(f"Remove {members[row]} from the order", self._field, members[:row] + members[row + 1:])

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        return self._focus_list(self.list, path)


def set_coordinator(spec: TeamSpec, coordinator: str) -> TeamSpec:
    """The coordinator cannot also be a worker, so choosing one takes it off the workers."""
    orch = spec.orchestration
    assert isinstance(orch, HierarchicalSpec)
    spec = edits.set_orchestration_field(spec, "coordinator", coordinator)
    return edits.set_orchestration_field(spec, "workers", [w for w in orch.workers if w != coordinator])


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
        self.workers_list.set_entries(_agent_rows(spec, others), orch.workers)

    def _on_coordinator_activated(self, index: int) -> None:
        coordinator = self.coordinator_combo.itemData(index)
        if coordinator:
            self._controller.edit("Change coordinator", set_coordinator, coordinator)

    def _on_worker_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, HierarchicalSpec)
        self._set("Add worker" if checked else "Remove worker", "workers", toggled_list(orch.workers, agent, checked))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        if path[:1] == ("workers",):
            return self._focus_list(self.workers_list, path)
        self.coordinator_combo.setFocus()
        return True


class SelectorEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.participants_list = ChecklistWidget()
        self.participants_list.setToolTip("Agents a model picks the next speaker from, by their descriptions.")
        self.prompt = PromptEditorWidget(compact=True)
        self.prompt.set_known_placeholders(SELECTOR_PLACEHOLDERS)
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
        self.participants_list.set_entries(_agent_rows(spec, rows), orch.participants)
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


def set_swarm_entry(spec: TeamSpec, entry: str) -> TeamSpec:
    """The entry agent is always a participant."""
    orch = spec.orchestration
    assert isinstance(orch, SwarmSpec)
    spec = edits.set_orchestration_field(spec, "entry", entry)
    if entry not in orch.participants:
        spec = edits.set_orchestration_field(spec, "participants", [entry, *orch.participants])
    return spec


class SwarmEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.entry_combo = QComboBox()
        self.entry_combo.setToolTip("The agent that answers first; it hands off from there.")
        self.participants_list = ChecklistWidget()
        self.participants_list.setToolTip("Agents in the swarm. The entry agent always takes part.")
        note = QLabel("Hand-offs are edited in the agent panel and on the canvas.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("&Entry agent:", self.entry_combo)
        form.addRow("Parti&cipants:", self.participants_list)
        form.addRow(note)
        self.entry_combo.activated.connect(self._on_entry_activated)
        self.participants_list.toggled.connect(self._on_participant_toggled)

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, SwarmSpec)
        set_combo_entries(self.entry_combo, agent_entries(spec.agents, orch.entry, none_label="(choose)"), orch.entry or None)
        rows = list(dict.fromkeys([*spec.agents, *orch.participants]))
        self.participants_list.set_entries(_agent_rows(spec, rows), [*orch.participants, orch.entry], locked=[orch.entry])

    def _on_entry_activated(self, index: int) -> None:
        entry = self.entry_combo.itemData(index)
        if entry:
            self._controller.edit("Change entry agent", set_swarm_entry, entry)

    def _on_participant_toggled(self, agent: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, SwarmSpec)
        self._set("Add participant" if checked else "Remove participant", "participants",
                  toggled_list(orch.participants, agent, checked))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        if path[:1] == ("participants",):
            return self._focus_list(self.participants_list, path)
        self.entry_combo.setFocus()
        return True
