"""The canvas scene: graphics items kept in step with the document.

Views listen, they never own state: the scene reconciles its items with the spec on every
``controller.changed``. The canvas's compound edits live in core/canvas_edits.py.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsScene, QWidget

from ...core import diagram, diagram_groups
from ...core.document import Change
from .connection_items import ConnectionItem
from .group_items import GroupLayer
from .items import AgentNodeItem
from ..document.controller import DocumentController

_SCENE_MARGIN = 1500.0
_BEND = 28.0


class CanvasScene(QGraphicsScene):
    """Items for the controller's spec, with an item-for-agent map."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._nodes: dict[str, AgentNodeItem] = {}
        self._connections: list[ConnectionItem] = []
        self._active: str | None = None
        self._quiet = False
        controller.changed.connect(self._on_document_changed)
        controller.selectionChanged.connect(self._on_controller_selection_changed)
        controller.problemsChanged.connect(self._on_problems_changed)
        self.selectionChanged.connect(self._on_selection_changed)
        #: Inner teams drawn as groups that collapse and open (view state, not the file's).
        self.groups = GroupLayer(self)
        self._sync(reset=True)

    def node(self, agent_id: str) -> AgentNodeItem | None:
        return self._nodes.get(agent_id)

    def connection_items(self) -> list[ConnectionItem]:
        return list(self._connections)

    def node_at(self, scene_pos: QPointF) -> AgentNodeItem | None:
        return next((i for i in self.items(scene_pos) if isinstance(i, AgentNodeItem)), None)

    def nodes_rect(self) -> QRectF:
        rect = QRectF()
        for node in self._nodes.values():
            rect = rect.united(node.sceneBoundingRect())
        return rect

    def positions(self) -> dict[str, tuple[float, float]]:
        return {a: (n.pos().x(), n.pos().y()) for a, n in self._nodes.items()}

    def set_active(self, agent_id: str | None) -> None:
        self._active = agent_id
        for node_id, node in self._nodes.items():
            node.set_active(node_id == agent_id)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    # --- document -> items -----------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        self._sync(reset=change.reset, rewire=bool(change.added or change.removed))

    def _sync(self, reset: bool = False, rewire: bool = False) -> None:
        # Reconcile everything rather than patch: designs are small, and a reconcile cannot drift from the spec.
        spec = self._controller.spec
        with self._guard():
            self._active = None if reset else self._active
            wanted = diagram.connections(spec) + diagram_groups.inner_connections(spec)
            if reset or rewire or wanted != [c.connection for c in self._connections]:
                for item in self._connections:
                    item.detach()
                    for part in (item, item.label_item):
                        if part is not None:
                            self.removeItem(part)
                self._connections = []
            for agent_id in [a for a in self._nodes if reset or a not in spec.agents]:
                self.removeItem(self._nodes.pop(agent_id))
            for agent_id, (x, y) in diagram.positions(spec).items():
                node = self._nodes.get(agent_id)
                if node is None:
                    node = self._nodes[agent_id] = AgentNodeItem(agent_id)
                    node.set_active(agent_id == self._active)
                    self.addItem(node)
                node.set_agent(spec)
                if node.pos() != QPointF(x, y):
                    node.setPos(x, y)
            if not self._connections:
                self._add_connections(wanted)
            self.groups.sync(spec, reset)  # frames around inner teams; collapsed ones hide their members
            self._apply_problems()
            self._apply_selection()
            # Only grow: shrinking the scene rect would make the view jump under the user.
            m = _SCENE_MARGIN
            self.setSceneRect(self.sceneRect().united(self.nodes_rect().adjusted(-m, -m, m, m)))

    def _add_connections(self, wanted: list[diagram.Connection]) -> None:
        pairs = {(c.source, c.target) for c in wanted}
        repeats: dict[tuple[str, str], int] = {}
        for connection in wanted:
            key = (connection.source, connection.target)
            k = repeats[key] = repeats.get(key, -1) + 1
            # Curve a → b when b → a (or a second a → b) exists, so both stay visible and clickable.
            bend = _BEND * (k + 1) if (connection.target, connection.source) in pairs else _BEND * k
            item = ConnectionItem(connection, self._nodes[connection.source], self._nodes[connection.target], bend)
            self.addItem(item)
            if item.label_item is not None:
                self.addItem(item.label_item)
            self._connections.append(item)

    def _on_problems_changed(self) -> None:
        self._apply_problems()

    def _apply_problems(self) -> None:
        by_agent: dict[str, list[str]] = {}
        for problem in self._controller.errors:
            if len(problem.path) >= 2 and problem.path[0] == "agents":
                by_agent.setdefault(str(problem.path[1]), []).append(problem.message)
        for agent_id, node in self._nodes.items():
            node.set_errors(by_agent.get(agent_id, []))

    # --- selection, both ways ----------------------------------------------------------------

    def _on_controller_selection_changed(self) -> None:
        with self._guard():
            self._apply_selection()

    def _apply_selection(self) -> None:
        agents, chosen = set(self._controller.selected_agents), self._controller.selected_connection
        for agent_id, node in self._nodes.items():
            if node.isSelected() != (agent_id in agents):
                node.setSelected(agent_id in agents)
        for item in self._connections:
            on = chosen is not None and (item.source, item.target, item.index) == chosen
            if item.isSelected() != on:
                item.setSelected(on)

    def _on_selection_changed(self) -> None:
        if self._quiet:
            return
        items = self.selectedItems()
        nodes = {i.agent_id for i in items if isinstance(i, AgentNodeItem)}
        links = [i for i in items if isinstance(i, ConnectionItem)]
        with self._guard():
            if nodes or not links:  # agents win when a rubber band catches both
                self._controller.select_agents([a for a in self._controller.spec.agents if a in nodes])
                self._apply_selection()
            else:
                self._controller.select_connection(links[0].source, links[0].target, links[0].index)


