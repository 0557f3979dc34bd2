"""The canvas: every gesture, driven through the widget as a user would, is one undoable edit."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QWheelEvent
from PySide6.QtTest import QSignalSpy
from PySide6.QtWidgets import QApplication, QMenu

from designer.core import diagram, edits
from designer.core.patterns.graph import EdgeCondition
from designer.core.spec import ViewSpec
from designer.core.yamlio import parse_team
from designer.ui.canvas.view import CanvasView
from designer.ui.canvas.editors import EdgeConditionDialog, NameEditWidget

LEFT = Qt.MouseButton.LeftButton

SEQUENTIAL = """\
schema: team-designer/v1
name: Writers
agents:
  researcher: {}
  writer: {}
  editor: {}
orchestration: {pattern: sequential, order: [researcher, writer, editor]}
"""

GRAPH = """\
schema: team-designer/v1
name: Review loop
models:
  tooly: {provider: openai_compatible, model: m, base_url: "http://localhost:1/v1"}
agents:
  drafter: {model: tooly}
  reviewer: {kind: user_proxy}
  runner: {kind: code_executor}
orchestration:
  pattern: graph
  entry: drafter
  edges:
    - {from: drafter, to: reviewer}
layout:
  nodes:
    drafter: {x: 0, y: 0}
    reviewer: {x: 320, y: 0}
    runner: {x: 320, y: 220}
"""

SWARM = """\
schema: team-designer/v1
name: Desk
agents:
  triage: {}
  billing: {}
orchestration: {pattern: swarm, entry: triage, participants: [triage, billing]}
layout:
  nodes:
    triage: {x: 0, y: 0}
    billing: {x: 320, y: 0}
"""

ROUND_ROBIN = """\
schema: team-designer/v1
name: Chat
agents:
  a: {}
  b: {}
orchestration: {pattern: round_robin, participants: [a, b]}
layout:
  nodes:
    a: {x: 0, y: 0}
    b: {x: 320, y: 0}
"""


@pytest.fixture
def canvas(qtbot: Any, make_controller: Any) -> Any:
    """make(text) -> (view, controller): a shown 900x600 canvas on the parsed design."""

    def make(text: str) -> tuple[CanvasView, Any]:
        result = parse_team(text)
        assert result.spec is not None, result.problems
        controller = make_controller(result.spec)
        view = CanvasView(controller)
        qtbot.addWidget(view)
        view.setFixedSize(900, 600)
        view.show()
        qtbot.waitExposed(view)
        view.activateWindow()
        return view, controller

    return make


def at(view: CanvasView, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def centre_of(view: CanvasView, agent_id: str) -> QPoint:
    item = view.item_for(agent_id)
    assert item is not None
    return at(view, item.scenePos())


def port_of(view: CanvasView, agent_id: str) -> QPoint:
    item = view.item_for(agent_id)
    assert item is not None
    return at(view, item.port_scene_pos())


def drag(qtbot: Any, view: CanvasView, start: QPoint, end: QPoint, steps: int = 5) -> None:
    vp = view.viewport()
    qtbot.mousePress(vp, LEFT, pos=start)
    for i in range(1, steps + 1):
        qtbot.mouseMove(vp, start + (end - start) * (i / steps))
    qtbot.mouseRelease(vp, LEFT, pos=end)


def click(qtbot: Any, view: CanvasView, pos: QPoint, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mouseClick(view.viewport(), LEFT, modifier, pos)


def open_context_menu(view: CanvasView, pos: QPoint) -> QMenu:
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    return menus[0]


def trigger(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    menu.close()
    action.trigger()


def assert_undo_redo(controller: Any, before: Any, after: Any) -> None:
    assert controller.spec == after
    controller.undo_stack.undo()
    assert controller.spec == before
    controller.undo_stack.redo()
    assert controller.spec == after


def test_nodes_and_connections_mirror_the_design(canvas):
    """Each agent is a node showing kind, model and tool count; arrows are diagram.connections."""
    view, controller = canvas(GRAPH)
    drafter, reviewer, runner = (view.item_for(a) for a in ("drafter", "reviewer", "runner"))
    assert (drafter.kind, drafter.model_id, drafter.tool_count) == ("assistant", "tooly", 0)
    assert reviewer.kind == "user_proxy" and runner.kind == "code_executor"
    assert runner.pos() == QPointF(320, 220)
    assert [c.connection for c in view.connection_items()] == diagram.connections(controller.spec)
    assert view.item_for("nobody") is None


def test_double_click_on_empty_space_adds_an_agent_there_and_starts_rename(qtbot, canvas):
    """Double-click on empty space: one 'Add agent' edit at that spot, selected, with the name editor open."""
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    target = QPointF(200, 260)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, target))
    after = controller.spec
    assert "agent" in after.agents and after.orchestration.order[-1] == "agent"
    placed = after.layout.nodes["agent"]
    assert abs(placed.x - target.x()) < 3 and abs(placed.y - target.y()) < 3
    # Existing nodes were laid out automatically; they are pinned where they were shown.
    assert set(after.layout.nodes) == {"researcher", "writer", "editor", "agent"}
    assert controller.selected_agents == ["agent"]
    editor = view.findChild(NameEditWidget)
    assert editor is not None and editor.isVisible() and editor.text() == "agent"
    assert controller.undo_stack.undoText() == "Add agent"
    assert_undo_redo(controller, before, after)


def test_inline_rename_commits_on_enter_and_follows_references(qtbot, canvas):
    """Double-click a node, type, Enter: one 'Rename agent' edit; references follow the new id."""
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    qtbot.mouseDClick(view.viewport(), LEFT, pos=centre_of(view, "writer"))
    editor = view.findChild(NameEditWidget)
    assert editor is not None and editor.text() == "writer"
    editor.clear()
    qtbot.keyClicks(editor, "author")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    after = controller.spec
    assert list(after.agents) == ["researcher", "author", "editor"]
    assert after.orchestration.order == ["researcher", "author", "editor"]
    assert view.item_for("author") is not None and view.item_for("writer") is None
    assert controller.selected_agents == ["author"]
    qtbot.waitUntil(lambda: view.findChild(NameEditWidget) is None)
    assert controller.undo_stack.undoText() == "Rename agent"
    assert_undo_redo(controller, before, after)


def test_refused_rename_reports_and_keeps_the_old_name(qtbot, canvas):
    """F2 then a taken id: editRefused says why, nothing changes and no undo step is made."""
    view, controller = canvas(SEQUENTIAL)
    before, steps = controller.spec, controller.undo_stack.count()
    view.item_for("writer").setSelected(True)
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F2)
    editor = view.findChild(NameEditWidget)
    editor.clear()
    qtbot.keyClicks(editor, "editor")
    with qtbot.waitSignal(controller.editRefused) as refused:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert "already exists" in refused.args[0]
    assert controller.spec == before and controller.undo_stack.count() == steps
    assert view.item_for("writer") is not None


def test_escape_cancels_rename(qtbot, canvas):
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    view.start_rename("editor")
    editor = view.findChild(NameEditWidget)
    qtbot.keyClicks(editor, "chief")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert controller.spec == before and controller.undo_stack.count() == 0
    qtbot.waitUntil(lambda: view.findChild(NameEditWidget) is None)


def test_dragging_a_node_is_one_move_that_writes_the_layout_block(qtbot, canvas):
    """Arrows follow live; release makes one edit writing every node's position, so nothing else shifts."""
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    assert before.layout is None
    shown = {a: (view.item_for(a).x(), view.item_for(a).y()) for a in before.agents}
    arrow = next(c for c in view.connection_items() if c.source == "researcher")
    start_mid = arrow.midpoint()
    start = centre_of(view, "researcher")
    vp = view.viewport()
    qtbot.mousePress(vp, LEFT, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(vp, start + QPoint(0, 30 * i))
    assert arrow.midpoint() != start_mid, "connections follow while dragging"
    assert controller.spec == before, "nothing is committed before release"
    qtbot.mouseRelease(vp, LEFT, pos=start + QPoint(0, 150))
    after = controller.spec
    assert controller.undo_stack.count() == 1 and controller.undo_stack.undoText() == "Move agent"
    nodes = after.layout.nodes
    assert set(nodes) == {"researcher", "writer", "editor"}
    assert nodes["researcher"].y > shown["researcher"][1] + 50
    assert (nodes["writer"].x, nodes["writer"].y) == pytest.approx(shown["writer"], abs=0.1)
    assert_undo_redo(controller, before, after)
    controller.undo_stack.undo()
    assert view.item_for("researcher").y() == pytest.approx(shown["researcher"][1])


def test_dragging_a_multiple_selection_moves_all_in_one_step(qtbot, canvas):
    view, controller = canvas(GRAPH)
    before = controller.spec
    click(qtbot, view, centre_of(view, "reviewer"))
    click(qtbot, view, centre_of(view, "runner"), Qt.KeyboardModifier.ControlModifier)
    drag(qtbot, view, centre_of(view, "runner"), centre_of(view, "runner") + QPoint(0, 60))
    nodes = controller.spec.layout.nodes
    assert nodes["reviewer"].x == 320 and nodes["reviewer"].y > 20 and nodes["runner"].y > 240
    assert (nodes["drafter"].x, nodes["drafter"].y) == (0, 0)
    assert controller.undo_stack.count() == 1 and controller.undo_stack.undoText() == "Move agents"
    assert_undo_redo(controller, before, controller.spec)


def test_delete_key_removes_selected_agents_and_their_references(qtbot, canvas):
    """Delete removes the selected agents and every reference to them (here: the sequential order)."""
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    click(qtbot, view, centre_of(view, "writer"))
    assert controller.selected_agents == ["writer"]
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Delete)
    after = controller.spec
    assert "writer" not in after.agents and after.orchestration.order == ["researcher", "editor"]
    assert view.item_for("writer") is None
    assert [(c.source, c.target) for c in view.connection_items()] == [("researcher", "editor")]
    assert controller.undo_stack.undoText() == "Delete agent"
    assert_undo_redo(controller, before, after)
    controller.undo_stack.undo()
    assert view.item_for("writer") is not None


def test_duplicate_from_the_node_context_menu(qtbot, canvas):
    view, controller = canvas(GRAPH)
    before = controller.spec
    trigger(open_context_menu(view, centre_of(view, "runner")), "Duplicate")
    after = controller.spec
    assert after.agents["runner_2"] == before.agents["runner"]
    copy = after.layout.nodes["runner_2"]
    assert (copy.x, copy.y) == (520.0, 220.0)  # beside the original (320, 220), not on top of it
    assert controller.selected_agents == ["runner_2"]
    assert_undo_redo(controller, before, after)


def test_dragging_from_the_port_adds_a_graph_edge(qtbot, canvas):
    """Port drag onto another node is edits.connect: in a graph, a new edge."""
    view, controller = canvas(GRAPH)
    before = controller.spec
    drag(qtbot, view, port_of(view, "reviewer"), centre_of(view, "runner"))
    after = controller.spec
    edges = [(e.source, e.target) for e in after.orchestration.edges]
    assert edges == [("drafter", "reviewer"), ("reviewer", "runner")]
    assert controller.undo_stack.undoText() == "Connect reviewer → runner"
    assert len(view.connection_items()) == 2
    assert_undo_redo(controller, before, after)


def test_dragging_from_the_port_adds_a_swarm_handoff(qtbot, canvas):
    """In a swarm the same gesture adds a hand-off to the source agent."""
    view, controller = canvas(SWARM)
    before = controller.spec
    drag(qtbot, view, port_of(view, "billing"), centre_of(view, "triage"))
    after = controller.spec
    assert after.agents["billing"].handoffs == ["triage"]
    assert [(c.source, c.target, c.kind) for c in view.connection_items()] == [("billing", "triage", "handoff")]
    assert_undo_redo(controller, before, after)


def test_a_connection_the_pattern_cannot_express_is_refused_with_a_message(qtbot, canvas):
    view, controller = canvas(ROUND_ROBIN)
    before = controller.spec
    with qtbot.waitSignal(controller.editRefused) as refused:
        drag(qtbot, view, port_of(view, "a"), centre_of(view, "b"))
    assert "in a round robin chat everyone takes part" in refused.args[0]  # the pattern named as users see it
    assert controller.spec == before and controller.undo_stack.count() == 0


def open_condition_dialog(qtbot: Any, view: CanvasView) -> EdgeConditionDialog:
    qtbot.waitUntil(lambda: view.findChild(EdgeConditionDialog) is not None)
    dialog = view.findChild(EdgeConditionDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_double_clicking_a_graph_edge_edits_its_condition(qtbot, canvas):
    view, controller = canvas(GRAPH)
    before = controller.spec
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, view.connection_items()[0].midpoint()))
    dialog = open_condition_dialog(qtbot, view)
    assert dialog.condition() is None
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("contains"))
    assert not dialog.ok_button.isEnabled(), "a condition needs its text"
    qtbot.keyClicks(dialog.text_edit, "APPROVED")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    after = controller.spec
    assert after.orchestration.edges[0].when == EdgeCondition(contains="APPROVED")
    assert view.connection_items()[0].label == "contains 'APPROVED'"
    assert controller.undo_stack.undoText() == "Edit condition"
    assert_undo_redo(controller, before, after)
    qtbot.waitUntil(lambda: view.findChild(EdgeConditionDialog) is None)
    # The label is drawn above the nodes; double-clicking it reopens the condition, filled in.
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, view.connection_items()[0].midpoint()))
    dialog = open_condition_dialog(qtbot, view)
    assert dialog.condition() == EdgeCondition(contains="APPROVED")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("always"))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert controller.spec.orchestration.edges[0].when is None
    assert view.connection_items()[0].label == ""
    controller.undo_stack.undo()
    assert controller.spec == after


def test_condition_from_the_connection_context_menu_and_cancel_changes_nothing(qtbot, canvas):
    view, controller = canvas(GRAPH)
    trigger(open_context_menu(view, at(view, view.connection_items()[0].midpoint())), "Edit condition…")
    assert controller.selected_connection == ("drafter", "reviewer", 0)
    dialog = open_condition_dialog(qtbot, view)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("not_contains"))
    qtbot.keyClicks(dialog.text_edit, "REVISE")
    dialog.reject()
    assert controller.undo_stack.count() == 0
    qtbot.waitUntil(lambda: view.findChild(EdgeConditionDialog) is None)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, view.connection_items()[0].midpoint()))
    assert open_condition_dialog(qtbot, view).condition() is None, "a cancelled dialog leaves no trace"


def test_condition_dialog_never_edits_an_edge_that_changed_meanwhile(qtbot, canvas):
    view, controller = canvas(GRAPH)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, view.connection_items()[0].midpoint()))
    dialog = open_condition_dialog(qtbot, view)
    controller.edit("Delete connection", edits.disconnect, "drafter", "reviewer")
    changed = controller.spec
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("contains"))
    qtbot.keyClicks(dialog.text_edit, "X")
    with qtbot.waitSignal(controller.editRefused):
        qtbot.mouseClick(dialog.ok_button, LEFT)
    assert controller.spec == changed


def test_delete_key_removes_the_selected_connection(qtbot, canvas):
    view, controller = canvas(GRAPH)
    before = controller.spec
    edge = view.connection_items()[0]
    click(qtbot, view, at(view, edge.midpoint()))
    assert controller.selected_connection == ("drafter", "reviewer", 0)
    assert edge.isSelected()
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Delete)
    after = controller.spec
    assert after.orchestration.edges == [] and view.connection_items() == []
    assert controller.undo_stack.undoText() == "Delete connection"
    assert_undo_redo(controller, before, after)


def test_clicking_a_label_selects_its_connection(qtbot, canvas):
    view, controller = canvas(SEQUENTIAL)
    first = view.connection_items()[0]
    assert first.label == "1" and first.label_item.zValue() > view.item_for("writer").zValue()
    click(qtbot, view, at(view, first.midpoint()))
    assert controller.selected_connection == ("researcher", "writer", None)
    assert first.isSelected()


def test_escape_cancels_a_connection_drag(qtbot, canvas):
    view, controller = canvas(GRAPH)
    vp = view.viewport()
    start, end = port_of(view, "reviewer"), centre_of(view, "runner")
    qtbot.mousePress(vp, LEFT, pos=start)
    qtbot.mouseMove(vp, end)
    qtbot.keyClick(vp, Qt.Key.Key_Escape)
    qtbot.mouseRelease(vp, LEFT, pos=end)
    assert controller.undo_stack.count() == 0
    assert view.item_for("reviewer").pos() == QPointF(320, 0), "a drag from the port never moves the node"


def test_connection_context_menu_deletes_a_handoff(qtbot, canvas):
    view, controller = canvas(SWARM.replace("billing: {}", "billing: {handoffs: [triage]}"))
    before = controller.spec
    trigger(open_context_menu(view, at(view, view.connection_items()[0].midpoint())), "Delete")
    assert controller.spec.agents["billing"].handoffs == []
    assert_undo_redo(controller, before, controller.spec)


def test_selection_syncs_both_ways(qtbot, canvas):
    """Clicks and rubber bands set the controller's selection; the controller's selection shows on the canvas."""
    view, controller = canvas(GRAPH)
    click(qtbot, view, centre_of(view, "drafter"))
    assert controller.selected_agents == ["drafter"]
    click(qtbot, view, centre_of(view, "runner"), Qt.KeyboardModifier.ControlModifier)
    assert controller.selected_agents == ["drafter", "runner"]
    spy = QSignalSpy(controller.selectionChanged)
    controller.select_agents(["reviewer"])
    assert spy.count() == 1, "the canvas follows without echoing the selection back"
    assert [a for a in ("drafter", "reviewer", "runner") if view.item_for(a).isSelected()] == ["reviewer"]
    controller.select_connection("drafter", "reviewer", 0)
    assert view.connection_items()[0].isSelected() and not view.item_for("reviewer").isSelected()
    # A rubber band from empty space around all nodes selects the agents (not the arrow).
    drag(qtbot, view, at(view, QPointF(-150, -80)), at(view, QPointF(460, 300)))
    assert controller.selected_agents == ["drafter", "reviewer", "runner"]
    assert not view.connection_items()[0].isSelected()
    click(qtbot, view, at(view, QPointF(150, 200)))
    assert controller.selected_agents == [] and controller.selected_connection is None
    assert controller.undo_stack.count() == 0, "selection is not an edit"


def test_active_agent_is_highlighted(canvas):
    view, _ = canvas(GRAPH)
    view.set_active_agent("reviewer")
    assert view.item_for("reviewer").is_active and not view.item_for("drafter").is_active
    view.set_active_agent("drafter")
    assert view.item_for("drafter").is_active and not view.item_for("reviewer").is_active
    view.set_active_agent(None)
    assert not any(view.item_for(a).is_active for a in ("drafter", "reviewer", "runner"))


def test_agents_with_errors_carry_a_marker(qtbot, canvas):
    view, controller = canvas(GRAPH)
    assert not view.item_for("drafter").has_error
    controller.edit("Tools", edits.set_agent_field, "drafter", "tools", ["missing"])
    qtbot.waitUntil(lambda: view.item_for("drafter").has_error)
    assert view.item_for("drafter").tool_count == 1
    assert not view.item_for("runner").has_error
    controller.undo_stack.undo()
    qtbot.waitUntil(lambda: not view.item_for("drafter").has_error)


def test_auto_layout_of_a_file_without_a_layout_block(qtbot, canvas):
    """Without a layout block nodes sit where auto_layout puts them; 'Auto layout' writes those positions."""
    view, controller = canvas(SEQUENTIAL)
    before = controller.spec
    expected = diagram.auto_layout(before)
    assert {a: (n.x(), n.y()) for a in before.agents if (n := view.item_for(a))} == expected
    trigger(open_context_menu(view, at(view, QPointF(0, 300))), "Auto layout")
    after = controller.spec
    assert {a: (p.x, p.y) for a, p in after.layout.nodes.items()} == expected
    assert controller.undo_stack.undoText() == "Auto layout"
    assert_undo_redo(controller, before, after)


def test_zoom_keys_wheel_and_fit_change_the_transform(qtbot, canvas):
    view, _ = canvas(GRAPH)
    view.zoom_reset()
    assert view.transform().m11() == 1.0
    view.zoom_in()
    assert view.transform().m11() == pytest.approx(1.25)
    view.zoom_out()
    view.zoom_out()
    assert view.transform().m11() == pytest.approx(0.8)
    qtbot.keyClick(view.viewport(), Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == 1.0
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(1.25)
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(1.0)
    pos = centre_of(view, "runner")
    wheel = QWheelEvent(QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.transform().m11() == pytest.approx(1.25)
    assert (centre_of(view, "runner") - pos).manhattanLength() <= 2, "zoom keeps the point under the cursor"
    for _ in range(30):
        view.zoom_in()
    assert view.transform().m11() == pytest.approx(4.0), "zoom is bounded"
    view.fit_all()
    assert view.transform().m11() < 4.0
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for agent_id in ("drafter", "reviewer", "runner"):
        assert visible.contains(view.item_for(agent_id).sceneBoundingRect())


def test_middle_button_pans(qtbot, canvas):
    view, controller = canvas(GRAPH)
    view.zoom_reset()
    before = view.view_state()
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.MiddleButton, pos=QPoint(450, 300))
    qtbot.mouseMove(vp, QPoint(400, 260))
    qtbot.mouseRelease(vp, Qt.MouseButton.MiddleButton, pos=QPoint(400, 260))
    after = view.view_state()
    assert (after.center_x - before.center_x, after.center_y - before.center_y) == pytest.approx((50, 40), abs=1)
    assert controller.undo_stack.count() == 0


def test_view_state_round_trip(canvas):
    view, _ = canvas(GRAPH)
    view.apply_view_state(ViewSpec(zoom=1.5, center_x=120.0, center_y=-40.0))
    state = view.view_state()
    assert state.zoom == pytest.approx(1.5)
    assert (state.center_x, state.center_y) == pytest.approx((120.0, -40.0), abs=1.0)
    view.apply_view_state(None)  # no saved view: show everything
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(view.item_for(a).sceneBoundingRect()) for a in ("drafter", "reviewer", "runner"))


def test_empty_space_context_menu_adds_an_agent(qtbot, canvas):
    view, controller = canvas(ROUND_ROBIN)
    before = controller.spec
    trigger(open_context_menu(view, at(view, QPointF(160, 220))), "Add agent")
    after = controller.spec
    assert after.orchestration.participants == ["a", "b", "agent"]
    assert after.layout.nodes["agent"].y == pytest.approx(220, abs=2)
    assert_undo_redo(controller, before, after)


def test_add_agent_at_the_view_centre_does_not_cover_a_node(canvas):
    view, controller = canvas(SWARM)
    view.apply_view_state(ViewSpec(zoom=1.0, center_x=0.0, center_y=0.0))  # triage is right in the middle
    new_id = view.add_agent_at()
    assert new_id == "agent" and controller.spec.orchestration.participants == ["triage", "billing", "agent"]
    assert not view.item_for("agent").collidesWithItem(view.item_for("triage"))


def test_opening_another_design_rebuilds_the_scene(canvas):
    view, controller = canvas(GRAPH)
    view.set_active_agent("drafter")
    controller.set_design(parse_team(SWARM).spec, None)
    assert view.item_for("drafter") is None and view.item_for("triage") is not None
    assert not view.item_for("triage").is_active
    assert view.connection_items() == []
    assert (view.item_for("billing").x(), view.item_for("billing").y()) == (320.0, 0.0)
