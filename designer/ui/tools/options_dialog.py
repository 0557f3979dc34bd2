"""The Tools dock's two forms: a tool's options (one undo step on OK) and a new MCP server.

Each field has its message line under it, its room reserved, so a message appearing never
moves the rows under the pointer. What cannot be saved is said there as it is typed, and
OK keeps the dialog open until it can be.
"""

from __future__ import annotations

import shlex

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core import tool_edits
from ...core.builtins import BUILTIN_TOOLS
from ...core.tool_library import option_infos
from ..document.controller import DocumentController
from ..theme import colors


def message_label(lines: int = 2) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    # The theme's error red (readable on the dark theme too; a fixed #c62828 was 2.5:1 there).
    label.setStyleSheet(f"color: {colors(label.palette()).error_text.name()};")
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 2)
    return label


def _option_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


class ToolOptionsDialog(QDialog):
    """A built-in's options (allow_hosts, max_bytes, executor …), and any tool's time limit and description."""

    def __init__(self, controller: DocumentController, tool_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_options_dialog")
        self.setWindowTitle(f"Options of {tool_id}")
        self.resize(560, 0)
        self._controller, self.tool_id = controller, tool_id
        tool = controller.spec.tools[tool_id]
        builtin = BUILTIN_TOOLS.get(tool.builtin or "")
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for option in option_infos(builtin) if builtin is not None else ():
            widget: QLineEdit | QComboBox
            if option.kind == "choice":
                widget = QComboBox()
                widget.addItem(f"(default: {option.default})" if option.default else "(default)", "")
                for choice in option.choices:
                    widget.addItem(choice, choice)
                widget.setCurrentIndex(max(0, widget.findData(_option_text(tool.options.get(option.name)))))
                widget.currentIndexChanged.connect(self._on_edited)
            else:
                widget = QLineEdit(_option_text(tool.options.get(option.name)))
                hint = "host names, separated by commas" if option.kind == "hosts" else ""
                widget.setPlaceholderText(f"{hint}; default: {option.default}".strip("; ") if option.default else hint)
                widget.textChanged.connect(self._on_edited)
            widget.setToolTip(option.meaning)
            self._add_row(form, option.name, f"{option.name}:", widget, option.meaning)
        timeout = QLineEdit(f"{tool.timeout:g}")
        timeout.textChanged.connect(self._on_edited)
        self._add_row(form, tool_edits.TIMEOUT_FIELD, "Time limit (s):", timeout, "each call is stopped after this long")
        description = QLineEdit(tool.description or "")
        description.setPlaceholderText(builtin.description if builtin is not None else "what the model is told the tool does")
        description.textChanged.connect(self._on_edited)
        self._add_row(form, tool_edits.DESCRIPTION_FIELD, "Description:", description, "empty: the tool's own description")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _add_row(self, form: QFormLayout, name: str, label: str, widget: QLineEdit | QComboBox, meaning: str) -> None:
        widget.setObjectName(f"option_{name}")
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addWidget(widget)
        error = message_label()
        error.setObjectName(f"error_{name}")
        error.setToolTip(meaning)
        column.addWidget(error)
        form.addRow(label, column)
        self.fields[name], self.errors[name] = widget, error

    def texts(self) -> dict[str, str]:
        return {name: (w.currentData() or "") if isinstance(w, QComboBox) else w.text() for name, w in self.fields.items()}

    def show_problems(self) -> dict[str, str]:
        problems = tool_edits.settings_problems(self._controller.spec, self.tool_id, self.texts()) \
            if self.tool_id in self._controller.spec.tools else {"timeout": f"the tool {self.tool_id} was removed meanwhile"}
        for name, label in self.errors.items():
            label.setText(problems.get(name, ""))
        return problems

    @Slot()
    def _on_edited(self, *args: object) -> None:
        self.show_problems()

    @Slot()
    def _on_ok(self) -> None:
        if self.show_problems():
            return  # said beside the field; nothing saved until it can be
        result = self._controller.edit(f"Edit options of {self.tool_id}", tool_edits.set_tool_settings, self.tool_id, self.texts())
        if result.refused:
            self.errors[tool_edits.TIMEOUT_FIELD].setText(result.refusal or "")
            return
        self.accept()


#: (label, transport) of the server's kind: a program started here, or a URL.
TRANSPORTS: tuple[tuple[str, str], ...] = (
    ("A program on this computer (stdio)", "stdio"),
    ("A URL, over streamable HTTP", "http"),
    ("A URL, over SSE", "sse"),
)


class AddMcpServerDialog(QDialog):
    """An MCP server by the command that starts it, or by its URL (streamable HTTP or SSE)."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_mcp_server_dialog")
        self.setWindowTitle("Add an MCP server")
        self.resize(560, 0)
        self._controller = controller
        #: The new tool's id once added.
        self.added: str | None = None
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("server_name")
        self.name_edit.setPlaceholderText("named after the server if empty")
        self.transport_combo = QComboBox()
        self.transport_combo.setObjectName("server_transport")
        for label, transport in TRANSPORTS:
            self.transport_combo.addItem(label, transport)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("server_url")
        self.url_edit.setPlaceholderText("e.g. http://127.0.0.1:8000/mcp")
        self.headers_edit = QPlainTextEdit()
        self.headers_edit.setObjectName("server_headers")
        self.headers_edit.setPlaceholderText("Name: value, one a line; secrets as references: "
                                             "Authorization: Bearer env:MCP_TOKEN")
        self.headers_edit.setFixedHeight(self.headers_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.command_edit = QLineEdit()
        self.command_edit.setObjectName("server_command")
        self.command_edit.setPlaceholderText("npx, uvx, python, or a full path")
        self.args_edit = QLineEdit()
        self.args_edit.setObjectName("server_args")
        self.args_edit.setPlaceholderText("e.g. -y @modelcontextprotocol/server-filesystem ./data  (quote arguments with spaces)")
        self.env_edit = QPlainTextEdit()
        self.env_edit.setObjectName("server_env")
        self.env_edit.setPlaceholderText("NAME=value, one a line; keys as references: API_KEY=env:MY_API_KEY or keyring:NAME")
        self.env_edit.setFixedHeight(self.env_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.cwd_edit = QLineEdit()
        self.cwd_edit.setObjectName("server_cwd")
        self.cwd_edit.setPlaceholderText("folder it runs in; relative to the team file (optional)")
        self.error = message_label(3)
        self.error.setObjectName("error")
        form = self.form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Server:", self.transport_combo)
        form.addRow("&Command:", self.command_edit)
        form.addRow("&Arguments:", self.args_edit)
        form.addRow("&Environment:", self.env_edit)
        form.addRow("&Folder:", self.cwd_edit)
        form.addRow("&URL:", self.url_edit)
        form.addRow("&Headers:", self.headers_edit)
        note = self.note = QLabel()
        note.setWordWrap(True)
        self.transport_combo.currentIndexChanged.connect(self._show_transport)
        self._show_transport()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @property
    def transport(self) -> str:
        return str(self.transport_combo.currentData())

    @Slot()
    def _show_transport(self) -> None:
        stdio = self.transport == "stdio"
        for widget in (self.command_edit, self.args_edit, self.env_edit, self.cwd_edit):
            self.form.setRowVisible(widget, stdio)
        for widget in (self.url_edit, self.headers_edit):
            self.form.setRowVisible(widget, not stdio)
        self.note.setText("Started when a run needs it (after asking), never when the file is opened." if stdio else
                          "Starts nothing on this computer, but receives what agents send its tools; "
                          "a run asks before contacting it.")

    def headers(self) -> dict[str, str]:
        """The headers as typed, 'Name: value' one a line; ValueError in plain words."""
        headers: dict[str, str] = {}
        for line in self.headers_edit.toPlainText().splitlines():
            if line.strip():
                name, sep, value = line.partition(":")
                if not sep or not name.strip():
                    raise ValueError(f"write the headers as Name: value, one a line (not {line.strip()!r})")
                headers[name.strip()] = value.strip()
        return headers

    def values(self) -> tuple[str, list[str], dict[str, str], str]:
        """(command, args, env, cwd) as typed; ValueError in plain words."""
        try:
            args = shlex.split(self.args_edit.text())
        except ValueError as exc:
            raise ValueError(f"the arguments: {exc}") from None
        env: dict[str, str] = {}
        for line in self.env_edit.toPlainText().splitlines():
            if line.strip():
                name, sep, value = line.partition("=")
                if not sep or not name.strip():
                    raise ValueError(f"write the environment as NAME=value, one a line (not {line.strip()!r})")
                env[name.strip()] = value.strip()
        return self.command_edit.text(), args, env, self.cwd_edit.text()

    @Slot()
    def _on_ok(self) -> None:
        try:
            command, args, env, cwd = self.values()
            headers = self.headers()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        if self.transport == "stdio":
            result = self._controller.edit("Add MCP server", tool_edits.add_mcp_server, command, args, env=env, cwd=cwd,
                                           tool_id=self.name_edit.text())
        else:
            result = self._controller.edit("Add MCP server", tool_edits.add_mcp_url_server, self.transport,
                                           self.url_edit.text(), headers, tool_id=self.name_edit.text())
        if result.refused:
            self.error.setText(result.refusal or "")
            return
        self.added = str(result.extra)
        self.accept()
