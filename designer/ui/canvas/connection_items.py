"""Connections on the canvas: an arrow per diagram.Connection, styled by kind, and its label.

Labels are separate items drawn above the nodes (a child item could not be), so that a long
condition stays readable; clicking one selects its connection.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QGuiApplication, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from ...core.diagram import Connection
from .items import NODE_H, NODE_W, AgentNodeItem, Role, palette_of, small_font

#: Pen style and width per diagram.Connection.kind.
_STYLES = {
    "sequence": (Qt.PenStyle.SolidLine, 1.8),
    "delegation": (Qt.PenStyle.SolidLine, 2.4),
    "turn": (Qt.PenStyle.SolidLine, 1.6),
    "graph": (Qt.PenStyle.SolidLine, 1.8),
    "handoff": (Qt.PenStyle.DashLine, 1.8),
}
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
        label = connection.label if connection.kind in _LABELLED else ""
        #: Drawn above the nodes (a child could not be), so that a long condition stays readable.
        self.label_item = ConnectionLabelItem(self, label) if label else None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        text = f"{connection.source} → {connection.target} ({connection.kind})"
        self.setToolTip(f"{text}: {connection.label}" if connection.label else text)
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
        pal = palette_of(self)
        if self.isSelected():
            return pal.color(Role.Highlight)
        if self.kind in ("handoff", "turn"):
            return pal.color(Role.Link)
        color = pal.color(Role.Text)
        color.setAlpha(190)
        return color

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
        if self.label_item is not None:
            self.label_item.setPos(self._mid)

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
        size = QFontMetricsF(small_font(QGuiApplication.font())).size(0, text)
        self._rect = QRectF(-size.width() / 2 - 6, -size.height() / 2 - 2, size.width() + 12, size.height() + 4)
        self.setZValue(2.0)
        self.setToolTip(connection.toolTip())

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = palette_of(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.connection.color(), 1.2))
        painter.setBrush(pal.color(Role.Base))
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(small_font(QGuiApplication.font()))
        painter.setPen(pal.color(Role.Text))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.scene().clearSelection()
            self.connection.setSelected(True)
