"""Round robin: the order editor as a checklist of everyone (checked = takes turns)."""

from __future__ import annotations

from ...document.controller import DocumentController
from .base import PatternEditorWidget, editor_for
from .ordered import OrderEditorWidget


@editor_for("round_robin")
def round_robin_editor(controller: DocumentController) -> PatternEditorWidget:
    return OrderEditorWidget(controller, checklist=True)
