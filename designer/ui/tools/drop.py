"""A tool dragged from the Tools dock and dropped on an agent's node: add it and wire it, one undo step.

The palette puts the entry's library key ("builtin:http_get", "function:weather:forecast",
"team:calc") on the drag under its own MIME type; the canvas view hands its drag events here.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QGraphicsView

from ...core.tool_edits import add_and_wire
from ..canvas.items import AgentNodeItem
from ..document.controller import DocumentController

TOOL_MIME = "application/x-team-designer-tool"


def tool_mime(key: str) -> QMimeData:
    data = QMimeData()
    data.setData(TOOL_MIME, QByteArray(key.encode("utf-8")))
    data.setText(key)
    return data


def tool_key(data: QMimeData) -> str | None:
    if not data.hasFormat(TOOL_MIME):
        return None
    return bytes(data.data(TOOL_MIME).data()).decode("utf-8", errors="replace") or None


def agent_at(view: QGraphicsView, event: QDropEvent) -> str | None:
    for item in view.items(event.position().toPoint()):
        node = item if isinstance(item, AgentNodeItem) else item.parentItem()
        if isinstance(node, AgentNodeItem):
            return node.agent_id
    return None


def handle_tool_drag(view: QGraphicsView, controller: DocumentController, event: QDropEvent) -> bool:
    """True when the event carried a palette entry and was handled (the view's own handling is skipped)."""
    key = tool_key(event.mimeData())
    if key is None:
        return False
    event.setDropAction(Qt.DropAction.CopyAction)  # the palette keeps its entry
    if event.type() == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
        event.accept()  # so move events follow; whether it may land is decided per position
        return True
    agent_id = agent_at(view, event)
    if agent_id is None:
        event.ignore()
        return True
    if event.type() == QEvent.Type.Drop:
        name = key.partition(":")[2].rpartition(":")[2]
        result = controller.edit(f"Add tool {name} to {agent_id}", add_and_wire, key, agent_id)
        if result.applied:
            controller.select_agents([agent_id])
    event.accept()
    return True
