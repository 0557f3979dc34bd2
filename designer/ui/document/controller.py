"""The document as the window sees it: one undoable edit per gesture, selection, live problems.

Every edit goes through :meth:`DocumentController.edit`, which runs a pure function from
:mod:`designer.core.edits` (or another core edit module) and pushes the spec before/after
onto the QUndoStack. The "modified" marker is the stack's clean state, never a separate flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...core.document import Change, TeamDocument
from ...core.edit_result import Edited
from ...core.edits import new_team
from ...core.errors import EditError
from ...core.problems import Problem
from ...core.spec import TeamSpec
from ...core.tool_introspect import ToolLocations
from ...core.validate import validate_spec

_MERGE_ID = 1


@dataclass(frozen=True)
class EditResult:
    """What became of one :meth:`DocumentController.edit`, so the panel that asked can say why
    an edit was refused right where the user made it (the status bar hears it too)."""

    #: The document changed (one undo step). False when refused, or when the edit changed nothing.
    applied: bool
    #: The edit function's extra result (an ``Edited``'s ``extra``: a new id, what was dropped), else None.
    extra: Any = None
    #: Why the edit was refused, in the user's words; None when it was not.
    refusal: str | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


class SpecCommand(QUndoCommand):
    """Before/after snapshots of the spec; consecutive edits with the same merge key merge."""

    def __init__(self, controller: DocumentController, before: TeamSpec, after: TeamSpec, text: str, merge_key: Any) -> None:
        super().__init__(text)
        self._controller = controller
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def redo(self) -> None:
        self._controller.document.replace(self.after)

    def undo(self) -> None:
        self._controller.document.replace(self.before)

    def id(self) -> int:  # Qt's name
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True


class DocumentController(QObject):
    changed = Signal(object)  # Change
    selectionChanged = Signal()  # noqa: N815 - Qt naming
    problemsChanged = Signal()  # noqa: N815
    pathChanged = Signal()  # noqa: N815
    editRefused = Signal(str)  # noqa: N815 - a message for the status bar

    def __init__(self, parent: QObject | None = None, undo_stack: QUndoStack | None = None) -> None:
        super().__init__(parent)
        self.document = TeamDocument(new_team())
        self.document.subscribe(self._on_document_changed)
        # The window makes its stack (and the Undo/Redo actions on it) before the team model is
        # loaded, so its start page shows without importing it; see main_window.
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.problems: list[Problem] = []
        self.selected_agents: list[str] = []
        #: (source, target, graph edge index or None) of the selected connection.
        self.selected_connection: tuple[str, str, int | None] | None = None
        self._merge_serial = 0
        #: Connection-test results (a ProbeCache) for the validator's warnings; None: not checked.
        self.probe_results: Mapping[str, Any] | None = None
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(120)
        self._validate_timer.timeout.connect(self.validate_now)
        self.validate_now()

    # --- the design ---------------------------------------------------------------------

    @property
    def spec(self) -> TeamSpec:
        return self.document.spec

    @property
    def path(self) -> Path | None:
        return self.document.path

    def set_design(self, spec: TeamSpec, path: Path | None, *, modified: bool = False, untitled: str = "Untitled") -> None:
        """Open a whole design (new file, opened file, restored recovery): history starts over.
        ``untitled`` names an unsaved design in the title (a run's team: where it came from)."""
        self.undo_stack.clear()
        self.document.path = path
        self.document.untitled_name = untitled
        self.selected_agents = []
        self.selected_connection = None
        self.document.replace(spec, reset=True)
        if modified:
            # A restored design differs from its file: one step marks it modified, and undo goes back.
            self.undo_stack.resetClean()
        self.pathChanged.emit()
        self.selectionChanged.emit()

    def set_path(self, path: Path) -> None:
        self.document.path = path
        self.pathChanged.emit()
        # Tool references resolve in tools/ beside the file: a new place can change the problems.
        self._validate_timer.start()

    def edit(self, label: str, fn: Callable[..., Any], *args: Any, merge_key: Any = None, **kwargs: Any) -> EditResult:
        """Apply ``fn(spec, *args)`` as one undoable step.

        ``merge_key`` merges consecutive edits of one field (typing) into one undo step.
        Refused edits (EditError) change nothing; the result carries the reason, and
        ``editRefused`` tells the status bar.
        """
        try:
            result = fn(self.spec, *args, **kwargs)
        except EditError as exc:
            self.editRefused.emit(str(exc))
            return EditResult(False, refusal=str(exc))
        after, extra = (result if isinstance(result, Edited) else (result, None))
        if after == self.spec:
            return EditResult(False, extra)
        key = (merge_key, self._merge_serial) if merge_key is not None else None
        self.undo_stack.push(SpecCommand(self, self.spec, after, label, key))
        return EditResult(True, extra)

    def break_merge(self) -> None:
        """The next edit starts a new undo step even in the same field (focus left it)."""
        self._merge_serial += 1

    # --- selection -------------------------------------------------------------------------

    def select_agents(self, ids: list[str]) -> None:
        ids = [i for i in ids if i in self.spec.agents]
        if ids != self.selected_agents or self.selected_connection is not None:
            self.selected_agents = ids
            self.selected_connection = None
            self.selectionChanged.emit()

    def select_connection(self, source: str, target: str, index: int | None) -> None:
        self.selected_agents = []
        self.selected_connection = (source, target, index)
        self.selectionChanged.emit()

    @property
    def current_agent(self) -> str | None:
        return self.selected_agents[0] if len(self.selected_agents) == 1 else None

    # --- validation -------------------------------------------------------------------------

    def validate_now(self) -> None:
        self.problems = validate_spec(self.spec, probe_results=self.probe_results, locations=self.tool_locations())
        self.problemsChanged.emit()

    def tool_locations(self) -> ToolLocations:
        """Where this design's tool modules live: tools/ beside its file, then the folders in settings."""
        from .. import settings

        return ToolLocations.for_file(self.path, settings.get("tools/folders"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def _on_document_changed(self, change: Change) -> None:
        if change.removed and any(a in change.removed for a in self.selected_agents):
            self.selected_agents = [a for a in self.selected_agents if a in self.spec.agents]
            self.selectionChanged.emit()
        if (change.removed or change.orchestration) and self.selected_connection is not None:
            self.selected_connection = None
            self.selectionChanged.emit()
        self.changed.emit(change)
        self._validate_timer.start()
