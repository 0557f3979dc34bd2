"""A run's outgoing events (numbered, masked, queued) and the record of the tasks it started."""

from __future__ import annotations

import asyncio
from typing import get_args

import pytest

from designer.core import events as ev
from designer.core.masking import remember_secret
from designer.runtime.run_outbox import DONE, WAKE, RunOutbox
from designer.runtime.run_tasks import RunTasks

#: Known to this process's masker from here on; appears in no other test's text.
SECRET = "sk-outbox-test-7f3a9c2e51d04b88"


def _drain(box: RunOutbox) -> list:
    async def go() -> list:
        items = []
        while (item := await box.get(0.5)) is not DONE:
            if item is not WAKE:
                items.append(item)
        return items

    return asyncio.run(go())


def test_events_are_numbered_in_order_and_timed_from_the_start():
    box = RunOutbox()
    box.emit(ev.Message("a", content="one"))
    box.emit(ev.Usage("a", prompt_tokens=1, completion_tokens=2))
    box.put(WAKE)
    box.emit(ev.Message("b", content="two"))
    box.put(DONE)
    items = _drain(box)
    assert [(e.type, e.seq) for e in items] == [("message", 1), ("usage", 2), ("message", 3)]
    assert all(0 <= e.t < 60 for e in items)
    assert box.stamp(ev.Finished(ev.TEAM)).seq == 4


def test_a_secret_split_across_chunks_is_masked_and_held_text_comes_first():
    remember_secret(SECRET)
    box = RunOutbox()
    box.emit(ev.Chunk("a", text="the key is " + SECRET[:10]))
    box.emit(ev.Chunk("a", text=SECRET[10:] + " and more"))
    box.emit(ev.Chunk("a", text=" ends with " + SECRET[:5]))  # could begin the key: held back
    box.emit(ev.ToolCall("a", call_id="c1", name="t", arguments=f'{{"k": "{SECRET}"}}'))
    box.put(DONE)
    items = _drain(box)
    assert "".join(e.text for e in items if e.type == "chunk") == "the key is *** and more ends with " + SECRET[:5]
    assert items[-1].type == "tool_call" and SECRET not in items[-1].arguments and "***" in items[-1].arguments
    assert [e.seq for e in items] == list(range(1, len(items) + 1))  # the held chunk before the call


def test_get_waits_for_an_item_and_times_out_without_one():
    async def go() -> tuple[object, bool]:
        box = RunOutbox()
        loop = asyncio.get_running_loop()
        loop.call_later(0.01, box.put, DONE)
        first = await box.get()
        try:
            await box.get(0.01)
        except asyncio.TimeoutError:
            return first, True
        return first, False

    first, timed_out = asyncio.run(go())
    assert first is DONE and timed_out


def test_event_types_and_kinds_are_the_declared_literals():
    classes = [ev.RunStarted, ev.Message, ev.Chunk, ev.ToolCall, ev.ToolResult, ev.Handoff, ev.SpeakerSelected,
               ev.InputRequested, ev.ApprovalRequested, ev.Notice, ev.Usage, ev.Error, ev.Finished]
    assert sorted(cls.type for cls in classes) == sorted(get_args(ev.EventType))
    assert ev.Message("a").kind in get_args(ev.MessageKind) and ev.Error("a").kind in get_args(ev.ErrorKind)


def test_run_tasks_forget_finished_tasks_and_cancel_the_pending_ones():
    async def go() -> tuple[int, bool]:
        owned = RunTasks()
        gate = asyncio.Event()

        async def starter() -> asyncio.Task[None]:
            waiting = asyncio.get_running_loop().create_task(gate.wait())
            for _ in range(1000):  # short-lived tasks, as AgentChat starts per message
                await asyncio.get_running_loop().create_task(asyncio.sleep(0))
            return waiting

        waiting = await owned.create_task(starter())
        recorded = len(owned._tasks)
        await owned.cancel_pending()
        return recorded, waiting.cancelled()

    recorded, cancelled = asyncio.run(go())
    assert recorded < 600  # pruned on the way, not one entry per task ever started
    assert cancelled


@pytest.mark.parametrize("previous", [False, True])
def test_run_tasks_chain_to_a_factory_already_installed(previous):
    made = []

    def factory(loop: asyncio.AbstractEventLoop, coro, **kwargs):  # type: ignore[no-untyped-def]
        made.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def go() -> int:
        if previous:
            asyncio.get_running_loop().set_task_factory(factory)
        owned = RunTasks()

        async def child() -> None:
            await asyncio.sleep(30)

        async def parent() -> None:
            asyncio.get_running_loop().create_task(child())
            await asyncio.sleep(0)

        await owned.create_task(parent())
        pending = len(owned.pending())
        await owned.cancel_pending()
        return pending

    assert asyncio.run(go()) == 1
    assert bool(made) == previous
