"""Runs in a worker thread with its own asyncio loop, bridged to the GUI by a queue.

Measured here: a worker emitting one Qt signal per streamed chunk starves the GUI
thread; and with PySide6 6.9-6.12 a lambda or an overridden method connected to a
worker signal can run in the worker thread and crash. So the worker never emits
signals at all: it puts run events on a thread-safe queue that a ~30 ms GUI timer
drains, coalescing streamed chunks, and commands go the other way through
``loop.call_soon_threadsafe``. The GUI thread never waits on the worker, except for
the bounded wait when the application quits.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ..core import events as ev
from ..core.spec import TeamSpec

if TYPE_CHECKING:
    import asyncio

DRAIN_INTERVAL_MS = 30
#: After this many queued events the worker yields the interpreter lock for a moment, so a
#: model streaming at full speed cannot starve the GUI thread.
_YIELD_EVERY = 64


class RunWorker(QObject):
    """Owns the asyncio loop in the worker thread. Methods without a leading underscore are
    called from the GUI thread and only schedule work on the loop."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox: queue.SimpleQueue[ev.RunEvent | None] = queue.SimpleQueue()
        self.loop: "asyncio.AbstractEventLoop | None" = None
        self.ready = threading.Event()
        self._run: Any = None
        self._warm = False
        self._task: "asyncio.Task[None] | None" = None

    @Slot()
    def serve(self) -> None:
        """Entry point in the worker thread: run the loop until shutdown."""
        import asyncio  # here, not at module level: ~35 ms the window's start need not pay

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        self.ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=1.0))
            loop.close()

    # --- commands from the GUI thread ------------------------------------------------------

    def _call(self, fn: Any, *args: Any) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(fn, *args)

    def start_run(self, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        self._call(self._begin, spec, task, options)

    def stop(self) -> None:
        self._call(self._stop)

    def finish_turn(self) -> None:
        self._call(self._finish_turn)

    def provide_input(self, text: str, request_id: str) -> None:
        self._call(self._provide_input, text, request_id)

    def shutdown(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)

    # --- in the worker thread -------------------------------------------------------------------

    def _begin(self, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        try:
            self._start(spec, task, options)
        except Exception as exc:  # noqa: BLE001 - the GUI must hear that the run ended
            self.outbox.put(ev.Error(ev.TEAM, message=f"the run could not start: {exc}", kind="internal"))
            self.outbox.put(ev.Finished(ev.TEAM, reason="error", detail=str(exc)))
            self.outbox.put(None)

    def _start(self, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        # Imported here, in the worker, on the first run: AgentChat costs ~0.7 s to import
        # and the window must be up before that.
        import gc

        from ..runtime.runner import TeamRun

        if not self._warm:
            gc.freeze()  # AgentChat's modules, just imported, stay for the whole session
            self._warm = True
        self._run = TeamRun(spec, task, **options)
        assert self.loop is not None
        self._task = self.loop.create_task(self._pump(self._run))

    async def _pump(self, run: Any) -> None:
        import asyncio

        count = 0
        try:
            async for event in run.events():
                self.outbox.put(event)
                count += 1
                if count % _YIELD_EVERY == 0:
                    time.sleep(0.002)  # release the GIL so the GUI thread can drain
                await asyncio.sleep(0)
        finally:
            self._run = None
            self.outbox.put(None)  # end of this run

    def _stop(self) -> None:
        if self._run is not None:
            self._run.stop()

    def _finish_turn(self) -> None:
        if self._run is not None:
            self._run.finish_turn()

    def _provide_input(self, text: str, request_id: str) -> None:
        if self._run is not None:
            self._run.provide_input(text, request_id)


def coalesce(events: list[ev.RunEvent]) -> list[ev.RunEvent]:
    """Merge runs of chunks from the same speaker, so a burst becomes one view update."""
    out: list[ev.RunEvent] = []
    for event in events:
        last = out[-1] if out else None
        if (
            isinstance(event, ev.Chunk)
            and isinstance(last, ev.Chunk)
            and last.agent == event.agent
            and last.parent == event.parent
        ):
            out[-1] = ev.Chunk(last.agent, text=last.text + event.text, parent=last.parent, seq=event.seq, t=event.t)
        else:
            out.append(event)
    return out


class RunController(QObject):
    """The GUI side of runs: starts the worker thread lazily and delivers events in the GUI thread."""

    events = Signal(list)  # list[RunEvent], already coalesced
    runningChanged = Signal(bool)  # noqa: N815 - Qt naming

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None
        self._running = False
        self.started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._on_drain)

    @property
    def running(self) -> bool:
        return self._running

    def _ensure_worker(self) -> RunWorker:
        if self._worker is None:
            self._thread = QThread()
            self._thread.setObjectName("run-worker")
            self._worker = RunWorker()
            self._worker.moveToThread(self._thread)
            self._thread.started.connect(self._worker.serve)
            self._thread.start()
            self._worker.ready.wait(5.0)
        return self._worker

    def start(self, spec: TeamSpec, task: str, **options: Any) -> None:
        if self._running:
            raise RuntimeError("a run is already in progress")
        worker = self._ensure_worker()
        self._running = True
        self.started_at = time.monotonic()
        worker.start_run(spec, task, options)
        self._timer.start()
        self.runningChanged.emit(True)

    def stop(self) -> None:
        if self._worker is not None and self._running:
            self._worker.stop()

    def finish_turn(self) -> None:
        if self._worker is not None and self._running:
            self._worker.finish_turn()

    def provide_input(self, text: str, request_id: str) -> None:
        if self._worker is not None and self._running:
            self._worker.provide_input(text, request_id)

    @Slot()
    def _on_drain(self) -> None:
        if self._worker is None:
            return
        batch: list[ev.RunEvent] = []
        ended = False
        while True:
            try:
                item = self._worker.outbox.get_nowait()
            except queue.Empty:
                break
            if item is None:
                ended = True
                break
            batch.append(item)
        if batch:
            self.events.emit(coalesce(batch))
        if ended:
            self._running = False
            self._timer.stop()
            self.runningChanged.emit(False)
            if not self._worker.outbox.empty():  # another run's events already queued
                self._timer.start()

    def shutdown(self, timeout_s: float = 3.0) -> None:
        """Stop any run and the worker thread (used when the window closes)."""
        if self._worker is None or self._thread is None:
            return
        if self._running:
            self._worker.stop()
            deadline = time.monotonic() + timeout_s
            while self._running and time.monotonic() < deadline:
                self._on_drain()
                time.sleep(0.02)
        self._worker.shutdown()
        self._thread.quit()
        self._thread.wait(int(timeout_s * 1000))
        self._timer.stop()
        self._worker = None
        self._thread = None
