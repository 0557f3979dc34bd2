"""Runs in a worker thread with its own asyncio loop, bridged to the GUI by a queue.

Measured here: a worker emitting one Qt signal per streamed chunk starves the GUI
thread; and with PySide6 6.9-6.12 a lambda or an overridden method connected to a
worker signal can run in the worker thread and crash. So the worker never emits
signals at all: it puts run events on a thread-safe queue that a ~30 ms GUI timer
drains, coalescing streamed chunks, and commands go the other way through
``loop.call_soon_threadsafe``. The GUI thread never waits on the worker, except for
the bounded wait when the application quits.

One worker runs any number of runs side by side in its loop (the engine isolates them),
each under a key: the window's own run, and runs started for comparisons or evaluations.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ...core import events as ev
from ...core.spec import TeamSpec

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)

DRAIN_INTERVAL_MS = 30
#: After this many queued events the worker yields the interpreter lock for a moment, so a
#: model streaming at full speed cannot starve the GUI thread.
_YIELD_EVERY = 64

_frozen = False


def _freeze_once() -> None:
    """After the first run's imports, once per process: AgentChat's modules stay for the whole
    session, and keeping them out of the collector keeps its full passes short during runs.
    Once, not per worker: a later freeze would pin every window alive at that moment forever."""
    global _frozen
    if not _frozen:
        import gc

        gc.freeze()
        _frozen = True


class RunWorker(QObject):
    """Owns the asyncio loop in the worker thread. Methods without a leading underscore are
    called from the GUI thread and only schedule work on the loop."""

    def __init__(self) -> None:
        super().__init__()
        #: (run key, event), and (run key, None) when that run has ended.
        self.outbox: queue.SimpleQueue[tuple[str, ev.RunEvent | None]] = queue.SimpleQueue()
        self.loop: "asyncio.AbstractEventLoop | None" = None
        self.ready = threading.Event()
        self._runs: dict[str, Any] = {}
        #: Commands given before the loop exists (a busy machine may start the thread late).
        self._early: list[tuple[Any, tuple[Any, ...]]] = []
        self._early_lock = threading.Lock()
        self._tasks: "set[asyncio.Task[None]]" = set()

    @Slot()
    def serve(self) -> None:
        """Entry point in the worker thread: run the loop until shutdown."""
        import asyncio  # here, not at module level: ~35 ms the window's start need not pay

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._early_lock:
            self.loop = loop
            for fn, args in self._early:  # in the order they were given
                loop.call_soon(fn, *args)
            self._early.clear()
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
        with self._early_lock:
            if self.loop is None:
                self._early.append((fn, args))
                return
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(fn, *args)

    def start_run(self, key: str, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        self._call(self._begin, key, spec, task, options)

    def stop(self, key: str) -> None:
        self._call(self._control, key, "stop")

    def finish_turn(self, key: str) -> None:
        self._call(self._control, key, "finish_turn")

    def provide_input(self, key: str, text: str, request_id: str) -> None:
        self._call(self._control, key, "provide_input", text, request_id)

    def approve(self, key: str, request_id: str, approved: bool) -> None:
        self._call(self._control, key, "approve", request_id, approved)

    def shutdown(self) -> None:
        self._call(self._halt)

    def _halt(self) -> None:
        assert self.loop is not None
        self.loop.stop()

    # --- in the worker thread -------------------------------------------------------------------

    def _begin(self, key: str, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        try:
            self._start(key, spec, task, options)
        except Exception as exc:  # the GUI must hear that the run ended
            log.warning("run %s could not start", key, exc_info=True)
            self.outbox.put((key, ev.Error(ev.TEAM, message=f"the run could not start: {exc}", kind="internal")))
            self.outbox.put((key, ev.Finished(ev.TEAM, reason="error", detail=str(exc))))
            self.outbox.put((key, None))

    def _start(self, key: str, spec: TeamSpec, task: str, options: dict[str, Any]) -> None:
        # Imported here, in the worker, on the first run: AgentChat costs ~0.7 s to import
        # and the window must be up before that.
        from ...runtime.runner import TeamRun

        _freeze_once()
        run = self._runs[key] = TeamRun(spec, task, **options)
        assert self.loop is not None
        pump = self.loop.create_task(self._pump(key, run))
        self._tasks.add(pump)
        pump.add_done_callback(self._tasks.discard)

    async def _pump(self, key: str, run: Any) -> None:
        import asyncio

        count = 0
        try:
            async for event in run.events():
                self.outbox.put((key, event))
                count += 1
                if count % _YIELD_EVERY == 0:
                    # Blocking on purpose: this stalls the whole loop for 2 ms, releasing the GIL so the
                    # GUI thread can drain. asyncio.sleep would only pause this pump, and the run's other
                    # tasks would keep the GIL (and keep filling the queue) meanwhile.
                    time.sleep(0.002)  # noqa: ASYNC251 - deliberate, see above
                await asyncio.sleep(0)
        finally:
            self._runs.pop(key, None)
            self.outbox.put((key, None))  # end of this run

    def _control(self, key: str, method: str, *args: Any) -> None:
        run = self._runs.get(key)
        if run is not None:
            getattr(run, method)(*args)


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
    """The GUI side of runs: starts the worker thread lazily and delivers events in the GUI thread.

    ``start``/``stop``/... drive the window's own run (one at a time; ``events`` and
    ``runningChanged`` are about it). ``start_run`` starts further runs beside it, each
    with a key, reported through ``runEvents`` and ``runEnded``.
    """

    events = Signal(list)  # list[RunEvent] of the window's run, already coalesced
    runningChanged = Signal(bool)  # noqa: N815 - Qt naming
    runEvents = Signal(str, list)  # noqa: N815 - (key, coalesced events) of every run
    runEnded = Signal(str)  # noqa: N815 - a run's key, after its last events

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None
        self._running = False
        self._primary: str | None = None
        self._active: set[str] = set()
        self._keys = itertools.count(1)
        self.started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._on_drain)

    @property
    def running(self) -> bool:
        """Whether the window's own run is going."""
        return self._running

    @property
    def active_runs(self) -> frozenset[str]:
        """Keys of every run not yet ended (the window's included)."""
        return frozenset(self._active)

    def _ensure_worker(self) -> RunWorker:
        if self._worker is None:
            self._thread = QThread()
            self._thread.setObjectName("run-worker")
            self._worker = RunWorker()
            self._worker.moveToThread(self._thread)
            self._thread.started.connect(self._worker.serve)
            self._thread.start()
            # Not waited for: commands given before the worker's loop runs are kept and run then.
        return self._worker

    def start(self, spec: TeamSpec, task: str, **options: Any) -> None:
        """Start the window's run (on a snapshot the caller froze)."""
        if self._running:
            raise RuntimeError("a run is already in progress")
        self._primary = self.start_run(spec, task, **options)
        self._running = True
        self.started_at = time.monotonic()
        self.runningChanged.emit(True)

    def start_run(self, spec: TeamSpec, task: str, **options: Any) -> str:
        """Start a run beside any others in the same worker; returns its key."""
        worker = self._ensure_worker()
        key = f"run-{next(self._keys)}"
        self._active.add(key)
        worker.start_run(key, spec, task, options)
        self._timer.start()
        return key

    def stop(self, key: str | None = None) -> None:
        """Stop a run (default: the window's)."""
        self._command("stop", key)

    def finish_turn(self, key: str | None = None) -> None:
        self._command("finish_turn", key)

    def provide_input(self, text: str, request_id: str, key: str | None = None) -> None:
        self._command("provide_input", key, text, request_id)

    def approve(self, request_id: str, approved: bool, key: str | None = None) -> None:
        """Answer a code approval request of a run (default: the window's): run the code, or not."""
        self._command("approve", key, request_id, approved)

    def _command(self, name: str, key: str | None, *args: Any) -> None:
        key = key or (self._primary if self._running else None)
        if self._worker is not None and key in self._active:
            getattr(self._worker, name)(key, *args)

    @Slot()
    def _on_drain(self) -> None:
        if self._worker is None:
            return
        # Grouped per run, in arrival order; a run's end closes its group.
        batches: dict[str, list[ev.RunEvent]] = {}
        ended: list[str] = []
        while True:
            try:
                key, item = self._worker.outbox.get_nowait()
            except queue.Empty:
                break
            if item is None:
                ended.append(key)
                if key == self._primary:
                    break  # the window's next run must not share a batch with this one
                continue
            batches.setdefault(key, []).append(item)
        for key, batch in batches.items():
            merged = coalesce(batch)
            if key == self._primary:
                self.events.emit(merged)
            self.runEvents.emit(key, merged)
        for key in ended:
            self._active.discard(key)
            self.runEnded.emit(key)
            if key == self._primary:
                self._primary = None
                self._running = False
                self.runningChanged.emit(False)
        if not self._active and self._worker.outbox.empty():
            self._timer.stop()

    def shutdown(self, timeout_s: float = 3.0) -> None:
        """Stop any run and the worker thread (used when the window closes)."""
        if self._worker is None or self._thread is None:
            return
        if self._active:
            for key in list(self._active):
                self._worker.stop(key)
            deadline = time.monotonic() + timeout_s
            while self._active and time.monotonic() < deadline:
                self._on_drain()
                time.sleep(0.02)
        self._worker.shutdown()
        self._thread.quit()
        self._thread.wait(int(timeout_s * 1000))
        self._timer.stop()
        self._worker = None
        self._thread = None
