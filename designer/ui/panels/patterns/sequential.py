"""Sequential: the order editor, members only (add, remove, reorder)."""

from __future__ import annotations

from ...document.controller import DocumentController
from .base import PatternEditorWidget, editor_for
from .ordered import OrderEditorWidget


@editor_for("sequential")
def sequential_editor(controller: DocumentController) -> PatternEditorWidget:
    return OrderEditorWidget(controller, checklist=False)
