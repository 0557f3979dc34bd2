"""An evaluation run: its jobs to a backend, the results back, each run into the run history.

``Evaluation(loaded, options, store=..., trust=...).results()`` yields each run's result as it
ends; ``stop()`` (from any thread) ends it within a second. The calling process is the only one
that writes the history: workers (local processes or Ray tasks) hand their runs back as records.
See docs/evaluation.md for the user's view.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from ..core.child_env import referenced_variables
from ..core.eval_file import LoadedEval, make_jobs
from ..core.eval_store import EvalStore
from ..core.eval_types import CellSummary, EvalJob, EvalSummary, JobResult, ReplayChoice, ToolFile
from ..core.run_store import RunStore, StoreError
from ..core.tool_introspect import ToolLocations
from ..core.trust import TrustPolicy, TrustStore, code_manifest, default_trust_path
from ..core.trust_items import CodeItem
from .eval_pool import Backend, ProcessPool, failed, schedule
from .eval_ray import EvalSetupError, RayBackend

__all__ = ["EvalOptions", "EvalSetupError", "Evaluation", "code_items", "untrusted_items"]

log = logging.getLogger(__name__)

#: A tools/ file larger than this is not sent to remote workers (a tool module is small; a data file is not one).
MAX_TOOL_FILE = 1024 * 1024


@dataclass
class EvalOptions:
    workers: int | None = None  # None: one per CPU core (at most one per run)
    backend: Literal["local", "ray"] = "local"
    ray_address: str | None = None  # None: RAY_ADDRESS, else a local Ray
    replay: ReplayChoice | None = None  # answer from the last recorded evaluation of the file
    filter_text: str = ""
    send_env: bool = False  # give remote workers the values of the team's env: references


def code_items(loaded: LoadedEval) -> list[CodeItem]:
    """What the evaluation's runs would execute (every variant's), each item once."""
    items: dict[str, CodeItem] = {}
    for variant in loaded.variants:
        for item in code_manifest(variant.spec, ToolLocations.for_file(variant.file), variant.file):
            items.setdefault(item.key, item)
    return list(items.values())


def untrusted_items(loaded: LoadedEval, trust: TrustPolicy | None = None) -> list[CodeItem]:
    """What the user must trust before the evaluation can run (the default: their trust store)."""
    policy = trust if trust is not None else TrustStore(default_trust_path())
    return policy.untrusted(code_items(loaded))


def _tool_files(team_file: str) -> list[ToolFile]:
    base = Path(team_file).parent
    out = []
    for folder in ToolLocations.for_file(team_file).folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.stat().st_size > MAX_TOOL_FILE:
                continue
            try:
                text = path.read_text(encoding="utf-8")
                rel = path.resolve().relative_to(base.resolve()).as_posix()
            except (OSError, UnicodeDecodeError, ValueError):
                continue  # not text, or outside the team's folder: not a tool module
            out.append(ToolFile(rel, text))
    return out


class Evaluation:
    """One evaluation of a loaded, valid evaluation file."""

    def __init__(self, loaded: LoadedEval, options: EvalOptions | None = None, *, store: RunStore | None = None,
                 trust: TrustPolicy | None = None) -> None:
        assert loaded.ok, "load_eval() found problems: show them instead of running"
        self.loaded = loaded
        self.options = options or EvalOptions()
        self.store = store if store is not None and store.recording else None
        self._evals = EvalStore(self.store) if self.store is not None else None
        self.trust = trust
        self.jobs: list[EvalJob] = make_jobs(loaded, self.options.filter_text)
        cells: dict[tuple[str, str], CellSummary] = {}
        thresholds = {t.id: t.threshold for t in loaded.tasks}
        for job in self.jobs:
            cell = cells.setdefault(job.cell, CellSummary(job.variant, job.task_id, thresholds[job.task_id], expected=0))
            cell.expected += 1
        workers = self.options.workers or os.cpu_count() or 1
        self.summary = EvalSummary(
            loaded.name, loaded.file, "", list(dict.fromkeys(j.variant for j in self.jobs)),
            list(dict.fromkeys(j.task_id for j in self.jobs)), cells, backend=self.options.backend,
            workers=max(1, min(workers, len(self.jobs) or 1)), replay=self.options.replay)
        #: Why the history could not keep the evaluation ("" when it could, or was not asked to).
        self.record_problem = ""
        self._stop = threading.Event()

    def stop(self) -> None:
        """End the evaluation now (any thread): runs in flight are stopped, runs not started never start."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # --- preparing the jobs ------------------------------------------------------------

    def _prepare(self, remote: bool) -> list[JobResult]:
        """Fill in trust, recordings and (for remote workers) files and secrets; the results of
        jobs that cannot run at all (a strict replay without a recording)."""
        items = code_items(self.loaded)
        refused = {i.key for i in (self.trust.untrusted(items) if self.trust is not None else items)}
        trusted = [i for i in items if i.key not in refused]
        keys = [i.key for i in trusted]
        hashes = sorted({sha for i in trusted for _, sha in i.files})
        teams = sorted({i.content for i in trusted if i.content})
        recorded: dict[tuple[str, str, int], str] = {}
        if self.options.replay is not None:
            if self._evals is None:
                raise EvalSetupError("a replayed evaluation answers from the run history, which is off (--no-record "
                                     "or recording turned off)")
            try:
                recorded = self._evals.recorded_runs(self.loaded.file)
            except StoreError as exc:
                raise EvalSetupError(str(exc)) from None
            if not recorded:
                raise EvalSetupError(f"the run history has no recorded evaluation of {Path(self.loaded.file).name} to "
                                     "replay: run it once without --replay to record it")
        files: dict[str, list[ToolFile]] = {}
        env: dict[str, dict[str, str]] = {}
        skipped: list[JobResult] = []
        for job in self.jobs:
            job.trusted_keys, job.trusted_hashes, job.trusted_teams = keys, hashes, teams
            if remote:
                job.remote = True
                if job.team_file is not None:
                    job.tool_files = files.setdefault(job.team_file, _tool_files(job.team_file))
            # A local worker comes from a fork server started earlier, with the environment of then:
            # it gets the team's env: values as they are now. A remote one only when the user said so.
            if not remote or self.options.send_env:
                if job.variant not in env:
                    spec = next(v.spec for v in self.loaded.variants if v.id == job.variant)
                    env[job.variant] = {n: os.environ[n] for n in referenced_variables(spec) if n in os.environ}
                job.env = env[job.variant]
            if self.options.replay is None:
                continue
            run_id = recorded.get((job.variant, job.task_id, job.repeat))
            if run_id is None:
                if self.options.replay == "strict":
                    skipped.append(failed(job, "no recorded run for this cell: run the evaluation once without "
                                               "--replay to record it"))
                continue
            assert self.store is not None
            job.replay_calls = [dataclasses.asdict(c) for c in self.store.calls(run_id)]
            job.replay_mode, job.replay_source = self.options.replay, run_id
            job.replay_seconds = self.store.load(run_id, events=False).duration
        return skipped

    def _backend(self) -> Backend:
        record = self.store is not None
        if self.options.backend == "ray":
            return RayBackend(self.options.workers, address=self.options.ray_address, record=record)
        return ProcessPool(self.summary.workers, record=record)

    # --- running -----------------------------------------------------------------------

    def results(self) -> Iterator[JobResult]:
        """Each run's result as it ends. Raises EvalSetupError before any run when it cannot start."""
        summary = self.summary
        summary.started_at = time.time()
        start = time.monotonic()
        skipped = self._prepare(remote=self.options.backend == "ray")
        backend = self._backend()
        summary.workers = backend.slots
        self._begin()
        skipped_ids = {r.index for r in skipped}
        jobs = [j for j in self.jobs if j.index not in skipped_ids]
        caps = dict(self.loaded.spec.concurrency) if self.loaded.spec else {}
        try:
            for result in skipped:
                self._keep(result)
                yield result
            for result in schedule(jobs, backend, caps, self._stop):
                self._keep(result)
                yield result
        finally:
            backend.close()
            summary.stopped = self._stop.is_set() and summary.done_runs < summary.total_runs
            summary.duration = round(time.monotonic() - start, 3)
            self._finish()

    def _begin(self) -> None:
        if self._evals is None:
            return
        eval_id = uuid.uuid4().hex[:12]
        try:
            self._evals.begin(eval_id, self.loaded.file, self.loaded.name, self.summary.started_at)
        except StoreError as exc:
            self.record_problem = str(exc)
            return
        self.summary.eval_id = eval_id

    def _keep(self, result: JobResult) -> None:
        record, result.record = result.record, None
        cell = self.summary.cells.get((result.variant, result.task_id))
        if cell is not None:
            cell.runs.append(result)
        if self._evals is None or record is None or not self.summary.eval_id:
            result.run_id = ""  # a run the history does not keep has no id there
            return
        job = self.jobs[result.index]
        run, calls = record["run"], record["calls"]
        run.origin, run.parent = "eval", job.replay_source
        run.team_path = job.team_file
        try:
            self._evals.add(self.summary.eval_id, result, run, calls, inputs=record.get("inputs"),
                                      settings=record.get("settings"))
        except StoreError as exc:
            log.warning("evaluation run %s not kept: %s", run.id, exc)
            self.record_problem = str(exc)
            result.run_id = ""

    def _finish(self) -> None:
        if self._evals is None or not self.summary.eval_id:
            return
        try:
            self._evals.finish(self.summary)
        except StoreError as exc:
            self.record_problem = str(exc)
