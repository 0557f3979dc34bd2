"""The Qt-free run API: ``TeamRun(spec, task).events()`` yields run events until ``finished``.

Design notes, from AgentChat 0.7.5 behaviour pinned in tests/unit/test_agentchat_behaviour.py:

* The team is compiled inside the loop that iterates ``events()``; a team is bound to
  the loop it first ran in.
* Every run builds a fresh team. After a cancel, a reused team object stops after one
  message on its next run even after ``reset()``, so conversations continue through
  ``state`` (``save_state`` -> new team -> ``load_state``).
* Stop cancels the token, then after a short grace cancels the task that consumes
  ``run_stream()``: a token cancel alone can hang during a long async tool call.
* Runs are isolated: several may share one loop (the window's worker, an evaluation).
  A run's end cancels only the tasks it started (:mod:`.run_tasks`), never another's.
* Nothing secret leaves a run: every event is masked before it is queued
  (:mod:`.run_outbox`), streamed text through a per-speaker ``StreamMasker``.
* A run freezes its spec itself (one deep copy per run): callers pass their spec as is.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Mapping, Sequence

from autogen_agentchat.base import TaskResult
from autogen_core import CancellationToken

from ..core import events as ev
from ..core.finish import STOPPED_BY_USER
from ..core.masking import redact
from ..core.run_store import RunStore
from ..core.spec import TeamSpec
from ..core.task import with_inputs
from ..core.tool_introspect import ToolLocations
from ..core.trust import TrustPolicy
from . import handoff_user
from .code_approval import ApprovalMode, CodeApprovals
from .compiler import CompiledTeam, compile_team
from .models import ModelHooks
from .recording import ReplayPlan
from .run_outbox import DONE, WAKE, RunOutbox, register_run_secrets
from .run_record import RunRecord
from .run_support import UntrustedCodeError, cap_replies, check_trust, end_of, plain_error, quiet_library_logs
from .run_tasks import RunTasks
from .tools import RunTools

__all__ = ["STOP_GRACE_S", "TeamRun", "UntrustedCodeError", "quiet_library_logs"]

log = logging.getLogger(__name__)


class _StoppedEarly(Exception):
    """Stop was asked for before the run had begun."""


#: How long a token cancel may take before the consuming task is cancelled outright.
STOP_GRACE_S = 0.4
#: After that, how long to wait for the consumer to unwind before reporting the end anyway.
STOP_UNWIND_S = 0.4


class TeamRun:
    """One run of a team on a frozen snapshot of its spec. Iterate ``events()`` once."""

    def __init__(
        self,
        spec: TeamSpec,
        task: str,
        *,
        model_override: str | None = None,
        max_messages: int | None = None,
        timeout: float | None = None,
        state: Mapping[str, Any] | None = None,
        team_file: str | Path | None = None,
        tool_folders: Sequence[str | Path] = (),
        trust: TrustPolicy | None = None,
        workspace: str | Path | None = None,
        reply_tokens: int | None = None,
        store: RunStore | None = None,
        replay: ReplayPlan | None = None,
        inputs: Mapping[str, str] | None = None,
        snapshot_text: str | None = None,
        code_approval: ApprovalMode = "deny",
    ) -> None:
        """``team_file`` locates the ``tools/`` folder beside it; ``tool_folders`` adds more.
        ``trust`` decides about the code the run would execute (user modules, MCP servers,
        local Python): without it such a run refuses to start. ``workspace`` is a folder to
        use and keep instead of a temporary one. ``reply_tokens`` caps every model reply (a
        cheap smoke run of a team: bounded by work, not only by time). ``store`` is the run
        history to record the run in (its setting may turn recording off); ``replay`` answers
        the run's calls from a recorded run's (see :mod:`.recording`); ``inputs`` are the task's
        placeholders as given, for the history; ``snapshot_text`` the YAML the spec was read
        from, kept as the run's snapshot (default: the spec written out); ``code_approval`` who
        approves code_executor agents' code ('ask': an ApprovalRequested event for :meth:`approve`)."""
        # Freeze, the one copy of a run: later edits of the caller's spec cannot race it.
        #: The team as the user wrote it: what trust is asked and checked about (a cap on
        #: reply length changes nothing that runs, so it must not make the team "another" one).
        self._written = spec.model_copy(deep=True)
        ran = self._written if reply_tokens is None else cap_replies(self._written, reply_tokens, model_override)
        self.spec = with_inputs(ran, inputs)  # the inputs fill system messages too (core/task.py)
        self.team_file = team_file
        self.locations = ToolLocations.for_file(team_file, tool_folders)
        self.trust = trust
        self._tools = RunTools(self.spec, self.locations, workspace)
        self._workspace = workspace
        self.snapshot = hashlib.sha256(self.spec.model_dump_json(by_alias=True).encode()).hexdigest()[:12]
        self.task = task
        self.model_override = model_override
        term = self.spec.termination.model_copy()
        if max_messages is not None:
            term.max_messages = max_messages
        if timeout is not None:
            term.timeout = timeout
        self.termination = term
        self.initial_state = state
        self.state: Mapping[str, Any] | None = None
        self.run_id = uuid.uuid4().hex[:12]
        self._record = RunRecord(
            store, replay, written=self._written, ran=self.spec, task=task, inputs=inputs, model_override=model_override,
            snapshot_text=snapshot_text,
            team_file=str(Path(team_file).resolve()) if team_file is not None else None,
            # What the caller changed for this run: a replay repeats it (see RunStore.overrides).
            overrides={k: v for k, v in (("model_override", model_override), ("max_messages", max_messages),
                                         ("timeout", timeout), ("reply_tokens", reply_tokens)) if v is not None},
        )
        self._tools.session = self._record.session

        self._out = RunOutbox()
        self._tools.approvals = CodeApprovals(code_approval, self._out.emit, lambda: self._record.session)
        self._token = CancellationToken()
        self._compiled: CompiledTeam | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inputs: dict[str, asyncio.Future[str]] = {}
        self._end_reason: ev.FinishReason | None = None
        self._end_detail = ""
        self._stopping_since: float | None = None
        self._finish_requested = False
        self._owned = RunTasks()

    # --- control (call from the loop's thread; other threads use loop.call_soon_threadsafe) --

    def stop(self, detail: str = STOPPED_BY_USER) -> None:
        """End the run now, in any state: mid model call, mid tool call, waiting for input."""
        if self._stopping_since is not None:
            return
        if self._loop is None:
            # Asked before events() began (e.g. Stop right after Run, while AgentChat is still
            # being imported): remembered, and events() ends the run before setting anything up.
            self._end_reason, self._end_detail = "stopped", detail
            return
        # A Stop during Finish turn is a stop: the turn it was waiting for never ended.
        # Only an end already decided (a timeout, an error, the turn's end) keeps its words.
        if self._end_reason is None:
            self._end_reason, self._end_detail = "stopped", detail
        self._stopping_since = time.monotonic()
        # The backstop first: a callback of a library that fails on cancel must not cancel the Stop.
        self._loop.call_later(STOP_GRACE_S, self._cancel_consumer)
        try:
            self._token.cancel()
        except Exception:  # the consumer is cancelled outright after the grace anyway
            log.warning("run %s: cancelling the team's token failed", self.run_id, exc_info=True)
        self._out.put(WAKE)  # wake events() so it starts its own deadline

    def finish_turn(self) -> None:
        """End gracefully once the agent now speaking has finished its turn."""
        if not self._finish_requested:
            self._finish_requested = True  # worded when the turn has ended (_on_result), not before
            if self._compiled is not None:  # otherwise set as soon as the team exists (events())
                self._compiled.external.set()

    def provide_input(self, text: str, request_id: str | None = None) -> bool:
        """Answer the pending human-input request (the only one, or the given id)."""
        pending = [rid for rid, fut in self._inputs.items() if not fut.done()]
        target = request_id if request_id in pending else (pending[0] if pending and request_id is None else None)
        if target is None:
            return False
        self._inputs[target].set_result(text)
        return True

    def approve(self, request_id: str | None, approved: bool, reason: str = "") -> bool:
        """Answer a code approval request (the given id, or the only one): run the code, or not."""
        return self._tools.approvals is not None and self._tools.approvals.approve(request_id, approved, reason)

    # --- the event stream -----------------------------------------------------------

    async def _ask(self, agent: str, prompt: str, token: CancellationToken | None) -> str:
        assert self._loop is not None
        request_id = uuid.uuid4().hex[:12]
        session = self._record.session
        recorded = session.input_answer(agent) if session is not None else None
        if recorded is not None:  # a replay: the human's answer as it was given
            self._out.emit(ev.InputRequested(agent, request_id=request_id, prompt=prompt, origin="replayed"))
            return recorded
        future: asyncio.Future[str] = self._loop.create_future()
        self._inputs[request_id] = future
        self._out.emit(ev.InputRequested(agent, request_id=request_id, prompt=prompt))
        try:
            answer = await future
        finally:
            self._inputs.pop(request_id, None)
        if session is not None:
            session.input_done(agent, answer)
        return answer

    _current_speaker: str | None = None
    _translator: Any = None
    _timeout_handle: asyncio.TimerHandle | None = None
    _model_failure: tuple[str, BaseException] | None = None
    #: The run's id in the history once events() began ("" when not recorded).
    recorded_id: str = ""

    def _on_chunk(self, agent: str, text: str) -> None:
        if self._translator is not None and self._stopping_since is None:
            self._out.emit(ev.Chunk(agent, text=text, parent=self._translator.parent_of(agent)))

    def _on_model_error(self, agent: str, exc: BaseException) -> None:
        if self._model_failure is None:
            self._model_failure = (agent, exc)

    async def events(self) -> AsyncIterator[ev.RunEvent]:
        """The run's events, each also written to the run history (when recorded)."""
        record = self._record
        register_run_secrets(self.spec)  # before the history writes the snapshot: masked there too
        self.recorded_id = record.begin(self.run_id)
        try:
            async for event in self._events():
                if isinstance(event, ev.Finished):
                    record.complete(event)  # adds replay figures and costs before anyone reads it
                else:
                    record.event(event)
                yield event
        finally:
            record.abandon()

    async def _events(self) -> AsyncIterator[ev.RunEvent]:
        self._loop = asyncio.get_running_loop()
        self._out.start = time.monotonic()
        quiet_library_logs()  # the run's secrets were registered by events(), before the history's snapshot
        log.info("run %s of %r (%s) starting", self.run_id, self.spec.name, self.spec.orchestration.pattern)
        self._out.emit(
            ev.RunStarted(
                ev.TEAM,
                team=self.spec.name,
                pattern=self.spec.orchestration.pattern,
                task=self.task,
                participants=self.spec.participants(),
                bound=self.termination.describe() or "none",
                snapshot=self.snapshot,
                run_id=self.recorded_id,
                origin=self._record.origin,
            )
        )
        translator = None
        try:
            if self._end_reason == "stopped":
                raise _StoppedEarly()
            # In a task of this run's own, so whatever setup starts (MCP sessions, the
            # runtime while loading state) is owned by this run and reaped with it.
            setup = self._owned.create_task(self._setup())
            _ = self._token.link_future(setup)  # interruptible: Stop during a slow MCP server start
            translator = await setup
        except _StoppedEarly:
            pass
        except Exception as exc:  # setup failures are reported as events
            log.info("run %s could not start", self.run_id, exc_info=True)
            kind, message = plain_error(exc)
            self._out.emit(ev.Error(ev.TEAM, message=message, kind=kind))
            self._end_reason, self._end_detail = "error", message
        except asyncio.CancelledError:
            if self._stopping_since is None:
                raise  # the caller cancelled us, not the user's stop
            translator = None
        if translator is not None and self._end_reason is None:
            # The task first, from here: AgentChat hands it over only after the first agent's
            # model call has begun, so its streamed chunks would come before the task they answer.
            self._out.emit(translator.task_message(self.task))
            self._consumer = self._owned.create_task(self._consume(translator))
            if self.termination.timeout:
                self._timeout_handle = self._loop.call_later(self.termination.timeout, self._on_timeout)
        else:
            self._out.put(DONE)
        try:
            while (event := await self._next()) is not DONE:
                yield event
        finally:
            if self._timeout_handle is not None:  # a finished run must not linger until its timeout
                self._timeout_handle.cancel()
            # Also reached when the caller stops iterating early: nothing may outlive the run.
            if self._consumer is not None and not self._consumer.done():
                self._token.cancel()
                self._consumer.cancel()
            await self._tools.stop()  # MCP servers and executors end with the run, before the reaper
            await self._owned.cancel_pending()
            if self._compiled is not None:
                await self._compiled.close()
            self._tools.cleanup()
        tokens = {agent: dict(t) for agent, t in (translator.tokens if translator else {}).items()}
        messages = translator.messages if translator else 0
        for held in self._out.release_held():
            yield held
        for agent, chunks in self._out.cut_short().items():
            # A reply the end interrupted: shown, so counted; its tokens were never reported,
            # so estimated as one per streamed chunk and marked as such (core.finish words it).
            entry = tokens.setdefault(agent, {"prompt": 0, "completion": 0})
            entry["completion"] += chunks
            entry["estimated"] = entry.get("estimated", 0) + chunks
            messages += 1
        log.info("run %s ended: %s %s", self.run_id, self._end_reason or "completed", self._end_detail)
        yield self._out.stamp(ev.Finished(
            ev.TEAM,
            reason=self._end_reason or "completed",
            detail=redact(self._end_detail),
            messages=messages,
            prompt_tokens=sum(t["prompt"] for t in tokens.values()),
            completion_tokens=sum(t["completion"] for t in tokens.values()),
            tokens_by_agent=tokens,
            duration=round(time.monotonic() - self._out.start, 3),
        ))

    async def _setup(self) -> Any:
        """Check trust, compile the team, start its tools; the translator when ready."""
        # Refused before anything the user has not trusted is imported or started; the loader then
        # imports exactly the approved files, and refuses any that changed since this check.
        self._tools.approved_files = check_trust(self._written, self.locations, self.team_file, self._workspace, self.trust)
        self._compiled = compile_team(
            self.spec,
            self._ask,
            termination=self.termination,
            model_override=self.model_override,
            hooks=ModelHooks(on_error=self._on_model_error, on_chunk=self._on_chunk),
            tools=self._tools,
            session=self._record.session,
            inputs=self._record.inputs,
        )
        await self._tools.start()
        from .translate import Translator

        translator = Translator(self._compiled.coordinator, self._compiled.workers, self._record.session,
                                parents=self.spec.inner_members())  # inner teams' members nest under their team agent
        self._translator = translator
        if self._finish_requested:
            self._compiled.external.set()
        if self.initial_state is not None:
            await self._compiled.team.load_state(self.initial_state)
        return translator

    async def _next(self) -> Any:
        """The next event to yield, or DONE (also when a stopped team ignores cancellation)."""
        while True:
            if self._stopping_since is None:
                item = await self._out.get()
            else:
                left = STOP_GRACE_S + STOP_UNWIND_S - (time.monotonic() - self._stopping_since)
                try:
                    item = await self._out.get(max(left, 0.01))
                except asyncio.TimeoutError:
                    log.warning("run %s: the team ignored cancellation; its end is reported anyway", self.run_id)
                    return DONE  # the consumer ignored cancellation; report the end regardless
            if item is not WAKE:
                return item

    def _on_timeout(self) -> None:
        if self._end_reason is None:
            self._end_reason = "termination"
            self._end_detail = f"timeout of {self.termination.timeout:g} s reached"
        self.stop()

    def _cancel_consumer(self) -> None:
        if self._consumer is not None and not self._consumer.done():
            self._consumer.cancel()

    async def _consume(self, translator: Any) -> None:
        assert self._compiled is not None
        team = self._compiled.team
        try:
            # Resumed with the person's answer after each swarm hand-off to the user (handoff_user.py).
            async for item in handoff_user.run_stream(team, self.task, self._token, self._ask, self._out.emit,
                                                      lambda: self._finish_requested):
                if isinstance(item, TaskResult):
                    self._on_result(item)
                    continue
                source = getattr(item, "source", None)
                if source in self.spec.agents:
                    self._current_speaker = source
                for event in translator.translate(item):
                    self._out.emit(event)
        except asyncio.CancelledError:
            self._end_reason = self._end_reason or "stopped"
        except Exception as exc:  # reported as an event, never a traceback
            log.info("run %s failed", self.run_id, exc_info=True)
            if self._end_reason is None:
                # Prefer the original exception the model client reported over AgentChat's string of it.
                agent, error = self._model_failure or (self._current_speaker or ev.TEAM, exc)
                kind, message = plain_error(error)
                self._out.emit(ev.Error(agent, message=message, kind=kind))
                self._end_reason, self._end_detail = "error", message
        finally:
            try:
                self.state = await asyncio.wait_for(asyncio.shield(team.save_state()), 0.2)
            except BaseException:  # state after a cancel is best effort
                log.debug("run %s: no state saved after its end", self.run_id, exc_info=True)
                self.state = None
            self._out.put(DONE)

    def _on_result(self, result: TaskResult) -> None:
        if self._end_reason is None:
            coordinator = self._compiled.coordinator if self._compiled else None
            self._end_reason, self._end_detail = end_of(
                result.stop_reason or "", self.spec.orchestration.pattern, coordinator, self._finish_requested)
