"""The History dock: the recorded runs of the open team (or all runs, or opened bundles), and the
transcript of the one selected.

The list is read when the panel is first shown (not when the editor is built), a page at a
time (model.py); a run that ends is put on top from the ``finished`` event's run id. Opened
``.tdrun`` bundles are a scope of their own, marked read-only: they are held in memory, never
written to the history unless the user imports one. Questions and file choices are
attributes (``confirm_delete``, ``show_error``, ``choose_bundle_path``) that tests replace.
"""

from __future__ import annotations

import html
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSplitter, QTableView, QToolButton, QVBoxLayout, QWidget,
)

from ...core import events as ev
from ...core.finish import plural
from ...core.run_bundle import BUNDLE_SUFFIX
from ...core.run_data import StoredRun
from ...core.run_store import Call, RunStore, StoreError
from ..run.transcript_view import TranscriptWidget
from . import commands
from .model import COLUMN, HistoryModel
from .run_actions import RunActions
from .store import reset_store, store_problem, window_store

if TYPE_CHECKING:
    from .settings_dialog import HistorySettingsDialog

log = logging.getLogger(__name__)

SCOPES = (("team", "This team"), ("all", "All runs"), ("bundles", "Opened files (read-only)"))
#: Starting widths of the columns (the label and the change line take what is left).
_WIDTHS = {"star": 26, "time": 84, "label": 190, "team": 120, "finish": 72, "messages": 70, "tokens": 62, "cost": 66,
           "duration": 84}


class RunTable(QTableView):
    """The list of runs. Delete and F2 belong to it while it has focus, not to the window's
    Delete agent and Rename agent shortcuts."""

    deleteRequested = Signal()  # noqa: N815 - Qt naming

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent) and e.key() in (
                Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2):
            e.accept()
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != QAbstractItemView.State.EditingState:
            self.deleteRequested.emit()
            return
        super().keyPressEvent(e)


class HistoryPanel(RunActions):
    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window  # the MainWindow (typed Any: it imports this module's package)
        #: Replaceable in tests: may these runs be deleted?
        self.confirm_delete: Callable[[list[StoredRun]], bool] = self._confirm_delete_dialog
        #: Replaceable in tests (the window's error dialog by default).
        self.show_error: Callable[[str, str], None] = lambda title, text: self.window_.files.show_error(title, text)
        #: Replaceable in tests: the .tdrun file to open (None: cancelled).
        self.choose_bundle_path: Callable[[], str | None] = self._bundle_dialog
        self.bundles: list[tuple[str, StoredRun, list[Call]]] = []
        self.settings_dialog: HistorySettingsDialog | None = None
        self._loaded = False
        self._recorded: dict[str, str] = {}  # run key -> stored run id, from each run's started event

        self.scope = QComboBox(self)
        for key, text in SCOPES[:2]:
            self.scope.addItem(text, key)
        self.scope.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope.setToolTip("The runs of the open team file, every run in the history, or run files opened read-only")
        self.scope.currentIndexChanged.connect(lambda _: self.refresh())
        self.note = QLabel(self)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.settings_button = QToolButton(self)
        self.settings_button.setText("⚙")
        self.settings_button.setToolTip("History settings: record runs, how many to keep")
        self.settings_button.clicked.connect(self.edit_settings)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.scope)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.settings_button)

        # In place of the list when the store cannot be used: what is wrong, where, what to do.
        self.problem = QWidget(self)
        self.problem_text = QLabel(self.problem)
        self.problem_text.setWordWrap(True)
        self.problem_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Try again", self.problem)
        self.retry_button.clicked.connect(self._on_retry)
        problem_layout = QVBoxLayout(self.problem)
        problem_layout.addWidget(self.problem_text)
        problem_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        problem_layout.addStretch(1)
        self.problem.hide()

        self.banner = QWidget(self)  # over opened bundles: read-only, nothing runs
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.TextFormat.RichText)  # (file names escaped)
        self.import_button = QPushButton("Import into history", self.banner)
        self.import_button.clicked.connect(self.import_selected)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(0, 0, 0, 0)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.import_button)
        self.banner.hide()

        self.model = HistoryModel(self)
        self.model.rename = self._rename
        self.table = RunTable(self)
        self.table.setObjectName("history_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Fixed starting widths, never ResizeToContents: that would read every row the model has.
        for key, width in _WIDTHS.items():
            header.resizeSection(COLUMN[key], width)
        header.setSectionResizeMode(COLUMN["changes"], QHeaderView.ResizeMode.Stretch)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.clicked.connect(self._on_clicked)
        self.table.deleteRequested.connect(self.delete_selected)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.transcript = TranscriptWidget(self)  # read-only: nothing asks for input here
        self.transcript.view.setObjectName("history_transcript")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.transcript)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.problem, 1)
        layout.addWidget(self.splitter, 1)
        self.actions_ = self._make_actions()
        self._on_selection()

    # --- reading ---------------------------------------------------------------------------------

    def team_path(self) -> str | None:
        path = self.window_.controller.path
        return str(Path(path).resolve()) if path is not None else None

    @property
    def on_screen(self) -> bool:
        """Shown and not behind another dock's tab (Qt keeps a hidden tab "visible", off-screen)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.refresh()

    def on_dock_visibility(self, visible: bool) -> None:
        """The dock's tab was chosen (or the dock shown): read the list then, not at start-up.
        Checked after the event loop turn: the tab's geometry is settled by then."""
        if visible and not self._loaded:
            QTimer.singleShot(0, self, self._load_if_on_screen)  # (not called once the panel is gone)

    def _load_if_on_screen(self) -> None:
        if self.on_screen:
            self.ensure_loaded()

    def on_team_changed(self) -> None:
        """Another file (or none) is open: This team means another list."""
        if self.on_screen:
            self.refresh()
        else:
            self._loaded = False

    def refresh(self) -> None:
        """Read the current scope's first page again."""
        self._loaded = True
        scope = self.scope.currentData()
        # Every row of "This team" is of the open team (with a file): the column says nothing there.
        self.table.setColumnHidden(COLUMN["team"], scope == "team" and self.team_path() is not None)
        self.transcript.model.clear()
        if scope == "bundles":
            self._show_problem("")
            self.model.show_runs([run for _, run, _ in self.bundles], read_only=True)
            self.note.setText(plural(len(self.bundles), "file") + " opened")
            self._update_banner()
            return
        self.banner.hide()
        store = window_store()
        if store is None:
            self.model.clear()
            self._show_problem(store_problem())
            return
        self._show_problem("")
        team = self.team_path() if scope == "team" else None
        if scope == "team" and team is None:  # runs of unsaved designs have no file to group them by
            start = self.window_.stack.currentWidget() is self.window_.start_page
            self.note.setText("No team is open: showing every run" if start else "This team is not saved yet: showing every run")
        else:
            self.note.setText("")
        self.model.show_pages(lambda limit, offset: self._list(store, team, limit, offset))
        self._on_selection()

    def _list(self, store: RunStore, team: str | None, limit: int, offset: int) -> list[StoredRun]:
        try:
            return store.list_runs(team, limit=limit, offset=offset)
        except sqlite3.Error as exc:  # e.g. the file went away or was damaged while open
            log.warning("listing runs failed", exc_info=True)
            self._show_problem(f"the run history {store.path} cannot be read: {exc}")
            return []

    def _show_problem(self, text: str) -> None:
        self.problem_text.setText(f"⚠ No run history: {text}" if text else "")
        self.problem.setVisible(bool(text))
        self.splitter.setVisible(not text)

    def _on_retry(self) -> None:
        reset_store()
        self.refresh()

    def show_transcript(self, run: StoredRun) -> None:
        """The run's stored events, read back into a transcript (clocks at the run's own time)."""
        full = self._full(run)
        if full is None:
            self.transcript.model.clear()
            return
        self.transcript.model.show_stored(full.events, full.started_at)

    def _full(self, run: StoredRun) -> StoredRun | None:
        """The run with its snapshot and events (a listed row has neither)."""
        if self.model.read_only:
            return run
        store = window_store()
        try:
            return store.load(run.id) if store is not None else None
        except StoreError:  # deleted since it was listed: retention at a run's end, another window, the CLI
            QTimer.singleShot(0, self, lambda: self.model.remove([run.id]))  # not while the selection is changing
            self.window_.statusBar().showMessage(f"Run {run.short_id} is no longer in the history", 8000)
        except sqlite3.Error as exc:
            self.show_error("Cannot read the run", str(exc))
        return None

    # --- runs ending ----------------------------------------------------------------------------

    def on_run_events(self, key: str, batch: list[ev.RunEvent]) -> None:
        """From every run the window starts: a recorded run that ends goes on top of the list."""
        for event in batch:
            if isinstance(event, ev.RunStarted) and event.run_id:
                self._recorded[key] = event.run_id
            elif isinstance(event, ev.Finished):
                run_id = self._recorded.pop(key, "")
                if event.record_problem:
                    self.window_.statusBar().showMessage(f"Run history: {event.record_problem}", 15000)
                if run_id:
                    self.add_finished(run_id)

    def add_finished(self, run_id: str) -> None:
        store = window_store()
        if store is None or not self._loaded or self.scope.currentData() == "bundles":
            return
        try:
            run = store.load(run_id, events=False)
        except (StoreError, sqlite3.Error):
            log.warning("the run %s that just ended cannot be read back", run_id, exc_info=True)
            return
        run.snapshot = ""  # a listed row holds no snapshot (the list's memory scales with rows)
        if self.scope.currentData() == "all" or run.team_path == self.team_path() or self.team_path() is None:
            self.model.add_newest(run)

    # --- bundles ---------------------------------------------------------------------------------

    def _bundle_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open run", "", f"Run bundles (*{BUNDLE_SUFFIX});;All files (*)")
        return path or None

    def open_bundle(self, path: str | None = None) -> bool:
        """Show a .tdrun file read-only under Opened files (nothing in it runs); False if it cannot be read."""
        path = path or self.choose_bundle_path()
        if not path:
            return False
        read = commands.open_bundle(path, self.show_error)
        if read is None:
            return False
        run, calls = read
        self.bundles = [b for b in self.bundles if b[1].id != run.id]
        self.bundles.insert(0, (str(path), run, calls))
        if self.scope.findData("bundles") < 0:
            self.scope.addItem(SCOPES[2][1], "bundles")
        self.scope.blockSignals(True)  # one refresh, below, whether or not the scope changes
        self.scope.setCurrentIndex(self.scope.findData("bundles"))
        self.scope.blockSignals(False)
        self.refresh()
        self.table.selectRow(0)
        return True

    def _update_banner(self) -> None:
        names = ", ".join(html.escape(Path(p).name) for p, _, _ in self.bundles[:3]) + ("…" if len(self.bundles) > 3 else "")
        self.banner_text.setText(f"<b>Read-only</b>: opened from {names or 'no file'}. Nothing in a run file runs; "
                                 "import one to keep it in your history.")
        self.banner.setVisible(True)

    # --- settings --------------------------------------------------------------------------------

    def edit_settings(self) -> None:
        from .settings_dialog import HistorySettingsDialog

        store = window_store()
        if store is None:
            self.show_error("No run history", store_problem())
            return
        dialog = HistorySettingsDialog(store, self)
        self.settings_dialog = dialog
        dialog.finished.connect(lambda _: setattr(self, "settings_dialog", None))
        dialog.open()

