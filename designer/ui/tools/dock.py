"""The Tools dock's widget, wired to the Tools menu (the window's editor room docks it on the left)."""

from __future__ import annotations

from ..document.controller import DocumentController
from ..run.preparation import RunPreparation
from ..tools_menu import ToolsMenu
from .library_panel import ToolLibraryWidget

#: The View menu's words for the dock's toggle.
TOGGLE_TIP = "Show the tool library: add built-ins, your functions and MCP servers to the team"


def make_tool_library(controller: DocumentController, preparation: RunPreparation, tools_menu: ToolsMenu) -> ToolLibraryWidget:
    """The palette, and Tools ▸ Try a tool… pointing an empty team at it."""
    widget = ToolLibraryWidget(controller, preparation, tools_menu.show_try_dialog)
    tools_menu.show_library = widget.reveal
    tools_menu.foldersChanged.connect(widget.refresh_functions)
    return widget
