"""Graphics items of the canvas (agent nodes, connections, their labels) and its two small editors.

Items only draw what the scene tells them; they never touch the document. Colours come
from the palette so light and dark themes both read well; only the two signal colours
(error red, running green) are fixed, because they must mean the same in every theme.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainter
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem
from PySide6.QtWidgets import QGraphicsObject, QGraphicsSceneHoverEvent, QGraphicsSceneMouseEvent
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from ...core.diagram import Connection
from ...core.spec import TeamSpec

NODE_W, NODE_H = 164.0, 62.0
PORT_R = 6.0
ERROR_COLOR = QColor("#d73a49")
RUNNING_COLOR = QColor("#2ea043")
_KIND_COLORS = {"user_proxy": QColor("#d9822b"), "code_executor": QColor("#8250df")}
_KIND_NAMES = {"assistant": "assistant", "user_proxy": "human (user proxy)", "code_executor": "code executor"}
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
Role = QPalette.ColorRole


def _palette(item: QGraphicsItem) -> QPalette:
    scene = item.scene()
    return scene.palette() if scene is not None else QGuiApplication.palette()


def _small_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setBold(False)
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    return font


def _clip_to_node(centre: QPointF, toward: QPointF, gap: float = 3.0) -> QPointF:
    """Where the ray from a node's centre toward ``toward`` leaves the node's rectangle."""
    dx, dy = toward.x() - centre.x(), toward.y() - centre.y()
    if dx == 0 and dy == 0:
        return QPointF(centre)
    hw, hh = NODE_W / 2 + gap, NODE_H / 2 + gap
    t = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return QPointF(centre.x() + dx * t, centre.y() + dy * t)


class AgentNodeItem(QGraphicsObject):
    """One agent: bold id, kind glyph, model id, tool count, error marker and an output port."""

    def __init__(self, agent_id: str) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.connections: list[ConnectionItem] = []
        #: kind, model id, tool count, description
        self.details: tuple[str, str, int, str] = ("assistant", "", 0, "")
        self.errors: list[str] = []
        self.is_active = False
        self._drop_target = self._port_hover = False
        flags = QGraphicsItem.GraphicsItemFlag
        self.setFlags(flags.ItemIsMovable | flags.ItemIsSelectable | flags.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)

    @property
    def kind(self) -> str:
        return self.details[0]

    @property
    def model_id(self) -> str:
        return self.details[1]

    @property
    def tool_count(self) -> int:
        return self.details[2]

    @property
    def has_error(self) -> bool:
        return bool(self.errors)

    def set_agent(self, spec: TeamSpec) -> None:
        agent = spec.agents[self.agent_id]
        details = (agent.kind, spec.model_id_for(self.agent_id), len(agent.tools), agent.description)
        if details != self.details:
            self.details = details
            self._update_tooltip()

    def set_errors(self, messages: list[str]) -> None:
        if messages != self.errors:
            self.errors = list(messages)
            self._update_tooltip()

    def set_active(self, active: bool) -> None:
        if active != self.is_active:
            self.is_active = active
            self.update()

    def set_drop_target(self, on: bool) -> None:
        if on != self._drop_target:
            self._drop_target = on
            self.update()

    # --- geometry ----------------------------------------------------------------------------

    def node_rect(self) -> QRectF:
        return QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)

    def port_scene_pos(self) -> QPointF:
        return self.mapToScene(QPointF(NODE_W / 2, 0.0))

    def port_hit(self, scene_pos: QPointF) -> bool:
        # Some slack around the port: it is small, and a near miss would start a move instead.
        return QLineF(self.mapFromScene(scene_pos), QPointF(NODE_W / 2, 0.0)).length() <= PORT_R + 3

    def name_rect(self) -> QRectF:
        """The id's area in scene coordinates, where the inline rename editor goes."""
        return self.mapRectToScene(QRectF(-NODE_W / 2 + 34, -NODE_H / 2 + 5, NODE_W - 40, 26))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self.node_rect().adjusted(-8, -8, 8 + PORT_R, 8)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the port overlaps the edge; odd-even would cut a hole
        path.addRoundedRect(self.node_rect(), 8, 8)
        path.addEllipse(QPointF(NODE_W / 2, 0.0), PORT_R + 3, PORT_R + 3)
        return path

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        # Connections follow live while dragging, before the move becomes an edit on release.
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for connection in self.connections:
                connection.update_geometry()
        return super().itemChange(change, value)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        over = self.port_hit(event.scenePos())
        if over != self._port_hover:
            self._port_hover = over
            if over:
                self.setCursor(Qt.CursorShape.CrossCursor)
            else:
                self.unsetCursor()
            self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self._port_hover = False
        self.unsetCursor()
        self.update()

    # --- drawing ---------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal, rect = _palette(self), self.node_rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.is_active:
            glow = QColor(RUNNING_COLOR)
            glow.setAlpha(90)
            painter.setPen(QPen(glow, 8))
            painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 10, 10)
            border = QPen(RUNNING_COLOR, 2.5)
        elif self.isSelected() or self._drop_target:
            border = QPen(pal.color(Role.Highlight), 2.5)
        else:
            border = QPen(pal.color(Role.Mid), 1.2)
        painter.setPen(border)
        painter.setBrush(pal.color(Role.Base))
        painter.drawRoundedRect(rect, 8, 8)
        self._paint_glyph(painter, QRectF(rect.left() + 9, rect.top() + 8, 20, 20), pal)
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(pal.color(Role.Text))
        name_rect = QRectF(rect.left() + 36, rect.top() + 5, rect.width() - (60 if self.errors else 44), 26)
        name = QFontMetricsF(bold).elidedText(self.agent_id, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter, name)
        small = _small_font(painter.font())
        painter.setFont(small)
        painter.setPen(pal.color(Role.PlaceholderText))
        line = QRectF(rect.left() + 11, rect.top() + 34, rect.width() - 22, 20)
        tools = {0: "no tools", 1: "1 tool"}.get(self.tool_count, f"{self.tool_count} tools")
        if self.kind == "user_proxy":  # a person answers: no model, no tools
            tools, who = "", "you answer"
        else:
            who = self.model_id
        metrics = QFontMetricsF(small)
        room = line.width() - metrics.horizontalAdvance(tools) - 8
        model = metrics.elidedText(who, Qt.TextElideMode.ElideMiddle, room)
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, model)
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, tools)
        if self.errors:
            centre = QPointF(rect.right() - 12, rect.top() + 12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ERROR_COLOR)
            painter.drawEllipse(centre, 7, 7)
            painter.setPen(QPen(QColor("white"), 2))
            painter.drawLine(QPointF(centre.x(), centre.y() - 3.5), QPointF(centre.x(), centre.y() + 1))
            painter.drawPoint(QPointF(centre.x(), centre.y() + 3.5))
        painter.setPen(QPen(pal.color(Role.Mid), 1.2))
        painter.setBrush(pal.color(Role.Highlight if self._port_hover else Role.Base))
        painter.drawEllipse(QPointF(rect.right(), 0.0), PORT_R, PORT_R)

    def _paint_glyph(self, painter: QPainter, r: QRectF, pal: QPalette) -> None:
        c = r.center()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_KIND_COLORS.get(self.kind, pal.color(Role.Highlight)))
        if self.kind == "user_proxy":  # a person: head and shoulders
            painter.drawEllipse(QRectF(c.x() - 4.5, r.top(), 9, 9))
            painter.drawChord(QRectF(r.left() + 1, r.top() + 11, r.width() - 2, 18), 0, 180 * 16)
            return
        painter.drawRoundedRect(r, 5, 5)
        ink = pal.color(Role.Base)
        if self.kind == "code_executor":  # "</>"
            painter.setPen(QPen(ink, 1.6))
            for s in (-1, 1):
                x = c.x() + 3 * s
                painter.drawPolyline(QPolygonF([QPointF(x, c.y() - 4), QPointF(x + 4 * s, c.y()), QPointF(x, c.y() + 4)]))
            painter.drawLine(QPointF(c.x() + 1.5, c.y() - 5), QPointF(c.x() - 1.5, c.y() + 5))
        else:  # an assistant: a small robot face
            painter.setBrush(ink)
            painter.drawEllipse(QPointF(c.x() - 4, c.y() - 1), 2.2, 2.2)
            painter.drawEllipse(QPointF(c.x() + 4, c.y() - 1), 2.2, 2.2)
            painter.drawRect(QRectF(c.x() - 4, c.y() + 4, 8, 1.6))

    def _update_tooltip(self) -> None:
        kind, model, tools, description = self.details
        lines = [f"<b>{self.agent_id}</b> — {_KIND_NAMES.get(kind, kind)}", f"model: {escape(model)}", f"tools: {tools}"]
        lines += [escape(description)] if description else []
        lines += [f"<span style='color:{ERROR_COLOR.name()}'>⚠ {escape(m)}</span>" for m in self.errors]
        self.setToolTip("<br>".join(lines))
        self.update()


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
        pal = _palette(self)
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
        size = QFontMetricsF(_small_font(QGuiApplication.font())).size(0, text)
        self._rect = QRectF(-size.width() / 2 - 6, -size.height() / 2 - 2, size.width() + 12, size.height() + 4)
        self.setZValue(2.0)
        self.setToolTip(connection.toolTip())

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = _palette(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.connection.color(), 1.2))
        painter.setBrush(pal.color(Role.Base))
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(_small_font(QGuiApplication.font()))
        painter.setPen(pal.color(Role.Text))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.scene().clearSelection()
            self.connection.setSelected(True)


class LinkDragItem(QGraphicsLineItem):
    """The rubber line while dragging from a node's output port; highlights the node it would connect to."""

    def __init__(self, source: AgentNodeItem, scene_pos: QPointF) -> None:
        super().__init__(QLineF(source.port_scene_pos(), scene_pos))
        self.source, self.target = source, None
        self.setPen(QPen(QGuiApplication.palette().color(Role.Highlight), 2, Qt.PenStyle.DashLine))
        self.setZValue(3.0)

    def drag_to(self, scene_pos: QPointF) -> None:
        self.setLine(QLineF(self.line().p1(), scene_pos))
        items = self.scene().items(scene_pos) if self.scene() is not None else []
        node = next((i for i in items if isinstance(i, AgentNodeItem) and i is not self.source), None)
        if node is not self.target:
            if self.target is not None:
                self.target.set_drop_target(False)
            if node is not None:
                node.set_drop_target(True)
            self.target = node

    def finish(self) -> AgentNodeItem | None:
        """Remove the line; returns the node it was dropped on, if any."""
        target, self.target = self.target, None
        if target is not None:
            target.set_drop_target(False)
        if self.scene() is not None:
            self.scene().removeItem(self)
        return target
