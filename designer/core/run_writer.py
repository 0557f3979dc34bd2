"""Writing one run into the run history as it goes, in batches (one transaction per batch).

A write that fails (disk full, the store gone read-only) turns the recording off for the rest
of the run and says why in ``problem``: the run itself goes on.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .masking import redact
from .run_schema import Call, StoreError, insert_calls, insert_events, plain_error



class StoreAccess(Protocol):
    """What a writer needs of its store (core.run_store.RunStore)."""

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def apply_retention(self, team_path: str | None = None) -> int: ...

log = logging.getLogger(__name__)

#: Events and calls are written in batches: one transaction per batch, not per event.
BATCH_ITEMS = 500
BATCH_SECONDS = 1.0


@dataclass
class RunWriter:
    """Writes one run as it goes. A write that fails (disk full, store gone) turns recording
    off for the rest of the run and says why in ``problem``: the run itself goes on."""

    store: StoreAccess
    run_id: str
    team_path: str | None
    problem: str = ""
    _events: list[dict[str, Any] | str] = field(default_factory=list)
    _calls: list[Call] = field(default_factory=list)
    _written: int = 0
    _calls_written: int = 0
    _last_flush: float = field(default_factory=time.monotonic)

    def event(self, event: dict[str, Any] | str) -> None:
        """An event as its dict, or its JSON text."""
        if not self.problem:
            self._events.append(event)
            self._maybe_flush()

    def call(self, agent: str, kind: str, key: str, request: dict[str, Any], response: Any) -> None:
        if not self.problem:
            self._calls.append(Call(self._calls_written + len(self._calls), agent, kind, key, request, response))
            self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self._events) + len(self._calls) >= BATCH_ITEMS or time.monotonic() - self._last_flush >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.problem or not (self._events or self._calls):
            return
        try:
            with self.store._transaction() as db:
                insert_events(db, self.run_id, self._written, self._events)
                insert_calls(db, self.run_id, self._calls)
        except sqlite3.Error as exc:
            self._fail(exc)
            return
        self._written += len(self._events)
        self._calls_written += len(self._calls)
        self._events.clear()
        self._calls.clear()
        self._last_flush = time.monotonic()

    def _fail(self, exc: sqlite3.Error) -> None:
        self.problem = f"the run history stopped recording this run: {plain_error(exc)}"
        log.warning("run %s: %s (%s)", self.run_id, self.problem, exc)
        self._events.clear()
        self._calls.clear()

    def finish(self, finished: dict[str, Any], *, cost: Any = None) -> None:
        """The run's end: its figures from the ``finished`` event, costs from ``cost`` (a core.cost.RunCost)."""
        self.flush()
        values = dict(
            reason=finished.get("reason", "completed"), detail=redact(str(finished.get("detail", ""))),
            messages=int(finished.get("messages", 0)), prompt_tokens=int(finished.get("prompt_tokens", 0)),
            completion_tokens=int(finished.get("completion_tokens", 0)), duration=float(finished.get("duration", 0.0)),
            tokens_by_agent=json.dumps(finished.get("tokens_by_agent", {})),
            saved_tokens=int(finished.get("saved_tokens", 0)),
        )
        if cost is not None:
            values.update(cost=cost.total, currency=cost.currency, saved_cost=cost.saved,
                          cost_by_agent=json.dumps(cost.by_agent))
        assignments = ", ".join(f"{k} = ?" for k in values)
        try:
            with self.store._transaction() as db:
                db.execute(f"UPDATE runs SET status = 'done', {assignments} WHERE id = ?", (*values.values(), self.run_id))
        except sqlite3.Error as exc:
            self._fail(exc)
            return
        try:
            self.store.apply_retention(self.team_path)
        except StoreError as exc:  # pruning is for later runs to retry; this one is kept whole
            log.warning("run %s: %s", self.run_id, exc)
