"""BackgroundTasks: blocking work off the GUI thread, its outcome (and a running clock) back on it."""

from __future__ import annotations

import threading
from typing import Any

from designer.ui.widgets.background import BackgroundTasks


def test_a_running_job_ticks_on_the_gui_thread_until_its_result_arrives(qtbot):
    """``tick(seconds)`` is called on the GUI thread with growing elapsed times while the job
    runs, and never after its callback."""
    tasks = BackgroundTasks()
    gate = threading.Event()
    ticks: list[tuple[float, bool]] = []
    got: list[Any] = []
    tasks.submit("work", lambda: gate.wait(5) and "done", lambda result, error: got.append(result),
                 tick=lambda seconds: ticks.append((seconds, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: got == ["done"], timeout=5000)
    seen = len(ticks)
    qtbot.wait(3 * BackgroundTasks.POLL_MS)
    assert len(ticks) == seen, "ticked after the result was delivered"
    assert all(on_gui for _, on_gui in ticks)
    assert [s for s, _ in ticks] == sorted(s for s, _ in ticks)


def test_discarded_jobs_never_call_back(qtbot):
    """After ``discard()`` (its owner is closing) a job that still finishes delivers nothing."""
    tasks = BackgroundTasks()
    gate = threading.Event()
    got: list[Any] = []
    tasks.submit("work", lambda: gate.wait(5) and "late", lambda result, error: got.append(result))
    assert tasks.busy("work")
    tasks.discard()
    assert not tasks.busy("work")
    gate.set()
    tasks.submit("other", lambda: "next", lambda result, error: got.append(result))  # the queue is read again
    qtbot.waitUntil(lambda: got == ["next"], timeout=5000)
    qtbot.wait(3 * BackgroundTasks.POLL_MS)
    assert got == ["next"]
