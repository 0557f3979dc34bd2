"""The "try it" dialog: call one tool of the library with arguments typed into a form.

The form is generated from the tool's JSON schema (string, number, integer, boolean and
enum fields; anything else as JSON text). The call runs in a worker thread through the
runtime, exactly as an agent's call would (same timeout, same error results), and its
result comes back through :class:`BackgroundTasks`, so the window never blocks and no
signal crosses threads. Code that is not trusted yet is asked about first.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.spec import TeamSpec
from ...core.tool_catalog import describe_tool
from ...core.tool_introspect import ToolLocations
from ...core.trust import CodeItem, TrustPolicy, code_manifest
from ..widgets.background import BackgroundTasks

log = logging.getLogger(__name__)

_UNSET = "(not set)"
_MULTILINE = ("code", "content", "text", "body", "script")


class FieldWidget:
    """One argument's editor; ``value()`` is (given, value) or raises ValueError in plain words."""

    def __init__(self, name: str, schema: dict[str, Any], required: bool) -> None:
        self.name, self.schema, self.required = name, schema, required
        kind = schema.get("type")
        default = schema.get("default")
        self.kind = "enum" if "enum" in schema else kind if isinstance(kind, str) else "json"
        if self.kind == "enum":
            self.widget: QWidget = QComboBox()
            if not required:
                self.widget.addItem(_UNSET, None)
            for value in schema["enum"]:
                self.widget.addItem(str(value), value)
            if default is not None and default in schema["enum"]:
                self.widget.setCurrentIndex(self.widget.findData(default))
        elif self.kind == "boolean":
            self.widget = QCheckBox()
            self.widget.setChecked(bool(default))
        elif self.kind == "string" and name in _MULTILINE:
            self.widget = QPlainTextEdit(str(default or ""))
            self.widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.widget.setMinimumHeight(90)
        else:
            self.widget = QLineEdit("" if default is None else str(default) if self.kind != "json" else json.dumps(default))
            hint = {"integer": "a whole number", "number": "a number", "string": ""}.get(self.kind, "JSON, e.g. [1, 2] or {\"a\": 1}")
            self.widget.setPlaceholderText(hint if required else f"{hint} (optional)".strip())
        self.widget.setObjectName(f"arg_{name}")
        if schema.get("description"):
            self.widget.setToolTip(str(schema["description"]))

    def text(self) -> str:
        if isinstance(self.widget, QPlainTextEdit):
            return self.widget.toPlainText()
        return self.widget.text() if isinstance(self.widget, QLineEdit) else ""

    def value(self) -> tuple[bool, Any]:
        if isinstance(self.widget, QComboBox):
            data = self.widget.currentData()
            return (data is not None or self.widget.currentText() != _UNSET), data
        if isinstance(self.widget, QCheckBox):
            return True, self.widget.isChecked()
        text = self.text()
        if not text.strip() and self.kind != "string":
            if self.required:
                raise ValueError(f"{self.name} is required")
            return False, None
        if not text and self.kind == "string" and not self.required:
            return False, None
        try:
            if self.kind == "integer":
                return True, int(text.strip())
            if self.kind == "number":
                return True, float(text.strip())
            if self.kind == "string":
                return True, text
            return True, json.loads(text)
        except ValueError:
            wanted = {"integer": "a whole number", "number": "a number"}.get(self.kind, "valid JSON")
            raise ValueError(f"{self.name} must be {wanted}") from None


class ToolTryDialog(QDialog):
    """``confirm(items)`` asks about (and remembers) untrusted code; ``trust`` is what the runtime checks."""

    def __init__(
        self,
        spec: TeamSpec,
        locations: ToolLocations,
        *,
        trust: TrustPolicy,
        confirm: Callable[[Sequence[CodeItem]], bool],
        team_file: str | Path | None = None,
        tool_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tool_try_dialog")
        self.setWindowTitle("Try a tool")
        self.resize(640, 560)
        self.spec, self.locations, self.trust, self.confirm, self.team_file = spec, locations, trust, confirm, team_file
        self.fields: list[FieldWidget] = []
        self.tasks = BackgroundTasks(self)
        self.running = False
        self._mcp_tools: dict[str, dict[str, Any]] = {}
        self._problem = ""
        self.last_result: Any = None
        self._build()
        for tid in spec.tools:
            self.tool_combo.addItem(tid, tid)
        if tool_id is not None and tool_id in spec.tools:
            self.tool_combo.setCurrentIndex(self.tool_combo.findData(tool_id))
        self._on_tool_changed()

    def _build(self) -> None:
        self.tool_combo = QComboBox()
        self.tool_combo.setObjectName("tool_combo")
        self.tool_combo.currentIndexChanged.connect(self._on_tool_changed)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.mcp_row = QWidget()
        self.mcp_combo = QComboBox()
        self.mcp_combo.currentIndexChanged.connect(self._on_mcp_tool_changed)
        self.list_button = QPushButton("&List the server's tools")
        self.list_button.clicked.connect(self._on_list_clicked)
        row = QHBoxLayout(self.mcp_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mcp_combo, 1)
        row.addWidget(self.list_button)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.run_button = QPushButton("&Run")
        self.run_button.setObjectName("run_button")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        # Not "result": that would hide QDialog.result(), the dialog's exit code.
        self.result_view = QPlainTextEdit()
        self.result_view.setObjectName("result")
        self.result_view.setReadOnly(True)
        self.result_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        top = QFormLayout()
        top.addRow("&Tool:", self.tool_combo)
        top.addRow(self.description)
        top.addRow(self.where)
        top.addRow("Server tool:", self.mcp_row)
        self._top = top
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form_host)
        actions = QHBoxLayout()
        actions.addWidget(self.run_button)
        actions.addWidget(self.status, 1)
        layout.addLayout(actions)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(buttons)

    # --- the form ---------------------------------------------------------------------------

    @property
    def tool_id(self) -> str:
        return str(self.tool_combo.currentData() or "")

    def field(self, name: str) -> QWidget:
        return next(f.widget for f in self.fields if f.name == name)

    def _set_form(self, schema: dict[str, Any] | None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = []
        if schema is None:
            return
        required = set(schema.get("required") or [])
        for name, prop in (schema.get("properties") or {}).items():
            item = FieldWidget(name, prop if isinstance(prop, dict) else {}, name in required)
            self.fields.append(item)
            self.form.addRow(f"{name}{'' if name in required else ' (optional)'}:", item.widget)

    @Slot()
    def _on_tool_changed(self) -> None:
        if not self.tool_id:
            return
        tool = self.spec.tools[self.tool_id]
        info = describe_tool(self.tool_id, tool, self.locations)
        self.description.setText(info.description)
        self.where.setText(f"⚠ {info.problem}" if info.problem else info.where)
        is_mcp = tool.mcp is not None
        self._top.setRowVisible(self.mcp_row, is_mcp)
        self.mcp_combo.clear()
        self._mcp_tools = {}
        self._set_form(None if is_mcp else info.parameters)
        self._problem = info.problem
        self._update_run_enabled()
        self.status.setText("List the server's tools to choose one." if is_mcp else "")
        if not self.running:  # the last output was another tool's
            self.result_view.setPlainText("")

    def _update_run_enabled(self) -> None:
        is_mcp = self.spec.tools[self.tool_id].mcp is not None if self.tool_id else False
        ready = not self._problem and (not is_mcp or self.mcp_combo.currentData() is not None)
        self.run_button.setEnabled(ready and not self.running)

    @Slot()
    def _on_mcp_tool_changed(self) -> None:
        name = self.mcp_combo.currentData()
        schema = self._mcp_tools.get(name, {}).get("parameters") if name else None
        self._set_form(schema if isinstance(schema, dict) else None)
        self._update_run_enabled()

    # --- running in a worker thread --------------------------------------------------------------

    def arguments(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.fields:
            given, value = item.value()
            if given:
                out[item.name] = value
        return out

    def _allowed(self) -> bool:
        items = code_manifest(self.spec, self.locations, self.team_file, tool_ids=[self.tool_id])
        if self.confirm(items):
            return True
        self.status.setText("Not run: the code it needs is not trusted.")
        return False

    def _start(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` off the GUI thread; ``done`` gets its value, a failure is shown as one line."""
        tool_id = self.tool_id

        def finished(value: Any, error: BaseException | None) -> None:
            self.running = False
            self.list_button.setEnabled(True)
            if error is None:
                done(value)
            else:
                log.info("trying tool %r failed", tool_id, exc_info=error)  # the dialog shows one line of it
                self.result_view.setPlainText(f"{type(error).__name__}: {error}")
                self.status.setText("✗ Failed")
            self._update_run_enabled()

        self.running = True
        self.run_button.setEnabled(False)
        self.list_button.setEnabled(False)
        self.tasks.submit("tool", work, finished, tick=self._on_tick)

    def _on_tick(self, seconds: float) -> None:
        self.status.setText(self.status.text().split(" — ")[0] + f" — {seconds:.1f} s")

    @Slot()
    def _on_run_clicked(self) -> None:
        if self.running:
            return
        try:
            args = self.arguments()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        if not self._allowed():
            return
        from ...runtime.tool_try import try_tool_blocking

        spec, tool_id, mcp_tool = self.spec, self.tool_id, self.mcp_combo.currentData()
        options = {"locations": self.locations, "trust": self.trust, "team_file": self.team_file, "mcp_tool": mcp_tool}
        limit = spec.tools[tool_id].timeout
        self.status.setText(f"Running {tool_id}… (time limit {limit:g} s)")
        self.result_view.setPlainText("")
        self._start(lambda: try_tool_blocking(spec, tool_id, args, **options), self._on_tried)

    @Slot()
    def _on_list_clicked(self) -> None:
        if self.running or not self._allowed():
            return
        import asyncio

        from ...runtime.tool_try import list_mcp_tools

        spec, tool_id = self.spec, self.tool_id
        locations, trust, team_file = self.locations, self.trust, self.team_file
        self.status.setText(f"Starting the MCP server {tool_id}…")
        self._start(lambda: asyncio.run(list_mcp_tools(spec, tool_id, locations=locations, trust=trust, team_file=team_file)),
                    self._on_listed)

    def _on_listed(self, tools: list[dict[str, Any]]) -> None:
        self._mcp_tools = {t["name"]: t for t in tools}
        self.mcp_combo.clear()
        for name, tool in self._mcp_tools.items():
            self.mcp_combo.addItem(name, name)
            self.mcp_combo.setItemData(self.mcp_combo.count() - 1, tool.get("description", ""), Qt.ItemDataRole.ToolTipRole)
        self.status.setText(f"The server offers {len(self._mcp_tools)} tool(s).")

    def _on_tried(self, value: Any) -> None:
        self.result_view.setPlainText(value.text)
        self.status.setText(("✗ Error" if value.is_error else "✓ Done") + f" in {value.seconds:.2f} s")
        self.last_result = value

    def done(self, result: int) -> None:
        self.tasks.discard()  # a late result from the worker thread is simply never read
        super().done(result)
