"""Small dialogs: the run dialog (task and inputs), About, and the keyboard shortcut list."""

from __future__ import annotations

import json
import logging
import platform
from importlib import metadata
from typing import Any

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence, QShortcut
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
from ...core.masking import redact
from ...core.spec import EMBEDDED_MODEL_ID, TeamSpec
from ...core.task import TaskError, input_values, render_task
from .. import settings

log = logging.getLogger(__name__)

#: How many teams' last tasks are kept (the most recently run first).
_REMEMBERED_TEAMS = 30
#: Lines kept free for the preview or its warning, so no row moves when the text changes.
_PREVIEW_LINES = 3


def _remembered() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(settings.get("run/last_inputs") or "{}")
    except (TypeError, ValueError):
        log.debug("run/last_inputs is not JSON: starting afresh")
        return {}
    return data if isinstance(data, dict) else {}


def recall_run(key: str) -> dict[str, Any]:
    """The last task and inputs run for a team: {'task': str, 'inputs': {name: value}}, or {}."""
    entry = _remembered().get(key)
    return entry if isinstance(entry, dict) else {}


def remember_run(key: str, task: str, inputs: dict[str, str], file_task: str = "") -> None:
    """Keep what was run, newest first; known secrets are masked (settings are a plain file).
    ``file_task`` is the team's own task then: once the team's task is edited, it wins again."""
    data = _remembered()
    data.pop(key, None)
    entry = {"task": redact(task), "inputs": {k: redact(v) for k, v in inputs.items()}, "file_task": redact(file_task)}
    kept = [(key, entry), *list(data.items())[: _REMEMBERED_TEAMS - 1]]
    settings.put("run/last_inputs", json.dumps(dict(kept), ensure_ascii=False))


class RunDialog(QDialog):
    """Asks for the task, prefilled with what was last run for this team (else the file's
    default), with a field per input. Ctrl+Enter runs, from any field."""

    def __init__(self, spec: TeamSpec, parent: QWidget | None = None, *, task: str | None = None,
                 key: str | None = None) -> None:
        """``key`` names the team in the run memory: its file path, or None for its name."""
        super().__init__(parent)
        self.setWindowTitle(f"Run “{spec.name}”")
        self.spec = spec
        self.key = key or f"unsaved:{spec.name}"
        self._spec_task = spec.task
        last = recall_run(self.key)
        remembered_task, remembered_inputs = last.get("task"), last.get("inputs")
        # The task typed in the Team panel since the last run is what the user means now.
        if not isinstance(remembered_task, str) or last.get("file_task", redact(spec.task)) != redact(spec.task):
            remembered_task = None
        if not isinstance(remembered_inputs, dict):
            remembered_inputs = {}
        self.task_edit = QPlainTextEdit(task if task is not None else remembered_task or spec.task, self)
        self.task_edit.setPlaceholderText("What should the team do? {placeholders} are filled from the inputs below.")
        self.task_edit.setTabChangesFocus(True)
        self.inputs: dict[str, QLineEdit] = {}
        form = QFormLayout()
        task_label = QLabel("&Task:", self)
        task_label.setBuddy(self.task_edit)
        form.addRow(task_label)
        form.addRow(self.task_edit)
        for name, item in spec.inputs.items():
            value = remembered_inputs.get(name)
            edit = QLineEdit(value if isinstance(value, str) else item.default, self)
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
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # A fixed height: a warning appearing (or a long task) must not move the rows under the
        # pointer; what does not fit is in the tooltip.
        self.preview.setFixedHeight(QFontMetrics(self.preview.font()).lineSpacing() * _PREVIEW_LINES + 4)
        form.addRow("Will send:", self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Run")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.task_edit.textChanged.connect(self._on_changed)
        # Shortcuts, not key handlers: they work in the multi-line task box too, before it sees the key.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_run_shortcut)
        self.resize(560, 360)
        self._on_changed()

    def _on_run_shortcut(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            self.accept()

    def accept(self) -> None:
        """Run, and remember the task and inputs for the next time this team is run."""
        remember_run(self.key, self.task_edit.toPlainText(), {name: edit.text() for name, edit in self.inputs.items()},
                     self._spec_task)
        super().accept()

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
            text = self.task()
            ok.setEnabled(True)
        except TaskError as exc:
            text = f"⚠ {exc}"
            ok.setEnabled(False)
        self.preview.setText(text)
        self.preview.setToolTip(text)


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
