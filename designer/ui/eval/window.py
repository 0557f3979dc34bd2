"""Run ▸ Evaluate…: the Evaluate window, an evaluation file of the open team edited and run.

The window works on an evaluation FILE (team-designer-eval/v1) beside the team file: the
tasks table, defaults and variants are that file; Run saves it and runs it as
``team-designer eval`` would (same loading, same validation, same engine), the matrix filling in
as runs end. Questions are attributes a test replaces (``choose_open_path``,
``choose_save_path``, ``ask_save``, ``show_error``), and the window can be built and given a
file (``load_file``) without showing any dialog, e.g. for screenshots.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from ...core.eval_file import LoadedEval
from ...core.problems import Problem
from ...core.safefile import describe_os_error
from ...core.spec import TeamSpec
from ...core.teamfile import atomic_write
from ...core.validate import validate_file
from ...core.yamlio import MAX_BYTES, TeamFileError, read_data
from .draft import EVAL_SUFFIX, EvalDraft, default_eval_path
from .run_side import RunSide
from .setup_panel import SetupPanel
from .window_layout import TeamBar, build_layout

if TYPE_CHECKING:
    from ..run.preparation import RunPreparation

log = logging.getLogger(__name__)

FILE_FILTER = f"Evaluation files (*{EVAL_SUFFIX} *.yaml *.yml);;All files (*)"
#: After an edit, the draft is checked once typing pauses this long.
CHECK_DELAY_MS = 250


class EvalWindow(QMainWindow):
    """One evaluation of one team file. ``open_team`` says which team the main window has open
    and whether it has unsaved changes; ``save_team`` saves it (the main window's Save, which
    asks for a path if it has none) and gives its path, or None when it was not saved."""

    #: The evaluation file changed (a new path, or saved).
    fileChanged = Signal()  # noqa: N815 - Qt naming
    team_bar: TeamBar  # made by build_layout

    def __init__(self, team_file: Path | None, parent: QWidget | None = None, *,
                 preparation: RunPreparation | None = None, save_team: Callable[[], Path | None] | None = None,
                 open_team: Callable[[], tuple[Path | None, bool]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eval_window")
        if preparation is None:
            from ...core.trust import TrustStore
            from ..dialogs.trust import ask_with_dialog, gui_trust_path
            from ..run.preparation import RunPreparation

            preparation = RunPreparation(TrustStore(gui_trust_path()), lambda items: ask_with_dialog(self, items))
        #: The trust store and question before code runs (shared with the main window's runs).
        self.preparation = preparation
        self._save_team, self._open_team = save_team, open_team
        # Replaceable in tests: the dialogs.
        self.choose_open_path: Callable[[], str | None] = self._open_dialog
        self.choose_save_path: Callable[[], str | None] = self._save_dialog
        self.ask_save: Callable[[str], str] = self._ask_save_dialog  # "save" | "discard" | "cancel"
        self.show_error: Callable[[str, str], None] = self._error_dialog

        self.path: Path | None = None  # the evaluation file
        self.team_file: Path | None = None
        self.team: TeamSpec | None = None
        self.draft: EvalDraft | None = None
        self.modified = False
        #: The last check of the draft: (loaded as the CLI would, problems of unreadable checks).
        self.loaded: LoadedEval | None = None
        self.problems: list[Problem] = []

        self.setup = SetupPanel(self)
        self.setup.changed.connect(self._on_edited)
        self.run_side = RunSide(self)
        self.actions_ = self._make_actions()
        build_layout(self)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check)
        self.resize(1200, 820)
        self.set_team(team_file)

    def _make_actions(self) -> dict[str, QAction]:
        made: dict[str, QAction] = {}
        for name, text, keys, slot in (
            ("open", "&Open…", [QKeySequence.StandardKey.Open], self.open),
            ("save", "&Save", [QKeySequence.StandardKey.Save], self.save),
            ("save_as", "Save &As…", ["Ctrl+Shift+S"], self.save_as),
            ("run", "&Run", ["Ctrl+R", "F5"], self.run_side.run),
            ("stop", "&Stop", ["Esc", "Ctrl+."], self.run_side.stop),
            ("compare", "&Compare", ["Ctrl+Shift+C"], self.run_side.compare_selected),
        ):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(slot)
            self.addAction(action)  # its shortcut works wherever the focus is in this window
            made[name] = action
        made["run"].setToolTip("Save the evaluation file and run it (Ctrl+R)")
        made["stop"].setToolTip("Stop the whole evaluation (Esc)")
        made["compare"].setToolTip("Compare the first runs of the two selected cells (Ctrl+Shift+C)")
        return made

    # --- the team and the file ----------------------------------------------------------

    def set_team(self, team_file: Path | None) -> None:
        """Start a new evaluation of ``team_file`` (None: the team is not saved yet); its file
        beside the team is read if it exists."""
        if team_file is None:
            self.team_file, self.team, self.path = None, None, None
            self._show(None)
            return
        team_file = Path(team_file).absolute()
        path = default_eval_path(team_file)
        if path.is_file() and self.load_file(path):
            return
        self.team_file, self.path = team_file, path
        self.team = _read_team(team_file)
        self._show(EvalDraft(team_file))
        self.modified = False  # nothing typed yet: nothing to lose (Run writes the file all the same)
        self._update_title()

    def load_file(self, path: str | Path) -> bool:
        """Show the evaluation file at ``path``; False (and an error shown) if it cannot be read."""
        path = Path(path).absolute()
        try:
            data = path.read_bytes()
            if len(data) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES // 2**20} MiB")
            raw, _ = read_data(data, str(path))
        except OSError as exc:
            self.show_error("Cannot open the evaluation", f"{path}: {describe_os_error(exc)}")
            return False
        except ValueError as exc:
            self.show_error("Cannot open the evaluation", f"{path}: {exc}")
            return False
        except TeamFileError as exc:
            self.show_error("Cannot open the evaluation", exc.problem.format())
            return False
        if not isinstance(raw, dict):
            self.show_error("Cannot open the evaluation", f"{path}: not an evaluation file (a mapping of keys)")
            return False
        draft = EvalDraft.from_data(raw, path.parent)
        # The window writes a file anew from what it shows: say so when that drops the file's comments.
        self._had_comments = any(line.lstrip().startswith("#") for line in data.decode("utf-8", "replace").splitlines())
        self.path, self.team_file = path, draft.team
        self.team = _read_team(draft.team)
        self._show(draft)
        self.modified = False
        self._update_title()
        return True

    _had_comments = False

    def _show(self, draft: EvalDraft | None) -> None:
        self.draft = draft
        if not self.run_side.running:  # another evaluation: the last one's matrix is not its
            self.run_side.clear_results()
        self.setup.set_draft(draft, self.team, self.path.parent if self.path else None)
        self.refresh_team()
        self.check()

    def refresh_team(self) -> None:
        """The note above the setup: which team runs, and whether it must be saved first."""
        bar = self.team_bar
        if self.team_file is None:
            bar.set_text("The team is not saved yet: an evaluation runs a team file. Save the team first.", save=True)
        elif self._open_team is not None and self._open_team()[1] and same_file(self._open_team()[0], self.team_file):
            bar.set_text(f"Team: {self.team_file.name} has unsaved changes; the evaluation runs the saved file.", save=True)
        else:
            bar.set_text(f"Team: {self.team_file.resolve()}", save=False)  # without the '..' of a relative path
        self._update_title()

    def save_team(self) -> None:
        """The banner's Save: the main window saves the team (choosing a path if it has none)."""
        if self._save_team is None:
            return
        saved = self._save_team()
        if saved is None:
            return
        if self.team_file is None:
            self.set_team(saved)
        else:  # its inputs, agents and models may have changed with it
            self.team = _read_team(saved)
            self._show(self.draft)

    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled evaluation"
        self.setWindowTitle(f"{name}[*] — Evaluate — Team Designer")
        self.setWindowModified(self.modified and self.draft is not None)

    # --- editing and checking -------------------------------------------------------------

    def _on_edited(self) -> None:
        self.modified = True
        self._update_title()
        self.run_side.update_actions()
        self._check_timer.start()

    def check(self) -> bool:
        """Load the draft as ``team-designer eval`` would; show its problems. True: it can run."""
        self._check_timer.stop()
        if self.draft is None or self.path is None:
            self.loaded, self.problems = None, []
        else:
            self.loaded, unreadable = self.draft.check(self.path)
            self.problems = [*unreadable, *self.loaded.problems]
        self.setup.show_problems(self.problems)
        self.run_side.update_actions()
        return self.can_run

    @property
    def can_run(self) -> bool:
        return self.loaded is not None and self.loaded.ok and not any(p.is_error for p in self.problems)

    # --- files ------------------------------------------------------------------------------

    def _open_dialog(self) -> str | None:
        start = str(self.path.parent if self.path else Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open evaluation", start, FILE_FILTER)
        return path or None

    def _save_dialog(self) -> str | None:
        start = str(self.path or (default_eval_path(self.team_file) if self.team_file else Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, "Save evaluation", start, FILE_FILTER)
        return path or None

    def _ask_save_dialog(self, name: str) -> str:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self, "Save the evaluation?", f"Save the changes to {name}?",
                                      buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def _error_dialog(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def maybe_save(self) -> bool:
        """True when nothing would be lost (saved, discarded, or unchanged); False: cancelled."""
        if not self.modified or self.draft is None or self.path is None:
            return True
        answer = self.ask_save(self.path.name)
        return answer == "discard" or (answer == "save" and self.save())

    def open(self) -> bool:
        if self.run_side.running or not self.maybe_save():
            return False
        path = self.choose_open_path()
        return self.load_file(path) if path else False

    def save(self) -> bool:
        if self.draft is None:
            return False
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        if self.draft is None:
            return False
        chosen = self.choose_save_path()
        if not chosen:
            return False
        path = Path(chosen).absolute()
        if not path.name.endswith((".yaml", ".yml")):
            path = path.with_name(path.name + EVAL_SUFFIX)
        return self._write(path)

    def _write(self, path: Path) -> bool:
        assert self.draft is not None
        try:
            atomic_write(path, self.draft.to_yaml(path.parent))
        except OSError as exc:
            self.show_error("Cannot save the evaluation", f"{path}: {describe_os_error(exc)}")
            return False
        moved = path != self.path
        self.path, self.modified = path, False
        if moved:  # relative paths in the file now start from its new folder
            self.setup.base_dir = path.parent
            self.check()
        self._update_title()
        self.fileChanged.emit()
        note = " (its # comments are not kept: the window writes the file anew)" if self._had_comments else ""
        self._had_comments = False
        self.statusBar().showMessage(f"Saved {path}{note}", 12000 if note else 6000)
        return True

    # --- window -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.maybe_save():
            event.ignore()
            return
        self.run_side.shutdown()
        if self.setup.variant_dialog is not None:
            self.setup.variant_dialog.close()
        event.accept()


def same_file(a: Path | None, b: Path | None) -> bool:
    """Whether two team paths are the same file (two Nones: the same unsaved team)."""
    if a is None or b is None:
        return a is b
    return a == b or a.resolve() == b.resolve()


def _read_team(path: Path) -> TeamSpec | None:
    """The team's agents, models and inputs for the table and the variant form (None: unreadable;
    the evaluation's own check says why)."""
    try:
        return validate_file(path).spec if path.is_file() else None
    except OSError:
        return None
