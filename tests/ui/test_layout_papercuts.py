"""Layout papercuts: toolbar buttons that stay put, duplicates told apart, and edge labels
that cover neither a node nor the arrow they belong to."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPolygonF
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

LONG = "senior_research_analyst_for_markets"

TEAM = f"""\
schema: team-designer/v1
name: Papercuts
agents:
  {LONG}: {{}}
  writer: {{}}
orchestration: {{pattern: sequential, order: [{LONG}, writer]}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def toolbar_positions(w) -> dict[str, int]:
    bar = w.findChild(QToolBar, "main_toolbar")
    QApplication.processEvents()
    out = {}
    for name in ("run", "stop", "add_agent"):
        button = bar.widgetForAction(w.window_actions[name])
        assert isinstance(button, QToolButton)
        out[name] = button.mapTo(bar, button.rect().topLeft()).x()
    return out


def test_toolbar_buttons_do_not_move_when_the_undo_text_changes(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, TEAM))
    before = toolbar_positions(w)
    undo_button = w.findChild(QToolBar, "main_toolbar").widgetForAction(w.undo_action)
    w.window_actions["add_agent"].trigger()  # the undo text becomes "Undo Add agent"
    qtbot.waitUntil(lambda: w.undo_action.isEnabled())
    assert "Add agent" in w.undo_action.text()
    assert toolbar_positions(w) == before
    assert "Add agent" in undo_button.toolTip()  # the description is in the tooltip
    assert not w.undo_action.icon().isNull() and not w.redo_action.icon().isNull()
    w.canvas.item_for(LONG).setSelected(True)
    w.window_actions["duplicate"].trigger()  # a longer undo text
    qtbot.waitUntil(lambda: "Duplicate" in w.undo_action.text())
    assert toolbar_positions(w) == before
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: "Duplicate" in w.redo_action.text())
    assert toolbar_positions(w) == before


def test_a_duplicate_gets_a_distinct_name_beside_the_original_and_elided_names_stay_apart(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, TEAM))
    original = w.canvas.item_for(LONG)
    w.controller.select_agents([LONG])
    qtbot.keyClick(w.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(w.controller.spec.agents) == 3)
    copy_id = next(a for a in w.controller.spec.agents if a not in (LONG, "writer"))
    assert copy_id != LONG and copy_id.startswith(LONG)
    copy = w.canvas.item_for(copy_id)
    # Beside, not on top: the copy's card does not cover the original's.
    assert not copy.sceneBoundingRect().intersects(original.sceneBoundingRect())
    assert not any(copy.sceneBoundingRect().intersects(w.canvas.item_for(a).sceneBoundingRect())
                   for a in w.controller.spec.agents if a != copy_id)
    # Too long for the card: elided, but each card still shows a different name, and the full one on hover.
    assert original.shown_name() != LONG and copy.shown_name() != copy_id
    assert original.shown_name() != copy.shown_name()
    assert f"<b>{copy_id}</b>" in copy.toolTip() and f"<b>{LONG}</b>" in original.toolTip()


def test_a_second_duplicate_of_the_same_agent_does_not_land_on_the_first(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, TEAM))
    for count in (3, 4):
        w.controller.select_agents(["writer"])
        w.window_actions["duplicate"].trigger()
        qtbot.waitUntil(lambda count=count: len(w.controller.spec.agents) == count)
    rects = [w.canvas.item_for(a).sceneBoundingRect() for a in w.controller.spec.agents]
    assert len(set(w.controller.spec.agents)) == 4
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


GRAPH = """\
schema: team-designer/v1
name: Labels
agents:
  a: {}
  b: {}
  c: {}
orchestration:
  pattern: graph
  entry: a
  edges:
    - {from: a, to: b, when: {contains: "APPROVED BY THE WHOLE REVIEW BOARD AFTER A LONG DISCUSSION"}}
    - {from: b, to: c, when: {contains: "ok"}}
    - {from: c, to: a, when: {not_contains: "ok"}}
layout:
  nodes:
    a: {x: 0, y: 0}
    b: {x: 200, y: 0}
    c: {x: 0, y: 110}
"""


def test_edge_labels_cover_no_node_and_no_arrow_head(make_main_window, qtbot, tmp_path):
    w = make_main_window(write(tmp_path, GRAPH))
    scene = w.canvas.scene()
    connections = [c for c in scene.connection_items() if c.label_item is not None]
    assert len(connections) == 3
    nodes = [w.canvas.item_for(a).mapRectToScene(w.canvas.item_for(a).node_rect()) for a in ("a", "b", "c")]
    for connection in connections:
        label = connection.label_item.sceneBoundingRect()
        assert not any(label.intersects(node) for node in nodes), (connection.source, connection.target, label)
        arrows = [QPolygonF(c.arrow_head()) for c in connections]
        assert not any(QPolygonF(QRectF(label)).intersects(arrow) for arrow in arrows), (connection.source, connection.target)
    long_label = next(c for c in connections if c.target == "b").label_item
    assert long_label.shown_text() != long_label.text and long_label.shown_text().endswith("…")  # elided ...
    assert "APPROVED BY THE WHOLE REVIEW BOARD AFTER A LONG DISCUSSION" in long_label.toolTip()  # ... in full on hover
    # And still true after a node is dragged closer (the label moves out of the way).
    w.canvas.item_for("c").setPos(100, 90)
    nodes = [w.canvas.item_for(a).mapRectToScene(w.canvas.item_for(a).node_rect()) for a in ("a", "b", "c")]
    for connection in connections:
        label = connection.label_item.sceneBoundingRect()
        assert not any(label.intersects(node) for node in nodes), (connection.source, connection.target, label)
