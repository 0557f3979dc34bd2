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
import weakref
from typing import Any, Coroutine

_OWNER: contextvars.ContextVar["RunTasks | None"] = contextvars.ContextVar("team_designer_run_tasks", default=None)


class RunTasks:
    """The tasks one run started, directly or through anything it called."""

    def __init__(self) -> None:
        self._tasks: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self.context = contextvars.copy_context()
        self.context.run(_OWNER.set, self)

    def add(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)

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


class _Factory:
    """A loop task factory recording ownership; wraps the factory that was there before."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        context = kwargs.get("context")
        if self.previous is not None:
            task = self.previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        owner = context.get(_OWNER) if context is not None else _OWNER.get()
        if owner is not None and isinstance(task, asyncio.Task):
            owner.add(task)
        return task


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Put the ownership-recording factory on ``loop`` (once; idempotent)."""
    current = loop.get_task_factory()
    if not isinstance(current, _Factory):
        loop.set_task_factory(_Factory(current))
