"""A run history for one run at a time, in memory: what an evaluation's worker records into.

A worker (a local process, a Ray task on another machine) must not write the user's history:
one process owns it (core/eval_store.py writes what comes back). So the worker's runs are
recorded here, with the same writer interface as :class:`~designer.core.run_writer.RunWriter`
and the same masking as the store's, and leave as plain data: the run (events as their JSON
text, as the store keeps them), its recorded calls, its inputs and settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .masking import redact, redact_data
from .run_data import StoredRun
from .run_schema import Call


@dataclass
class RelayWriter:
    run: StoredRun
    inputs: dict[str, Any]
    settings: dict[str, Any]
    calls: list[Call] = field(default_factory=list)
    problem: str = ""
    finished: bool = False

    def event(self, event: dict[str, Any] | str) -> None:
        self.run.events.append(event)  # type: ignore[arg-type]  # JSON text: the store takes either

    def call(self, agent: str, kind: str, key: str, request: dict[str, Any], response: Any) -> None:
        # Masked here, in the process that knows the run's secrets (the receiving one does not).
        self.calls.append(Call(len(self.calls), agent, kind, key,
                               json.loads(redact(json.dumps(request, ensure_ascii=False))),
                               json.loads(redact(json.dumps(response, ensure_ascii=False)))))

    def flush(self) -> None:
        pass

    def finish(self, finished: dict[str, Any], *, cost: Any = None) -> None:
        run = self.run
        run.reason = str(finished.get("reason", "completed"))
        run.detail = redact(str(finished.get("detail", "")))
        run.messages = int(finished.get("messages", 0))
        run.prompt_tokens = int(finished.get("prompt_tokens", 0))
        run.completion_tokens = int(finished.get("completion_tokens", 0))
        run.duration = float(finished.get("duration", 0.0))
        run.tokens_by_agent = dict(finished.get("tokens_by_agent", {}))
        run.saved_tokens = int(finished.get("saved_tokens", 0))
        if cost is not None:
            run.cost, run.currency, run.saved_cost = cost.total, cost.currency, cost.saved
            run.cost_by_agent = dict(cost.by_agent)
        self.finished = True


class RelayStore:
    """Duck-types the part of :class:`~designer.core.run_store.RunStore` a run records through."""

    recording = True

    def __init__(self) -> None:
        self.writer: RelayWriter | None = None

    def begin(self, run: StoredRun, *, inputs: dict[str, str] | None = None,
              settings: dict[str, Any] | None = None) -> RelayWriter:
        run.snapshot, run.task = redact(run.snapshot), redact(run.task)
        masked: dict[str, Any] = dict(redact_data(settings or {}))  # type: ignore[call-overload]
        run.overrides = dict(masked.get("overrides", {}))
        self.writer = RelayWriter(run, dict(redact_data(inputs or {})), masked)  # type: ignore[call-overload]
        return self.writer

    def take(self) -> dict[str, Any] | None:
        """The finished run as a record (run, calls, inputs, settings), once; None if none finished."""
        writer, self.writer = self.writer, None
        if writer is None or not writer.finished:
            return None
        return {"run": writer.run, "calls": writer.calls, "inputs": writer.inputs, "settings": writer.settings}
