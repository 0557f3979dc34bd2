"""Magentic-One from the window: picked in the pattern picker, edited in its editor (each change
one undo step), drawn as the participants on the canvas, saved as written; and its run's
transcript shows the plan, the orchestrator's choices with their reasons and the final answer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from designer.core import events as ev
from designer.core.patterns.magentic_one import MagenticOneSpec
from designer.ui.run.transcript_model import TranscriptModel
from tests.ui.test_first_hour_bugs import copy_of


def test_choosing_magentic_one_in_the_window_makes_it_the_pattern_and_its_editor_edits_it(make_main_window, qtbot, tmp_path):
    path = copy_of(tmp_path, "campaign_group_chat.yaml")
    w = make_main_window(path)
    w.docks["pattern"].raise_()
    combo = w.pattern_panel.pattern_combo
    qtbot.waitUntil(combo.isVisible)
    index = combo.findText("Magentic-One")
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick sends (setCurrentIndex alone is not a pick)

    orch = w.controller.spec.orchestration
    assert isinstance(orch, MagenticOneSpec) and orch.participants == ["strategist", "designer", "copywriter"]
    editor = w.pattern_panel.editors["magentic_one"]
    assert w.pattern_panel.stack.currentWidget() is editor
    # The canvas shows the participants (no orchestrator node: it is not an agent of the file).
    assert all(w.canvas.item_for(a) is not None for a in orch.participants)
    assert w.canvas.item_for("orchestrator") is None

    steps = w.controller.undo_stack.count()
    editor.participants_list.toggled.emit("copywriter", False)
    assert w.controller.spec.orchestration.participants == ["strategist", "designer"]
    model = editor.model_combo.findData("smollm2")
    editor.model_combo.setCurrentIndex(model)
    editor.model_combo.activated.emit(model)
    assert w.controller.spec.orchestration.orchestrator_model == "smollm2"
    editor.stalls_spin.setFocus()
    editor.stalls_spin.selectAll()
    qtbot.keyClicks(editor.stalls_spin, "1")
    assert w.controller.spec.orchestration.max_stalls == 1
    qtbot.keyClicks(editor.prompt.editor, "Answer {task} briefly.")
    assert w.controller.spec.orchestration.final_answer_prompt == "Answer {task} briefly."
    assert [p for p in w.controller.problems if p.is_error] == []
    # One undo step per change (typing in the prompt merges into one).
    assert w.controller.undo_stack.count() == steps + 4
    w.controller.undo_stack.undo()
    assert w.controller.spec.orchestration.final_answer_prompt is None
    editor.refresh(w.controller.spec)
    assert editor.prompt.editor.toPlainText() == ""

    assert w.files.save()
    saved = path.read_text(encoding="utf-8")
    assert "pattern: magentic_one" in saved and "orchestrator_model: smollm2" in saved and "max_stalls: 1" in saved
    assert "final_answer_prompt" not in saved


def test_the_transcript_shows_the_plan_the_choice_with_its_reason_and_the_final_answer(qtbot):
    model = TranscriptModel()
    model.add_events([
        ev.RunStarted(ev.TEAM, team="Desk", pattern="magentic_one", participants=["writer"]),
        ev.Message("user", content="Write.", kind="task"),
        ev.Message("orchestrator", content="\nWe are working on: Write.\n\nPLAN: write", kind="plan"),
        ev.SpeakerSelected("writer", by="orchestrator", answer="Next speaker: writer (the writer drafts)"),
        ev.Message("orchestrator", content="Write the haiku.", kind="instruction"),
        ev.Message("writer", content="A haiku."),
        ev.Message("orchestrator", content="\nfacts again\n\nnew plan", kind="plan"),
        ev.Message("orchestrator", content="Here it is: a haiku."),
        ev.Finished(ev.TEAM, reason="termination", detail="the orchestrator gave the final answer"),
    ])
    texts = [(e.agent, e.text) for e in model.entries]
    assert ("orchestrator", "**Plan**\n\nWe are working on: Write.\n\nPLAN: write") in texts
    assert ("orchestrator", "**New plan** (after stalling)\n\nfacts again\n\nnew plan") in texts
    assert ("orchestrator", "Write the haiku.") in texts
    assert ("orchestrator", "**Final answer**\n\nHere it is: a haiku.") in texts
    pick = next(e for e in model.entries if e.kind == "system" and e.agent == "writer")
    assert pick.text == "orchestrator picks writer to speak next" and pick.expandable
    model.toggle(model.entries.index(pick))
    assert pick.expanded and pick.answer == "Next speaker: writer (the writer drafts)"
    assert model.data(model.index(model.entries.index(pick)), Qt.ItemDataRole.DisplayRole) == pick.text
    assert model.entries[-1].text.startswith("Finished: the orchestrator gave the final answer")
