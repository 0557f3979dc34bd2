"""Runs in the worker thread deliver events to the GUI thread; stop, input and shutdown work."""

from __future__ import annotations

import threading
import time

import pytest

from designer.core.yamlio import parse_team
from designer.ui.run.controller import RunController, coalesce
from designer.core import events as ev
from tests.conftest import STOP_BOUND_S, fixture_tools

TEAM = """
schema: team-designer/v1
name: t
default_model: s
models:
  s: {provider: scripted, responses: RESPONSES}
tools:
  nap: {function: "slowtools:slow_sync", timeout: 300}
agents:
  a: {tools: [nap], streaming: true}
  human: {kind: user_proxy}
orchestration: {pattern: round_robin, participants: [a, human]}
termination: {max_messages: 4}
"""


def spec(responses: str):
    return parse_team(TEAM.replace("RESPONSES", responses)).spec


@pytest.fixture
def runs(qtbot):
    controller = RunController()
    received: list[ev.RunEvent] = []
    threads: set[int] = set()

    def on_events(batch):
        threads.add(threading.get_ident())
        received.extend(batch)

    controller.events.connect(on_events)
    controller.received = received
    controller.threads = threads
    yield controller
    controller.shutdown()


def test_events_arrive_in_the_gui_thread_in_order(qtbot, runs):
    runs.start(spec('["hello there", "done"]'), "go", **fixture_tools())
    assert runs.running
    qtbot.waitUntil(lambda: any(e.type == "input_requested" for e in runs.received), timeout=10000)
    request = next(e for e in runs.received if e.type == "input_requested")
    runs.provide_input("my answer", request.request_id)
    with qtbot.waitSignal(runs.runningChanged, timeout=10000):
        pass
    assert runs.threads == {threading.get_ident()}
    types = [e.type for e in runs.received]
    assert types[0] == "started" and types[-1] == "finished"
    assert [e.content for e in runs.received if e.type == "message"] == ["go", "hello there", "my answer", "done"]
    assert [e.seq for e in runs.received if e.type != "chunk"] == sorted(e.seq for e in runs.received if e.type != "chunk")


def test_stop_during_a_tool_call_ends_the_run_at_once(qtbot, runs):
    runs.start(spec('[{tool_calls: [{name: nap, arguments: {seconds: 120}}]}]'), "go", **fixture_tools())
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in runs.received), timeout=10000)
    stopped_at = time.monotonic()
    with qtbot.waitSignal(runs.runningChanged, timeout=int(STOP_BOUND_S * 1000)) as signal:
        runs.stop()
    assert signal.args == [False]
    assert time.monotonic() - stopped_at < STOP_BOUND_S  # the tool would sleep for 120 s
    assert runs.received[-1].type == "finished" and runs.received[-1].reason == "stopped"


def test_a_second_run_works_after_a_stop(qtbot, runs):
    runs.start(spec('[{tool_calls: [{name: nap, arguments: {seconds: 120}}]}]'), "go", **fixture_tools())
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in runs.received), timeout=10000)
    with qtbot.waitSignal(runs.runningChanged, timeout=5000):
        runs.stop()
    runs.received.clear()
    simple = parse_team("""
schema: team-designer/v1
name: t2
default_model: s
models:
  s: {provider: scripted, responses: ["one", "two", "three"]}
agents:
  a: {}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 3}
""").spec
    runs.start(simple, "again")
    qtbot.waitUntil(lambda: not runs.running, timeout=10000)
    assert [e.content for e in runs.received if e.type == "message"] == ["again", "one", "two"]
    assert runs.received[-1].type == "finished" and runs.received[-1].reason == "termination"


def test_shutdown_during_a_run_stops_and_joins(qtbot, runs):
    runs.start(spec('[{tool_calls: [{name: nap, arguments: {seconds: 120}}]}]'), "go", **fixture_tools())
    qtbot.waitUntil(lambda: any(e.type == "tool_call" for e in runs.received), timeout=10000)
    began = time.monotonic()
    runs.shutdown()
    assert time.monotonic() - began < STOP_BOUND_S  # the tool would sleep for 120 s
    assert not runs.running


def test_chunks_are_coalesced_per_speaker():
    batch = [
        ev.Chunk("a", text="x"), ev.Chunk("a", text="y"), ev.Chunk("b", text="z"), ev.Message("b", content="z"), ev.Chunk("a", text="w"),
    ]
    merged = coalesce(batch)
    assert [(e.type, e.agent, getattr(e, "text", None)) for e in merged] == [
        ("chunk", "a", "xy"), ("chunk", "b", "z"), ("message", "b", None), ("chunk", "a", "w")]


def test_stop_right_after_start_is_not_lost(qtbot, runs):
    slow = parse_team("""
schema: team-designer/v1
name: t3
default_model: s
models:
  s: {provider: scripted, responses: ["one", "two", "three", "four", "five"], delay: 0.5}
agents:
  a: {}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 6}
""").spec
    runs.start(slow, "go")
    runs.stop()
    qtbot.waitUntil(lambda: not runs.running, timeout=5000)
    assert runs.received[-1].type == "finished" and runs.received[-1].reason == "stopped"
    assert not [e for e in runs.received if e.type == "message" and e.agent == "a"]


def test_three_runs_side_by_side_in_one_worker_each_get_their_own_events(qtbot, runs):
    """One worker thread, one loop, three teams at once: each run's events arrive under its
    own key, complete, and the window's run signals (``events``) see only the window's run."""
    def team(name: str, replies: list[str]):
        return parse_team(f"""
schema: team-designer/v1
name: {name}
default_model: s
models:
  s: {{provider: scripted, responses: {replies!r}}}
agents:
  a: {{streaming: true}}
orchestration: {{pattern: round_robin, participants: [a]}}
termination: {{max_messages: {len(replies) + 1}}}
""").spec

    by_key: dict[str, list] = {}
    ended: list[str] = []
    runs.runEvents.connect(lambda key, batch: by_key.setdefault(key, []).extend(batch))
    runs.runEnded.connect(ended.append)
    window_run = ["w1", "w2"]
    runs.start(team("window", window_run), "window task")
    keys = {
        runs.start_run(team("x", ["x1", "x2", "x3"]), "task x"): ["task x", "x1", "x2", "x3"],
        runs.start_run(team("y", ["y1"]), "task y"): ["task y", "y1"],
    }
    qtbot.waitUntil(lambda: len(ended) == 3, timeout=30000)
    assert not runs.active_runs and not runs.running
    for key, expected in keys.items():
        events = by_key[key]
        assert [e.content for e in events if e.type == "message"] == expected
        assert events[-1].type == "finished" and events[-1].reason == "termination"
    assert [e.content for e in runs.received if e.type == "message"] == ["window task", *window_run]
    assert {e.team for e in runs.received if e.type == "started"} == {"window"}


def test_commands_given_before_the_worker_loop_runs_are_kept(qtbot):
    """On a busy machine the worker thread may start late: a run asked for before its loop exists
    still starts, and a shutdown asked for then still ends the thread."""
    from designer.ui.run.controller import RunWorker

    worker = RunWorker()
    got: list = []
    worker.start_run("early", spec('["hello there", "done"]'), "go", {})
    worker.stop("early")  # kept in order: the run starts, then stops at once
    thread = threading.Thread(target=worker.serve, daemon=True)
    thread.start()
    while True:
        key, item = worker.outbox.get(timeout=30)
        if item is None:
            break
        got.append(item)
    assert key == "early" and got[0].type == "started" and got[-1].type == "finished" and got[-1].reason == "stopped"
    worker.shutdown()
    thread.join(30)
    assert not thread.is_alive()
