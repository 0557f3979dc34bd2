"""Graphics items of the canvas: agent nodes and the rubber line dragged from a node's port.

Connections (arrows and their labels) are in connection_items.py. Items only draw what the
scene tells them; they never touch the document. Colours come from the palette so light and
dark themes both read well; only the two signal colours (error red, running green) are fixed,
because they must mean the same in every theme.
"""

from __future__ import annotations

from html import escape
from typing import Any, Protocol

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainter
from PySide6.QtGui import QPainterPath, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem
from PySide6.QtWidgets import QGraphicsObject, QGraphicsSceneHoverEvent
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from ...core.spec import TeamSpec
from ..theme import colors

NODE_W, NODE_H = 164.0, 62.0
PORT_R = 6.0
ERROR_COLOR = QColor("#d73a49")
RUNNING_COLOR = QColor("#2ea043")
_KIND_COLORS = {"user_proxy": QColor("#d9822b"), "code_executor": QColor("#8250df"), "team": QColor("#1a7f37")}
_KIND_NAMES = {"assistant": "assistant", "user_proxy": "human (user proxy)", "code_executor": "code executor",
               "team": "inner team"}
Role = QPalette.ColorRole


class Attached(Protocol):
    """What follows a node while it is dragged (a connection), without this module knowing its class."""

    def update_geometry(self) -> None: ...


def palette_of(item: QGraphicsItem) -> QPalette:
    scene = item.scene()
    return scene.palette() if scene is not None else QGuiApplication.palette()


def small_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setBold(False)
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    return font


class AgentNodeItem(QGraphicsObject):
    """One agent: bold id, kind glyph, model id, tool count, error marker and an output port."""

    def __init__(self, agent_id: str) -> None:
        super().__init__()
        self.agent_id = agent_id
        #: The connections drawn to or from this node (connection_items.ConnectionItem adds itself).
        self.connections: list[Attached] = []
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

    def _name_font(self) -> QFont:
        scene = self.scene()
        font = QFont(scene.font() if scene is not None else QGuiApplication.font())
        font.setBold(True)
        return font

    def shown_name(self) -> str:
        """The id as the card draws it: shortened in the middle when too long, so that the end
        that tells copies apart ('…analyst_2') stays visible; the tooltip has it in full."""
        width = NODE_W - (60 if self.errors else 44)
        return QFontMetricsF(self._name_font()).elidedText(self.agent_id, Qt.TextElideMode.ElideMiddle, width)

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
        # Asked at every paint, so a theme change needs only a repaint.
        pal, c, rect = palette_of(self), colors(palette_of(self)), self.node_rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.is_active:
            glow = QColor(RUNNING_COLOR)
            glow.setAlpha(90)
            painter.setPen(QPen(glow, 8))
            painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 10, 10)
            border = QPen(RUNNING_COLOR, 2.5)
        elif self.isSelected() or self._drop_target:
            border = QPen(c.selection, 2.5)
        else:
            border = QPen(c.node_border, 1.2)
        painter.setPen(border)
        painter.setBrush(c.node_fill)
        painter.drawRoundedRect(rect, 8, 8)
        self._paint_glyph(painter, QRectF(rect.left() + 9, rect.top() + 8, 20, 20), pal)
        painter.setFont(self._name_font())
        painter.setPen(c.node_text)
        name_rect = QRectF(rect.left() + 36, rect.top() + 5, rect.width() - (60 if self.errors else 44), 26)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter, self.shown_name())
        small = small_font(painter.font())
        painter.setFont(small)
        painter.setPen(c.node_detail)
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
        painter.setPen(QPen(c.node_border, 1.2))
        painter.setBrush(c.selection if self._port_hover else c.node_fill)
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
        ink = colors(pal).node_fill
        if self.kind == "code_executor":  # "</>"
            painter.setPen(QPen(ink, 1.6))
            for s in (-1, 1):
                x = c.x() + 3 * s
                painter.drawPolyline(QPolygonF([QPointF(x, c.y() - 4), QPointF(x + 4 * s, c.y()), QPointF(x, c.y() + 4)]))
            painter.drawLine(QPointF(c.x() + 1.5, c.y() - 5), QPointF(c.x() - 1.5, c.y() + 5))
        elif self.kind == "team":  # an inner team: three heads
            painter.setBrush(ink)
            for dx, dy in ((-4.5, 2.5), (4.5, 2.5), (0.0, -3.0)):
                painter.drawEllipse(QPointF(c.x() + dx, c.y() + dy), 2.4, 2.4)
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


class LinkDragItem(QGraphicsLineItem):
    """The rubber line while dragging from a node's output port; highlights the node it would connect to."""

    def __init__(self, source: AgentNodeItem, scene_pos: QPointF) -> None:
        super().__init__(QLineF(source.port_scene_pos(), scene_pos))
        self.source = source
        self.target: AgentNodeItem | None = None
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
