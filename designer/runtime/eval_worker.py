"""One evaluated run, in a worker process: the team run, its checks, its judge, its record.

:func:`run_job` is what a local worker process and a Ray task call. It runs one
:class:`~designer.core.eval_types.EvalJob` in its own event loop and returns a
:class:`~designer.core.eval_types.JobResult`; it never raises for anything the run does. The
run is recorded into a store of this process's own (a temporary sqlite file) and handed back
as a record: the one process that owns the user's run history writes it there, whichever
machine ran it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..core import events as ev
from ..core.eval_checks import Outcome, check_run, outcome_of, rubric_prompt, rubric_result
from ..core.eval_spec import RUBRIC, CheckSpec
from ..core.eval_types import CheckResult, EvalJob, JobResult
from ..core.run_data import ReplayPlan
from ..core.run_schema import Call
from ..core.run_relay import RelayStore, RelayWriter
from ..core.child_env import referenced_secrets
from ..core.spec import ModelSpec
from ..core.trust_items import CodeItem
from ..core.masking import redact
from ..core.spec import TeamSpec
from ..core.yamlio import parse_team

log = logging.getLogger(__name__)

#: The agent name a judge's calls are recorded under (an agent id cannot hold '-').
JUDGE = "eval-judge"
#: How long a stopped run may take to end once its own time is up.
STOP_WAIT_S = 5.0


@dataclass
class HashTrust:
    """The user's trust decisions as they travel with a job: content hashes, not paths, so a
    worker that keeps the team in another folder (another machine) still recognises them."""

    keys: frozenset[str] = frozenset()
    hashes: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()

    def untrusted(self, items: Sequence[CodeItem]) -> list[CodeItem]:
        return [item for item in items if not self._trusted(item)]

    def _trusted(self, item: CodeItem) -> bool:
        if item.unchecked:
            return False
        if item.key in self.keys:
            return True
        files_ok = bool(item.files) and all(sha in self.hashes for _, sha in item.files)
        if item.content:
            return item.content in self.teams and (files_ok or not item.files)
        return files_ok and not item.command


#: Where a team copied from another machine goes (None: the system's temporary folder); the
#: local pool points it into its own folder, removed with the pool whatever happens to a worker.
_scratch: str | None = None


def set_scratch(folder: str | None) -> None:
    global _scratch
    _scratch = folder


def run_job(job: EvalJob, record: bool = True) -> JobResult:
    """Run one job to its end in a fresh event loop; every failure becomes the result's error."""
    try:
        return asyncio.run(_run_job(job, record))
    except BaseException as exc:  # a worker must answer, whatever happened (KeyboardInterrupt re-raised)
        if isinstance(exc, KeyboardInterrupt):
            raise
        log.warning("evaluation job %d failed", job.index, exc_info=True)
        return _error(job, f"the run failed in its worker: {type(exc).__name__}: {exc}"[:500], tb=traceback.format_exc())


def _error(job: EvalJob, message: str, *, tb: str = "") -> JobResult:
    if tb:
        log.debug("%s", tb)
    return JobResult(job.index, job.variant, job.task_id, job.repeat, "error", error=message)


def _materialise(job: EvalJob) -> tuple[str | None, Path | None]:
    """The team file to run: the submitter's own, or (on another machine) a copy of it and its
    tools, and the copy's folder (removed after the run)."""
    if not job.tool_files and (job.team_file is None or Path(job.team_file).parent.is_dir()):
        return job.team_file, None
    folder = Path(tempfile.mkdtemp(prefix="td-eval-team-", dir=_scratch))
    for item in job.tool_files:
        target = (folder / item.path).resolve()
        if folder.resolve() not in target.parents:  # a path out of the folder is never written
            raise ValueError(f"a tool file's path leaves the team's folder: {item.path!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8")
    team = folder / (Path(job.team_file).name if job.team_file else "team.yaml")
    team.write_text(job.team_text, encoding="utf-8")
    return str(team), folder


async def _run_job(job: EvalJob, record: bool) -> JobResult:
    loaded = parse_team(job.team_text, job.team_file)
    if loaded.spec is None:
        return _error(job, "the team cannot be read: " + "; ".join(p.message for p in loaded.problems[:1]))
    spec = loaded.spec
    if job.remote:
        missing = [ref for ref in referenced_secrets(spec) if ref.startswith("keyring:")]
        if missing:
            return _error(job, f"{missing[0]} cannot be read on a remote worker (its keyring is not yours): use an "
                               "env: reference and --send-env, or set the variable on the cluster")
    # The secrets sent with this job are this job's: a worker process (Ray reuses them) runs the next
    # job with its environment as it was.
    before = {name: os.environ.get(name) for name in job.env}
    os.environ.update(job.env)
    team_file, copy = _materialise(job)
    try:
        result = await _run(job, spec, team_file, record)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if copy is not None:
            shutil.rmtree(copy, ignore_errors=True)
    # Masked here, where the run's and its judges' secrets are known (the receiving process knows none).
    result.answer, result.error = redact(result.answer), redact(result.error)
    for check in result.checks:
        check.detail = redact(check.detail)
    return result


async def _run(job: EvalJob, spec: TeamSpec, team_file: str | None, record: bool) -> JobResult:
    from .runner import TeamRun

    calls = [Call(**c) for c in job.replay_calls or ()]
    plan = None
    if job.replay_mode is not None:
        plan = ReplayPlan([c for c in calls if c.agent != JUDGE], job.replay_mode, source=job.replay_source)
    store = RelayStore() if record else None
    trust = HashTrust(frozenset(job.trusted_keys), frozenset(job.trusted_hashes), frozenset(job.trusted_teams))
    run = TeamRun(spec, job.task, team_file=team_file, trust=trust, store=store,  # type: ignore[arg-type]  # duck-typed
                  replay=plan, inputs=job.inputs,
                  snapshot_text=job.team_text, model_override=job.model_override)
    events: list[dict[str, Any]] = []
    error = ""

    async def consume() -> None:
        nonlocal error
        async for event in run.events():
            events.append(event.to_dict())
            if isinstance(event, ev.InputRequested):
                # Nobody is there to answer: an evaluated team must not wait for a person.
                error = f"{event.agent} asked a human for input; an evaluation cannot answer (record an answer, or remove the human)"
                run.stop("an evaluation cannot answer a human-input request")

    consumer = asyncio.ensure_future(consume())
    try:
        await asyncio.wait_for(asyncio.shield(consumer), job.timeout)
    except asyncio.TimeoutError:
        error = f"the run did not end within {job.timeout:g} s (the evaluation's timeout)"
        run.stop("the evaluation's timeout")
        try:
            await asyncio.wait_for(consumer, STOP_WAIT_S)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            consumer.cancel()
    outcome = outcome_of(events)
    finished: dict[str, Any] = next((e for e in reversed(events) if e.get("type") == "finished"), {})
    if job.replay_mode is not None:
        # Budgets are checked against what the run costs with the recorded answers counted: a
        # replay itself costs nothing and takes no time, and must give the verdict a live run gets.
        outcome.tokens += int(finished.get("saved_tokens", 0))
        saved = finished.get("saved_cost")
        outcome.cost = None if outcome.cost is None or saved is None else outcome.cost + saved
        if job.replay_mode == "strict" and job.replay_seconds is not None:
            outcome.seconds = job.replay_seconds
    result = JobResult(job.index, job.variant, job.task_id, job.repeat, "passed", run_id=run.recorded_id,
                       answer=outcome.answer, reason=outcome.reason, messages=outcome.messages, tokens=outcome.tokens,
                       cost=outcome.cost, currency=outcome.currency, seconds=outcome.seconds)
    result.replayed_calls, result.live_calls = finished.get("replayed_calls", 0), finished.get("live_calls", 0)
    errors = [e for e in events if e.get("type") == "error"]
    if not error and errors and outcome.reason == "error":
        error = str(errors[-1].get("message", "the run failed"))
    if error:
        result.status, result.error = "error", error.splitlines()[0][:500]
    else:
        # The judges' calls are recorded with the run's (after them), so a replay answers them too.
        writer = store.writer if store is not None else None
        result.checks = [await _check(job, CheckSpec.model_validate(c), outcome, calls, writer) for c in job.checks]
        result.status = "passed" if all(c.passed for c in result.checks) else "failed"
    if store is not None:
        result.record = store.take()
    return result


async def _check(job: EvalJob, check: CheckSpec, outcome: Outcome, recorded: list[Call],
                 judge: RelayWriter | None) -> CheckResult:
    if check.type != RUBRIC:
        return check_run(check, outcome)
    model_id = check.model or "embedded"  # make_jobs names every rubric check's judge
    try:
        reply = await _judge(job, model_id, check, outcome, recorded, judge)
    except Exception as exc:  # the judge's failure fails the check, never the evaluation
        log.info("judge %s failed", model_id, exc_info=True)
        return CheckResult(check.label(), check.type, False, f"the judge ({model_id}) failed: {exc}"[:300])
    return rubric_result(check, reply)


async def _judge(job: EvalJob, model_id: str, check: CheckSpec, outcome: Outcome, recorded: list[Call],
                 judge: RelayWriter | None) -> str:
    """One judging call, recorded like the team's (so a replayed evaluation's verdicts replay too)."""
    from autogen_core.models import SystemMessage, UserMessage

    from .models import build_client
    from .recorded import model_identity
    from .recording import CallSession, RecordingCache

    data = job.judges.get(model_id)
    spec = ModelSpec.model_validate(data) if data is not None else ModelSpec(provider="embedded", model="SmolLM2-135M-Instruct")
    plan = ReplayPlan([c for c in recorded if c.agent == JUDGE], job.replay_mode) if job.replay_mode else None
    session = CallSession(plan=plan)
    session.writer = judge  # type: ignore[assignment]  # a writer is all that takes the calls
    client = build_client(spec, model_id)
    cache = RecordingCache(client, JUDGE, model_identity(spec, model_id), session)
    system, user = rubric_prompt(check, outcome)
    try:
        result = await cache.create([SystemMessage(content=system), UserMessage(content=user, source="user")])
    finally:
        await client.close()
    content = result.content
    return content if isinstance(content, str) else str(content)
