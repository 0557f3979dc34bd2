"""Replay, Strict Replay and Re-run from here in the window; replay marks, saved tokens, cost,
and why a selector's agent spoke. Scripted models: every run takes milliseconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from designer.core import events as ev
from designer.ui.history.store import reset_store, window_store
from designer.ui.run.transcript_view import FALLBACK_TEXT, TranscriptWidget
from tests.model_fixtures import server_team

TEAM = """\
schema: team-designer/v1
name: Three
default_model: s
models:
  s: {provider: scripted, responses: ["first answer here", "second answer here", "third", "fourth"]}
  w: {provider: scripted, responses: ["the writer's final text", "another text"]}
agents:
  researcher: {system_message: You research facts.}
  critic: {system_message: You criticise.}
  writer: {system_message: You write the final text., model: w}
orchestration: {pattern: round_robin, participants: [researcher, critic, writer]}
termination: {max_messages: 4}
"""

SELECTOR = """\
schema: team-designer/v1
name: Pick
default_model: s
models:
  s: {provider: scripted, responses: ["a draft", "a critique", "more"]}
  pick: {provider: scripted, responses: ["writer", "I would say the critic"]}
agents:
  writer: {description: Writes.}
  critic: {description: Critiques.}
orchestration: {pattern: selector, participants: [writer, critic], selector_model: pick, allow_repeated_speaker: true}
termination: {max_messages: 3}
"""


@pytest.fixture(autouse=True)
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A run history of this test's own (the window's store is one per process)."""
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    reset_store()
    yield
    reset_store()


def open_team(make_main_window: Any, qtbot: Any, tmp_path: Path, text: str = TEAM) -> Any:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    w = make_main_window(path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    return w


def run_from_window(w: Any, qtbot: Any, task: str = "Write about owls") -> str:
    w.ask_run = lambda: (task, {})
    w.window_actions["run"].trigger()
    wait_for_end(w, qtbot)
    assert w.transcript.model.run_id, "the run was not recorded"
    return str(w.transcript.model.run_id)


def wait_for_end(w: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: w.transcript.model.finished is not None and not w.runs.running, timeout=15000)


def messages(w: Any) -> list[tuple[str, str, str]]:
    return [(e.agent, e.text, e.origin) for e in w.transcript.model.entries if e.kind == "message"]


def edit_system_message(w: Any, qtbot: Any, agent: str, words: str) -> None:
    """Type at the end of an agent's system message in the Agent panel, as a user does."""
    w.controller.select_agents([agent])
    editor = w.agent_panel.prompt.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, words)
    assert w.controller.spec.agents[agent].system_message.endswith(words)


def test_replay_after_editing_the_last_agent_replays_the_first_turns_and_runs_the_last_live(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    first = run_from_window(w, qtbot)
    assert [origin for _, _, origin in messages(w)] == ["", "", ""]  # a plain run has no marks
    edit_system_message(w, qtbot, "writer", " Keep it short.")

    w.window_actions["replay_last"].trigger()
    wait_for_end(w, qtbot)

    model = w.transcript.model
    assert model.started.origin == "replay" and model.run_id != first
    assert [e.text for e in model.entries if e.kind == "task"] == ["Write about owls"]  # the recorded task
    assert messages(w) == [("researcher", "first answer here", "replayed"), ("critic", "second answer here", "replayed"),
                           ("writer", "the writer's final text", "live")]
    finished = model.finished
    assert (finished.replayed_calls, finished.live_calls) == (2, 1) and finished.saved_tokens > 0
    assert w.status.replay.text() == f"↺ 2 replayed · 1 live · saved {finished.saved_tokens} tokens ($0)"
    assert "researcher:" in w.status.replay.toolTip() and "writer" not in w.status.replay.toolTip()
    # The replayed tokens were saved, not spent: the status counts only the writer's live call.
    spent = finished.prompt_tokens + finished.completion_tokens
    assert w.status.tokens.text() == f"{spent} tokens" and set(finished.tokens_by_agent) == {"writer"}
    replayed = next(i for i, e in enumerate(model.entries) if e.origin == "replayed")
    assert "from the recording" in model.data(model.index(replayed), Qt.ItemDataRole.ToolTipRole)


def test_the_transcript_marks_replayed_and_live_turns_on_their_header(qtbot):
    widget = TranscriptWidget()
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.model.add_events([ev.RunStarted("team", team="T", pattern="round_robin", origin="replay", run_id="abc"),
                             ev.Message("a", content="from the tape", origin="replayed"),
                             ev.Message("b", content="fresh", origin="live"), ev.Message("c", content="plain")])
    image = widget.view.viewport().grab().toImage()
    accent = widget.palette().color(widget.palette().ColorRole.Link).name()
    row = widget.view.visualRect(widget.model.index(1))
    # The replayed row's header holds the badge, drawn in the link colour; the plain row's has none.
    colours = {image.pixelColor(x, y).name() for x in range(row.left(), row.right()) for y in range(row.top(), row.top() + 20)}
    plain = widget.view.visualRect(widget.model.index(3))
    plain_colours = {image.pixelColor(x, y).name() for x in range(plain.left(), plain.right())
                     for y in range(plain.top(), plain.top() + 20)}
    assert accent in colours and accent not in plain_colours
    assert [e.origin for e in widget.model.entries[1:]] == ["replayed", "live", ""]


def test_strict_replay_after_an_edit_stops_at_that_agent_saying_why(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    run_from_window(w, qtbot)
    edit_system_message(w, qtbot, "writer", " Keep it short.")
    w.window_actions["strict_replay"].trigger()
    assert w.window_actions["strict_replay"].isChecked()

    w.window_actions["replay_last"].trigger()
    wait_for_end(w, qtbot)

    errors = [e.text for e in w.transcript.model.entries if e.kind == "error"]
    assert len(errors) == 1 and "writer's request differs from the recording at message 3" in errors[0]
    assert "system message" in errors[0]
    assert [origin for _, _, origin in messages(w)] == ["replayed", "replayed"]  # the writer never spoke
    assert w.status.state.text() == "✖ Failed" and "writer" in w.status.state.toolTip()
    assert "system message" in w.status.state.toolTip()
    assert w.transcript.model.finished.live_calls == 0


def open_context_menu(widget: TranscriptWidget, row: int) -> QMenu:
    pos = widget.view.visualRect(widget.model.index(row)).center()
    viewport = widget.view.viewport()
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos)))
    menus = [m for m in widget.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    return menus[0]


def choose(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled(), action.toolTip()
    menu.close()
    action.trigger()


def test_rerun_from_the_second_message_replays_the_first_and_runs_the_rest_live(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    first = run_from_window(w, qtbot)
    rows = [i for i, e in enumerate(w.transcript.model.entries) if e.kind == "message"]
    assert [w.transcript.model.entries[i].agent for i in rows] == ["researcher", "critic", "writer"]

    choose(open_context_menu(w.transcript, rows[1]), "Re-run from here")
    wait_for_end(w, qtbot)

    model = w.transcript.model
    assert model.started.origin == "rerun" and model.run_id != first
    got = messages(w)
    assert got[0] == ("researcher", "first answer here", "replayed")
    # From the critic on, the models answer live: a fresh scripted critic starts its script again.
    assert got[1:] == [("critic", "first answer here", "live"), ("writer", "the writer's final text", "live")]
    assert window_store().load(model.run_id, events=False).parent == first


def test_rerun_is_offered_only_on_a_recorded_run_that_has_ended(qtbot):
    widget = TranscriptWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.model.add_events([ev.RunStarted("team", team="T", pattern="round_robin"), ev.Message("user", content="go", kind="task"),
                             ev.Message("a", content="one"), ev.Finished("team")])
    menu = open_context_menu(widget, 2)
    rerun = next(a for a in menu.actions() if a.text() == "Re-run from here")
    assert not rerun.isEnabled() and "recorded" in rerun.toolTip()
    menu.close()


def test_a_selector_speaker_line_expands_to_show_the_prompt_and_the_answer(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path, SELECTOR)
    run_from_window(w, qtbot, "Review this")
    model = w.transcript.model
    rows = [i for i, e in enumerate(model.entries) if e.has_reason]
    assert [model.entries[i].agent for i in rows] == ["writer", "critic"]
    row = rows[1]
    entry = model.entries[row]
    collapsed = w.transcript.view.visualRect(model.index(row))
    assert "why this agent spoke" in w.transcript.delegate._body(entry)[0]
    assert "I would say the critic" not in w.transcript.delegate._body(entry)[0]

    qtbot.mouseClick(w.transcript.view.viewport(), Qt.MouseButton.LeftButton, pos=collapsed.center())

    assert entry.expanded
    body = w.transcript.delegate._body(entry)[0]
    assert "It answered: I would say the critic" in body
    assert "Read the following conversation" in body and "writer" in body  # the selector's prompt
    assert FALLBACK_TEXT not in body
    qtbot.waitUntil(lambda: w.transcript.view.visualRect(model.index(row)).height() > collapsed.height())


def test_a_selector_fallback_is_said_on_the_speaker_line(qtbot):
    widget = TranscriptWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.model.add_events([ev.SpeakerSelected("critic", prompt="Pick one", answer="no idea", fallback=True)])
    entry = widget.model.entries[0]
    assert FALLBACK_TEXT in widget.delegate._body(entry)[0]
    widget.model.toggle(0)
    assert "It answered: no idea" in widget.delegate._body(entry)[0]




def test_a_run_on_a_model_without_prices_shows_its_cost_as_unknown(make_main_window, qtbot, tmp_path, fake_model_server):
    from tests.model_fixtures import chat_chunks

    reply = chat_chunks("Paris is the capital.")
    reply[-1]["usage"] = {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16}  # tokens, but no prices
    fake_model_server.routes["POST /v1/chat/completions"] = (200, reply)
    w = open_team(make_main_window, qtbot, tmp_path, server_team(fake_model_server.base()))
    run_from_window(w, qtbot, "capital of France?")
    assert ("a", "Paris is the capital.", "") in messages(w)
    finished = w.transcript.model.finished
    assert finished.tokens_by_agent["a"] == {"prompt": 12, "completion": 4} and finished.cost is None
    assert w.status.cost.text() == "cost unknown"
    assert "a: unknown" in w.status.cost.toolTip()


def test_a_scripted_run_costs_a_known_nothing_per_agent(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    run_from_window(w, qtbot)
    assert w.status.cost.text() == "cost $0"
    assert w.status.cost.toolTip().splitlines() == ["researcher: $0", "critic: $0", "writer: $0"]


def test_replay_with_nothing_recorded_says_so(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    w.window_actions["replay_last"].trigger()
    assert not w.runs.running
    assert "Nothing to replay yet" in w.statusBar().currentMessage()


def test_replay_on_the_start_page_runs_nothing(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    run_from_window(w, qtbot)
    w.window_actions["close"].trigger()  # back to the start page; the design behind it is not open
    assert w.stack.currentWidget() is w.start_page
    assert not w.replay_run(w.transcript.model.run_id)
    assert not w.runs.running and "Open a team first" in w.statusBar().currentMessage()


def test_a_replay_repeats_the_model_the_run_was_made_with(make_main_window, qtbot, tmp_path):
    """The Run dialog's "every agent on model w": a strict replay must use it again to match."""
    w = open_team(make_main_window, qtbot, tmp_path, TEAM.replace("termination: {max_messages: 4}",
                                                                   "termination: {max_messages: 2}"))
    w.ask_run = lambda: ("Write about owls", {"model_override": "w"})
    w.window_actions["run"].trigger()
    wait_for_end(w, qtbot)
    assert messages(w) == [("researcher", "the writer's final text", "")]
    w.window_actions["strict_replay"].setChecked(True)
    w.window_actions["replay_last"].trigger()
    wait_for_end(w, qtbot)
    assert w.transcript.model.finished.reason != "error", [e.text for e in w.transcript.model.entries]
    assert messages(w) == [("researcher", "the writer's final text", "replayed")]


def test_a_run_of_another_team_is_not_replayed_with_the_open_design(make_main_window, qtbot, tmp_path):
    """History ▸ Replay on another team's run: refused, or every request would go live."""
    w = open_team(make_main_window, qtbot, tmp_path)
    other_path = tmp_path / "other.yaml"
    other_path.write_text(TEAM.replace("name: Three", "name: Other"), encoding="utf-8")
    from designer.core.validate import validate_file
    from tests.conftest import collect_events

    other = collect_events(validate_file(other_path).spec, "elsewhere", store=window_store(), team_file=other_path)
    errors: list[str] = []
    w.files.show_error = lambda title, text: errors.append(text)
    assert w.replay_run(other[0].run_id) is False
    assert not w.runs.running and w.transcript.model.finished is None
    assert len(errors) == 1 and "is a run of “Other”" in errors[0] and "open that team first" in errors[0]


INPUTS = """\
schema: team-designer/v1
name: Toned
inputs: {tone: {default: calm}}
default_model: s
models:
  s: {provider: scripted, responses: ["a grumpy note", "another"]}
agents:
  writer: {system_message: "Be {tone}."}
orchestration: {pattern: sequential, order: [writer]}
"""


def test_replay_gives_the_run_the_inputs_it_was_run_with(make_main_window, qtbot, tmp_path):
    """The system message was filled with tone=grumpy: a strict replay from the window fills it
    the same, so it is answered from the recording (with the default 'calm' it would not match)."""
    w = open_team(make_main_window, qtbot, tmp_path, INPUTS)
    w.ask_run = lambda: ("Write a note", {"inputs": {"tone": "grumpy"}})
    w.window_actions["run"].trigger()
    wait_for_end(w, qtbot)
    assert w.replay_run(str(w.transcript.model.run_id), strict=True)
    wait_for_end(w, qtbot)
    finished = w.transcript.model.finished
    assert w.transcript.model.started.origin == "replay" and finished.reason != "error", finished.detail
    assert (finished.replayed_calls, finished.live_calls) == (1, 0)
