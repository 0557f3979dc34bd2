"""Opening, saving and never losing work: unsaved-change prompts, recent files, crash recovery.

While the design is modified, a recovery copy is written a few seconds after each
edit (atomically, with a small JSON note of where it came from). A clean design has
no recovery copy; one left behind means the app did not close normally, and the next
start offers to restore it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from shiboken6 import Shiboken

from ...core.problems import Problem, has_errors
from ...core.spec import TeamSpec
from ...core.paths import EXAMPLES_DIR
from ...core.teamfile import atomic_write, dump_team, file_name_for, remove_stale_temps, save_team
from ...core.validate import validate_file
from ...core.yamlio import parse_team
from .. import settings
from .controller import DocumentController
from .recovery import Recovery, recovery_dir

log = logging.getLogger(__name__)

FILE_FILTER = "Team files (*.yaml *.yml);;All files (*)"


class FileManager(QObject):
    """File gestures for one window. The dialogs are attributes so tests can answer them."""

    message = Signal(str)
    recentChanged = Signal(list)  # noqa: N815 - Qt naming

    def __init__(self, controller: DocumentController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = parent
        self._recovery_name = f"session-{os.getpid()}-{int(time.time() * 1000)}-{id(self)}"
        # Held while this window lives, so another instance never mistakes our unsaved work
        # for a crashed session's (and offers to take or delete it).
        self._session_lock = QLockFile(str(recovery_dir() / f"{self._recovery_name}.lock"))
        self._session_lock.tryLock(0)
        # Replaceable in tests: each returns what the user chose.
        self.ask_save: Callable[[str], str] = self._ask_save_dialog  # "save" | "discard" | "cancel"
        self.choose_open_path: Callable[[], str | None] = self._open_dialog
        self.choose_save_path: Callable[[], str | None] = self._save_dialog
        self.show_error: Callable[[str, str], None] = self._error_dialog
        #: Offered a file that did not load because of its content, to fix it (True: it took it).
        self.repair: Callable[[str, list[Problem]], bool] | None = None
        #: Set by the YAML view: text typed there and not applied yet counts as a change, so it
        #: is asked about, never dropped silently. ``settle_unapplied(True)`` applies it (False:
        #: it has problems), ``settle_unapplied(False)`` discards it.
        self.unapplied: Callable[[], bool] = lambda: False
        self.settle_unapplied: Callable[[bool], bool] = lambda apply: True
        #: The file name an example copy suggests on its first save (None: not a copy).
        self._copy_name: str | None = None
        controller.pathChanged.connect(self._on_path_changed)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.timeout.connect(self.write_recovery)
        controller.undo_stack.cleanChanged.connect(self._on_clean_changed)
        # indexChanged, not the document's change signal: it fires after the stack has moved,
        # so "modified" is already up to date.
        controller.undo_stack.indexChanged.connect(self._on_changed)

    # --- dialogs -----------------------------------------------------------------------------

    def _folder(self) -> str:
        return settings.get("files/last_folder") or str(Path.home())

    def _open_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open team", self._folder(), FILE_FILTER)
        return path or None

    def suggested_save_path(self) -> str:
        """Where Save As starts: the file's own name, an example copy's name, else the team's name as
        a safe slug; in the last folder used, never the shipped examples folder (a copy stays a copy)."""
        path = self.controller.path
        name = path.name if path else self._copy_name or file_name_for(self.controller.spec.name)
        folder = Path(str(path.parent) if path else self._folder())
        if folder.resolve() == EXAMPLES_DIR.resolve():
            folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        return str(folder / name)

    def _save_dialog(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save team as", self.suggested_save_path(), FILE_FILTER)
        if path and not path.endswith((".yaml", ".yml")):
            path += ".yaml"
        return path or None

    def _error_dialog(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def _ask_save_dialog(self, name: str) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes", f"Save the changes to “{name}”?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self.window)
        box.setInformativeText("Your changes will be lost if you don't save them.")
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    # --- gestures ------------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return not self.controller.undo_stack.isClean()

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current design (saved, discarded or unchanged)."""
        pending = self.unapplied()
        if not self.modified and not pending:
            return True
        answer = self.ask_save(self.controller.document.display_name)
        if answer == "save":
            return self.save()  # (applies the typed text first, or refuses)
        if answer == "discard" and pending:
            self.settle_unapplied(False)
        return answer == "discard"

    def open(self, path: str | None = None) -> bool:
        path = path or self.choose_open_path()
        if not path:
            return False
        # Read first: a file that does not load replaces nothing (the repair view shows it, and
        # asks about unsaved changes once, when its fix is applied), so it asks nothing now.
        result = validate_file(path, tool_folders=settings.get("tools/folders"))
        if result.spec is None:
            if self.repair is not None and self.repair(path, result.problems):
                return False  # shown in the repair view: open_repaired opens it once it is fixed
            lines = "\n".join(p.format() for p in result.problems)
            self.show_error("Cannot open team file", f"{Path(path).name} could not be opened:\n\n{lines}")
            return False
        if not self.maybe_save():
            return False
        self.controller.set_design(result.spec, Path(path).resolve())
        # Temporary files that killed saves of this file left behind (never a live save's).
        remove_stale_temps(path)
        self._remember(path)
        errors = sum(1 for p in result.problems if p.is_error)
        self.message.emit(f"Opened {Path(path).name}" + (f" — {errors} problem(s) to fix before running" if errors else ""))
        return True

    def open_repaired(self, spec: TeamSpec, path: str) -> bool:
        """A file fixed in the repair view becomes the design, modified (it differs from the file
        until saved), with the file's path: Save writes it there, atomically like any save."""
        if not self.maybe_save():
            return False
        self.controller.set_design(spec, Path(path).resolve(), modified=True)
        self._remember(path)
        self.write_recovery()
        self.message.emit(f"Opened the repaired {Path(path).name}: save it to keep the fixes")
        return True

    def open_copy(self, path: str) -> bool:
        """Open a file's design as a new, untitled document (an example from the start page):
        Save asks where, suggesting the example's name, so the original is never overwritten."""
        if not self.maybe_save():
            return False
        result = validate_file(path, tool_folders=settings.get("tools/folders"))
        if result.spec is None:
            lines = "\n".join(p.format() for p in result.problems)
            self.show_error("Cannot open team file", f"{Path(path).name} could not be opened:\n\n{lines}")
            return False
        self.controller.set_design(result.spec, None)
        self._copy_name = Path(path).name
        self.message.emit(f"Opened a copy of {Path(path).name}: Save asks where to keep it")
        return True

    def _on_path_changed(self) -> None:
        self._copy_name = None

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        from ...core.edits import new_team

        self.controller.set_design(new_team(), None)
        return True

    def save(self) -> bool:
        if not self._settle_typed_text():
            return False
        if self.controller.path is None:
            return self.save_as()
        return self._write(self.controller.path)

    def _settle_typed_text(self) -> bool:
        # Save writes what the user sees: text typed in the YAML tab is applied first, and a
        # save that cannot include it (it has problems) does not happen, as on Close.
        if self.unapplied() and not self.settle_unapplied(True):
            self.show_error("Not saved", "The text typed in the YAML tab has problems: fix them or Revert it first.")
            return False
        return True

    def save_as(self) -> bool:
        if not self._settle_typed_text():
            return False
        path = self.choose_save_path()
        if not path:
            return False
        # abspath, not resolve(): resolving a symlink loop raises before the save can explain it.
        if not self._write(Path(os.path.abspath(path))):
            return False
        self.controller.set_path(Path(path).resolve())
        self._remember(path)
        return True

    def _write(self, path: Path) -> bool:
        try:
            save_team(self.controller.spec, path)
        except (OSError, ValueError) as exc:  # read-only or missing folder, a folder in the way, NUL in a name
            log.warning("saving %s failed", path, exc_info=True)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.show_error("Cannot save", f"{path} could not be written: {reason}.\nNothing was lost: the design is still open.")
            return False
        self.controller.undo_stack.setClean()
        problems = self.controller.problems
        note = " (saved with problems: see the Problems panel)" if has_errors(problems) else ""
        self.message.emit(f"Saved {path.name}{note}")
        return True

    def _remember(self, path: str) -> None:
        settings.put("files/last_folder", str(Path(path).resolve().parent))
        self.recentChanged.emit(settings.add_recent(str(Path(path).resolve())))

    # --- recovery ------------------------------------------------------------------------------

    @property
    def recovery_path(self) -> Path:
        return recovery_dir() / f"{self._recovery_name}.yaml"

    def write_recovery(self) -> None:
        if not self.modified:
            return
        note = {"original": str(self.controller.path) if self.controller.path else None, "saved_at": time.time()}
        try:
            atomic_write(self.recovery_path, dump_team(self.controller.spec))
            atomic_write(self.recovery_path.with_suffix(".json"), json.dumps(note))
        except OSError as exc:  # a full disk must not interrupt editing; say so once in a while
            log.warning("writing the recovery copy failed", exc_info=True)
            self.message.emit(f"Could not write the recovery copy: {exc.strerror or exc}")

    def discard_recovery(self) -> None:
        self._autosave.stop()
        Recovery(self.recovery_path, None, 0).discard()

    def release_session(self) -> None:
        """The window is going away: its recovery file (if any) is no longer a live session's."""
        self._session_lock.unlock()

    def restore(self, recovery: Recovery) -> bool:
        result = parse_team(recovery.yaml_path.read_bytes(), str(recovery.yaml_path))
        if result.spec is None:
            recovery.discard()
            return False
        self.controller.set_design(result.spec, recovery.original, modified=True)
        recovery.discard()
        self.write_recovery()  # it is now this session's unsaved work
        self.message.emit("Restored unsaved work" + (f" of {recovery.original.name}" if recovery.original else ""))
        return True

    def _on_changed(self, index: int) -> None:
        # QUndoStack clears itself (emitting) while being destroyed with the window.
        if not Shiboken.isValid(self.controller.undo_stack):
            return
        if self.modified:
            self._autosave.start(settings.get("run/autosave_seconds") * 1000)

    def _on_clean_changed(self, clean: bool) -> None:
        if clean and Shiboken.isValid(self.controller.undo_stack):
            self.discard_recovery()
