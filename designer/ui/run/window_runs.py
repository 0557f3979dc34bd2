"""The window's running room: Run, Stop, Finish turn, the run's events, and transcript export.

A base class of MainWindow (so tests and menus keep calling ``window.start_run`` and friends):
the parts it uses are built by MainWindow's constructor and declared here for the type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from ..actions import Actions

if TYPE_CHECKING:  # the editor's parts: imported once a design is open (see main_window)
    from ...core import events as ev
    from ..canvas.view import CanvasView
    from ..compare.view import CompareDialog
    from ..document.controller import DocumentController
    from ..document.files import FileManager
    from ..history.panel import HistoryPanel
    from .controller import RunController
    from .export import ExportFormat
    from .preparation import RunPreparation
    from .replay import RunReplays
    from .status import RunStatusWidget
    from .transcript_view import TranscriptWidget


class WindowRuns(QMainWindow):
    """Starts runs of a frozen snapshot of the design and shows what they do."""

    controller: DocumentController
    runs: RunController
    preparation: RunPreparation
    replays: RunReplays
    files: FileManager
    canvas: CanvasView
    transcript: TranscriptWidget
    history_panel: HistoryPanel
    status: RunStatusWidget
    run_reason: QLabel
    docks: dict[str, QDockWidget]
    window_actions: Actions
    ask_run: Callable[[], tuple[str, dict[str, Any]] | None]
    choose_export_path: Callable[[str, str], str | None]

    @property
    def editor_built(self) -> bool:
        """False while only the first screen exists (MainWindow builds the rest on first use)."""
        return True

    def _on_problems_changed(self) -> None:
        if not self.editor_built:  # no design yet: nothing to run
            self.window_actions["run"].setEnabled(False)
            self.window_actions["replay_last"].setEnabled(False)
            return
        from ...core.finish import plural

        errors = self.controller.errors
        can_run = not errors and not self.runs.running
        self.window_actions["run"].setEnabled(can_run)
        self.window_actions["replay_last"].setEnabled(can_run)
        if errors:
            reason = f"Run disabled: {plural(len(errors), 'problem')} — {errors[0].message}"
            self.window_actions["run"].setToolTip(reason)
            self.run_reason.setText(f"⚠ {plural(len(errors), 'problem')}")
            self.run_reason.setToolTip(reason)
        else:
            self.window_actions["run"].setToolTip("Run the team (Ctrl+R)")
            self.run_reason.setText("")

    def _run_dialog(self) -> tuple[str, dict[str, Any]] | None:
        from ...core.task import TaskError
        from ..dialogs.run_and_help import RunDialog

        path = self.controller.path  # the team's key in the dialog's memory of the last task run
        dialog = RunDialog(self.controller.spec, self, key=str(path.resolve()) if path else None)
        if dialog.exec() != RunDialog.DialogCode.Accepted:
            return None
        try:
            # The placeholders' values go to the history with the run (the task alone hides them).
            inputs = {"inputs": {name: edit.text() for name, edit in dialog.inputs.items()}} if dialog.inputs else {}
            return dialog.task(), {**dialog.options(), **inputs}
        except TaskError:
            return None

    def _on_run(self) -> None:
        if self.runs.running or self.controller.errors:
            return
        choice = self.ask_run()
        if choice is None:
            return
        task, options = choice
        self.start_run(task, **options)

    def start_run(self, task: str, **options: Any) -> bool:
        """Run a frozen snapshot of the design (later edits cannot race the run). Code it would
        execute that is not trusted yet is listed and asked about first; False: not started."""
        snapshot = self.controller.spec  # never edited in place (edits return a new spec); TeamRun freezes its copy
        # None: the user did not trust its code.
        tool_options = self.preparation.run_options(snapshot, self.controller.tool_locations(), self.controller.path)
        if tool_options is None:
            self.statusBar().showMessage("Run cancelled: the code it needs is not trusted", 8000)
            return False
        options.update(tool_options)
        options.setdefault("code_approval", "ask")  # the window asks before any code runs (approval_bar.py)
        from ..history.store import window_store

        store = window_store()  # None: the history cannot be used (its panel says why); the run goes on unrecorded
        if store is not None:
            options.setdefault("store", store)
        self.transcript.model.clear()
        self.transcript.end_input()
        self.docks["transcript"].show()
        self.docks["transcript"].raise_()
        self.status.begin()
        self.runs.start(snapshot, task, **options)
        return True

    def replay_run(self, run_id: str, strict: bool = False) -> bool:
        """Run the open design with a recorded run's task, answered from its recording (run/replay.py)."""
        return self.replays.replay(run_id, strict)

    def compare_runs(self, a_id: str, b_id: str) -> CompareDialog | None:
        """Open the Compare view of two stored runs (the older is A)."""
        return self.replays.compare(a_id, b_id)

    def _on_history(self) -> None:
        self.docks["history"].show()
        self.docks["history"].raise_()
        self.history_panel.ensure_loaded()
        self.history_panel.table.setFocus()

    def _on_open_run(self) -> None:
        if self.history_panel.open_bundle():
            self._on_history()

    def _on_stop(self) -> None:
        self.runs.stop()
        self.statusBar().showMessage("Stopping…")

    def _on_finish_turn(self) -> None:
        self.runs.finish_turn()
        self.statusBar().showMessage("Finishing after the current turn…")

    def _on_run_events(self, batch: list[ev.RunEvent]) -> None:
        from ...core import events as ev
        from ...core.finish import finish_text
        from .approval_bar import approval_bar

        self.transcript.model.add_events(batch)
        self.status.add_events(batch)
        for event in batch:
            if isinstance(event, (ev.Chunk, ev.Message, ev.ToolCall)) and event.agent in self.controller.spec.agents:
                self.canvas.set_active_agent(event.parent or event.agent)
            elif isinstance(event, ev.InputRequested) and not event.origin:  # not one a replay answered
                self.canvas.set_active_agent(event.agent)
                self.transcript.ask(event.agent, event.request_id)
            elif isinstance(event, ev.ApprovalRequested):  # Run / Don't run under the transcript
                self.canvas.set_active_agent(event.agent)
                approval_bar(self).ask(event.agent, event.request_id, event.code)
            elif isinstance(event, ev.Finished):
                self.canvas.set_active_agent(None)
                self.transcript.end_input()
                approval_bar(self).clear()
                self.statusBar().showMessage("Run " + finish_text(event.reason, event.detail, capital=False), 15000)

    def _on_running_changed(self, running: bool) -> None:
        self.window_actions["stop"].setEnabled(running)
        self.window_actions["finish_turn"].setEnabled(running)
        self._on_problems_changed()
        if not running and self.editor_built:
            self.status.end()

    def _export(self, fmt: ExportFormat) -> None:
        from .export import export_transcript

        message = export_transcript(self.transcript.model, fmt, choose_path=self.choose_export_path,
                                    show_error=self.files.show_error)
        if message:
            self.statusBar().showMessage(message, 6000)

    def _on_export_markdown(self) -> None:
        self._export("markdown")

    def _on_export_jsonl(self) -> None:
        self._export("jsonl")
