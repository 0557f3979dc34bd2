"""The Compare view of two stored runs: totals with deltas, the team's word diff, the turns side by
side, Export HTML…, find and Esc; in the light and the dark theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from designer.ui.compare.view import CompareDialog
from designer.ui.history.store import window_store
from designer.ui.theme import colors, dark_palette
from tests.ui.test_replay_window import edit_system_message, history, open_team, run_from_window, wait_for_end  # noqa: F401
# (history: the autouse fixture giving each test a run history of its own)




def two_runs(make_main_window: Any, qtbot: Any, tmp_path: Path) -> tuple[Any, str, str]:
    """A run about owls, the writer's system message edited in the Agent panel, a run about cats."""
    w = open_team(make_main_window, qtbot, tmp_path)
    first = run_from_window(w, qtbot, "Write about owls")
    edit_system_message(w, qtbot, "writer", " Keep it short.")
    second = run_from_window(w, qtbot, "Write about cats")
    return w, first, second


def fragments(dialog: CompareDialog) -> list[tuple[str, Any]]:
    """(text, char format) of every run of text the view shows."""
    out = []
    block = dialog.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            out.append((fragment.text(), fragment.charFormat()))
            it += 1
        block = block.next()
    return out


def test_compare_shows_the_system_message_word_diff_and_the_tokens_delta(make_main_window, qtbot, tmp_path):
    w, first, second = two_runs(make_main_window, qtbot, tmp_path)
    store = window_store()
    a, b = store.load(first, events=False), store.load(second, events=False)

    dialog = w.compare_runs(second, first)  # either order: the older run is A

    assert isinstance(dialog, CompareDialog) and dialog.isVisible() and not dialog.isModal()
    assert (dialog.a.id, dialog.b.id) == (first, second)
    text = dialog.text()
    assert "agents.writer.system_message" in text
    theme = colors(dialog.palette())
    inserted = [(t, f) for t, f in fragments(dialog) if "Keep it short." in t]
    assert inserted and all(f.background().color() == theme.diff_added for _, f in inserted)
    # The tokens row: both runs' totals and their difference, as the store recorded them.
    delta = b.tokens - a.tokens
    sign = "+" if delta > 0 else "\u2212" if delta < 0 else "±"  # a minus sign, as figures are written
    lines = text.splitlines()
    row = lines.index("Tokens")
    assert lines[row + 1: row + 4] == [str(a.tokens), str(b.tokens), f"{sign}{abs(delta)}"]
    # The turns side by side: the task's changed word struck through in A's column, inserted in B's.
    assert [t for t, f in fragments(dialog) if f.fontStrikeOut()] == ["owls"]
    assert [t for t, f in fragments(dialog) if f.background().color() == theme.diff_added] == [" Keep it short.", "cats"]
    assert text.count("second answer here") == 2  # the critic's turn in both columns
    dialog.close()


def test_replayed_turns_are_marked_in_the_compare_view(make_main_window, qtbot, tmp_path):
    w = open_team(make_main_window, qtbot, tmp_path)
    first = run_from_window(w, qtbot)
    edit_system_message(w, qtbot, "writer", " Keep it short.")
    w.window_actions["replay_last"].trigger()
    wait_for_end(w, qtbot)
    dialog = w.compare_runs(first, w.transcript.model.run_id)
    assert dialog.text().count("↺ replayed") == 2  # the researcher and the critic in B
    assert "Saved by replay" in dialog.text()
    dialog.close()


def test_export_html_writes_the_comparison_page(make_main_window, qtbot, tmp_path):
    w, first, second = two_runs(make_main_window, qtbot, tmp_path)
    dialog = w.compare_runs(first, second)
    asked: list[tuple[str, str]] = []

    def choose(title: str, suffix: str) -> str:
        asked.append((title, suffix))
        return str(tmp_path / f"comparison{suffix}")

    w.choose_export_path = choose
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    assert asked == [("Export comparison as HTML", ".html")]
    page = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<ins>Keep it short.</ins>" in page.replace(" Keep", "Keep")
    assert "agents.writer.system_message" in page
    assert dialog.note.text() == "Exported comparison.html"
    dialog.close()


def test_an_export_that_cannot_be_written_says_why(make_main_window, qtbot, tmp_path):
    w, first, second = two_runs(make_main_window, qtbot, tmp_path)
    dialog = w.compare_runs(first, second)
    w.choose_export_path = lambda title, suffix: str(tmp_path / "missing" / "folder" / "x.html")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert len(w.errors) == 1 and "could not be written" in w.errors[0]
    dialog.close()


def test_find_selects_a_match_and_esc_closes_the_find_bar_then_the_view(make_main_window, qtbot, tmp_path):
    w, first, second = two_runs(make_main_window, qtbot, tmp_path)
    dialog = w.compare_runs(first, second)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts go to the active window
    qtbot.keyClick(dialog.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert dialog.find_bar.isVisible()
    qtbot.keyClicks(dialog.find_edit, "second answer")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert dialog.browser.textCursor().selectedText() == "second answer"
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)  # the other column's copy
    assert dialog.browser.textCursor().hasSelection()
    qtbot.keyClicks(dialog.find_edit, "zzz")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert dialog.find_status.text() == "not found"
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Escape)
    assert not dialog.find_bar.isVisible() and dialog.isVisible()
    qtbot.keyClick(dialog.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_view_follows_the_theme(make_main_window, qtbot, tmp_path):
    w, first, second = two_runs(make_main_window, qtbot, tmp_path)
    dialog = w.compare_runs(first, second)
    light = [f.background().color() for t, f in fragments(dialog) if "Keep it short." in t]
    dialog.setPalette(dark_palette())
    dark = colors(dark_palette())
    after = [f.background().color() for t, f in fragments(dialog) if "Keep it short." in t]
    assert after and all(c == dark.diff_added for c in after) and after != light
    # The text itself is light on the dark background.
    body = next(f for t, f in fragments(dialog) if t == "second answer here")
    assert body.foreground().color().lightness() > 128
    dialog.close()


TOOLS = """\
schema: team-designer/v1
name: Area
default_model: s
models:
  s:
    provider: scripted
    responses:
    - tool_calls: [{name: area, arguments: {length: 3, width: 4}}]
    - The blanket covers the area.
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  planner: {tools: [area], reflect_on_tool_use: true}
orchestration: {pattern: round_robin, participants: [planner]}
termination: {max_messages: 2}
"""


def test_tool_calls_are_matched_and_their_changed_arguments_and_results_flagged(make_main_window, qtbot, tmp_path):
    from tests.ui.test_yaml_view import click_tab, replace_in_editor

    w = open_team(make_main_window, qtbot, tmp_path, TOOLS)
    first = run_from_window(w, qtbot, "How big is the blanket?")
    view = w.views.yaml
    click_tab(qtbot, w, 1)
    replace_in_editor(qtbot, view.editor, "length: 3", "length: 5")
    qtbot.waitUntil(lambda: view.apply_button.isEnabled(), timeout=15000)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    second = run_from_window(w, qtbot, "How big is the blanket?")

    dialog = w.compare_runs(first, second)
    text = dialog.text()
    assert '⚙ area({"length": 3, "width": 4}) arguments changed, result changed' in text
    assert '⚙ area({"length": 5, "width": 4}) arguments changed, result changed' in text
    assert "→ 12.0" in text and "→ 20.0" in text
    assert "models.s.responses[0]" in text  # the team change that made it
    dialog.close()
