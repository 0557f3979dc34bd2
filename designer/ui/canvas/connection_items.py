"""Connections on the canvas: an arrow per diagram.Connection, styled by kind, and its label.

Labels are separate items drawn above the nodes (a child item could not be), so that a long
condition stays readable; clicking one selects its connection.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QGuiApplication, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from ...core.diagram import Connection
from ..theme import colors
from .items import NODE_H, NODE_W, AgentNodeItem, palette_of, small_font

#: Pen style and width per diagram.Connection.kind.
_STYLES = {
    "sequence": (Qt.PenStyle.SolidLine, 1.8),
    "delegation": (Qt.PenStyle.SolidLine, 2.4),
    "turn": (Qt.PenStyle.SolidLine, 1.6),
    "graph": (Qt.PenStyle.SolidLine, 1.8),
    "handoff": (Qt.PenStyle.DashLine, 1.8),
}
#: A label wider than this is shortened (its tooltip has it in full), so it cannot span the canvas.
_LABEL_MAX_W = 150.0
#: Room between a label and the line, nodes and arrow heads it keeps clear of.
_LABEL_GAP = 4.0
#: Where along the curve a label may sit, best first: the middle, then outwards.
_LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
#: How much further off the line a label may move when beside it is taken (two close nodes).
_LABEL_EXTRA = (0.0, 12.0, 24.0, 36.0, 48.0, 64.0)
#: Kinds whose label carries information (a step number, a condition); the others' labels only name the kind.
_LABELLED = {"sequence", "graph"}


def _clip_to_node(centre: QPointF, toward: QPointF, gap: float = 3.0) -> QPointF:
    """Where the ray from a node's centre toward ``toward`` leaves the node's rectangle."""
    dx, dy = toward.x() - centre.x(), toward.y() - centre.y()
    if dx == 0 and dy == 0:
        return QPointF(centre)
    hw, hh = NODE_W / 2 + gap, NODE_H / 2 + gap
    t = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return QPointF(centre.x() + dx * t, centre.y() + dy * t)


class ConnectionItem(QGraphicsItem):
    """An arrow between two nodes, styled per kind; graph edges show their condition as a label."""

    def __init__(self, connection: Connection, source: AgentNodeItem, target: AgentNodeItem, bend: float = 0.0) -> None:
        super().__init__()
        self.connection = connection
        self.source_node, self.target_node = source, target
        #: Sideways offset of the curve's middle, so a → b and b → a do not overlap.
        self._bend = bend
        self._path, self._arrow, self._mid = QPainterPath(), QPolygonF(), QPointF()
        text = f"{connection.source} → {connection.target} ({connection.kind})"
        self.setToolTip(f"{text}: {connection.label}" if connection.label else text)  # before the label copies it
        label = connection.label if connection.kind in _LABELLED else ""
        #: Drawn above the nodes (a child could not be), so that a long condition stays readable.
        self.label_item = ConnectionLabelItem(self, label) if label else None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        source.connections.append(self)
        target.connections.append(self)
        self.update_geometry()

    @property
    def source(self) -> str:
        return self.connection.source

    @property
    def target(self) -> str:
        return self.connection.target

    @property
    def index(self) -> int | None:
        return self.connection.index

    @property
    def kind(self) -> str:
        return self.connection.kind

    @property
    def label(self) -> str:
        return self.label_item.text if self.label_item is not None else ""

    def midpoint(self) -> QPointF:
        """The middle of the curve (where the label sits), in scene coordinates."""
        return QPointF(self._mid)

    def detach(self) -> None:
        for node in (self.source_node, self.target_node):
            if self in node.connections:
                node.connections.remove(self)

    def color(self) -> QColor:
        c = colors(palette_of(self))
        if self.isSelected():
            return c.selection
        return c.edge_turn if self.kind in ("handoff", "turn") else c.edge

    def update_geometry(self) -> None:
        self.prepareGeometryChange()
        a, b = self.source_node.scenePos(), self.target_node.scenePos()
        normal = QLineF(a, b).normalVector().unitVector() if a != b else QLineF()
        ctrl = (a + b) / 2 + QPointF(normal.dx(), normal.dy()) * self._bend
        start, end = _clip_to_node(a, ctrl), _clip_to_node(b, ctrl)
        self._path = QPainterPath(start)
        self._path.quadTo(ctrl, end)
        self._mid = start * 0.25 + ctrl * 0.5 + end * 0.25
        unit = QLineF(ctrl, end).unitVector()
        d = QPointF(unit.dx(), unit.dy())
        side = QPointF(-d.y(), d.x())
        self._arrow = QPolygonF([end, end - d * 11 + side * 5, end - d * 11 - side * 5])
        self.place_label()

    def arrow_head(self) -> QPolygonF:
        """The arrow head's triangle, in scene coordinates (the item sits at the origin)."""
        return QPolygonF(self._arrow)

    def place_label(self) -> None:
        """Put the label beside the curve, not on it: off to one side of the middle, or further
        along, wherever it covers no node and no arrow head; the middle's side when nothing is free."""
        label = self.label_item
        if label is None:
            return
        half = label.boundingRect().size() / 2
        hx, hy = half.width(), half.height()
        obstacles = self._obstacles(hx, hy)
        spots = []
        for t in _LABEL_SPOTS:
            point = self._path.pointAtPercent(t)
            angle = math.radians(self._path.angleAtPercent(t))  # counter-clockwise, with y up
            normal = QPointF(math.sin(angle), math.cos(angle))  # perpendicular, in scene coordinates (y down)
            # Off to either side of the line first; straight across or along it when two nodes crowd it.
            for way in (-normal, normal, QPointF(1, 0), QPointF(-1, 0), QPointF(0, -1), QPointF(0, 1)):
                spots.append((point, way, abs(way.x()) * hx + abs(way.y()) * hy + _LABEL_GAP))
        # Nearest the line first: a label far off its line reads as another's.
        for extra in _LABEL_EXTRA:
            for point, way, reach in spots:
                centre = point + way * (reach + extra)
                box = QRectF(centre.x() - hx, centre.y() - hy, 2 * hx, 2 * hy)
                if not any(box.intersects(o) for o in obstacles):
                    label.setPos(centre)
                    return
        point, way, reach = spots[0]
        label.setPos(point + way * reach)

    def _obstacles(self, hx: float, hy: float) -> list[QRectF]:
        """Rectangles a label must not cover: nodes near the curve and the arrow heads that end at them."""
        scene: QGraphicsScene | None = self.scene()  # None while being built (the stubs say never)
        area = self._path.boundingRect().adjusted(-2 * hx - NODE_W, -2 * hy - NODE_H, 2 * hx + NODE_W, 2 * hy + NODE_H)
        nodes = {self.source_node, self.target_node}
        if scene is not None:
            nodes.update(i for i in scene.items(area) if isinstance(i, AgentNodeItem))
        g = _LABEL_GAP
        out = [self._arrow.boundingRect().adjusted(-g, -g, g, g)]
        for node in nodes:
            out.append(node.mapRectToScene(node.node_rect()).adjusted(-g, -g, g, g))
            out += [c.arrow_head().boundingRect().adjusted(-g, -g, g, g)
                    for c in node.connections if isinstance(c, ConnectionItem) and c is not self]
        return out

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged and self.label_item is not None:
            self.label_item.update()
        return super().itemChange(change, value)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._path.boundingRect().united(self._arrow.boundingRect()).adjusted(-8, -8, 8, 8)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)  # wider than the line, so a thin arrow is still easy to click
        shape = stroker.createStroke(self._path)
        shape.addPolygon(self._arrow)
        return shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style, width = _STYLES.get(self.kind, (Qt.PenStyle.SolidLine, 1.8))
        color = self.color()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, width + (1.2 if self.isSelected() else 0), style, Qt.PenCapStyle.RoundCap))
        painter.drawPath(self._path)
        painter.setPen(QPen(color, 1))
        painter.setBrush(color)
        painter.drawPolygon(self._arrow)


class ConnectionLabelItem(QGraphicsItem):
    """A connection's label (step number, condition); clicking it selects the connection."""

    def __init__(self, connection: ConnectionItem, text: str) -> None:
        super().__init__()
        self.connection, self.text = connection, text
        metrics = QFontMetricsF(small_font(QGuiApplication.font()))
        self._shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, _LABEL_MAX_W)
        size = metrics.size(0, self._shown)
        self._rect = QRectF(-size.width() / 2 - 6, -size.height() / 2 - 2, size.width() + 12, size.height() + 4)
        self.setZValue(2.0)
        self.setToolTip(connection.toolTip())  # the whole condition, however long

    def shown_text(self) -> str:
        """The label as drawn: the text, shortened with '…' past a maximum width."""
        return self._shown

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        # Placed again once in the scene: only there can it see the other nodes it must not cover.
        if change == QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged and value is not None:
            self.connection.place_label()
        return super().itemChange(change, value)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        c = colors(palette_of(self))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.connection.color(), 1.2))
        painter.setBrush(c.label_fill)
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(small_font(QGuiApplication.font()))
        painter.setPen(c.label_text)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self._shown)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.scene().clearSelection()
            self.connection.setSelected(True)
