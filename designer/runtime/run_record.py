"""A run's entry in the run history: its snapshot and settings, its events, its cost, its end.

:class:`TeamRun` owns one. It writes through a :class:`~designer.core.run_store.RunWriter`
in the thread iterating the run (the window's worker, the CLI's loop); a write that fails
(disk full, a store gone read-only) stops the recording, never the run, and the run's
``finished`` event says so (``record_problem``).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping

from ..core import events as ev
from ..core.cost import SELECTOR, model_of, run_cost
from ..core.run_data import StoredRun
from ..core.run_store import RunStore, RunWriter, StoreError
from ..core.spec import TeamSpec
from ..core.teamfile import dump_team
from .recording import CallSession, ReplayPlan

log = logging.getLogger(__name__)


def resolved_settings(spec: TeamSpec, model_override: str | None) -> dict[str, Any]:
    """The model settings each agent ran with (after --model and reply caps), for the history."""
    out: dict[str, Any] = {}
    for agent in [*spec.agents, "selector"]:
        model = model_of(spec, agent, model_override)
        if model is not None:
            out[agent] = model.model_dump(exclude={"responses"}, exclude_none=True)
    return out


class RunRecord:
    """Everything about one run the history keeps, and the recording session of its calls."""

    def __init__(
        self,
        store: RunStore | None,
        replay: ReplayPlan | None,
        *,
        written: TeamSpec,
        ran: TeamSpec,
        task: str,
        team_file: str | None,
        inputs: Mapping[str, str] | None = None,
        model_override: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        snapshot_text: str | None = None,
    ) -> None:
        self.snapshot_text = snapshot_text
        self.overrides = dict(overrides or {})
        self.store = store if store is not None and store.recording else None
        self.replay = replay
        self.origin = "run" if replay is None else "rerun" if replay.live_from is not None else "replay"
        self.written, self.ran, self.task = written, ran, task
        self.team_file = team_file
        self.inputs = dict(inputs or {})
        self.model_override = model_override
        self.writer: RunWriter | None = None
        #: None when the run is neither recorded nor replayed: no cache in the way of its calls.
        # A selector team always has one: its speaker choices say why (the selector's prompt and
        # answer) and its calls count, recorded or not.
        wanted = self.store is not None or replay is not None or ran.orchestration.pattern == "selector"
        self.session = CallSession(plan=replay) if wanted else None
        self.finished = False
        #: Why the history could not record the run from its start ("" when it could).
        self.problem = ""

    def begin(self, run_id: str) -> str:
        """Open the run's entry; its id, or "" when it is not recorded."""
        if self.store is None:
            return ""
        run = StoredRun(
            id=run_id, team=self.written.name, team_path=self.team_file, snapshot=self.snapshot_text or dump_team(self.written),
            task=self.task, started_at=time.time(), reason="running", detail="", messages=0, prompt_tokens=0,
            completion_tokens=0, duration=0.0, cost=None, currency=None, origin=self.origin,
            parent=self.replay.source if self.replay is not None else None,
        )
        try:
            self.writer = self.store.begin(run, inputs=self.inputs, settings={
                "models": resolved_settings(self.ran, self.model_override), "overrides": self.overrides})
        except StoreError as exc:  # the run goes on, unrecorded
            log.warning("run %s is not recorded: %s", run_id, exc)
            self.problem = str(exc)
            return ""
        if self.session is not None:
            self.session.writer = self.writer
        return run_id

    def event(self, event: ev.RunEvent) -> None:
        if self.writer is not None:
            self.writer.event(event.to_json())

    def complete(self, finished: ev.Finished) -> None:
        """Fill in the end's replay figures and costs, then write the run's end."""
        self.finished = True
        session = self.session
        if session is not None and session.replaying:
            finished.saved_by_agent = {a: dict(t) for a, t in session.saved.items()}
            finished.saved_tokens = sum(t["prompt"] + t["completion"] for t in session.saved.values())
            finished.replayed_calls, finished.live_calls = session.replayed_calls, session.live_calls
        if session is not None and SELECTOR in session.live_usage and SELECTOR not in finished.tokens_by_agent:
            # The selector's calls make no message, so the run's counts have not seen them.
            used = session.live_usage[SELECTOR]
            finished.tokens_by_agent[SELECTOR] = dict(used)
            finished.prompt_tokens += used["prompt"]
            finished.completion_tokens += used["completion"]
        called = set(session.live_usage) if session is not None else None
        cost = run_cost(self.ran, finished.tokens_by_agent, finished.saved_by_agent, self.model_override, called)
        finished.cost, finished.currency, finished.saved_cost = cost.total, cost.currency, cost.saved
        finished.cost_by_agent = dict(cost.by_agent)
        writer = self.writer
        finished.record_problem = self.problem
        if writer is None:
            return
        writer.event(finished.to_json())
        writer.finish(finished.to_dict(), cost=cost)
        finished.record_problem = writer.problem
        finished.__dict__.pop("_json", None)  # written out above, before this was known
        self.writer = None  # the finished event is written: event() must not write it twice

    def abandon(self) -> None:
        """The caller stopped iterating before the end: the entry says so."""
        if self.writer is not None and not self.finished:
            self.writer.finish({"reason": "interrupted", "detail": "the run's events stopped being read before its end"})
            self.writer = None
