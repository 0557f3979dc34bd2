"""Add or edit one variant of the evaluation: a name, and for some agents another system message
and / or model (or every agent on one model), or another team file altogether.

Opened with ``open()`` (never ``exec``), so it blocks nothing and a test fills it like a user;
``variantChosen(id, fields)`` says what was chosen. The variant's other fields (options,
termination, orchestration, written in the file by hand) are kept as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from ...core.records import is_identifier
from ...core.spec import EMBEDDED_MODEL_ID, TeamSpec

SAME = "(as in the team)"


class AgentChanges(QWidget):
    """One agent's replacement system message (empty: unchanged) and model (the team's: unchanged)."""

    def __init__(self, agent: str, models: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent = agent
        self.model = QComboBox(self)
        self.model.addItem(SAME, None)
        for model in models:
            self.model.addItem(model, model)
        self.model.setObjectName(f"variant_model_{agent}")
        self.system_message = QPlainTextEdit(self)
        self.system_message.setObjectName(f"variant_system_{agent}")
        self.system_message.setPlaceholderText("Replacement system message (empty: the team's)")
        self.system_message.setTabChangesFocus(True)
        self.system_message.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Model", self.model)
        form.addRow("System message", self.system_message)


class VariantDialog(QDialog):
    variantChosen = Signal(str, dict)  # noqa: N815 - Qt naming: (id, the variant's fields)

    def __init__(self, team: TeamSpec | None, taken: set[str], parent: QWidget | None = None, *,
                 variant_id: str = "", fields: dict[str, Any] | None = None, base_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variant_dialog")
        self.setWindowTitle("Edit variant" if variant_id else "Add variant")
        self._taken, self._fields, self._base_dir = taken, dict(fields or {}), base_dir
        #: Replaceable in tests: the team file chosen for "another team file" (None: cancelled).
        self.choose_team_file: Callable[[], str | None] = self._team_file_dialog
        models = [EMBEDDED_MODEL_ID, *(m for m in (team.models if team else {}) if m != EMBEDDED_MODEL_ID)]

        self.name = QLineEdit(variant_id, self)
        self.name.setObjectName("variant_name")
        self.name.setPlaceholderText("e.g. terse (letters, digits, _)")
        self.description = QLineEdit(str(self._fields.get("description", "")), self)
        self.team_file = QLineEdit(str(self._fields.get("team", "")), self)
        self.team_file.setObjectName("variant_team_file")
        self.team_file.setPlaceholderText("empty: the evaluation's team, with the changes below")
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.clicked.connect(self._on_browse)
        team_row = QHBoxLayout()
        team_row.addWidget(self.team_file, 1)
        team_row.addWidget(self.browse_button)
        self.every_model = QComboBox(self)
        self.every_model.setObjectName("variant_every_model")
        self.every_model.addItem(SAME, None)
        for model in models:
            self.every_model.addItem(model, model)
        _select(self.every_model, self._fields.get("model"))
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Team file", team_row)
        form.addRow("Every agent's model", self.every_model)

        self.agents: dict[str, AgentChanges] = {}
        agents_box = QWidget(self)
        agents_layout = QVBoxLayout(agents_box)
        messages = self._fields.get("system_messages") or {}
        agent_models = self._fields.get("agent_models") or {}
        for agent in (team.agents if team else {}):
            group = QGroupBox(agent, agents_box)
            changes = AgentChanges(agent, models, group)
            changes.system_message.setPlainText(str(messages.get(agent, "")) if isinstance(messages, dict) else "")
            _select(changes.model, agent_models.get(agent) if isinstance(agent_models, dict) else None)
            QVBoxLayout(group).addWidget(changes)
            agents_layout.addWidget(group)
            self.agents[agent] = changes
        agents_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(agents_box)

        self.error = QLabel("", self)
        self.error.setObjectName("variant_error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Changes per agent (another team file ignores them):", self))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 520)

    def _team_file_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Variant's team file", str(self._base_dir or ""),
                                              "Team files (*.yaml *.yml);;All files (*)")
        return path or None

    def _on_browse(self) -> None:
        path = self.choose_team_file()
        if path:
            self.team_file.setText(_relative_to(Path(path), self._base_dir))

    def value(self) -> tuple[str, dict[str, Any]]:
        """(id, fields) as the dialog holds them now."""
        fields = {k: v for k, v in self._fields.items()
                  if k not in ("team", "description", "model", "agent_models", "system_messages")}
        if self.description.text().strip():
            fields["description"] = self.description.text().strip()
        if self.team_file.text().strip():
            fields["team"] = self.team_file.text().strip()
        if self.every_model.currentData():
            fields["model"] = self.every_model.currentData()
        agent_models = {a: c.model.currentData() for a, c in self.agents.items() if c.model.currentData()}
        messages = {a: c.system_message.toPlainText() for a, c in self.agents.items() if c.system_message.toPlainText().strip()}
        if agent_models:
            fields["agent_models"] = agent_models
        if messages:
            fields["system_messages"] = messages
        return self.name.text().strip(), fields

    def problem(self) -> str:
        vid, fields = self.value()
        if not vid:
            return "Give the variant a name."
        if not is_identifier(vid):
            return f"{vid!r} is not a valid name: use letters, digits and '_', starting with a letter or '_'."
        if vid == "base":
            return "'base' is the team as it is: name the variant otherwise."
        if vid in self._taken:
            return f"There is a variant named {vid!r} already."
        if not fields:
            return "Change something: a system message, a model, or another team file."
        return ""

    def _on_ok(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        if problem:
            return
        self.variantChosen.emit(*self.value())
        self.accept()


def _select(combo: QComboBox, value: Any) -> None:
    if isinstance(value, str):
        if combo.findData(value) < 0:
            combo.addItem(value, value)  # a model the file names that the team does not (the file's own models:)
        combo.setCurrentIndex(combo.findData(value))


def _relative_to(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path)
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)
