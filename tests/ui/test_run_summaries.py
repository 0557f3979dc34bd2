"""Run summaries in plain words, the same in the transcript, the status bar and the terminal:
no AgentChat internals ("Digraph execution is complete"), "1 message", a stopped run counts
the reply it cut short, and a Stop pressed during Finish turn is a stop."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT, STOP_BOUND_S

WORDS = " ".join(f"word{i}" for i in range(1, 200))

TEAM = """\
schema: team-designer/v1
name: Summaries
default_model: s
models:
  s: {provider: scripted, responses: RESPONSES, delay: DELAY}
agents:
  a: {streaming: true}
  b: {streaming: true}
orchestration: {pattern: sequential, order: ORDER}
termination: {max_messages: 10}
"""


def write(tmp_path: Path, responses: list[str], order: str = "[a]", delay: float = 0.0) -> Path:
    quoted = "[" + ", ".join(f'"{r}"' for r in responses) + "]"
    text = TEAM.replace("RESPONSES", quoted).replace("ORDER", order).replace("DELAY", str(delay))
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run_in_window(make_main_window, qtbot, path: Path):
    w = make_main_window(path)
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.ask_run = lambda: ("go", {})  # the Run dialog, answered
    w.window_actions["run"].trigger()
    return w


def end_line(w) -> str:
    entry = w.transcript.model.entries[-1]
    assert entry.kind == "finished"
    return entry.text


def test_a_sequential_run_ends_in_plain_words_and_counts_one_message(make_main_window, qtbot, tmp_path):
    w = run_in_window(make_main_window, qtbot, write(tmp_path, ["all done here"]))
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    line = end_line(w)
    assert "Digraph" not in line and "Digraph" not in w.statusBar().currentMessage()
    assert line.startswith("Finished: the last agent in the order has spoken — ")
    assert ", 1 message, " in line and "messages" not in line
    assert w.status.messages.text() == "1 message"
    assert w.status.state.text() == "✓ Finished"


def test_two_messages_are_plural_and_the_tokens_are_the_models(make_main_window, qtbot, tmp_path):
    w = run_in_window(make_main_window, qtbot, write(tmp_path, ["one two", "three four five"], order="[a, b]"))
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    finished = w.transcript.model.finished
    total = finished.prompt_tokens + finished.completion_tokens
    assert total > 0
    assert end_line(w).endswith(f", 2 messages, {total} tokens")  # reported by the model: no estimate
    assert w.status.messages.text() == "2 messages" and w.status.tokens.text() == f"{total} tokens"


def streaming_entry(w):
    entries = [e for e in w.transcript.model.entries if e.kind == "message" and e.agent == "a" and e.text]
    return entries[0] if entries else None


def test_a_run_stopped_mid_reply_counts_the_reply_and_its_streamed_tokens(make_main_window, qtbot, tmp_path):
    w = run_in_window(make_main_window, qtbot, write(tmp_path, [WORDS], delay=0.05))
    qtbot.waitUntil(lambda: streaming_entry(w) is not None and len(streaming_entry(w).text.split()) >= 3, timeout=15000)
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=int(STOP_BOUND_S * 1000))
    streamed = len(streaming_entry(w).text.split())  # one chunk per word from the scripted model
    assert streamed < len(WORDS.split())  # really cut short
    line = end_line(w)
    assert line.startswith("Stopped: stopped by the user — ")
    assert f", 1 message (1 cut short), ≈{streamed} tokens (estimated)" in line
    assert "0 messages" not in line and "0 tokens" not in line
    assert w.status.messages.text() == "1 message" and w.status.tokens.text() == f"≈{streamed} tokens"
    assert "estimated" in w.status.tokens.toolTip()


def test_stop_pressed_during_finish_turn_is_reported_as_a_stop(make_main_window, qtbot, tmp_path):
    w = run_in_window(make_main_window, qtbot, write(tmp_path, [WORDS], delay=0.05))
    qtbot.waitUntil(lambda: streaming_entry(w) is not None, timeout=15000)
    w.window_actions["finish_turn"].trigger()  # the turn is long: it has not ended when Stop comes
    qtbot.waitUntil(lambda: len(streaming_entry(w).text.split()) >= 3, timeout=15000)
    w.window_actions["stop"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=int(STOP_BOUND_S * 1000))
    line = end_line(w)
    assert line.startswith("Stopped: stopped by the user — "), line
    assert "after the current turn" not in line
    assert w.statusBar().currentMessage().startswith("Run stopped: stopped by the user")


def test_finish_turn_alone_still_says_the_turn_was_finished(make_main_window, qtbot, tmp_path):
    w = run_in_window(make_main_window, qtbot, write(tmp_path, ["one two three four five six", "never said"],
                                                     order="[a, b]", delay=0.05))
    qtbot.waitUntil(lambda: streaming_entry(w) is not None, timeout=15000)
    w.window_actions["finish_turn"].trigger()
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    line = end_line(w)
    assert line.startswith("Stopped: finished by the user after the current turn — ")
    assert ", 1 message, " in line and "estimated" not in line  # the turn ended: its tokens are the model's
    assert not any(e.agent == "b" for e in w.transcript.model.entries if e.kind == "message")


def test_the_terminal_summary_uses_the_same_words(tmp_path):
    path = write(tmp_path, ["all done here"])
    done = subprocess.run([sys.executable, "-m", "designer", "run", str(path), "--task", "go"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Digraph" not in done.stdout
    assert "■ finished: the last agent in the order has spoken" in done.stdout.splitlines()
    figures = next(line for line in done.stdout.splitlines() if line.startswith("  ") and " s, " in line)
    assert ", 1 message, " in figures and " prompt, " in figures


def test_a_reply_cut_short_after_a_whole_one_counts_both_and_estimates_only_its_own_tokens(make_spec, tmp_path):
    """Engine level, the figures every front end shows: the whole reply's tokens are the model's,
    the cut-short reply's are estimated (one per streamed chunk) and said to be."""
    from designer.core.finish import figures_text
    from tests.conftest import collect_events

    spec = make_spec(write(tmp_path, ["one two three", WORDS], order="[a, b]", delay=0.02).read_text(encoding="utf-8"))
    chunks_of_b: list[str] = []

    def control(run, event):
        if event.type == "chunk" and event.agent == "b":
            chunks_of_b.append(event.text)
            if len(chunks_of_b) == 4:
                run.stop()

    events = collect_events(spec, "go", control=control)
    finished = events[-1]
    streamed = sum(1 for e in events if e.type == "chunk" and e.agent == "b")
    assert streamed >= 4 and finished.reason == "stopped"
    reported = sum(e.prompt_tokens + e.completion_tokens for e in events if e.type == "usage")
    assert finished.tokens_by_agent["b"]["estimated"] == streamed and "estimated" not in finished.tokens_by_agent["a"]
    assert f", 2 messages (1 cut short), ≈{reported + streamed} tokens ({streamed} estimated)" in figures_text(finished)
