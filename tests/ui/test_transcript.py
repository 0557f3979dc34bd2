"""The transcript pane renders run events: streaming, tool entries, nesting, input, export, copy."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from designer.core import events as ev
from designer.ui.run.transcript_view import TranscriptWidget


def feed(widget: TranscriptWidget, *events: ev.RunEvent) -> None:
    for i, event in enumerate(events, 1):
        event.seq = i
    widget.model.add_events(list(events))


def make(qtbot) -> TranscriptWidget:
    widget = TranscriptWidget()
    widget.resize(600, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_streamed_tokens_grow_one_entry_then_the_message_completes_it(qtbot):
    w = make(qtbot)
    feed(w, ev.RunStarted("team", team="T", pattern="sequential", bound="5 messages"),
         ev.Message("user", content="Do it", kind="task"), ev.Chunk("writer", text="Hel"), ev.Chunk("writer", text="lo"))
    entry = w.model.entries[-1]
    assert (entry.agent, entry.text, entry.streaming) == ("writer", "Hello", True)
    feed(w, ev.Message("writer", content="Hello **world**"))
    assert len(w.model.entries) == 3 and w.model.entries[-1].text == "Hello **world**" and not w.model.entries[-1].streaming
    assert [e.kind for e in w.model.entries] == ["system", "task", "message"]


def test_tool_calls_are_collapsible_entries_with_their_result(qtbot):
    w = make(qtbot)
    feed(w, ev.ToolCall("a", call_id="c1", name="area", arguments='{"length": 2}'),
         ev.ToolResult("a", call_id="c1", name="area", content="boom", is_error=True))
    entry = w.model.entries[0]
    assert (entry.kind, entry.tool, entry.result, entry.is_error, entry.expanded) == ("tool", "area", "boom", True, False)
    rect = w.view.visualRect(w.model.index(0))
    collapsed_height = rect.height()
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert entry.expanded
    qtbot.waitUntil(lambda: w.view.visualRect(w.model.index(0)).height() > collapsed_height)
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=w.view.visualRect(w.model.index(0)).center())
    assert not entry.expanded


def test_workers_are_nested_under_the_coordinator(qtbot):
    w = make(qtbot)
    feed(w, ev.ToolCall("lead", call_id="d1", name="researcher", arguments='{"task": "x"}'),
         ev.Message("researcher", content="facts", parent="lead"),
         ev.ToolResult("lead", call_id="d1", name="researcher", content="facts"))
    nested = w.model.entries[1]
    assert nested.parent == "lead"
    assert w.view.visualRect(w.model.index(1)).height() > 0


def test_system_lines_for_handoffs_selection_and_errors(qtbot):
    w = make(qtbot)
    feed(w, ev.SpeakerSelected("critic"), ev.Handoff("triage", target="billing"),
         ev.Error("b", message="cannot reach the model server", kind="model"),
         ev.Finished("team", reason="error", detail="cannot reach the model server", duration=1.5, messages=2))
    assert [e.text for e in w.model.entries] == [
        "selector picks critic to speak next",
        "triage hands off to billing",
        "cannot reach the model server",
        "Failed: cannot reach the model server — 1.5 s, 2 messages, 0 tokens",
    ]
    assert [e.kind for e in w.model.entries] == ["system", "system", "error", "finished"]


def test_input_box_takes_focus_and_enter_sends(qtbot):
    w = make(qtbot)
    feed(w, ev.InputRequested("human", request_id="r1", prompt="?"))
    w.ask("human", "r1")
    assert w.input_bar.isVisible() and w.focusWidget() is w.input_edit
    with qtbot.waitSignal(w.inputSubmitted) as got:
        qtbot.keyClicks(w.input_edit, "yes please")
        qtbot.keyClick(w.input_edit, Qt.Key.Key_Return)
    assert got.args == ["yes please", "r1"]
    assert not w.input_bar.isVisible()


def test_export_markdown_and_jsonl(qtbot):
    w = make(qtbot)
    feed(w, ev.RunStarted("team", team="T", pattern="graph", bound="5 messages", snapshot="abc"),
         ev.Message("user", content="Task text", kind="task"), ev.Chunk("a", text="x"), ev.Message("a", content="Answer"),
         ev.ToolCall("a", call_id="1", name="calc", arguments="{}"), ev.ToolResult("a", call_id="1", name="calc", content="4"),
         ev.Finished("team", reason="completed", duration=0.5, messages=2))
    md = w.model.to_markdown()
    assert md.startswith("# T\n\nPattern: graph · bound: 5 messages · design snapshot abc\n")
    assert "### Task · " in md and "### a · " in md and "Answer" in md and "**a** called `calc`" in md and "Result: 4" in md
    lines = [json.loads(line) for line in w.model.to_jsonl().splitlines()]
    assert [d["type"] for d in lines] == ["started", "message", "message", "tool_call", "tool_result", "finished"]


def test_copy_a_message(qtbot):
    w = make(qtbot)
    feed(w, ev.Message("a", content="copy me"))
    w.copy_entry(0)
    assert QGuiApplication.clipboard().text() == "copy me"


def test_five_thousand_entries_lay_out(qtbot):
    w = make(qtbot)
    feed(w, *[ev.Message(f"agent{i % 5}", content=f"Message **{i}**\n\n- item\n- item") for i in range(5000)])
    assert w.model.rowCount() == 5000

    def at_the_end() -> bool:
        w.view.scrollToBottom()  # the batched layout grows the scroll range as it goes
        return w.view.indexAt(w.view.viewport().rect().center()).row() > 4900

    qtbot.waitUntil(at_the_end, timeout=30000)
