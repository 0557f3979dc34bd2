"""The graph (state machine) editor: entry node, an edges table with conditions and activation
groups, and joins.

An edge's condition is one of "always", "contains TEXT" or "does not contain TEXT". A
condition without text is not a valid design, so choosing "contains" on an edge with no
text yet opens the text cell and the edit happens when the text is entered.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from ....core import edits
from ....core.patterns import graph
from ....core.errors import EditError
from ....core.patterns.graph import GraphEdgeSpec, GraphSpec
from ....core.spec import TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import (
    ChecklistWidget,
    agent_entries,
    fill_table,
    make_table,
    set_combo_entries,
    set_label,
    toggled_list,
)
from .base import PatternEditorWidget, editor_for

FROM, TO, WHEN, TEXT, GROUP, JOIN = range(6)
#: The Join column's explicit choices: (label, activation); "(default: ...)" (None) comes first.
_JOINS: list[tuple[str, Any]] = [("all of group", "all"), ("any of group", "any")]
_ASK_TEXT = "Type the text the message must (not) contain, then press Enter."


@editor_for("graph")
class GraphEditorWidget(PatternEditorWidget):
    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        #: A condition was chosen and its text is being typed; the document does not have it yet.
        self._awaiting_text = False
        self.entry_combo = QComboBox()
        self.entry_combo.setToolTip("The node that speaks first.")
        self.edges_table = make_table(("From", "To", "Condition", "Text", "Group", "Join"),
                                      "After the From agent speaks, the edge fires when its condition holds on that "
                                      "message. Edges leaving one agent are all conditional or all 'always'. "
                                      "Edges into one agent with the same Group are joined: 'all' runs the agent when "
                                      "every edge of the group fired, 'any' when one did; each group runs it on its own.")
        self.edges_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.add_button = QPushButton("&Add edge")
        self.remove_button = QPushButton("&Remove edge")
        self.join_list = ChecklistWidget()
        self.join_list.setToolTip("Checked nodes wait until all their incoming edges fired (a join); "
                                  "others run as soon as any incoming edge fires.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        form = QFormLayout(self)
        form.addRow("&Entry node:", self.entry_combo)
        form.addRow("E&dges:", self.edges_table)
        form.addRow(buttons)
        form.addRow(self.message)
        form.addRow("&Wait for all:", self.join_list)
        self.entry_combo.activated.connect(self._on_entry_activated)
        self.edges_table.itemChanged.connect(self._on_text_item_changed)
        self.edges_table.itemDelegate().closeEditor.connect(self._on_cell_editor_closed)
        self.edges_table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.join_list.toggled.connect(self._on_join_toggled)
        controller.selectionChanged.connect(self._on_selection_changed)

    # --- from the document -----------------------------------------------------------------

    def refresh(self, spec: TeamSpec) -> None:
        orch = spec.orchestration
        assert isinstance(orch, GraphSpec)
        set_combo_entries(self.entry_combo, agent_entries(spec.agents, orch.entry, none_label="(choose)"), orch.entry or None)
        fill_table(self.edges_table, [["", "", "", graph.condition_text(e.when), e.group or "", ""] for e in orch.edges],
                   skip=(FROM, TO, WHEN, JOIN))
        for row, (edge, join) in enumerate(zip(orch.edges, graph.activations(orch), strict=True)):
            self._combo(row, FROM, agent_entries(spec.agents, edge.source), edge.source)
            self._combo(row, TO, agent_entries(spec.agents, edge.target), edge.target)
            self._combo(row, WHEN, list(graph.CONDITIONS), graph.condition_kind(edge.when))
            # The default says what it means for this edge: the group's or wait_for_all's activation.
            self._combo(row, JOIN, [(f"(default: {join})", None), *_JOINS], edge.activation)
        self.join_list.set_entries([(n, n, "") for n in orch.nodes()], orch.wait_for_all)
        self._on_selection_changed()

    def _combo(self, row: int, column: int, entries: list[tuple[str, Any]], current: Any) -> None:
        combo = self.edges_table.cellWidget(row, column)
        if not isinstance(combo, QComboBox):
            combo = QComboBox()
            combo.activated.connect(lambda _i, box=combo, col=column: self._on_cell_combo_activated(box, col))
            self.edges_table.setCellWidget(row, column, combo)
        set_combo_entries(combo, entries, current)

    def _on_selection_changed(self) -> None:
        """The canvas selected an edge: show its row."""
        selected = self._controller.selected_connection
        if selected is None or selected[2] is None or not 0 <= selected[2] < self.edges_table.rowCount():
            return
        if self.edges_table.currentRow() != selected[2]:
            with QSignalBlocker(self.edges_table):
                self.edges_table.selectRow(selected[2])

    # --- from the user ---------------------------------------------------------------------

    def _edges(self) -> list[GraphEdgeSpec]:
        orch = self._controller.spec.orchestration
        return list(orch.edges) if isinstance(orch, GraphSpec) else []

    def _edit(self, label: str, fn: Any, *args: Any) -> bool:
        refusal = self._controller.edit(label, fn, *args).refusal
        set_label(self.message, refusal or "")
        if refusal:
            self.refresh(self._controller.spec)  # put the cells back as the document has them
        return refusal is None

    def _row_of(self, widget: QWidget, column: int) -> int:
        return next((r for r in range(self.edges_table.rowCount()) if self.edges_table.cellWidget(r, column) is widget), -1)

    def _on_cell_combo_activated(self, combo: QComboBox, column: int) -> None:
        row = self._row_of(combo, column)
        if row < 0:
            return
        value = combo.currentData()
        if column in (FROM, TO):
            self._edit("Change edge", edits.edit_orchestration, graph.set_edge_end, row, "source" if column == FROM else "target", value)
            return
        if column == JOIN:
            edge = self._edges()[row]
            self._edit("Change edge activation", edits.edit_orchestration, graph.set_edge_activation, row, edge.group, value)
            return
        text_item = self.edges_table.item(row, TEXT)
        assert text_item is not None, "refresh() fills the text cell of every edge's row"
        text = text_item.text()
        if value != "always" and not text:
            # Not yet a valid condition: ask for the text; the edit happens when it is entered.
            set_label(self.message, _ASK_TEXT)
            self._awaiting_text = True
            self.edges_table.setCurrentCell(row, TEXT)
            self.edges_table.editItem(text_item)
            return
        self._edit_condition(row, value, text)

    def _on_cell_editor_closed(self, *_: Any) -> None:
        if self._awaiting_text:  # left without text (Escape): show the condition the edge really has
            self._awaiting_text = False
            if self.message.text() == _ASK_TEXT:
                set_label(self.message, "")
            self.refresh(self._controller.spec)

    def _on_text_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == GROUP:
            edges = self._edges()
            if 0 <= item.row() < len(edges):
                self._edit("Change edge group", edits.edit_orchestration, graph.set_edge_activation, item.row(),
                           item.text(), edges[item.row()].activation)
            return
        self._awaiting_text = False
        combo = self.edges_table.cellWidget(item.row(), WHEN)
        kind = combo.currentData() if isinstance(combo, QComboBox) else "always"
        if kind == "always" and item.text():
            set_label(self.message, "Choose 'contains' or 'does not contain' first, then type the text.")
            self.refresh(self._controller.spec)
            return
        self._edit_condition(item.row(), kind, item.text())

    def _edit_condition(self, row: int, kind: str, text: str) -> None:
        try:
            condition = graph.make_condition(kind, text)
        except EditError as exc:
            set_label(self.message, str(exc))
            self.refresh(self._controller.spec)
            return
        self._edit("Change edge condition", edits.edit_orchestration, graph.set_edge_condition, row, condition)

    def _on_table_selection_changed(self) -> None:
        row = self.edges_table.currentRow()
        edges = self._edges()
        if 0 <= row < len(edges) and self._controller.selected_connection != (edges[row].source, edges[row].target, row):
            self._controller.select_connection(edges[row].source, edges[row].target, row)

    def _on_entry_activated(self, index: int) -> None:
        entry = self.entry_combo.itemData(index)
        if entry:
            self._set("Change entry node", "entry", entry)

    def _on_add_clicked(self) -> None:
        if self._edit("Add edge", edits.edit_orchestration, graph.add_edge, list(self._controller.spec.agents)):
            row = len(self._edges()) - 1
            self.edges_table.setCurrentCell(row, FROM)
            self.edges_table.cellWidget(row, FROM).setFocus()

    def _on_remove_clicked(self) -> None:
        row = self.edges_table.currentRow()
        edges = self._edges()
        if 0 <= row < len(edges):
            self._edit("Remove edge", edits.disconnect, edges[row].source, edges[row].target, row)

    def _on_join_toggled(self, node: str, checked: bool) -> None:
        orch = self._controller.spec.orchestration
        assert isinstance(orch, GraphSpec)
        self._set("Change wait for all", "wait_for_all", toggled_list(orch.wait_for_all, node, checked))

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        if path[:1] == ("edges",) and len(path) > 1 and isinstance(path[1], int) and path[1] < self.edges_table.rowCount():
            column = {"from": FROM, "to": TO, "when": WHEN, "group": GROUP, "activation": JOIN}.get(
                path[2] if len(path) > 2 else "", WHEN)
            self.edges_table.setCurrentCell(path[1], column)
            widget: QWidget | None = self.edges_table.cellWidget(path[1], column)  # None: a text cell
            (widget if widget is not None else self.edges_table).setFocus()
            return True
        if path[:1] == ("edges",):
            self.edges_table.setFocus()
            return True
        if path[:1] == ("wait_for_all",):
            return self._focus_list(self.join_list, path)
        self.entry_combo.setFocus()
        return True
