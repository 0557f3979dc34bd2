"""One evaluation at a time in a worker thread, its results handed to the GUI thread.

The thread iterates ``Evaluation.results()`` (which blocks while the worker processes run) and
puts each JobResult on a queue; a GUI-thread timer drains it and emits ``resultArrived``. As in
run/controller.py, nothing is emitted from the worker thread: with PySide6 a slot connected to
a worker's signal can run in the wrong thread, and a queue needs no such care. ``stop()`` asks
the evaluation to stop (its results() ends within a second); ``shutdown()`` also waits for the
thread, as closing the window does.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from ...core.eval_file import LoadedEval
from ...core.eval_types import EvalSummary, ReplayChoice

if TYPE_CHECKING:
    from ...runtime.eval_engine import Evaluation

log = logging.getLogger(__name__)

DRAIN_MS = 50
#: How long closing the window waits for a stopped evaluation's thread (stop takes about a second).
JOIN_S = 10.0


class EvalRunner(QObject):
    #: A run ended (on the GUI thread).
    resultArrived = Signal(object)  # noqa: N815 - Qt naming: JobResult
    #: The evaluation ended: "" when it ran to its end or was stopped, else why it could not run.
    finished = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.evaluation: Evaluation | None = None
        self._thread: threading.Thread | None = None
        self._outbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self.stopping = False

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, loaded: LoadedEval, *, workers: int | None, replay: ReplayChoice | None, store: Any,
              trust: Any) -> EvalSummary:
        """Start the evaluation; its summary (the cells, no runs yet). EvalSetupError (or any
        error making it) is raised here, before any thread starts."""
        from ...runtime.eval_engine import EvalOptions, Evaluation

        assert self._thread is None, "one evaluation at a time"
        evaluation = Evaluation(loaded, EvalOptions(workers=workers, replay=replay), store=store, trust=trust)
        self.evaluation, self.stopping = evaluation, False
        self._thread = threading.Thread(target=self._work, args=(evaluation,), name="evaluation", daemon=True)
        self._thread.start()
        self._timer.start()
        return evaluation.summary

    def _work(self, evaluation: Evaluation) -> None:
        from ...runtime.eval_engine import EvalSetupError

        try:
            for result in evaluation.results():
                self._outbox.put(("result", result))
        except EvalSetupError as exc:
            self._outbox.put(("done", one_line(exc)))
            return
        except Exception as exc:  # the window shows one line, the log has the rest
            log.exception("the evaluation failed")
            self._outbox.put(("done", f"the evaluation failed: {one_line(exc)}"))
            return
        self._outbox.put(("done", ""))

    def _drain(self) -> None:
        while True:
            try:
                kind, value = self._outbox.get_nowait()
            except queue.Empty:
                return
            if kind == "result":
                self.resultArrived.emit(value)
                continue
            self._end()
            self.finished.emit(value)
            return

    def _end(self) -> None:
        self._timer.stop()
        if self._thread is not None:
            self._thread.join(JOIN_S)
        self._thread = None

    def stop(self) -> None:
        """Stop the evaluation: results() ends within a second, ``finished`` follows."""
        if self.evaluation is not None and self._thread is not None:
            self.stopping = True
            self.evaluation.stop()

    def shutdown(self) -> None:
        """Stop and wait for the thread (closing the window); results not drained are dropped."""
        if self._thread is None:
            return
        self.stop()
        self._thread.join(JOIN_S)
        if self._thread.is_alive():
            log.warning("the evaluation thread did not end within %.0f s", JOIN_S)
        # The results that came, and the end: the window must not stay "running" when shown again.
        self._drain()
        if self._thread is not None:  # no end came from the thread: end it here
            self._thread = None
            self._timer.stop()
            self.finished.emit("")  # the runner was stopping: the window says "Stopped after ..."


def one_line(exc: BaseException) -> str:
    """The first line of what the exception says (its type when it says nothing)."""
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
