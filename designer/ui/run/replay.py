"""Run ▸ Replay Last Run, Strict Replay, the transcript's "Re-run from here", and Compare.

A replay runs the open design (not the recorded snapshot) with a recorded run's task, its model
calls answered from the recording (designer/runtime/recording.py says how each mode answers),
through the window's own Run path: the trust question, a fresh transcript, the status figures.
The window reaches these through ``window.replay_run`` / ``window.compare_runs`` (WindowRuns),
which the History panel calls too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from ...core.run_store import Call, RunStore, StoreError

if TYPE_CHECKING:
    from ...core.run_data import StoredRun
    from ..compare.view import CompareDialog

log = logging.getLogger(__name__)

#: How long a status-bar line about a replay stays.
MESSAGE_MS = 8000


class RunReplays(QObject):
    """Built with the editor (``window.replays``); ``window`` is the MainWindow (typed Any: the
    window's module imports this one, so this one cannot import it back)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        actions = window.window_actions
        self.replay_action = actions["replay_last"]
        self.strict_action = actions["strict_replay"]
        self.strict_action.setCheckable(True)
        self.replay_action.triggered.connect(self._on_replay_last)
        window.transcript.rerunRequested.connect(self.rerun_from)

    # --- what to replay ------------------------------------------------------------------

    def _store(self) -> RunStore | None:
        from ..history.store import store_problem, window_store

        store = window_store()
        if store is None:
            self._say(f"Replay needs the run history, which cannot be used: {store_problem().splitlines()[0]}")
        return store

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, MESSAGE_MS)

    def last_run_id(self, store: RunStore) -> str:
        """The open team's run the transcript shows, else its newest recorded run ("" when none)."""
        controller = self._window.controller
        path = str(controller.path.resolve()) if controller.path else None

        shown = self._window.transcript.model.run_id
        if shown:
            try:
                if self.belongs(store.load(shown, events=False)):
                    return str(shown)
            except StoreError:  # deleted from the history since: the newest run of the team, then
                pass
        runs = store.list_runs(path, limit=1 if path else 50)
        # An unsaved design has no file to key its runs by: its runs are those under its name.
        found = next((r for r in runs if self.belongs(r)), None)
        return found.id if found is not None else ""

    def belongs(self, run: StoredRun) -> bool:
        """Whether ``run`` is a run of the open design: its file, or (for an unsaved design, or a
        run whose file is not known here, as an imported one's) a team of its name."""
        controller = self._window.controller
        path = str(controller.path.resolve()) if controller.path else None
        known = run.team_path is not None and Path(run.team_path).is_absolute()
        if path is not None and known:
            return run.team_path == path
        return run.team == controller.spec.name

    def _load(self, store: RunStore, run_id: str) -> tuple[StoredRun, list[Call]] | None:
        try:
            return store.load(run_id, events=False), store.calls(run_id)
        except StoreError as exc:
            self._window.files.show_error("Cannot replay", str(exc))
            return None

    def _can_start(self) -> bool:
        window = self._window
        if window.stack.currentWidget() is window.start_page:  # the design behind the start page is not "open"
            self._say("Open a team first: a replay runs the open design")
            return False
        if window.runs.running:
            self._say("A run is in progress: stop it first, or wait for its end")
            return False
        if window.controller.errors:
            self._say(f"Fix the design's problems first: {window.controller.errors[0].message}")
            return False
        return True

    # --- replays ------------------------------------------------------------------------------

    @Slot()
    def _on_replay_last(self) -> None:
        store = self._store()
        if store is None:
            return
        run_id = self.last_run_id(store)
        if not run_id:
            self._say("Nothing to replay yet: run the team first (runs are recorded in the run history)")
            return
        self.replay(run_id, strict=self.strict_action.isChecked())

    def replay(self, run_id: str, strict: bool = False) -> bool:
        """Run the open design with ``run_id``'s task, answered from its recording where the
        requests are unchanged (strict: every request must be in it). False: not started."""
        return self._start(run_id, "strict" if strict else "reuse", None)

    @Slot(str, int)
    def rerun_from(self, run_id: str, live_from: int) -> bool:
        """Continue ``run_id`` from its message ``live_from`` (0-based, the task not counted): the
        messages before it come from the recording, it and everything after run live."""
        return self._start(run_id, "reuse", live_from)

    def _start(self, run_id: str, mode: str, live_from: int | None) -> bool:
        if not self._can_start():
            return False
        store = self._store()
        if store is None:
            return False
        loaded = self._load(store, run_id)
        if loaded is None:
            return False
        run, calls = loaded
        if not self.belongs(run):
            # A replay runs the open design: another team's run would go live, request after request.
            self._window.files.show_error(
                "Cannot replay",
                f"Run {run.short_id} is a run of “{run.team}” ({run.team_path or 'an unsaved design'}), and the open "
                f"design is “{self._window.controller.spec.name}”. A replay runs the open design against the "
                "recording: open that team first (or its run's “Open the team as it was”).",
            )
            return False
        if not calls:
            self._say(f"Run {run.short_id} has no recording to replay (it was recorded before calls were kept, "
                      "or its recording failed)")
            return False
        from ...core.run_data import ReplayPlan

        plan = ReplayPlan(calls, mode="strict" if mode == "strict" else "reuse", live_from=live_from, source=run.id)
        # The recorded run's own changes (a model for every agent, bounds, reply caps): the same
        # again, or none of its requests could match.
        if not self._window.start_run(run.task, replay=plan, store=store, inputs=run.inputs, **run.overrides):
            return False
        what = (f"Re-running {run.short_id} from message {live_from + 1}" if live_from is not None
                else f"{'Strict replay' if mode == 'strict' else 'Replaying'} {run.short_id}")
        self._say(f"{what} with the current design")
        return True

    # --- compare ------------------------------------------------------------------------------

    def compare(self, a_id: str, b_id: str) -> CompareDialog | None:
        """Open the Compare view of two stored runs, the older as A; not modal."""
        from ..compare.view import CompareDialog

        store = self._store()
        if store is None:
            return None
        try:
            a, b = store.load(a_id), store.load(b_id)
        except StoreError as exc:
            self._window.files.show_error("Cannot compare", str(exc))
            return None
        if a.started_at > b.started_at:
            a, b = b, a
        dialog = CompareDialog(a, b, self._window, choose_path=self._choose_path, show_error=self._show_error)
        dialog.show()
        return dialog

    # The window's replaceable questions, asked at the moment of use (a test may replace them later).
    def _choose_path(self, title: str, suffix: str) -> str | None:
        path = self._window.choose_export_path(title, suffix)
        return str(path) if path else None

    def _show_error(self, title: str, text: str) -> None:
        self._window.files.show_error(title, text)
