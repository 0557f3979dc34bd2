"""The Tools dock's tree: its four sections, their entries, the filter, and drags out of it.

Each entry carries its library key ("team:calc", "builtin:http_get", "function:m:f") in
KEY_ROLE; notes and problems carry none, so they can be neither added nor dragged.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QEvent, QMimeData, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from ...core.mcp_remote import describe_server
from ...core.spec import McpServerSpec, TeamSpec
from ...core.tool_catalog import describe_tool, schema_text
from ...core.tool_introspect import ToolLocations
from ...core.tool_library import FunctionScan, LibraryEntry, builtin_entries
from .drop import TOOL_MIME, tool_mime
from .mcp_listing import McpListing

KEY_ROLE = Qt.ItemDataRole.UserRole
_OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
SECTIONS = (("team", "In this team"), ("builtin", "Built-in"), ("function", "Your functions"), ("mcp", "MCP servers"))


def children(root: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [child for i in range(root.childCount()) if (child := root.child(i)) is not None]


def entry_tip(entry: LibraryEntry) -> str:
    lines = [entry.description or "(no docstring)", f"Parameters: {schema_text(entry.parameters)}"]
    if entry.source == "function":
        lines.append(f"Reference: {entry.ref}" + (" (async)" if entry.is_async else ""))
    lines.append(f"From: {entry.where}")
    for option in entry.options:
        default = f" (default: {option.default})" if option.default else ""
        lines.append(f"Option {option.name}: {option.meaning}{default}")
    return "\n".join(lines)


class ToolTreeWidget(QTreeWidget):
    """Entries drag out as their library key; Enter asks to add (or open), Delete to remove."""

    addRequested = Signal()  # noqa: N815 - Qt naming
    removeRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_tree")
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setToolTip("Double-click or press Enter to add a tool to the team; drag it onto an agent to give it that tool.")
        self.sections: dict[str, QTreeWidgetItem] = {}
        for key, title in SECTIONS:
            root = QTreeWidgetItem(self, [title])
            root.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = root.font(0)
            font.setBold(True)
            root.setFont(0, font)
            root.setExpanded(True)
            self.sections[key] = root

    # --- Qt ------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt API
        return [TOOL_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt API
        keys = [item.data(0, KEY_ROLE) for item in items if item.data(0, KEY_ROLE)]
        return tool_mime(str(keys[0]) if keys else "")

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N802, N803 - Qt API
        # A copy, always: the view's own drag would remove the row from the palette after a move.
        item = self.currentItem()
        key = str(item.data(0, KEY_ROLE) or "") if item is not None else ""
        if item is None or not key:
            return
        drag = QDrag(self)
        drag.setMimeData(tool_mime(key))
        drag.setPixmap(self.viewport().grab(self.visualItemRect(item)))
        drag.exec(Qt.DropAction.CopyAction)

    def event(self, event: QEvent) -> bool:
        # Delete and Enter belong to the palette while it has the focus, not to the window's Delete action.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and event.key() in _OWN_KEYS \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.addRequested.emit()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.removeRequested.emit()
        else:
            return super().keyPressEvent(event)
        event.accept()

    # --- entries -------------------------------------------------------------------------

    def item_for(self, key: str) -> QTreeWidgetItem | None:
        if not key:
            return None
        return next((c for root in self.sections.values() for c in children(root) if c.data(0, KEY_ROLE) == key), None)

    def select(self, key: str) -> bool:
        item = self.item_for(key)
        if item is not None:
            self.setCurrentItem(item)
        return item is not None

    def current_key(self) -> str:
        item = self.currentItem()
        return str(item.data(0, KEY_ROLE) or "") if item is not None else ""

    def entry(self, section: str, key: str, text: str, tip: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.sections[section], [text])
        item.setToolTip(0, tip)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if key:
            item.setData(0, KEY_ROLE, key)
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        item.setFlags(flags)
        return item

    def note(self, parent: QTreeWidgetItem, text: str, tip: str = "") -> None:
        item = QTreeWidgetItem(parent, [text])
        item.setToolTip(0, tip or text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)

    def apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for root in self.sections.values():
            for item in children(root):
                haystack = (item.text(0) + " " + item.toolTip(0)).lower()
                item.setHidden(bool(words) and not all(w in haystack for w in words))

    # --- sections ------------------------------------------------------------------------

    def fill_builtins(self) -> None:
        for entry in builtin_entries():
            self.entry("builtin", entry.key, f"{entry.name} — {entry.description}", entry_tip(entry))

    def fill_functions(self, scan: FunctionScan) -> None:
        current = self.current_key()
        with QSignalBlocker(self):
            self.sections["function"].takeChildren()
            for entry in scan.entries:
                summary = f" — {entry.description}" if entry.description else ""
                self.entry("function", entry.key, f"{entry.ref}{entry.signature}{summary}", entry_tip(entry))
            for problem in scan.problems:
                self.entry("function", "", f"⚠ {problem.message}", str(problem.path))
            if not scan.entries and not scan.problems:
                where = ", ".join(str(f) for f in scan.folders) or "no folder yet: save the team to use tools/ beside it"
                self.note(self.sections["function"], "No functions found", f"Looked in: {where}. Put .py files with "
                          "functions there, or add folders in Tools ▸ Tool folders…")
        self.select(current)

    def fill_team(self, spec: TeamSpec, agent_id: str | None, locations: ToolLocations, mcp: McpListing) -> None:
        """The team's tools (checked: used by ``agent_id``, when it is an assistant) and its MCP servers."""
        agent = spec.agents.get(agent_id or "")
        current = self.current_key()
        with QSignalBlocker(self):
            self.sections["team"].takeChildren()
            self.sections["mcp"].takeChildren()
            for tool_id, tool in spec.tools.items():
                info = describe_tool(tool_id, tool, locations)
                summary = f" — {info.summary}" if info.summary else ""
                tip = f"{info.description}\nParameters: {schema_text(info.parameters)}\n{info.where}"
                item = self.entry("team", f"team:{tool_id}", f"{tool_id}{summary}", tip + (f"\n⚠ {info.problem}" if info.problem else ""))
                if agent is not None and agent.kind == "assistant":
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Checked if tool_id in agent.tools else Qt.CheckState.Unchecked)
                if tool.mcp is not None:
                    self._fill_server(tool_id, tool.mcp, mcp)
            if not spec.tools:
                self.note(self.sections["team"], "No tools yet: add one from below",
                          "Select a tool and press Add to team, or drag it onto an agent")
            if not self.sections["mcp"].childCount():
                self.note(self.sections["mcp"], "No MCP servers yet: Add MCP server…",
                          "An MCP server started by a command (npx, uvx, python …) or reached at a URL gives agents its tools")
            if agent is None:
                title = "In this team (select an agent to choose its tools)"
            elif agent.kind != "assistant":
                title = f"In this team ({agent_id} is not an assistant: no tools)"
            else:
                title = f"In this team (✓: used by {agent_id})"
            self.sections["team"].setText(0, title)
        self.select(current)

    def _fill_server(self, tool_id: str, server: McpServerSpec, mcp: McpListing) -> None:
        command = describe_server(server)
        how = "Started as" if server.transport == "stdio" else "Reached at"
        item = self.entry("mcp", f"team:{tool_id}", f"{tool_id} — {command}", f"{how}: {command}")
        listed = mcp.listed(tool_id, server)
        if isinstance(listed, str):
            self.note(item, f"✗ {listed}")
        elif listed is not None:
            for name, description in listed:
                self.note(item, f"{name} — {description}" if description else name, description)
            item.setExpanded(True)
