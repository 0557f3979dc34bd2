"""Hand-off to the user in the window: the swarm agent's question opens the transcript's input
row (the one a user_proxy opens), and typing the answer resumes the run to its end."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.e2e.test_handoff_to_user import TEAM


def test_the_input_row_appears_and_the_answer_resumes_the_run(make_main_window, qtbot, tmp_path: Path):
    team = tmp_path / "desk.yaml"
    team.write_text(TEAM, encoding="utf-8")
    w = make_main_window(team)
    assert w.start_run("Where is my parcel?") is True
    bar = w.transcript.input_bar
    qtbot.waitUntil(bar.isVisible, timeout=15000)
    assert w.transcript.input_label.text() == "desk asks you:"
    qtbot.keyClicks(w.transcript.input_edit, "parcel 42")
    qtbot.keyClick(w.transcript.input_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    entries = [(e.kind, e.agent, e.text) for e in w.transcript.model.entries]
    assert ("system", "desk", "desk hands off to user") in entries
    assert ("message", "user", "parcel 42") in entries
    assert ("message", "desk", "Thanks! Parcel 42 ships today.") in entries
    finished = w.transcript.model.finished
    assert finished is not None and finished.reason == "termination"
    assert not bar.isVisible()


def test_the_agent_panel_offers_the_user_as_a_hand_off_target_in_a_swarm(make_controller, qtbot):
    from designer.core.yamlio import parse_team
    from designer.ui.panels.agent_panel import AgentPanelWidget

    spec = parse_team(TEAM.replace("handoffs: [user], ", "")).spec
    controller = make_controller(spec)
    panel = AgentPanelWidget(controller)
    qtbot.addWidget(panel)
    panel.show()
    controller.select_agents(["desk"])
    assert panel.handoffs_list.keys() == ["user"]
    panel.handoffs_list.item_for("user").setCheckState(Qt.CheckState.Checked)
    assert controller.spec.agents["desk"].handoffs == ["user"]
    assert controller.errors == []  # a swarm agent may hand off to the person
