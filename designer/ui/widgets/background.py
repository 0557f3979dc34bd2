"""Blocking work (HTTP requests, connection tests, trying a tool) off the GUI thread, results back on it.

A plain worker thread runs the call and puts the outcome on a queue; a QTimer on the GUI
thread polls the queue and calls the callback there. Nothing crosses threads but the
queue: no signal is emitted from the worker, and so no slot (lambda or not) can ever run
on the wrong thread or touch a widget from it.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer

#: callback(result, error): exactly one of them is None (error is the exception raised).
Callback = Callable[[Any, BaseException | None], None]
#: tick(seconds since the job started), on the GUI thread at every poll while the job runs.
Tick = Callable[[float], None]


@dataclass
class _Job:
    name: str
    callback: Callback
    tick: Tick | None
    started: float


class BackgroundTasks(QObject):
    """Named jobs: submitting a job under a name supersedes the previous one's result."""

    POLL_MS = 40

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._results: queue.Queue[tuple[int, Any, BaseException | None]] = queue.Queue()
        self._pending: dict[int, _Job] = {}
        self._latest: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._on_poll)

    def submit(self, name: str, fn: Callable[[], Any], callback: Callback, *, tick: Tick | None = None) -> int:
        """Run ``fn`` in a worker thread; ``callback`` gets its outcome on the GUI thread, and
        ``tick`` (if given) the elapsed seconds at every poll until then, e.g. for a running clock."""
        job = next(self._ids)
        self._pending[job] = _Job(name, callback, tick, time.monotonic())
        self._latest[name] = job

        def work() -> None:
            try:
                self._results.put((job, fn(), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread's callback
                self._results.put((job, None, exc))

        # Daemon: a hung server must never keep the app from quitting.
        threading.Thread(target=work, name=f"background-{name}", daemon=True).start()
        self._timer.start()
        return job

    def busy(self, name: str) -> bool:
        job = self._latest.get(name)
        return job is not None and job in self._pending

    def discard(self) -> None:
        """Never deliver what the running jobs return (their owner is going away); the threads
        still end on their own, and what they put on the queue is simply never read."""
        self._pending.clear()
        self._latest.clear()
        self._timer.stop()

    def _on_poll(self) -> None:
        while True:
            try:
                job, result, error = self._results.get_nowait()
            except queue.Empty:
                break
            entry = self._pending.pop(job, None)
            if entry is None:
                continue
            if self._latest.get(entry.name) != job:
                continue  # superseded by a newer request under the same name
            del self._latest[entry.name]
            entry.callback(result, error)
        now = time.monotonic()
        for job_id in list(self._latest.values()):
            running = self._pending.get(job_id)
            if running is not None and running.tick is not None:
                running.tick(now - running.started)
        if not self._pending:
            self._timer.stop()
