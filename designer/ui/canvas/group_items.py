"""Inner teams on the canvas: a frame around each inner team's members, labelled with the agent
of kind 'team' running it, that collapses to that agent's node alone and opens again.

The geometry is core/diagram_groups.py's; this module draws it and keeps it in step while nodes
are dragged (a frame registers itself with its nodes as connections do). Which groups are
collapsed is the canvas's view state while a file is open: it is not written to the team file,
and a newly opened file shows every group open.
"""

from __future__ import annotations

import time
from typing import Callable, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QGuiApplication, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from ...core import diagram_groups
from ...core.patterns import rules_for
from ...core.spec import TeamSpec
from ..theme import colors
from .connection_items import ConnectionItem
from .items import NODE_H, NODE_W, AgentNodeItem, palette_of, small_font



class _Scene(Protocol):
    """What the groups use of the canvas scene (scene.py; named here: importing it would be a cycle)."""

    def node(self, agent_id: str) -> AgentNodeItem | None: ...

    def positions(self) -> dict[str, tuple[float, float]]: ...

    def connection_items(self) -> list[ConnectionItem]: ...

    def addItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802 - Qt's names

    def removeItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802

#: The collapsed group's tab under the team agent's node, and the open frame's toggle button.
TAB_W, TAB_H = 150.0, 20.0
BUTTON = 16.0


class GroupFrameItem(QGraphicsObject):
    """One inner team: open, a rounded frame around its members with a title band and a dashed line
    up to its team agent; collapsed, a small tab under the team agent's node. The ▾ / ▸ button (or
    a double-click on the frame) switches between the two."""

    toggled = Signal(str)  # the team agent's id

    def __init__(self, group: diagram_groups.Group) -> None:
        super().__init__()
        self.team_group = group
        self.collapsed = False
        self._frame = QRectF()
        self._anchor = QPointF()  # the bottom middle of the team agent's node
        self._nodes: list[AgentNodeItem] = []
        self.last_press = QPointF()  # where the ▾ / ▸ button was last pressed
        self._relayout: Callable[[], None] = lambda: None
        self.setZValue(-1.0)  # under the nodes and connections it holds
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    @property
    def agent_id(self) -> str:
        return self.team_group.agent

    def title(self) -> str:
        label = rules_for(self.team_group.pattern).label.lower()
        if self.collapsed:
            count = len(self.team_group.members)
            return f"▸ {self.team_group.agent}: {count} inside"
        return f"▾ {self.team_group.agent} · {self.team_group.team} ({label})"

    def frame_rect(self) -> QRectF:
        """The open frame in scene coordinates (empty when collapsed)."""
        return QRectF() if self.collapsed else QRectF(self._frame)

    def toggle_rect(self) -> QRectF:
        """Where a click switches the group: the whole tab when collapsed, the ▾ button when open."""
        if self.collapsed:
            return QRectF(self._anchor.x() - TAB_W / 2, self._anchor.y() + 4, TAB_W, TAB_H)
        return QRectF(self._frame.left() + 6, self._frame.top() + 4, BUTTON, BUTTON)

    # --- kept in step with the nodes ----------------------------------------------------------

    def attach(self, nodes: list[AgentNodeItem], relayout: Callable[[], None]) -> None:
        """Follow these nodes while they are dragged; ``relayout()`` recomputes every frame."""
        self.detach()
        self._nodes = nodes
        self._relayout = relayout
        for node in nodes:
            node.connections.append(self)

    def detach(self) -> None:
        for node in self._nodes:
            if self in node.connections:
                node.connections.remove(self)
        self._nodes = []

    def update_geometry(self) -> None:
        """A node of the group moved (the Attached protocol of items.py)."""
        self._relayout()

    def set_geometry(self, frame: tuple[float, float, float, float] | None, anchor: QPointF, collapsed: bool) -> None:
        self.prepareGeometryChange()
        self.collapsed = collapsed
        self._frame = QRectF(*frame) if frame is not None else QRectF()
        self._anchor = QPointF(anchor)
        self.setVisible(collapsed or frame is not None)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        tab = QRectF(self._anchor.x() - TAB_W / 2, self._anchor.y(), TAB_W, TAB_H + 6)
        return (tab if self.collapsed else self._frame.united(tab)).adjusted(-4, -4, 4, 4)

    def shape(self) -> QPainterPath:
        # Only the tab or the title band catch the mouse: a click inside the frame reaches the
        # canvas (a rubber band, a node), as if the frame were not there.
        path = QPainterPath()
        if self.collapsed:
            path.addRect(self.toggle_rect())
        else:
            path.addRect(QRectF(self._frame.left(), self._frame.top(), self._frame.width(), diagram_groups.FRAME_HEADER))
        return path

    # --- drawing --------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        c = colors(palette_of(self))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = small_font(painter.font())
        painter.setFont(font)
        if self.collapsed:
            tab = self.toggle_rect()
            painter.setPen(QPen(c.node_border, 1.0))
            painter.setBrush(c.label_fill)
            painter.drawRoundedRect(tab, 6, 6)
            painter.setPen(c.label_text)
            painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, self.title())
            return
        fill = QColor(c.selection)
        fill.setAlpha(22)
        painter.setPen(QPen(c.node_border, 1.2, Qt.PenStyle.DashLine))
        top = QPointF(self._frame.center().x(), self._frame.top())
        if self._anchor.y() < self._frame.top():  # the team agent above its frame: a line down to it
            painter.drawLine(self._anchor, top)
        painter.setPen(QPen(c.node_border, 1.4))
        painter.setBrush(fill)
        painter.drawRoundedRect(self._frame, 12, 12)
        painter.setPen(c.node_text)
        text = QRectF(self._frame.left() + 8, self._frame.top() + 2, self._frame.width() - 16, diagram_groups.FRAME_HEADER)
        shown = QFontMetricsF(font).elidedText(self.title(), Qt.TextElideMode.ElideRight, text.width())
        painter.drawText(text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)

    # --- mouse ----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.toggle_rect().adjusted(-3, -3, 3, 3).contains(event.scenePos()):
            self.last_press = event.scenePos()
            self.toggled.emit(self.agent_id)
            return event.accept()
        event.ignore()


class GroupLayer:
    """The scene's groups: one frame per team agent with an inner team, the collapsed set, and the
    members (and their lines) hidden while their group is collapsed."""

    def __init__(self, scene: _Scene) -> None:
        self._scene = scene
        self.frames: dict[str, GroupFrameItem] = {}
        #: Team agents whose groups are collapsed: view state, kept while the file is open.
        self.collapsed: set[str] = set()
        self._spec: TeamSpec | None = None
        self._pressed: tuple[float, QPointF] = (float("-inf"), QPointF())  # the last ▾ / ▸ press: when, where

    def frame(self, agent_id: str) -> GroupFrameItem | None:
        return self.frames.get(agent_id)

    def is_collapsed(self, agent_id: str) -> bool:
        return agent_id in self.collapsed

    def set_collapsed(self, agent_id: str, collapsed: bool) -> None:
        if agent_id in self.frames and collapsed != (agent_id in self.collapsed):
            (self.collapsed.add if collapsed else self.collapsed.discard)(agent_id)
            self.refresh()

    def toggle(self, agent_id: str) -> None:
        self.set_collapsed(agent_id, agent_id not in self.collapsed)

    def _on_button_pressed(self, agent_id: str) -> None:
        self.toggle(agent_id)
        self._pressed = (time.monotonic(), self.frames[agent_id].last_press)

    def consume_press(self, scene_pos: QPointF) -> bool:
        """Whether a ▾ / ▸ press here has just toggled a group: the first press of a double-click
        did, so the double-click itself must not toggle again (whatever is under the cursor by then)."""
        (when, where), self._pressed = self._pressed, (float("-inf"), QPointF())
        interval = QGuiApplication.styleHints().mouseDoubleClickInterval() / 1000
        near = abs(where.x() - scene_pos.x()) + abs(where.y() - scene_pos.y()) <= 6
        return time.monotonic() - when <= interval and near

    def frame_at(self, scene_pos: QPointF) -> GroupFrameItem | None:
        """The innermost open frame (or collapsed tab) at ``scene_pos``."""
        hits = [f for f in self.frames.values() if f.isVisible()
                and (f.frame_rect().contains(scene_pos) or (f.collapsed and f.toggle_rect().contains(scene_pos)))]
        return min(hits, key=lambda f: f.frame_rect().width() * f.frame_rect().height(), default=None)

    def sync(self, spec: TeamSpec, reset: bool) -> None:
        """Frames for the spec's groups (after the scene placed its nodes and lines)."""
        self._spec = spec
        if reset:
            self.collapsed.clear()
        wanted = {g.agent: g for g in diagram_groups.groups(spec)}
        for agent_id in [a for a, f in self.frames.items() if a not in wanted or f.team_group != wanted[a]]:
            frame = self.frames.pop(agent_id)
            frame.detach()
            self._scene.removeItem(frame)
        self.collapsed &= set(wanted)
        for agent_id, group in wanted.items():
            if agent_id not in self.frames:
                frame = self.frames[agent_id] = GroupFrameItem(group)
                frame.toggled.connect(self._on_button_pressed)
                self._scene.addItem(frame)
            nodes = [n for n in (self._scene.node(a) for a in (agent_id, *group.members)) if n is not None]
            self.frames[agent_id].attach(nodes, self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Frames from the nodes' current places; members of collapsed groups hidden with their lines."""
        spec = self._spec
        if spec is None:
            return
        pos = self._scene.positions()
        hidden = diagram_groups.hidden_agents(spec, self.collapsed)
        rects = diagram_groups.frame_rects(spec, pos, self.collapsed, (NODE_W, NODE_H))
        for agent_id, frame in self.frames.items():
            x, y = pos.get(agent_id, (0.0, 0.0))
            collapsed = agent_id in self.collapsed
            if agent_id in hidden:
                frame.setVisible(False)
            else:
                frame.set_geometry(rects.get(agent_id), QPointF(x, y + NODE_H / 2), collapsed)
        for agent_id in spec.agents:
            node = self._scene.node(agent_id)
            if node is not None and node.isVisible() == (agent_id in hidden):
                node.setVisible(agent_id not in hidden)
                if agent_id in hidden:
                    node.setSelected(False)
        for item in self._scene.connection_items():
            shown = item.source not in hidden and item.target not in hidden
            for part in (item, item.label_item):
                if part is not None and part.isVisible() != shown:
                    part.setVisible(shown)
        self.mark_inner_lines()

    def mark_inner_lines(self) -> None:
        """The inner patterns' lines are drawn, not edited on the canvas: a click on one does nothing
        (the inner team's editor changes them), so it can never edit the outer pattern by mistake."""
        inner = {(c.source, c.target, c.kind) for c in diagram_groups.inner_connections(self._spec)} if self._spec else set()
        for item in self._scene.connection_items():
            if (item.source, item.target, item.kind) in inner:
                for part in (item, item.label_item):
                    if part is not None:
                        part.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
                        part.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
