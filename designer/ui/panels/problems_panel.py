"""The problems panel: what validation found, and a click that leads to the place to fix it."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QStyle, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.finish import plural
from ...core import diagram
from ...core.problems import Problem
from ..document.controller import DocumentController

_PROBLEM_ROLE = Qt.ItemDataRole.UserRole


def count_summary(problems: list[Problem]) -> str:
    """'2 errors, 1 warning' (or 'No problems')."""
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if not problems:
        return "No problems"
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


class ProblemsPanelWidget(QWidget):
    """Lists ``controller.problems``; activating one selects what it is about.

    ``problemActivated(Problem)`` lets the main window focus the matching field (see
    :func:`focus_problem`).
    """

    problemActivated = Signal(object)  # noqa: N815 - Qt naming

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._shown: list[Problem] = []
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Problem", "Where"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip("Click a problem (or press Enter) to go to the place to fix it.")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.tree.itemClicked.connect(self._on_item_activated)
        self.tree.itemActivated.connect(self._on_item_activated)
        controller.problemsChanged.connect(self._on_problems_changed)
        self._on_problems_changed()

    @property
    def problems(self) -> list[Problem]:
        """The problems as listed: errors first, then warnings, each in validation order."""
        return list(self._shown)

    def item_for(self, problem: Problem) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            assert item is not None, "an index below topLevelItemCount() always has an item"
            if item.data(0, _PROBLEM_ROLE) == problem:
                return item
        return None

    def _on_problems_changed(self) -> None:
        problems = sorted(self._controller.problems, key=lambda p: not p.is_error)
        summary = count_summary(problems)
        if self.summary.text() != summary:
            self.summary.setText(summary)
        if problems == self._shown:
            return
        current = self.tree.currentItem()
        keep = current.data(0, _PROBLEM_ROLE) if current is not None else None
        self._shown = problems
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}
        self.tree.clear()
        for problem in problems:
            item = QTreeWidgetItem([problem.message, problem.dotted_path or "team"])
            item.setIcon(0, icons[problem.severity])
            item.setData(0, _PROBLEM_ROLE, problem)
            tip = f"{problem.severity}: {problem.message}" + (f"\nHint: {problem.hint}" if problem.hint else "")
            item.setToolTip(0, tip)
            item.setToolTip(1, tip)
            self.tree.addTopLevelItem(item)
        if keep is not None and (again := self.item_for(keep)) is not None:
            self.tree.setCurrentItem(again)
        self.tree.resizeColumnToContents(0)

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        problem: Problem = item.data(0, _PROBLEM_ROLE)
        path = problem.path
        spec = self._controller.spec
        if len(path) >= 2 and path[0] == "agents" and path[1] in spec.agents:
            self._controller.select_agents([str(path[1])])
        elif len(path) >= 3 and path[:2] == ("orchestration", "edges") and isinstance(path[2], int):
            # The drawn connection that carries this edge index (graph edges are numbered in the file).
            line = next((c for c in diagram.connections(spec) if c.index == path[2]), None)
            if line is not None:
                self._controller.select_connection(line.source, line.target, path[2])
        self.problemActivated.emit(problem)


def focus_problem(
    problem: Problem,
    *,
    agent_panel: Any,
    team_panel: Any,
    pattern_panel: Any,
    reveal: Callable[[QWidget], None] | None = None,
) -> QWidget | None:
    """Put the cursor where ``problem`` can be fixed; returns the panel that took focus.

    ``reveal(panel)`` is called first with the panel that shows the problem's field (the window
    raises its dock there: a widget in a hidden tab cannot take the focus). Call after the
    problems panel selected the agent, so the agent panel shows it.
    """
    path = problem.path
    focus: Callable[[], bool]
    if path[:1] == ("agents",):
        field = str(path[2]) if len(path) > 2 else "id"
        index = path[3] if len(path) > 3 and isinstance(path[3], int) else None
        panel, focus = agent_panel, lambda: agent_panel.focus_field(field, index)
    elif path[:1] == ("orchestration",):
        panel, focus = pattern_panel, lambda: pattern_panel.focus_path(path)
    elif path[:1] == ("teams",) and len(path) > 1 and path[1] in team_panel._controller.spec.teams:
        # An inner team's field is in its own editor (the canvas's "Edit inner team…").
        from .inner_team_editor import open_inner_team_editor

        editor = open_inner_team_editor(team_panel.window(), team_panel._controller, str(path[1]))
        return editor if editor.focus_path(path) else None
    else:
        panel, focus = team_panel, lambda: team_panel.focus_path(path)
    if reveal is not None and path:  # a problem of the whole file has no field to show
        reveal(panel)
    return panel if focus() else None
