"""A run's outgoing events: masked, numbered, and queued for its one reader, ``TeamRun.events()``.

Nothing secret leaves a run: every event is masked (:mod:`designer.core.masking`) before it
is queued, streamed text through a per-speaker :class:`StreamMasker`, which may hold back the
end of a chunk that could be the start of a key; whatever it holds is released, masked, before
the next other event, so the order of the transcript is kept.

This is the engine's per-event path (a run of 200 messages queues ~400 events, a streamed
reply thousands of chunks), so the common case costs next to nothing: with no key known and
nothing held back, an event is only numbered and queued. The queue is a deque with one waiter
instead of an ``asyncio.Queue``: there is exactly one reader and no bound, and the queue's
bookkeeping (unfinished-task counts, a getter list, a ``finished`` event) was paid per event.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections import deque
from typing import Any, TypeVar

from ..core import events as ev
from ..core.child_env import looks_secret, referenced_variables
from ..core.masking import StreamMasker, has_secrets, redact, redact_data, remember_secret, token_like
from ..core.spec import TeamSpec

_E = TypeVar("_E", bound=ev.RunEvent)

#: Queued last: the run has nothing more to report (what follows is its ``finished`` event).
DONE: Any = object()
#: Queued to wake the reader without an event (Stop: it then starts its own deadline).
WAKE: Any = None


def register_run_secrets(spec: TeamSpec) -> None:
    """Every key the run could see, known to the masker before any event is emitted: the
    variables the file refers to (whether or not a model resolves them), and every variable
    named like a key (a user tool runs in this process and could read any of them)."""
    for name in referenced_variables(spec):
        remember_secret(os.environ.get(name))
    for name, value in os.environ.items():
        # A guess from the name only: a path (GOOGLE_APPLICATION_CREDENTIALS) is not the secret.
        if looks_secret(name) and token_like(value):
            remember_secret(value)


def mask_event(event: ev.RunEvent) -> None:
    """Replace every secret the process knows in the event's text fields, in place."""
    for item in dataclasses.fields(event):
        value = getattr(event, item.name)
        if isinstance(value, str):
            if value:
                setattr(event, item.name, redact(value))
        elif isinstance(value, (list, dict)) and value:
            setattr(event, item.name, redact_data(value))


class RunOutbox:
    """Masks, numbers (``seq``, ``t``) and queues the events of one run."""

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._maskers: dict[tuple[str, str | None], StreamMasker] = {}
        #: Chunks streamed per (agent, parent) since that speaker's last message or tool call:
        #: a reply still open when the run ends was cut short (see :meth:`cut_short`).
        self._open: dict[tuple[str, str | None], int] = {}
        #: The last sequence number given.
        self.seq = 0
        #: When the run started (``time.monotonic()``); ``t`` of each event counts from it.
        self.start = time.monotonic()

    def emit(self, event: ev.RunEvent) -> None:
        """Mask, number and queue ``event`` (a chunk may be held back, in part or whole)."""
        if isinstance(event, ev.Chunk):
            key = (event.agent, event.parent)
            self._open[key] = self._open.get(key, 0) + 1
        elif self._open and isinstance(event, (ev.Message, ev.ToolCall)):
            self._open.pop((event.agent, event.parent), None)  # the reply ended: its usage is reported
        if self._maskers or has_secrets():  # otherwise nothing to mask and nothing held back
            if isinstance(event, ev.Chunk):
                key = (event.agent, event.parent)
                masker = self._maskers.get(key)
                if masker is None:
                    masker = self._maskers[key] = StreamMasker()
                event.text = masker.feed(event.text)
                if not event.text:
                    return  # all of it may be the start of a secret: held until the next piece
            else:
                for held in self.release_held():
                    self.put(held)
                mask_event(event)
        self.put(self.stamp(event))

    def cut_short(self) -> dict[str, int]:
        """Per agent, the chunks of a streamed reply that never ended (the run stopped or failed mid-reply)."""
        out: dict[str, int] = {}
        for (agent, _parent), chunks in self._open.items():
            out[agent] = out.get(agent, 0) + chunks
        return out

    def stamp(self, event: _E) -> _E:
        """The event with the run's next sequence number and its time since the start."""
        self.seq += 1
        event.seq = self.seq
        event.t = round(time.monotonic() - self.start, 3)
        return event

    def release_held(self) -> list[ev.Chunk]:
        """Streamed text held back by a masker, as numbered chunks to show before anything else."""
        out = []
        for (agent, parent), masker in self._maskers.items():
            held = masker.flush()
            if held:
                out.append(self.stamp(ev.Chunk(agent, text=held, parent=parent)))
        return out

    def put(self, item: Any) -> None:
        """Queue an already numbered event, or :data:`WAKE` or :data:`DONE`."""
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self, timeout: float | None = None) -> Any:
        """The next queued item, waiting for one; ``asyncio.TimeoutError`` after ``timeout`` s."""
        items = self._items
        while not items:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                if timeout is None:
                    await waiter
                else:
                    await asyncio.wait_for(waiter, timeout)
            finally:
                self._waiter = None
        return items.popleft()
