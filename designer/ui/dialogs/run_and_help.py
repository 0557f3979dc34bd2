"""Small dialogs: the run dialog (task and inputs), About, and the keyboard shortcut list."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import __version__
from ...core.spec import EMBEDDED_MODEL_ID, TeamSpec
from ...core.task import TaskError, input_values, render_task


class RunDialog(QDialog):
    """Asks for the task, prefilled from the file's default, with a field per input."""

    def __init__(self, spec: TeamSpec, parent: QWidget | None = None, *, task: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Run “{spec.name}”")
        self.spec = spec
        self.task_edit = QPlainTextEdit(task if task is not None else spec.task, self)
        self.task_edit.setPlaceholderText("What should the team do? {placeholders} are filled from the inputs below.")
        self.task_edit.setTabChangesFocus(True)
        self.inputs: dict[str, QLineEdit] = {}
        form = QFormLayout()
        task_label = QLabel("&Task:", self)
        task_label.setBuddy(self.task_edit)
        form.addRow(task_label)
        form.addRow(self.task_edit)
        for name, item in spec.inputs.items():
            edit = QLineEdit(item.default, self)
            edit.setToolTip(item.description)
            edit.textChanged.connect(self._on_changed)
            self.inputs[name] = edit
            form.addRow(f"{{{name}}}:", edit)
        self.model_combo = QComboBox(self)
        self.model_combo.addItem("as designed", None)
        for model_id in [*spec.models, EMBEDDED_MODEL_ID]:
            if self.model_combo.findData(model_id) < 0:
                self.model_combo.addItem(model_id, model_id)
        self.model_combo.setToolTip("Run every agent on one model, e.g. the embedded model while iterating on prompts")
        form.addRow("Run every agent on:", self.model_combo)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Will send:", self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Run")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.task_edit.textChanged.connect(self._on_changed)
        self.resize(560, 360)
        self._on_changed()

    def task(self) -> str:
        """The task with inputs filled in. Raises TaskError when it cannot be."""
        values = input_values(self.spec, {name: edit.text() for name, edit in self.inputs.items()})
        text = self.task_edit.toPlainText()
        if not text.strip():
            raise TaskError("write a task for the team")
        return render_task(text, values)

    def options(self) -> dict[str, Any]:
        model = self.model_combo.currentData()
        return {"model_override": model} if model else {}

    def _on_changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            self.preview.setText(self.task())
            ok.setEnabled(True)
        except TaskError as exc:
            self.preview.setText(f"⚠ {exc}")
            ok.setEnabled(False)


def versions() -> dict[str, str]:
    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "Team Designer": __version__,
        "AutoGen AgentChat": dist("autogen-agentchat"),
        "autogen-ext": dist("autogen-ext"),
        "llama-cpp-python": dist("llama-cpp-python"),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
    }


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Team Designer")
        rows = "".join(f"<tr><td>{k}</td><td><b>{v}</b></td></tr>" for k, v in versions().items())
        label = QLabel(
            "<h3>Team Designer</h3><p>Design, run and share multi-agent teams on Microsoft AutoGen AgentChat.</p>"
            f"<table cellspacing='6'>{rows}</table>",
            self,
        )
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)


class ShortcutsDialog(QDialog):
    """Every action with a shortcut, read from the window's actions (so it never goes stale)."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [
            (a.text().replace("&", ""), ", ".join(k.toString() for k in a.shortcuts()))
            for a in actions
            if a.shortcuts()
        ]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        for r, (name, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 480)
