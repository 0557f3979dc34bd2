"""The canvas's inner-team gestures: the node menu's "Group into inner team", "Ungroup", "Edit
inner team…" and "Collapse / Expand group", and a double-click on a group's frame.

Grouping and ungrouping are one undoable edit each (core/team_group_edits.py); collapsing is view
state (canvas/group_items.py). The view asks this module for its menu entries and hands it the
chosen key, so the view itself only routes.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QWidget

from ...core.team_group_edits import group_into_team, ungroup_team
from ..document.controller import DocumentController
from ..panels.inner_team_editor import open_inner_team_editor
from .group_items import GroupLayer

#: The menu keys this module handles.
KEYS = frozenset({"group", "ungroup", "inner_team", "toggle_group"})


def menu_entries(controller: DocumentController, groups: GroupLayer, agent_id: str) -> list[tuple[str, str, str]]:
    """(text, key, shortcut) of the inner-team entries of ``agent_id``'s node menu."""
    spec = controller.spec
    agent = spec.agents.get(agent_id)
    if agent is None:
        return []
    count = len(controller.selected_agents)
    out = [("Group into inner team" if count <= 1 else f"Group {count} agents into an inner team", "group", "")]
    if agent.kind == "team":
        if agent.team in spec.teams:
            out.append(("Edit inner team…", "inner_team", ""))
        if groups.frame(agent_id) is not None:
            out.append(("Expand group" if groups.is_collapsed(agent_id) else "Collapse group", "toggle_group", ""))
        out.append(("Ungroup", "ungroup", ""))
    return out


def trigger(parent: QWidget, controller: DocumentController, groups: GroupLayer, key: str, agent_id: str) -> None:
    if key == "group":
        ids = list(controller.selected_agents) or [agent_id]
        result = controller.edit("Group into inner team", group_into_team, ids)
        if result.applied and result.extra:
            controller.select_agents([result.extra])
    elif key == "ungroup":
        controller.edit("Ungroup inner team", ungroup_team, agent_id)
    elif key == "toggle_group":
        groups.toggle(agent_id)
    elif key == "inner_team":
        team_id = controller.spec.agents[agent_id].team
        if team_id is not None:
            open_inner_team_editor(parent, controller, team_id)


def toggle_at(groups: GroupLayer, scene_pos: QPointF) -> bool:
    """A double-click on a group's frame or tab (not on a node in it) opens or collapses it."""
    if groups.consume_press(scene_pos):
        return True  # the double-click's first press was on a ▾ / ▸ button and toggled its group already
    frame = groups.frame_at(scene_pos)
    if frame is None:
        return False
    groups.toggle(frame.agent_id)
    return True
