"""Where an evaluation's runs go: a scheduler over a backend of workers, and the local backend.

The scheduler keeps every worker busy while respecting per-model concurrency caps (a
provider's rate limit), fails a run that outlives its deadline (the worker is killed and
replaced) and stops everything at once on Stop. A backend only submits, waits and kills:
:class:`ProcessPool` (here: one worker process per slot, each with its own event loop) and
:class:`~designer.runtime.eval_ray.RayBackend`.

The worker processes come from a ``forkserver`` on Linux (``spawn`` elsewhere): forked from a
clean server process that has imported the engine once, never from the caller (the window has
Qt and threads, which a fork must not copy), so a worker starts in milliseconds after the first.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from multiprocessing.connection import Connection, wait
from typing import Any, Iterator, Mapping, Protocol, Sequence

from ..core.eval_types import EvalJob, JobResult

log = logging.getLogger(__name__)

#: A run past its timeout is stopped by its worker; a worker that has not answered this much
#: later (its event loop blocked, say by a tool that never yields) is killed.
KILL_MARGIN_S = 10.0
#: How often the scheduler looks at Stop and the deadlines while waiting.
TICK_S = 0.1


class Backend(Protocol):
    slots: int  # runs at once (workers)

    def submit(self, job: EvalJob) -> None: ...
    def wait(self, timeout: float) -> list[tuple[int, JobResult]]: ...
    def kill(self, index: int) -> None: ...
    def close(self) -> None: ...


def failed(job: EvalJob, message: str) -> JobResult:
    return JobResult(job.index, job.variant, job.task_id, job.repeat, "error", error=message)


def schedule(jobs: Sequence[EvalJob], backend: Backend, caps: Mapping[str, int], stop: threading.Event) -> Iterator[JobResult]:
    """Each job's result as it ends (in the order they end); returns early when ``stop`` is set."""
    pending = deque(jobs)
    running: dict[int, tuple[EvalJob, float]] = {}
    in_use: Counter[str] = Counter()

    def fits(job: EvalJob) -> bool:
        return all(in_use[m] < caps[m] for m in job.models if m in caps)

    def dispatch() -> None:
        while pending and len(running) < backend.slots:
            job = next((j for j in pending if fits(j)), None)
            if job is None:
                break
            pending.remove(job)
            backend.submit(job)
            running[job.index] = (job, time.monotonic() + job.timeout + KILL_MARGIN_S)
            in_use.update(job.models)

    while pending or running:
        if stop.is_set():
            return
        dispatch()
        done = []
        for index, result in backend.wait(TICK_S):
            entry = running.pop(index, None)
            if entry is not None:
                in_use.subtract(entry[0].models)
                done.append(result)
        # The freed workers get their next runs before the caller writes these results down.
        dispatch()
        for result in done:
            yield result
            if stop.is_set():
                return
        now = time.monotonic()
        for index, (job, deadline) in list(running.items()):
            if now > deadline:
                backend.kill(index)
                del running[index]
                in_use.subtract(job.models)
                yield failed(job, f"the run hung: no result {job.timeout + KILL_MARGIN_S:g} s after it started "
                                  "(its worker was stopped)")


def _worker_main(conn: Connection, record: bool, scratch: str) -> None:
    """A worker process: jobs in, results out, until told to end (None) or its pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops us itself
    logging.basicConfig(level=logging.WARNING)
    from .eval_worker import run_job, set_scratch

    set_scratch(scratch)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        conn.send(run_job(job, record))


class _Proc:
    def __init__(self, ctx: Any, record: bool, scratch: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, record, scratch), daemon=True, name="td-eval-worker")
        self.process.start()
        child.close()
        self.job: EvalJob | None = None

    def end(self, *, now: bool) -> None:
        if now:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.conn.close()


_context: Any = None


def _mp_context() -> Any:
    global _context
    if _context is None:
        if sys.platform.startswith("linux"):
            _context = mp.get_context("forkserver")
            # The engine and AgentChat imported once, in the server: every worker forked from it has them.
            _context.set_forkserver_preload(["designer.runtime.eval_worker", "designer.runtime.runner"])
        else:
            _context = mp.get_context("spawn")
    return _context


class ProcessPool:
    """The local backend: ``workers`` processes, started as they are first needed."""

    def __init__(self, workers: int, *, record: bool = True) -> None:
        self.slots = max(1, workers)
        self._record = record
        # The workers' scratch folders live here, so a killed worker's are removed with the pool.
        self._scratch = tempfile.mkdtemp(prefix="td-eval-")
        self._idle: list[_Proc] = []
        self._busy: dict[int, _Proc] = {}

    def submit(self, job: EvalJob) -> None:
        proc = self._idle.pop() if self._idle else _Proc(_mp_context(), self._record, self._scratch)
        proc.job = job
        try:
            proc.conn.send(job)
        except OSError:  # it died while idle: the next wait() reports it as this job's crash
            log.info("worker %s died before taking job %d", proc.process.pid, job.index)
        self._busy[job.index] = proc

    def wait(self, timeout: float) -> list[tuple[int, JobResult]]:
        if not self._busy:
            time.sleep(min(timeout, 0.01))
            return []
        by_conn: dict[Any, tuple[int, _Proc]] = {}
        for index, proc in self._busy.items():
            by_conn[proc.conn] = (index, proc)
            by_conn[proc.process.sentinel] = (index, proc)
        out: list[tuple[int, JobResult]] = []
        for ready in wait(list(by_conn), timeout):
            index, proc = by_conn[ready]
            if index not in self._busy:
                continue  # both its pipe and its sentinel were ready
            result = self._take(proc)
            del self._busy[index]
            if result is not None:
                self._idle.append(proc)
                out.append((index, result))
            else:
                proc.process.join(1.0)
                code = proc.process.exitcode
                proc.end(now=True)
                assert proc.job is not None
                how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                out.append((index, failed(proc.job, f"the worker process running it ended unexpectedly ({how})")))
        return out

    @staticmethod
    def _take(proc: _Proc) -> JobResult | None:
        try:
            if proc.conn.poll():
                result = proc.conn.recv()
                return result if isinstance(result, JobResult) else None
        except (EOFError, OSError):
            pass
        return None

    def kill(self, index: int) -> None:
        proc = self._busy.pop(index, None)
        if proc is not None:
            proc.end(now=True)

    def close(self) -> None:
        """End every worker now: idle ones are told to, busy ones are killed (Stop)."""
        procs = [(p, False) for p in self._idle] + [(p, True) for p in self._busy.values()]
        self._idle, self._busy = [], {}
        for proc, now in procs:
            proc.end(now=now)
        deadline = time.monotonic() + 2.0
        for proc, _ in procs:
            proc.process.join(max(0.0, deadline - time.monotonic()))
            if proc.process.is_alive():
                proc.process.kill()
                proc.process.join(1.0)
        shutil.rmtree(self._scratch, ignore_errors=True)
