"""Blocking work off the event loop, in daemon threads.

AgentChat runs synchronous tools in the loop's default executor, and ``asyncio.run``
joins that executor at exit: one hung tool would keep the process alive after the user
stopped the run. A daemon thread per call is abandoned instead, and the awaiting
coroutine is cancellable at once.
"""

from __future__ import annotations

import logging
import asyncio
import threading
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled or timed out meanwhile: nobody is waiting any more
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


async def run_in_thread(func: Callable[..., T], /, *args: Any, name: str = "worker", **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(_settle, future, value, error)
        except RuntimeError:  # the loop is closed: the run ended without us
            log.debug("thread %s finished after its run's loop closed", name)

    threading.Thread(target=work, name=name, daemon=True).start()
    return await future
