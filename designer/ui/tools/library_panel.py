"""The Tools dock: a palette of every tool a team can use, like AutoGen Studio's and Langflow's.

Four sections: the tools "In this team" (checkable for the selected agent, with Options…,
Try… and Remove), the "Built-in" tools, "Your functions" (``module:function`` tools parsed,
never imported, from the team's ``tools/`` folder and the folders in settings) and the team's
"MCP servers" (Add server…, List tools after the trust question). An entry is added with
Add to team, a double-click or Enter, or dragged onto an agent's node on the canvas.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDockWidget, QGridLayout, QLabel, QLineEdit, QPushButton, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.finish import plural
from ...core import tool_edits
from ...core.tool_library import FunctionScan, scan_functions
from ...core.trust import code_manifest
from ..document.controller import DocumentController
from ..run.preparation import RunPreparation
from ..widgets.background import BackgroundTasks
from .mcp_listing import McpListing
from .options_dialog import AddMcpServerDialog, ToolOptionsDialog
from .palette_tree import KEY_ROLE, ToolTreeWidget, children

log = logging.getLogger(__name__)

#: Wide enough for an entry's name and the start of what it does (the rest is in its tooltip).
MIN_WIDTH = 200


class ToolLibraryWidget(QWidget):
    """``open_try(tool_id)`` opens the Try dialog on a tool of the team (the Tools menu's)."""

    def __init__(self, controller: DocumentController, preparation: RunPreparation,
                 open_try: Callable[[str], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_library")
        self._controller, self._preparation, self._open_try = controller, preparation, open_try
        self._scan: FunctionScan | None = None
        self._functions_stale = True
        self._shown: tuple[Any, ...] | None = None
        self.tasks = BackgroundTasks(self)
        self.mcp = McpListing()
        self.options_dialog: ToolOptionsDialog | None = None
        self.server_dialog: AddMcpServerDialog | None = None
        self._build()
        controller.changed.connect(self._on_design_changed)
        controller.selectionChanged.connect(self._on_design_changed)
        controller.pathChanged.connect(self._on_files_changed)
        controller.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.tree.fill_builtins()
        self._on_design_changed()

    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter tools…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.tree_filter)
        self.filter_edit.returnPressed.connect(self._on_filter_return)
        self.tree = ToolTreeWidget()
        self.sections = self.tree.sections
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_activated)
        self.tree.addRequested.connect(self._on_activated)
        self.tree.removeRequested.connect(self._on_remove)
        # No mnemonics: Alt+F, Alt+R, Alt+V … belong to the window's menus.
        self.add_button = _button("Add to team", self._on_add, "Add the selected tool to the team's library")
        self.options_button = _button("Options…", self._on_options, "Edit the tool's options, time limit and description")
        self.try_button = _button("Try…", self._on_try, "Call the tool with arguments you type")
        self.remove_button = _button("Remove", self._on_remove, "Remove the tool from the team, and from every agent using it")
        self.server_button = _button("Add MCP server…", self._on_add_server, "Add an MCP server started by a command or reached at a URL")
        self.list_button = _button("List tools", self._on_list_tools, "Start the MCP server (after asking) and list its tools")
        self.refresh_button = _button("Refresh", self._on_refresh, "Read the tool folders again")
        grid = QGridLayout()
        for i, button in enumerate((self.add_button, self.options_button, self.try_button, self.remove_button,
                                    self.server_button, self.list_button, self.refresh_button)):
            grid.addWidget(button, i // 2, i % 2)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        # Room for two lines, always: a message appearing must not move the buttons under the pointer.
        self.message.setFixedHeight(self.message.fontMetrics().lineSpacing() * 2 + 4)
        self.setMinimumWidth(MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addLayout(grid)

    # --- public --------------------------------------------------------------------------

    def item_for(self, key: str) -> QTreeWidgetItem | None:
        return self.tree.item_for(key)

    def select(self, key: str) -> bool:
        return self.tree.select(key)

    def current_key(self) -> str:
        return self.tree.current_key()

    def reveal(self) -> None:
        """Show the dock, raised, with the keyboard in the palette (Tools ▸ Try a tool… on an empty team)."""
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()
        first = children(self.sections["builtin"])
        if self.tree.currentItem() is None and first:
            self.tree.setCurrentItem(first[0])
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def refresh_functions(self) -> None:
        """Read the tool folders again (parsed, never imported)."""
        self._scan = scan_functions(self._controller.tool_locations())
        self._functions_stale = False
        self.tree.fill_functions(self._scan)
        self.tree.apply_filter(self.filter_edit.text())

    @Slot(str)
    def tree_filter(self, text: str) -> None:
        self.tree.apply_filter(text)

    @Slot()
    def _on_filter_return(self) -> None:
        """Enter in the filter: into the palette, on the first entry that matches."""
        first = next((c for root in self.sections.values() for c in children(root)
                      if not c.isHidden() and c.data(0, KEY_ROLE)), None)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)  # two lines are reserved for it; a longer one is read here

    # --- filling the sections ------------------------------------------------------------

    def _fill_team(self, *, force: bool = False) -> None:
        controller = self._controller
        spec, agent_id, locations = controller.spec, controller.current_agent, controller.tool_locations()
        agent = spec.agents.get(agent_id or "")
        # Typing a prompt changes the document at every key: rebuild only when what is shown changed.
        shown = (spec.tools, agent_id, agent.tools if agent else None, agent.kind if agent else None, locations)
        if shown == self._shown and not force:
            return
        self._shown = shown
        self.tree.fill_team(spec, agent_id, locations, self.mcp)
        self.tree.apply_filter(self.filter_edit.text())

    # --- reacting to the document ----------------------------------------------------------

    @Slot()
    def _on_design_changed(self, *args: Any) -> None:
        change = args[0] if args else None
        if getattr(change, "reset", False):
            self.say("")  # what was said about the last design is not about this one
        self._fill_team()
        self._update_buttons()

    @Slot()
    def _on_files_changed(self) -> None:
        # Another file, another tools/ folder: read it when the dock is seen (not at every start-up).
        self._functions_stale = True
        if self.isVisible():
            self.refresh_functions()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        if clean:  # saved (or back at the saved state): the folder may have changed with it
            self._on_files_changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._functions_stale:
            self.refresh_functions()

    # --- gestures --------------------------------------------------------------------------

    def _team_tool(self) -> str | None:
        key = self.current_key()
        return key.partition(":")[2] if key.startswith("team:") and key[5:] in self._controller.spec.tools else None

    @Slot()
    def _update_buttons(self, *args: Any) -> None:
        key, tool_id = self.current_key(), self._team_tool()
        tool = self._controller.spec.tools.get(tool_id or "")
        self.add_button.setEnabled(key.startswith(("builtin:", "function:")))
        for button in (self.options_button, self.try_button, self.remove_button):
            button.setEnabled(tool_id is not None)
        self.list_button.setEnabled(tool is not None and tool.mcp is not None and not self.tasks.busy("mcp"))

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = str(item.data(0, KEY_ROLE) or "")
        agent_id = self._controller.current_agent
        if not key.startswith("team:") or agent_id is None or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        tool_id, wired = key[5:], item.checkState(0) == Qt.CheckState.Checked
        label = f"{'Give' if wired else 'Take'} {tool_id} {'to' if wired else 'from'} {agent_id}"
        result = self._controller.edit(label, tool_edits.wire_tool, agent_id, tool_id, wired)
        if result.refused:
            self.say(result.refusal or "")
            self._fill_team(force=True)

    @Slot()
    def _on_activated(self, *args: Any) -> None:
        if self.current_key().startswith("team:"):
            self._on_options()
        else:
            self._on_add()

    @Slot()
    def _on_add(self) -> None:
        key = self.current_key()
        if not key.startswith(("builtin:", "function:")):
            return
        result = self._controller.edit(f"Add tool {key.rpartition(':')[2]}", tool_edits.add_from_key, key)
        if result.applied:
            self.say(f"Added {result.extra}: check it under In this team for the agents that should use it.")
            self.select(f"team:{result.extra}")
        elif result.refused:
            self.say(result.refusal or "")

    @Slot()
    def _on_remove(self) -> None:
        tool_id = self._team_tool()
        if tool_id is None:
            return
        result = self._controller.edit(f"Remove tool {tool_id}", tool_edits.remove_tool, tool_id)
        if result.applied:
            users = result.extra or []
            taken = f" and took it from {', '.join(users)}" if users else ""
            self.say(f"Removed {tool_id}{taken}. Undo (Ctrl+Z) brings it all back.")

    @Slot()
    def _on_options(self) -> None:
        tool_id = self._team_tool()
        if tool_id is None:
            return
        if self.options_dialog is not None:
            self.options_dialog.close()
        dialog = ToolOptionsDialog(self._controller, tool_id, self)
        dialog.finished.connect(self._on_options_finished)
        self.options_dialog = dialog
        dialog.open()  # window-modal, not exec(): the event loop keeps running

    @Slot()
    def _on_options_finished(self) -> None:
        if self.options_dialog is not None:
            self.options_dialog.deleteLater()
            self.options_dialog = None

    @Slot()
    def _on_try(self) -> None:
        tool_id = self._team_tool()
        if tool_id is not None:
            self._open_try(tool_id)

    @Slot()
    def _on_refresh(self) -> None:
        self.refresh_functions()
        count = len(self._scan.entries) if self._scan else 0
        self.say(f"Found {plural(count, 'function')} in the tool folders.")

    @Slot()
    def _on_add_server(self) -> None:
        if self.server_dialog is not None:
            self.server_dialog.close()
        dialog = AddMcpServerDialog(self._controller, self)
        dialog.finished.connect(self._on_server_finished)
        self.server_dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_server_finished(self, code: int) -> None:
        dialog, self.server_dialog = self.server_dialog, None
        if dialog is None:
            return
        if code == QDialog.DialogCode.Accepted and dialog.added:
            self.select(f"team:{dialog.added}")
            self.say(f"Added the MCP server {dialog.added}: List tools starts it (after asking) and shows its tools.")
        dialog.deleteLater()

    @Slot()
    def _on_list_tools(self) -> None:
        tool_id = self._team_tool()
        controller = self._controller
        tool = controller.spec.tools.get(tool_id or "")
        if tool_id is None or tool is None or tool.mcp is None or self.tasks.busy("mcp"):
            return
        spec, locations, path = controller.spec.model_copy(deep=True), controller.tool_locations(), controller.path
        # The same question as a run's or the Try dialog's: the server's command runs code.
        local = tool.mcp.transport == "stdio"  # a server at a URL starts nothing: it is contacted
        if not self._preparation.confirm(code_manifest(spec, locations, path, tool_ids=[tool_id])):
            self.say(f"Not started: {tool_id}'s command is not trusted." if local else f"Not contacted: {tool_id}'s URL is not trusted.")
            return
        self.say(f"{'Starting' if local else 'Contacting'} the MCP server {tool_id}…")
        work = self.mcp.lister(spec, tool_id, locations, self._preparation.trust, path)
        self.tasks.submit("mcp", work, self.mcp.callback(tool_id, tool.mcp, self._on_listed))
        self._update_buttons()

    def _on_listed(self, tool_id: str, text: str) -> None:
        self.say(text)
        self._fill_team(force=True)
        self.select(f"team:{tool_id}")
        self._update_buttons()


def _button(text: str, slot: Callable[[], None], tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button
