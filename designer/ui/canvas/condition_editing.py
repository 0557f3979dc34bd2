"""Editing a graph edge from the canvas (its condition, activation group and join): one
window-modal dialog at a time, and OK as one edit of the edge it was opened on (never a
different one): "Edit condition" when only the condition changed, else "Edit edge"."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from ...core import diagram, edits
from ...core.patterns import graph
from ..document.controller import DocumentController
from .connection_items import ConnectionItem
from .edge_dialog import EdgeDialog


class ConditionEditing(QObject):
    def __init__(self, controller: DocumentController, view: QWidget) -> None:
        # The view is only the Qt parent, never a Python attribute: a view -> editing -> view
        # cycle leaves the view to the cyclic garbage collector, which can then destroy it in
        # the middle of one of its own paint events (a crash, seen after a canvas test).
        super().__init__(view)
        self._controller = controller
        self._open: tuple[EdgeDialog, diagram.Connection] | None = None

    def open(self, item: ConnectionItem) -> None:
        """Open the condition dialog of a graph edge (nothing for other connections)."""
        edges = getattr(self._controller.spec.orchestration, "edges", [])
        if item.kind != "graph" or item.index is None or item.index >= len(edges):
            return
        if self._open is not None:
            self._open[0].close()
        view = self.parent()
        assert isinstance(view, QWidget)
        orch = self._controller.spec.orchestration
        assert isinstance(orch, graph.GraphSpec)  # only a graph has edges
        edge = edges[item.index]
        dialog = EdgeDialog(edge, graph.activations(orch)[item.index], f"Edge: {item.source} → {item.target}", view)
        dialog.accepted.connect(self._on_accepted)
        dialog.finished.connect(self._on_finished)
        self._open = (dialog, item.connection)
        dialog.open()  # window-modal, not exec(): the event loop keeps running

    @Slot()
    def _on_accepted(self) -> None:
        if self._open is None:
            return
        dialog, edge = self._open
        edges = getattr(self._controller.spec.orchestration, "edges", [])
        index = edge.index if edge.index is not None and edge.index < len(edges) else None
        # An undo while the dialog was open may have shifted the edges: never edit a different one.
        if index is None or (edges[index].source, edges[index].target) != (edge.source, edge.target):
            self._controller.editRefused.emit(f"the edge {edge.source} → {edge.target} changed meanwhile")
            return
        group, activation = dialog.group(), dialog.activation()
        if (group, activation) == (edges[index].group, edges[index].activation):
            self._controller.edit("Edit condition", edits.edit_orchestration, graph.set_edge_condition, index, dialog.condition())
            return
        self._controller.edit("Edit edge", edits.edit_orchestration, graph.set_edge, index, dialog.condition(), group, activation)

    @Slot()
    def _on_finished(self) -> None:
        if self._open is not None:
            self._open[0].deleteLater()
            self._open = None
