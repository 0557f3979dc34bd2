"""Which asyncio tasks belong to which run, so a run's end cancels only its own.

AgentChat's runtime starts handler tasks of its own; a stopped team leaves some of them
running, and the run must cancel them when it reports its end. "Every task created while
the run was going" would also catch the tasks of any other run sharing the loop (the
window's worker, an evaluation running teams side by side), so ownership is recorded
where tasks are born instead: a run starts its work in a context carrying its
:class:`RunTasks`, tasks inherit the context of the code that creates them, and a task
factory installed on the loop adds every task created in such a context to its owner.

The factory chains to a factory already installed, so it coexists with other libraries'.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any, Coroutine

_OWNER: contextvars.ContextVar["RunTasks | None"] = contextvars.ContextVar("team_designer_run_tasks", default=None)


#: Finished tasks are dropped from a run's record once it holds this many (then twice the
#: number still pending): amortised O(1) per task, and a long run's record stays small.
_PRUNE_AT = 256


class RunTasks:
    """The tasks one run started, directly or through anything it called."""

    def __init__(self) -> None:
        # A plain set, pruned of finished tasks now and then, not a WeakSet: AgentChat starts
        # ~11 tasks per message, and a WeakSet's weakref and removal callback (both pure
        # Python) per task were a third of the factory's cost. Holding a pending task strongly
        # also means a run's end cancels it, instead of it being collected while pending.
        self._tasks: set[asyncio.Task[Any]] = set()
        self._prune_at = _PRUNE_AT
        self.context = contextvars.copy_context()
        self.context.run(_OWNER.set, self)

    def add(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        if len(self._tasks) >= self._prune_at:
            self.prune()

    def prune(self) -> None:
        """Forget the finished tasks (their results with them)."""
        self._tasks = {t for t in self._tasks if not t.done()}
        self._prune_at = max(_PRUNE_AT, 2 * len(self._tasks))

    def create_task(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start ``coro`` as a task owned by this run (and so are the tasks it creates)."""
        loop = asyncio.get_running_loop()
        install(loop)
        return loop.create_task(coro, context=self.context)

    def pending(self) -> list[asyncio.Task[Any]]:
        current = asyncio.current_task()
        return [t for t in list(self._tasks) if t is not current and not t.done()]

    async def cancel_pending(self, wait_s: float = 0.2) -> None:
        """Cancel what is still running and give it ``wait_s`` to unwind; retrieve the
        exceptions of those that failed, so asyncio does not log them as never retrieved."""
        leftovers = self.pending()
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=wait_s)
        for task in leftovers:
            if task.done() and not task.cancelled():
                task.exception()
        self.prune()  # the record holds tasks strongly: let the finished ones go


class _Factory:
    """A loop task factory recording ownership; wraps the factory that was there before."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        # Called for every task on the loop (thousands per run): keep it to the essentials.
        if self.previous is not None:
            task = self.previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        context = kwargs.get("context")
        owner = context.get(_OWNER) if context is not None else _OWNER.get()
        if owner is not None and isinstance(task, asyncio.Task):
            owner.add(task)
        return task


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Put the ownership-recording factory on ``loop`` (once; idempotent)."""
    current = loop.get_task_factory()
    if not isinstance(current, _Factory):
        loop.set_task_factory(_Factory(current))
