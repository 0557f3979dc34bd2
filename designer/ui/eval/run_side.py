"""The run half of the Evaluate window: workers, replay, Run / Stop, the progress bar, the matrix,
and what a cell opens (its first run's transcript; two cells: the Compare view).

The window is reached through ``host`` (typed by the protocol below, so this module does not
import the window's, which imports it).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QMainWindow, QProgressBar, QPushButton,
    QSpinBox, QTableView, QVBoxLayout, QWidget,
)

from ...core.eval_file import LoadedEval, load_eval
from ...core.eval_types import JobResult
from ...core.finish import plural
from ...core.run_store import RunStore, StoreError
from .matrix_model import CellRole, MatrixModel, copy_summary
from .run_view import RunDialog
from .runner import EvalRunner, one_line

if TYPE_CHECKING:
    from ...core.eval_types import CellSummary
    from ...core.spec import TeamSpec
    from ..compare.view import CompareDialog
    from ..run.preparation import RunPreparation
    from .draft import EvalDraft
    from .setup_panel import SetupPanel

log = logging.getLogger(__name__)

REPLAY_CHOICES = (("Live", None), ("Strict from last recording", "strict"), ("Reuse last recording", "reuse"))


class EvalHost(Protocol):
    """What the run side uses of the Evaluate window."""

    path: Path | None
    draft: EvalDraft | None
    team: TeamSpec | None
    loaded: LoadedEval | None
    modified: bool
    preparation: RunPreparation
    setup: SetupPanel
    show_error: Callable[[str, str], None]
    actions_: dict[str, Any]

    def check(self) -> bool: ...
    def save(self) -> bool: ...
    def refresh_team(self) -> None: ...
    @property
    def can_run(self) -> bool: ...


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + (f"{rest // 60:02d}" if hours else f"{rest // 60}") + f":{rest % 60:02d}"


class RunSide(QWidget):
    def __init__(self, host: QMainWindow) -> None:
        super().__init__(host)
        self._window = host
        self.runner = EvalRunner(self)
        self.runner.resultArrived.connect(self._on_result)
        self.runner.finished.connect(self._on_finished)
        self._started = 0.0
        #: The last transcript and comparison opened (for tests; each deletes itself when closed).
        self.run_dialog: RunDialog | None = None
        self.compare_dialog: CompareDialog | None = None

        self.workers = QSpinBox(self)
        self.workers.setObjectName("eval_workers")
        self.workers.setRange(1, max(64, os.cpu_count() or 1))
        self.workers.setValue(os.cpu_count() or 1)
        self.workers.setToolTip("Runs side by side, each in its own process (default: one per CPU core)")
        self.replay = QComboBox(self)
        self.replay.setObjectName("eval_replay")
        for text, value in REPLAY_CHOICES:
            self.replay.addItem(text, value)
        self.replay.setToolTip("Live: call the models. Strict: answer only from this file's last recorded evaluation "
                               "(offline, deterministic). Reuse: answer from it where the requests are unchanged.")
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("eval_run")
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setObjectName("eval_stop")
        self.compare_button = QPushButton("Compare", self)
        self.compare_button.setObjectName("eval_compare")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("eval_progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setValue(0)
        self.status = QLabel("", self)
        self.status.setObjectName("eval_status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Workers", self))
        bar.addWidget(self.workers)
        bar.addWidget(QLabel("Replay", self))
        bar.addWidget(self.replay)
        bar.addWidget(self.run_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.compare_button)

        self.matrix = MatrixModel(self)
        self.matrix_view = QTableView(self)
        self.matrix_view.setObjectName("eval_matrix")
        self.matrix_view.setModel(self.matrix)
        self.matrix_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.matrix_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.matrix_view.activated.connect(self.open_cell)  # double-click or Enter
        self.matrix_view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.matrix_view, 1)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_progress)

    @property
    def _host(self) -> EvalHost:
        return self._window  # type: ignore[return-value]  # the EvalWindow, which has these parts

    @property
    def running(self) -> bool:
        return self.runner.running

    def connect_buttons(self) -> None:
        """Once the window's actions exist: the buttons trigger them (one path for keys and clicks)."""
        actions = self._host.actions_
        self.run_button.clicked.connect(actions["run"].trigger)
        self.stop_button.clicked.connect(actions["stop"].trigger)
        self.compare_button.clicked.connect(actions["compare"].trigger)
        self.update_actions()

    def update_actions(self) -> None:
        actions = getattr(self._window, "actions_", None)
        if actions is None:
            return
        host = self._host
        running = self.running
        problems = [p for p in (host.loaded.problems if host.loaded else []) if p.is_error]
        can_run = host.can_run and not running
        actions["run"].setEnabled(can_run)
        self.run_button.setEnabled(can_run)
        self.run_button.setToolTip("Save the evaluation file and run it (Ctrl+R)" if can_run or running else
                                   f"Run disabled: {problems[0].message}" if problems else "Run disabled: fix the problems first")
        actions["stop"].setEnabled(running)
        self.stop_button.setEnabled(running and not self.runner.stopping)
        two = len(self._selected_runs()) == 2
        actions["compare"].setEnabled(two)
        self.compare_button.setEnabled(two)
        for name in ("open", "save_as"):
            actions[name].setEnabled(not running)
        self.workers.setEnabled(not running)
        self.replay.setEnabled(not running)
        host.setup.setEnabled(not running and host.draft is not None)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # --- running -------------------------------------------------------------------------

    def run(self) -> bool:
        """Save the file, load it as the CLI does, ask about untrusted code, start. False: not started."""
        host = self._host
        if self.running or host.draft is None:
            return False
        host.refresh_team()
        if not host.check():
            self._say("Fix the problems first (see Problems)")
            return False
        if (host.modified or host.path is None or not host.path.is_file()) and not host.save():
            return False
        assert host.path is not None  # saved just now
        loaded = load_eval(host.path)
        if not loaded.ok:  # the file as written (relative paths from its own folder) must load too
            host.setup.show_problems(loaded.problems)
            first = loaded.problems[0].message if loaded.problems else "it cannot be loaded"
            self._say(f"The saved file has problems: {first}")
            return False
        from ...runtime.eval_engine import untrusted_items

        trust = host.preparation.trust
        items = untrusted_items(loaded, trust)
        if items and not host.preparation.confirm(items):
            self._say("Not run: the code it needs is not trusted")
            return False
        from ..history.store import window_store

        store = window_store()  # None: the history cannot be used; the runs go unrecorded
        try:
            summary = self.runner.start(loaded, workers=self.workers.value(), replay=self.replay.currentData(),
                                        store=store, trust=trust)
        except Exception as exc:  # e.g. EvalSetupError: one line, never a traceback
            log.warning("the evaluation could not start", exc_info=True)
            self._say(f"Could not run: {one_line(exc)}")
            return False
        self.matrix.show(copy_summary(summary))
        self._started = time.monotonic()
        self._tick.start()
        self._show_progress()
        self._say(f"Running {plural(summary.total_runs, 'run')} on {plural(summary.workers, 'worker')}…")
        self.update_actions()
        return True

    def clear_results(self) -> None:
        """An empty matrix and progress (another evaluation is shown)."""
        self.matrix.show(None)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self._say("")
        self.update_actions()

    def stop(self) -> None:
        if self.running and not self.runner.stopping:
            self.runner.stop()
            self._say("Stopping…")
            self.update_actions()

    def shutdown(self) -> None:
        self.runner.shutdown()
        self._tick.stop()

    def _on_result(self, result: JobResult) -> None:
        self.matrix.add(result)
        self._show_progress()

    def _show_progress(self) -> None:
        summary = self.matrix.summary
        if summary is None:
            return
        done, total = summary.done_runs, summary.total_runs
        failed = summary.count("failed") + summary.count("error")
        elapsed = time.monotonic() - self._started if self.running else summary.duration
        eta = f" · ETA {clock(elapsed / done * (total - done))}" if self.running and 0 < done < total else ""
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} runs · {failed} failed{eta}")

    def _on_finished(self, problem: str) -> None:
        self._tick.stop()
        summary = self.matrix.summary
        duration = time.monotonic() - self._started
        if summary is not None:
            summary.duration = duration
        if problem:
            self._say(f"Could not run: {problem}")
        elif summary is not None and self.runner.stopping and summary.done_runs < summary.total_runs:
            self.matrix.set_stopped()
            self._say(f"Stopped after {summary.done_runs} of {plural(summary.total_runs, 'run')}")
        elif summary is not None:
            passed = sum(c.passed for c in summary.cells.values())
            self._say(f"Done in {clock(duration)}: {passed} of {plural(len(summary.cells), 'cell')} passed · "
                      f"{summary.tokens:,} tokens")
        self._show_progress()
        self.update_actions()

    # --- cells -----------------------------------------------------------------------------

    def _store(self) -> RunStore | None:
        from ..history.store import store_problem, window_store

        store = window_store()
        if store is None:
            self._say(f"The run history cannot be used: {store_problem().splitlines()[0]}")
        return store

    @staticmethod
    def _first_run(cell: CellSummary | None) -> JobResult | None:
        runs = sorted(cell.runs, key=lambda r: r.repeat) if cell is not None else []
        return next((r for r in runs if r.run_id), None)

    def _selected_runs(self) -> list[JobResult]:
        indexes = sorted(self.matrix_view.selectionModel().selectedIndexes(), key=lambda i: (i.column(), i.row()))
        runs = [self._first_run(i.data(CellRole)) for i in indexes]
        return [r for r in runs if r is not None] if len(indexes) == 2 else []

    def open_cell(self, index: QModelIndex) -> RunDialog | None:
        """The first run of the cell at ``index``, its transcript read back from the history."""
        result = self._first_run(self.matrix.cell(index))
        if result is None:
            self._say("No recorded run in this cell yet" if self.matrix.cell(index) else "")
            return None
        store = self._store()
        if store is None:
            return None
        try:
            run = store.load(result.run_id)
        except StoreError as exc:
            self._host.show_error("Cannot open the run", str(exc))
            return None
        dialog = RunDialog(run, result, self._window)
        dialog.destroyed.connect(lambda *_: setattr(self, "run_dialog", None))
        self.run_dialog = dialog
        dialog.show()
        return dialog

    def compare_selected(self) -> CompareDialog | None:
        """The Compare view of the first runs of the two selected cells (the left or upper is A)."""
        runs = self._selected_runs()
        if len(runs) != 2:
            return None
        store = self._store()
        if store is None:
            return None
        try:
            a, b = store.load(runs[0].run_id), store.load(runs[1].run_id)
        except StoreError as exc:
            self._host.show_error("Cannot compare", str(exc))
            return None
        from ..compare.view import CompareDialog
        from ..run.export import choose_export_path

        dialog = CompareDialog(a, b, self._window, choose_path=lambda title, suffix: choose_export_path(self, title, suffix),
                               show_error=self._host.show_error)
        dialog.destroyed.connect(lambda *_: setattr(self, "compare_dialog", None))
        self.compare_dialog = dialog
        dialog.show()
        return dialog
