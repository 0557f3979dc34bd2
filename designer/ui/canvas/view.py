"""The design canvas: a view that turns gestures into edits (the scene is in canvas_scene.py).

Every gesture becomes exactly one ``controller.edit`` (one undo step). Selection flows both
ways between scene and controller under a guard, so neither echoes the other.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QMouseEvent
from PySide6.QtGui import QPainter, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QMenu, QWidget

from ...core import canvas_edits, diagram, edits
from ...core.id_edits import rename_agent_to, typed_name_hint
from ...core.document import Change
from ...core.spec import ViewSpec
from . import group_actions
from .condition_editing import ConditionEditing
from .editors import NameEditWidget
from .connection_items import ConnectionItem, ConnectionLabelItem
from .items import NODE_H, NODE_W, AgentNodeItem, LinkDragItem
from .scene import CanvasScene
from ..document.controller import DocumentController
from ..tools.drop import handle_tool_drag

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
#: Fitting one or two nodes should not blow them up to poster size.
FIT_MAX_ZOOM = 1.5


class CanvasView(QGraphicsView):
    """The canvas widget: zoom, pan, and every gesture as one undoable edit."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._scene = CanvasScene(controller, self)
        self.setScene(self._scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._link: LinkDragItem | None = None
        self._pan_from: QPointF | None = None
        self._press_positions: dict[str, tuple[float, float]] | None = None
        self._editor: NameEditWidget | None = None
        self._editing: str | None = None
        self._conditions = ConditionEditing(controller, self)
        self._menu_target: tuple[QGraphicsItem | None, QPointF] = (None, QPointF())
        self._needs_initial_view = True
        controller.changed.connect(self._on_document_changed)

    # --- public API -----------------------------------------------------------------------------

    def item_for(self, agent_id: str) -> AgentNodeItem | None:
        return self._scene.node(agent_id)

    def connection_items(self) -> list[ConnectionItem]:
        return self._scene.connection_items()

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_in(self) -> None:
        self._set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self._set_zoom(1.0)

    def fit_all(self) -> None:
        rect = self._scene.nodes_rect()
        if rect.isNull():
            self.resetTransform()
            return self.centerOn(0.0, 0.0)
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if not MIN_ZOOM <= self.zoom() <= FIT_MAX_ZOOM:
            self._set_zoom(min(max(self.zoom(), MIN_ZOOM), FIT_MAX_ZOOM))
            self.centerOn(rect.center())
        self._place_editor()

    def view_state(self) -> ViewSpec:
        centre = self._viewport_centre()
        return ViewSpec(zoom=round(self.zoom(), 4), center_x=round(centre.x(), 1), center_y=round(centre.y(), 1))

    def apply_view_state(self, view: ViewSpec | None) -> None:
        """Restore zoom and centre; without a saved view, show every node."""
        self._needs_initial_view = False
        if view is None:
            return self.fit_all()
        zoom = min(max(view.zoom, MIN_ZOOM), MAX_ZOOM)
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(view.center_x, view.center_y)
        self._place_editor()

    def add_agent_at(self, scene_pos: QPointF | None = None) -> str | None:
        at = scene_pos if scene_pos is not None else self._free_spot(self._viewport_centre())
        new_id = self._controller.edit("Add agent", canvas_edits.add_agent_at, (at.x(), at.y())).extra
        if new_id:
            self._controller.select_agents([new_id])
            self.start_rename(new_id)
        return new_id

    def start_rename(self, agent_id: str) -> None:
        node = self._scene.node(agent_id)
        if node is None:
            return
        self._close_editor()
        self.ensureVisible(node)
        hint = lambda text: typed_name_hint(self._controller.spec, agent_id, text)  # noqa: E731 - why a name cannot be used
        self._editor = NameEditWidget(agent_id, self.viewport(), check=hint)
        self._editing = agent_id
        self._editor.committed.connect(self._on_rename_committed)
        self._editor.cancelled.connect(self._on_rename_cancelled)
        self._place_editor()
        self._editor.show()
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def delete_selection(self) -> None:
        agents, chosen = list(self._controller.selected_agents), self._controller.selected_connection
        if agents:
            self._controller.edit("Delete agent" if len(agents) == 1 else "Delete agents", edits.remove_agents, agents)
        elif chosen is not None:
            if self._controller.edit("Delete connection", edits.disconnect, *chosen).applied:
                self._controller.select_agents([])  # else a removed hand-off would stay selected

    def duplicate_selection(self) -> None:
        ids = list(self._controller.selected_agents)
        if ids:
            label = "Duplicate agent" if len(ids) == 1 else "Duplicate agents"
            new_ids = self._controller.edit(label, canvas_edits.duplicate_agents, ids).extra
            self._controller.select_agents(new_ids or ids)

    def select_all(self) -> None:
        self._controller.select_agents(list(self._controller.spec.agents))

    def auto_layout(self) -> None:
        self._controller.edit("Auto layout", edits.move_agents, diagram.auto_layout(self._controller.spec))
        self.fit_all()

    def set_active_agent(self, agent_id: str | None) -> None:
        self._scene.set_active(agent_id)

    def edit_condition(self, item: ConnectionItem) -> None:
        """Open the condition dialog of a graph edge; OK makes one "Edit condition" edit."""
        self._conditions.open(item)

    # --- slots --------------------------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        if change.reset or (self._editing is not None and self._editing not in self._controller.spec.agents):
            self._close_editor()
        self._place_editor()
        if change.reset:
            self._needs_initial_view = True
            if self.isVisible():
                self._apply_initial_view()

    def _on_rename_committed(self, text: str) -> None:
        old, new, editor = self._editing, text.strip(), self._editor
        if old is None or new == old or old not in self._controller.spec.agents:
            return self._close_editor()
        result = self._controller.edit("Rename agent", rename_agent_to, old, new)  # "Research Lead" -> research_lead
        if result.refused and editor is not None and editor.hasFocus():
            # Enter on a name that cannot be used: the box stays, says why and suggests one.
            return editor.refuse(typed_name_hint(self._controller.spec, old, new) or result.refusal or "")
        self._close_editor()
        if result.applied:
            self._controller.select_agents([result.extra or new])

    def _on_rename_cancelled(self) -> None:
        self._close_editor()

    def _on_menu_triggered(self, action: QAction) -> None:
        item, scene_pos = self._menu_target
        key = action.data()
        if key == "rename" and isinstance(item, AgentNodeItem):
            self.start_rename(item.agent_id)
        elif key == "condition" and isinstance(item, ConnectionItem):
            self.edit_condition(item)
        elif key == "add":
            self.add_agent_at(scene_pos)
        elif key in group_actions.KEYS and isinstance(item, AgentNodeItem):  # inner teams: group_actions.py
            group_actions.trigger(self, self._controller, self._scene.groups, key, item.agent_id)
        else:
            {"duplicate": self.duplicate_selection, "delete": self.delete_selection,
             "auto_layout": self.auto_layout, "fit": self.fit_all}[key]()

    # --- helpers ---------------------------------------------------------------------------

    def _viewport_centre(self) -> QPointF:
        inverse, _ = self.viewportTransform().inverted()
        return inverse.map(QPointF(self.viewport().width() / 2, self.viewport().height() / 2))

    def _free_spot(self, at: QPointF) -> QPointF:
        # The view centre may already hold a node: step down until the new one covers none.
        box = QRectF(0, 0, NODE_W + 20, NODE_H + 20)
        for _ in range(50):
            box.moveCenter(at)
            if not any(isinstance(i, AgentNodeItem) for i in self._scene.items(box)):
                break
            at += QPointF(0.0, NODE_H + 30)
        return at

    def _set_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        fixed = self.mapToScene(anchor) if anchor is not None else None
        self.scale(zoom / self.zoom(), zoom / self.zoom())
        if anchor is not None and fixed is not None:
            # Keep the scene point under the cursor in place (by hand: AnchorUnderMouse needs a real cursor).
            self.centerOn(self._viewport_centre() + fixed - self.mapToScene(anchor))
        self._place_editor()

    def _apply_initial_view(self) -> None:
        layout = self._controller.spec.layout
        self.apply_view_state(layout.view if layout is not None else None)

    def _item_at(self, pos: QPoint) -> AgentNodeItem | ConnectionItem | None:
        for hit in self.items(pos):
            item = hit.connection if isinstance(hit, ConnectionLabelItem) else hit
            if isinstance(item, (AgentNodeItem, ConnectionItem)) and item.acceptedMouseButtons():  # inner teams' lines: drawn only
                return item
        return None

    def _place_editor(self) -> None:
        node = self._scene.node(self._editing) if self._editing is not None else None
        if self._editor is not None and node is not None:
            rect = self.mapFromScene(node.name_rect()).boundingRect()
            # Readable even when zoomed far out.
            rect.setSize(rect.size().expandedTo(QSize(120, self._editor.sizeHint().height())))
            self._editor.setGeometry(rect)

    def _close_editor(self) -> None:
        editor, self._editor, self._editing = self._editor, None, None
        if editor is not None:
            had_focus = editor.hasFocus()
            editor.hide()  # its focus-out finds _editing cleared, so it commits nothing
            editor.deleteLater()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- events -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._needs_initial_view:
            self._apply_initial_view()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        self._place_editor()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return event.accept()
        if event.button() == Qt.MouseButton.LeftButton:
            scene_pos = self.mapToScene(event.position().toPoint())
            node = self._scene.node_at(scene_pos)
            if node is not None and node.port_hit(scene_pos):  # from the port: connect, not move
                self._link = LinkDragItem(node, scene_pos)
                self._scene.addItem(self._link)
                return event.accept()
            self._press_positions = self._scene.positions()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta, self._pan_from = event.position() - self._pan_from, event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            return event.accept()
        if self._link is not None:
            self._link.drag_to(self.mapToScene(event.position().toPoint()))
            return event.accept()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            return event.accept()
        if event.button() == Qt.MouseButton.LeftButton and self._link is not None:
            link, self._link = self._link, None
            link.drag_to(self.mapToScene(event.position().toPoint()))
            source, target = link.source.agent_id, link.finish()
            if target is not None:
                self._controller.edit(f"Connect {source} → {target.agent_id}", edits.connect, source, target.agent_id)
            return event.accept()
        super().mouseReleaseEvent(event)
        before, self._press_positions = self._press_positions, None
        if event.button() == Qt.MouseButton.LeftButton and before is not None:
            after = self._scene.positions()
            moved = [a for a, (x, y) in after.items() if a in before and abs(x - before[a][0]) + abs(y - before[a][1]) > 0.5]
            if moved:  # one edit for all moved nodes, writing every position so the layout is stable
                self._controller.edit("Move agent" if len(moved) == 1 else "Move agents", edits.move_agents, after)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseDoubleClickEvent(event)
        item = self._item_at(event.position().toPoint())
        if isinstance(item, AgentNodeItem):
            self.start_rename(item.agent_id)
        elif isinstance(item, ConnectionItem):
            self.edit_condition(item)
        elif not group_actions.toggle_at(self._scene.groups, self.mapToScene(event.position().toPoint())):
            self.add_agent_at(self.mapToScene(event.position().toPoint()))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        keys: dict[tuple[int, bool], Callable[[], object]] = {
            (Qt.Key.Key_Delete, False): self.delete_selection,
            (Qt.Key.Key_Backspace, False): self.delete_selection,
            (Qt.Key.Key_F2, False): lambda: self.start_rename(self._controller.current_agent or ""),
            (Qt.Key.Key_Escape, False): self._on_escape,
            (Qt.Key.Key_Plus, True): self.zoom_in,
            (Qt.Key.Key_Equal, True): self.zoom_in,
            (Qt.Key.Key_Minus, True): self.zoom_out,
            (Qt.Key.Key_0, True): self.zoom_reset,
            (Qt.Key.Key_A, True): self.select_all,
            (Qt.Key.Key_D, True): self.duplicate_selection,
        }
        action = keys.get((event.key(), ctrl))
        if action is None:
            return super().keyPressEvent(event)
        action()
        event.accept()

    def _on_escape(self) -> None:
        if self._link is not None:
            link, self._link = self._link, None
            link.finish()
        else:
            self._controller.select_agents([])

    # A tool dragged from the Tools dock onto an agent's node: added and wired in one edit.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        handle_tool_drag(self, self._controller, event) or super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        handle_tool_drag(self, self._controller, event) or super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        handle_tool_drag(self, self._controller, event) or super().dropEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return super().wheelEvent(event)
        steps = event.angleDelta().y() / 120
        if steps:
            self._set_zoom(self.zoom() * ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if self._link is not None:
            return
        item = self._item_at(event.pos())
        if isinstance(item, AgentNodeItem):
            if item.agent_id not in self._controller.selected_agents:
                self._controller.select_agents([item.agent_id])
            entries = [("Rename", "rename", "F2"), ("Duplicate", "duplicate", "Ctrl+D"), ("Delete", "delete", "Del")]
            entries += group_actions.menu_entries(self._controller, self._scene.groups, item.agent_id)
        elif isinstance(item, ConnectionItem):
            self._controller.select_connection(item.source, item.target, item.index)
            entries = [("Edit condition…", "condition", "")] if item.kind == "graph" else []
            entries.append(("Delete", "delete", "Del"))
        else:
            entries = [("Add agent", "add", ""), ("Auto layout", "auto_layout", ""), ("Fit", "fit", "")]
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for text, key, shortcut in entries:
            action = menu.addAction(text)
            action.setData(key)
            action.setShortcut(shortcut)  # a hint only: the keys are handled in keyPressEvent
        # One bound-method slot for the menu: PySide6 6.11 crashed deleting actions with lambdas connected.
        menu.triggered.connect(self._on_menu_triggered)
        self._menu_target = (item, self.mapToScene(event.pos()))
        menu.popup(event.globalPos())
        event.accept()
