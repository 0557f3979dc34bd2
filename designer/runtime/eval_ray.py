"""The Ray backend: each evaluated run is a Ray task, on this machine or a cluster.

``ray`` is an optional extra (``pip install 'team-designer[ray]'``); without it this backend
says how to get it. With no address, ``ray.init()`` starts a local Ray (the evaluation's
workers as its CPUs); ``--ray-address`` / ``RAY_ADDRESS`` joins an existing cluster, and then
this package itself travels to the workers (``runtime_env`` ``py_modules``).

What crosses the wire is the job (core.eval_types.EvalJob): the team file's text, the files
of its ``tools/`` folder, the task, the checks, the trust decisions (keys and content hashes),
a recording when the evaluation replays, and secret values only for ``env:`` references the
user chose to send (``--send-env``). docs/evaluation.md says the same for users.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
from pathlib import Path
from typing import Any

from ..core.eval_types import EvalJob, JobResult
from .eval_pool import failed

log = logging.getLogger(__name__)


class EvalSetupError(Exception):
    """The evaluation cannot start (a backend that is not there, an address that does not answer)."""


def _run_remote(job: EvalJob, record: bool) -> JobResult:
    """One run as a Ray task. A task, not an actor per worker: Ray keeps its worker processes (with
    the engine imported) between evaluations, where a new actor is a new process each time
    (benchmarks/eval_parallel.py measured actors at half the throughput of tasks)."""
    from .eval_worker import run_job

    return run_job(job, record)


#: How long joining a cluster may take to answer at all (ray.init itself retries for minutes).
CONNECT_TIMEOUT_S = 5.0


def _reachable(address: str) -> str:
    """Why the cluster at ``address`` cannot be reached ("" when it answers, or when the address is
    no host:port, such as 'auto'): ray.init would retry a dead address for minutes."""
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        return ""
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        return f"nothing answers at {address} ({exc.strerror or exc})"
    return ""


class RayBackend:
    def __init__(self, workers: int | None, *, address: str | None = None, record: bool = True) -> None:
        try:
            import ray
        except ImportError:
            raise EvalSetupError("the ray backend needs Ray: pip install 'team-designer[ray]'") from None
        self._ray = ray
        address = address or os.environ.get("RAY_ADDRESS") or None
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            if address is None:
                kwargs["num_cpus"] = workers or os.cpu_count() or 1
            else:
                problem = _reachable(address)
                if problem:
                    raise EvalSetupError(f"cannot join the Ray cluster: {problem}")
                # The workers need this package; a cluster's nodes may not have it installed.
                kwargs["runtime_env"] = {"py_modules": [str(Path(__file__).resolve().parents[1])]}
            try:
                ray.init(address=address, **kwargs)
            except Exception as exc:  # ConnectionError, RuntimeError, ValueError...: all "cannot reach it"
                log.debug("ray.init failed", exc_info=True)
                raise EvalSetupError(f"cannot start or join Ray{f' at {address}' if address else ''}: {exc}") from None
            atexit.register(ray.shutdown)
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self.slots = max(1, min(workers, cpus) if workers else cpus)
        # A crashed task is not retried: the crash fails that run's cell.
        self._task = ray.remote(num_cpus=1, max_retries=0)(_run_remote)
        self._record = record
        self._refs: dict[Any, int] = {}  # the task's result -> the job's index
        self._jobs: dict[int, EvalJob] = {}

    def submit(self, job: EvalJob) -> None:
        self._refs[self._task.remote(job, self._record)] = job.index
        self._jobs[job.index] = job

    def wait(self, timeout: float) -> list[tuple[int, JobResult]]:
        ray = self._ray
        if not self._refs:
            return []
        ready, _ = ray.wait(list(self._refs), num_returns=1, timeout=timeout)
        if ready:
            more, _ = ray.wait([r for r in self._refs if r not in ready], num_returns=len(self._refs) - len(ready), timeout=0)
            ready += more
        out = []
        for ref in ready:
            index = self._refs.pop(ref)
            job = self._jobs.pop(index)
            try:
                result = ray.get(ref)
            except ray.exceptions.RayError as exc:  # a crashed worker, a lost node, a cancelled task
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                result = failed(job, f"the Ray worker running it failed ({type(exc).__name__}): {first}"[:500])
            out.append((index, result))
        return out

    def _cancel(self, ref: Any) -> None:
        try:
            self._ray.cancel(ref, force=True)  # force: the worker process is killed, a hung run with it
        except Exception:  # a task that has just ended cannot be cancelled: nothing to do
            log.debug("cancelling a Ray task failed", exc_info=True)

    def kill(self, index: int) -> None:
        for ref, i in list(self._refs.items()):
            if i == index:
                self._cancel(ref)
                del self._refs[ref]
                self._jobs.pop(index, None)

    def close(self) -> None:
        """Stop: every task in flight is cancelled now (its worker process killed)."""
        for ref in list(self._refs):
            self._cancel(ref)
        self._refs.clear()
        self._jobs.clear()
