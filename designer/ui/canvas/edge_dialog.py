"""The canvas's edge dialog: the condition dialog plus the edge's activation group and join
(AgentChat's activation_group and activation_condition)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from ...core.patterns.graph import GraphEdgeSpec
from .editors import EdgeConditionDialog

Activation = Literal["all", "any"] | None


class EdgeDialog(EdgeConditionDialog):
    """When a graph edge fires, and how it joins the target's other incoming edges."""

    def __init__(self, edge: GraphEdgeSpec, default_join: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(edge.when, title, parent)
        self.group_edit = QLineEdit(edge.group or "", self)
        self.group_edit.setPlaceholderText(f"(the target's own: {edge.target})")
        self.group_edit.setToolTip("Edges into one agent with the same group are joined; each group runs the agent on its own.")
        self.join_box = QComboBox(self)
        for text, value in ((f"(default: {default_join})", None), ("All edges of the group", "all"),
                            ("Any edge of the group", "any")):
            self.join_box.addItem(text, value)
        self.join_box.setCurrentIndex(max(self.join_box.findData(edge.activation), 0))
        form = self.layout()
        assert isinstance(form, QFormLayout)
        # Above the OK/Cancel row, which is the form's last.
        form.insertRow(form.rowCount() - 1, "Activation &group:", self.group_edit)
        form.insertRow(form.rowCount() - 1, "&Join:", self.join_box)

    def group(self) -> str | None:
        return self.group_edit.text().strip() or None

    def activation(self) -> Activation:
        value = self.join_box.currentData()
        return value if value in ("all", "any") else None
