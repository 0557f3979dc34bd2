"""The pattern editors' base widget and registry: one editor per ``pattern`` value.

Each editor refreshes from the spec it is given and turns every gesture into one edit: a
field of the orchestration record, or one of the pattern's own edits from its core module
applied with ``edits.edit_orchestration``. Editors register with :func:`editor_for`; the
pattern panel builds one of each registered editor.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from ....core import edits
from ....core.registry import Registry
from ....core.spec import TeamSpec
from ...document.controller import DocumentController
from ...widgets.common import ChecklistWidget

#: Builds a pattern's editor for the window's controller.
EditorFactory = Callable[[DocumentController], "PatternEditorWidget"]
_EDITORS: Registry[EditorFactory] = Registry("editor")


def editor_for(pattern: str) -> Callable[[EditorFactory], EditorFactory]:
    """Decorator: ``factory(controller)`` builds the editor of ``pattern`` (a widget class works)."""
    return _EDITORS.register(pattern)


def editor_factories() -> dict[str, EditorFactory]:
    return _EDITORS.items()


def agent_rows(spec: TeamSpec, ids: list[str]) -> list[tuple[str, str, str]]:
    """Checklist entries; ids that are not agents stay visible so they can be removed."""
    return [(a, a if a in spec.agents else f"{a} (unknown agent)", spec.agents[a].description if a in spec.agents else "")
            for a in ids]


class PatternEditorWidget(QWidget):
    """Base: holds the controller and routes every change through one orchestration edit."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller

    def refresh(self, spec: TeamSpec) -> None:
        raise NotImplementedError

    def focus_path(self, path: tuple[Any, ...]) -> bool:
        """Focus the widget for ``path`` below ``orchestration`` (e.g. ('edges', 2, 'to'))."""
        return False

    def _set(self, label: str, field: str, value: Any) -> None:
        self._controller.edit(label, edits.set_orchestration_field, field, value)

    def _focus_list(self, widget: ChecklistWidget, path: tuple[Any, ...]) -> bool:
        if len(path) > 1 and isinstance(path[1], int) and 0 <= path[1] < widget.count():
            widget.setCurrentRow(path[1])
        widget.setFocus()
        return True
