"""Puts the Tools dock into the window: a left-hand dock, listed in View like the other docks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from ..actions import menu_named
from ..document.controller import DocumentController
from ..run.preparation import RunPreparation
from ..tools_menu import ToolsMenu
from .library_panel import ToolLibraryWidget


def install_tool_library(window: QMainWindow, controller: DocumentController, preparation: RunPreparation,
                         tools_menu: ToolsMenu, docks: dict[str, QDockWidget]) -> ToolLibraryWidget:
    """Build the dock (its widget is returned), register it in ``docks`` and the View menu, and
    let Tools ▸ Try a tool… point an empty team at it."""
    widget = ToolLibraryWidget(controller, preparation, tools_menu.show_try_dialog, window)
    dock = QDockWidget("Tools", window)
    dock.setObjectName("tools_dock")
    dock.setWidget(widget)
    # On the left, as in AutoGen Studio and Langflow: the palette beside the canvas it feeds.
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    docks["tools"] = dock
    toggle = dock.toggleViewAction()
    toggle.setStatusTip("Show the tool library: add built-ins, your functions and MCP servers to the team")
    view = menu_named(window, "View")
    if view is not None:
        separator = next((a for a in view.actions() if a.isSeparator()), None)
        view.insertAction(separator, toggle) if separator is not None else view.addAction(toggle)
    tools_menu.show_library = widget.reveal
    tools_menu.foldersChanged.connect(widget.refresh_functions)
    return widget
