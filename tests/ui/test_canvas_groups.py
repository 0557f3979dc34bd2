"""Inner teams on the canvas: a group frame holding its members that collapses and opens, the
window's gestures that group and ungroup agents, and the inner team's own editor."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from designer.core.team_group_edits import ungroup_team
from designer.core.yamlio import parse_team
from designer.ui.canvas.view import CanvasView
from designer.ui.panels.inner_team_editor import InnerTeamEditor

LEFT = Qt.MouseButton.LeftButton

NESTED = """\
schema: team-designer/v1
name: Nested
agents:
  research_team: {kind: team, team: research}
  researcher: {}
  checker: {}
  writer: {}
teams:
  research:
    orchestration: {pattern: round_robin, participants: [researcher, checker]}
    termination: {max_messages: 4}
orchestration: {pattern: sequential, order: [research_team, writer]}
"""

FLAT = """\
schema: team-designer/v1
name: Flat
agents:
  researcher: {}
  checker: {}
  writer: {}
orchestration: {pattern: sequential, order: [researcher, checker, writer]}
layout:
  nodes:
    researcher: {x: 0, y: 200}
    checker: {x: 260, y: 200}
    writer: {x: 520, y: 0}
"""


@pytest.fixture
def canvas(qtbot: Any, make_controller: Any) -> Any:
    def make(text: str) -> tuple[CanvasView, Any]:
        result = parse_team(text)
        assert result.spec is not None, result.problems
        controller = make_controller(result.spec)
        view = CanvasView(controller)
        qtbot.addWidget(view)
        view.setFixedSize(1000, 700)
        view.show()
        qtbot.waitExposed(view)
        view.fit_all()
        return view, controller

    return make


def at(view: CanvasView, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def open_menu(view: CanvasView, agent_id: str) -> QMenu:
    node = view.item_for(agent_id)
    assert node is not None
    pos = at(view, node.scenePos())
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos)))
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    return menus[0]


def choose(menu: QMenu, text: str) -> None:
    action = next((a for a in menu.actions() if a.text() == text), None)
    assert action is not None, [a.text() for a in menu.actions()]
    menu.close()
    action.trigger()


def test_an_inner_team_is_a_group_frame_holding_its_members_with_its_lines_inside(canvas):
    view, _ = canvas(NESTED)
    groups = view.scene().groups
    frame = groups.frame("research_team")
    assert frame is not None and frame.isVisible() and not frame.collapsed
    assert frame.title() == "▾ research_team · research (round robin)"
    for member in ("researcher", "checker"):
        node = view.item_for(member)
        assert node is not None and node.isVisible()
        assert frame.frame_rect().contains(node.sceneBoundingRect().adjusted(8, 8, -14, -8))
    team_node = view.item_for("research_team")
    assert team_node is not None and not frame.frame_rect().intersects(team_node.sceneBoundingRect())
    inner = [c for c in view.connection_items() if {c.source, c.target} == {"researcher", "checker"}]
    assert len(inner) == 2 and all(not c.acceptedMouseButtons() for c in inner)  # drawn, not edited here
    assert [(c.source, c.target) for c in view.connection_items() if c.acceptedMouseButtons()] == [("research_team", "writer")]


def test_the_button_collapses_the_group_and_the_tab_opens_it_again(qtbot, canvas):
    view, controller = canvas(NESTED)
    groups = view.scene().groups
    frame = groups.frame("research_team")
    before = controller.spec
    qtbot.mouseClick(view.viewport(), LEFT, pos=at(view, frame.toggle_rect().center()))
    assert frame.collapsed and groups.is_collapsed("research_team")
    assert not view.item_for("researcher").isVisible() and not view.item_for("checker").isVisible()
    assert view.item_for("research_team").isVisible() and view.item_for("writer").isVisible()
    assert all(not c.isVisible() for c in view.connection_items() if c.source in ("researcher", "checker"))
    assert frame.title() == "▸ research_team: 2 inside"
    assert controller.spec == before  # view state: the design did not change, no undo step
    assert not controller.undo_stack.canUndo()
    # A double-click on the collapsed tab opens it, once: as Qt delivers one, its first press opens
    # it and the double-click that follows does not toggle it back.
    tab = at(view, frame.toggle_rect().center())
    qtbot.mousePress(view.viewport(), LEFT, pos=tab)
    qtbot.mouseRelease(view.viewport(), LEFT, pos=tab)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=tab)
    assert not frame.collapsed and view.item_for("researcher").isVisible() and view.item_for("checker").isVisible()
    # A double-click inside the open frame, beside its members, collapses it; no agent is added.
    rect = frame.frame_rect()
    qtbot.mouseDClick(view.viewport(), LEFT, pos=at(view, QPointF(rect.center().x(), rect.bottom() - 6)))
    assert frame.collapsed and set(controller.spec.agents) == set(before.agents)


def test_dragging_a_member_moves_it_and_the_frame_follows(qtbot, canvas):
    view, controller = canvas(NESTED)
    frame = view.scene().groups.frame("research_team")
    node = view.item_for("checker")
    start = at(view, node.scenePos())
    old_right = frame.frame_rect().right()
    end = start + QPoint(80, 40)
    qtbot.mousePress(view.viewport(), LEFT, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + (end - start) * (i / 5))
    qtbot.mouseRelease(view.viewport(), LEFT, pos=end)
    assert controller.undo_stack.undoText() == "Move agent"
    moved = controller.spec.layout.nodes["checker"]
    assert (moved.x, moved.y) == (round(node.pos().x(), 1), round(node.pos().y(), 1))
    assert frame.frame_rect().right() > old_right + 40


def test_group_into_an_inner_team_and_ungroup_from_the_node_menu(qtbot, canvas):
    view, controller = canvas(FLAT)
    before = controller.spec
    controller.select_agents(["researcher", "checker"])
    choose(open_menu(view, "researcher"), "Group 2 agents into an inner team")
    spec = controller.spec
    assert controller.undo_stack.undoText() == "Group into inner team"
    assert spec.orchestration.order == ["researcher_team", "writer"]
    assert spec.teams["researcher_team"].members() == ["researcher", "checker"]
    assert controller.selected_agents == ["researcher_team"]
    frame = view.scene().groups.frame("researcher_team")
    assert frame is not None and frame.isVisible()
    assert view.item_for("researcher_team") is not None
    choose(open_menu(view, "researcher_team"), "Ungroup")
    assert controller.undo_stack.undoText() == "Ungroup inner team"
    assert "researcher_team" not in controller.spec.agents and not controller.spec.teams
    assert view.scene().groups.frame("researcher_team") is None
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    assert controller.spec == before


def test_the_inner_teams_pattern_members_and_bound_are_edited_from_the_window(qtbot, canvas):
    view, controller = canvas(NESTED)
    choose(open_menu(view, "research_team"), "Edit inner team…")
    editor = next(e for e in view.findChildren(InnerTeamEditor) if e.isVisible())
    qtbot.waitExposed(editor)
    assert editor.pattern_combo.currentData() == "round_robin" and editor.max_messages_spin.value() == 4
    # The members through the round-robin editor: unchecking the checker takes it out of the inner team.
    rr = editor.current_editor
    rr.list.toggled.emit("checker", False)
    assert controller.spec.teams["research"].members() == ["researcher"]
    assert controller.spec.orchestration.order == ["research_team", "writer"]  # the outer team is untouched
    controller.undo_stack.undo()
    # The pattern: switched to sequential, one undoable edit of the inner team only.
    editor.pattern_combo.setCurrentIndex(editor.pattern_combo.findData("sequential"))
    editor.pattern_combo.activated.emit(editor.pattern_combo.currentIndex())
    inner = controller.spec.teams["research"]
    assert inner.orchestration.pattern == "sequential" and inner.members() == ["researcher", "checker"]
    assert editor.current_editor is editor.editors["sequential"] and editor.stack.currentWidget() is editor.current_editor
    assert view.scene().groups.frame("research_team").title() == "▾ research_team · research (sequential)"
    # The bound.
    editor.max_messages_spin.setFocus()
    editor.max_messages_spin.selectAll()
    qtbot.keyClicks(editor.max_messages_spin, "6")
    assert controller.spec.teams["research"].termination.max_messages == 6
    qtbot.keyClicks(editor.summary_edit, "One line, please.")
    editor.summary_edit.editingFinished.emit()
    assert controller.spec.teams["research"].summary_prompt == "One line, please."
    # A problem's path puts the cursor in the field that fixes it.
    assert editor.focus_path(("teams", "research", "termination", "max_turns"))
    qtbot.waitUntil(lambda: editor.max_turns_spin.hasFocus(), timeout=15000)
    # Ungrouped elsewhere: the editor closes itself.
    controller.edit("Ungroup", ungroup_team, "research_team")
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=15000)


def test_the_windows_transcript_nests_inner_members_under_their_team_agent(qtbot):
    """The run's events, as the window's transcript shows them: inner members' messages nested
    under the team agent, its summary among the team's own messages."""
    from designer.ui.run.transcript_model import TranscriptModel
    from tests.conftest import collect_events
    from tests.e2e.test_nested_run import NESTED

    result = parse_team(NESTED)
    assert result.spec is not None
    model = TranscriptModel()
    model.add_events(collect_events(result.spec, "bees"))
    said = [(e.agent, e.parent, e.text, e.before) for e in model.entries if e.kind == "message"]
    assert said == [
        ("researcher", "research_team", "fact one", -1),
        ("checker", "research_team", "fact checked", -1),
        ("research_team", None, "the research summary", 0),  # the team's messages: not the inner ones
        ("writer", None, "the article", 1),
    ]
    markdown = model.to_markdown()
    assert "> ### checker · " in markdown and "\n### research_team · " in markdown


def test_the_agent_panels_edit_inner_team_button_opens_the_inner_teams_editor(qtbot, make_main_window, tmp_path):
    """The team agent's panel and the canvas's group menu open the same editor."""
    from tests.ui.test_agent_parts_panel import scroll_to

    path = tmp_path / "nested.yaml"
    path.write_text(NESTED, encoding="utf-8")
    w = make_main_window(path)
    w.controller.select_agents(["research_team"])
    w.docks["agent"].raise_()
    qtbot.waitUntil(lambda: not w.agent_panel.visibleRegion().isEmpty())
    parts = w.agent_panel.parts
    scroll_to(qtbot, w.agent_panel.scroll_area, parts.edit_team_button)
    qtbot.mouseClick(parts.edit_team_button, LEFT)
    editor = next(e for e in w.findChildren(InnerTeamEditor) if e.isVisible())
    assert editor.team_id == "research" and editor.pattern_combo.currentData() == "round_robin"
    editor.close()


def test_a_team_agents_node_says_it_is_an_inner_team(canvas):
    view, _ = canvas(NESTED)
    node = view.item_for("research_team")
    assert node.kind == "team" and "inner team" in node.toolTip()
    assert "inner team" not in view.item_for("writer").toolTip()


def test_a_problem_of_an_inner_team_opens_its_editor_at_the_field(qtbot, make_main_window, tmp_path):
    """The inner team has no bound: activating that problem opens the inner team's editor."""
    path = tmp_path / "nested.yaml"
    path.write_text(NESTED.replace("    termination: {max_messages: 4}\n", "    termination: {text: DONE}\n"), encoding="utf-8")
    w = make_main_window(path)
    qtbot.waitUntil(lambda: any(p.path[:2] == ("teams", "research") for p in w.controller.problems), timeout=15000)
    problem = next(p for p in w.controller.problems if p.path[:2] == ("teams", "research"))
    w.problems_panel.problemActivated.emit(problem)
    editor = next(e for e in w.findChildren(InnerTeamEditor) if e.isVisible())
    assert editor.team_id == "research"
    qtbot.waitUntil(lambda: editor.max_messages_spin.hasFocus() or editor.pattern_combo.hasFocus(), timeout=15000)
    editor.close()
