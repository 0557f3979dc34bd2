"""What the window offers while its start page shows: no document, so nothing to edit, save or run.

The controller always holds a design (a fresh untitled team after Close). While the start page
is up that design is hidden, and acting on it would surprise: Ctrl+R offered to run
"Untitled team", Ctrl+S to save it, and the Pattern panel still showed it. So the document's
actions sit in one QActionGroup that is disabled while the start page shows (an action in a
disabled group stays disabled whatever its own enabling says, e.g. Run after a validation),
and the document's panels are disabled under a placeholder that says there is no team (hiding
them instead would collapse their dock area). Examples of the gallery open as copies.
The same panels get the wheel guard (widgets/wheel_guard.py): scrolling them changes no field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from .actions import Actions
from .document.start_page import StartPageWidget
from .widgets.wheel_guard import WheelGuard

if TYPE_CHECKING:
    from .document.files import FileManager

#: Window actions that act on the open document. Not here: New, Open, Quit, help, Stop and Finish
#: turn (a run started before Close may still be going), which make sense without a document.
DOCUMENT_ACTIONS = (
    "save", "save_as", "close", "delete", "duplicate", "select_all", "add_agent", "rename", "auto_layout",
    "models", "run", "replay_last", "evaluate", "export_markdown", "export_jsonl", "zoom_in", "zoom_out", "zoom_reset", "fit",
)
#: Document actions that other parts of the window own, as (window attribute, action attribute):
#: trying a tool calls the open team's tools, the diagram and the exports are the open team's
#: (Tool folders, a setting, the theme and Import… stay).
ROOM_ACTIONS = (("tools_menu", "try_action"), ("diagram_export", "action"),
                ("interop", "json_action"), ("interop", "python_action"))
#: The panels that show the document; on the start page they show nothing.
DOCUMENT_PANELS = ("agent_panel", "team_panel", "pattern_panel", "problems_panel", "tool_library")
NO_TEAM_TEXT = "No team is open.\nStart a new team or open one from the start page."


class WindowParts(Protocol):
    """The parts of the main window this mode switches (MainWindow has them all)."""

    window_actions: Actions
    undo_action: QAction
    redo_action: QAction
    start_page: StartPageWidget
    stack: QStackedWidget
    files: FileManager

    def _show_editor(self) -> None: ...


class StartPageMode(QObject):
    """Disables the document's actions and covers its panels while ``window.start_page`` shows."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._parts = cast(WindowParts, window)  # the MainWindow: a QMainWindow with these parts
        self.group = QActionGroup(self)
        self.group.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        for action in self.document_actions():
            self.group.addAction(action)
        #: The document's panels, covered on the start page; they are built with the editor (cover()).
        self.panels: list[QWidget] = []
        self.wheel_guard: WheelGuard | None = None
        #: A placeholder over each panel, shown on the start page; it follows the panel's size.
        self.placeholders: dict[QWidget, QLabel] = {}
        self._parts.start_page.exampleRequested.connect(self._on_example_requested)
        self._parts.stack.currentChanged.connect(self._on_page_changed)
        self._on_page_changed()

    def cover(self) -> None:
        """Once the editor's panels exist: guard their fields from the wheel and cover them on the start page."""
        self.panels = [p for p in (getattr(self._window, n, None) for n in DOCUMENT_PANELS) if isinstance(p, QWidget)]
        self.wheel_guard = WheelGuard.install(self._window, *self.panels)
        self.placeholders = {panel: self._placeholder(panel) for panel in self.panels}
        self._on_page_changed()

    def document_actions(self) -> list[QAction]:
        parts = self._parts
        actions = [parts.window_actions.all[n] for n in DOCUMENT_ACTIONS if n in parts.window_actions.all]
        actions += [parts.undo_action, parts.redo_action]
        for room, name in ROOM_ACTIONS:
            action = getattr(getattr(self._window, room, None), name, None)
            if isinstance(action, QAction):
                actions.append(action)
        return actions

    @property
    def active(self) -> bool:
        """True while the start page shows (and so there is no document to act on)."""
        current = self._parts.stack.currentWidget()
        if current is self._parts.start_page:
            return True
        # A file being repaired that was opened from the start page: still no design to act on.
        views = self._window.__dict__.get("views")  # (never built just to answer this)
        return views is not None and current is views.repair and not views.design_open

    def _placeholder(self, panel: QWidget) -> QLabel:
        label = QLabel(NO_TEAM_TEXT, panel)
        label.setObjectName("no_team_placeholder")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setAutoFillBackground(True)  # opaque: the disabled fields under it do not show
        label.hide()
        panel.installEventFilter(self)
        return label

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget) and watched in self.placeholders:
            self.placeholders[watched].setGeometry(watched.rect())
        return False

    @Slot()
    def _on_page_changed(self) -> None:
        start = self.active
        self.group.setEnabled(not start)
        for panel, label in self.placeholders.items():
            # Disabled, so neither a click nor Tab reaches a field of the hidden design.
            panel.setEnabled(not start)
            label.setGeometry(panel.rect())
            label.setVisible(start)
            label.raise_()

    @Slot(str)
    def _on_example_requested(self, path: str) -> None:
        if self._parts.files.open_copy(path):
            self._parts._show_editor()
