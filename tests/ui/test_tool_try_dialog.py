"""The "try it" dialog: a form generated from the tool's schema, run in a worker thread.

Driven like a user: type into the generated fields, click Run, read the result. The GUI
thread never waits for the tool; untrusted code is asked about before anything runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

from designer.core.tool_introspect import ToolLocations
from designer.core.trust import TrustStore
from designer.core.validate import validate_text
from designer.ui.dialogs.tool_try import ToolTryDialog
from tests.conftest import FIXTURES

TEAM = f"""\
schema: team-designer/v1
name: Try
tools:
  calc: {{builtin: calculator}}
  clock: {{builtin: current_datetime}}
  echo: {{function: "sampler:echo", timeout: 5}}
  nap: {{function: "sampler:nap", timeout: 2}}
  tiny: {{mcp: {{command: {sys.executable}, args: [{FIXTURES / 'mcp_server.py'}]}}}}
agents:
  a: {{tools: [calc, echo]}}
orchestration: {{pattern: round_robin, participants: [a]}}
"""

SAMPLER = '''\
import json
import time
from typing import Literal

def echo(text: str, count: int, ratio: float = 0.5, loud: bool = False, mode: Literal["a", "b"] = "a",
         tags: list[str] | None = None) -> str:
    """Returns its arguments as JSON."""
    return json.dumps({"text": text, "count": count, "ratio": ratio, "loud": loud, "mode": mode, "tags": tags})

def nap(seconds: float) -> str:
    """Sleeps."""
    time.sleep(seconds)
    return "woke"
'''


@pytest.fixture
def make_dialog(qtbot: Any, tmp_path: Path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "sampler.py").write_text(SAMPLER)
    spec = validate_text(TEAM).spec
    store = TrustStore(tmp_path / "trust.json")
    asked: list[list[str]] = []

    def make(tool_id: str, answer: bool = True) -> ToolTryDialog:
        def confirm(items: Any) -> bool:
            untrusted = store.untrusted(items)
            if untrusted:
                asked.append([i.kind for i in untrusted])
                if not answer:
                    return False
                store.trust(untrusted)
            return True

        dialog = ToolTryDialog(spec, ToolLocations.for_file(tmp_path / "team.yaml"), trust=store, confirm=confirm,
                               team_file=tmp_path / "team.yaml", tool_id=tool_id)
        dialog.asked = asked
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def run(qtbot: Any, dialog: ToolTryDialog, timeout: int = 10000) -> None:
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=timeout)


def test_a_builtin_runs_with_typed_arguments(qtbot, make_dialog):
    dialog = make_dialog("calc")
    field = dialog.field("expression")
    assert isinstance(field, QLineEdit)
    qtbot.keyClicks(field, "(3 + 4) * 2")
    run(qtbot, dialog)
    assert dialog.result_view.toPlainText() == "14" and dialog.status.text().startswith("✓ Done")
    field.clear()
    qtbot.keyClicks(field, "__import__('os')")
    run(qtbot, dialog)
    assert dialog.status.text().startswith("✗ Error") and "unsupported expression element" in dialog.result_view.toPlainText()
    assert dialog.asked == []  # built-ins need no trust


def test_the_form_follows_the_schema(qtbot, make_dialog):
    dialog = make_dialog("echo")
    assert isinstance(dialog.field("text"), QPlainTextEdit)  # 'text' may be long: a multi-line field
    assert isinstance(dialog.field("count"), QLineEdit) and isinstance(dialog.field("loud"), QCheckBox)
    mode = dialog.field("mode")
    assert isinstance(mode, QComboBox) and [mode.itemText(i) for i in range(mode.count())] == ["(not set)", "a", "b"]
    assert dialog.field("ratio").text() == "0.5"  # the default, filled in
    run(qtbot, dialog)
    assert dialog.status.text() == "count is required" and dialog.asked == []  # nothing ran
    qtbot.keyClicks(dialog.field("text"), "hello")
    qtbot.keyClicks(dialog.field("count"), "three")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "count must be a whole number"
    dialog.field("count").clear()
    qtbot.keyClicks(dialog.field("count"), "3")
    dialog.field("loud").setChecked(True)
    mode.setCurrentIndex(2)
    qtbot.keyClicks(dialog.field("tags"), '["x", "y"]')
    run(qtbot, dialog)
    assert dialog.asked == [["module"]]
    assert dialog.result_view.toPlainText() == '{"text": "hello", "count": 3, "ratio": 0.5, "loud": true, "mode": "b", "tags": ["x", "y"]}'


def test_untrusted_code_is_not_run_when_the_user_says_no(qtbot, make_dialog, tmp_path: Path):
    dialog = make_dialog("echo", answer=False)
    qtbot.keyClicks(dialog.field("text"), "x")
    qtbot.keyClicks(dialog.field("count"), "1")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Not run: the code it needs is not trusted." and not dialog.running
    assert dialog.result_view.toPlainText() == ""


def test_the_time_limit_holds_and_the_window_stays_responsive(qtbot, make_dialog):
    dialog = make_dialog("nap")
    qtbot.keyClicks(dialog.field("seconds"), "6")  # past the 2 s limit; the abandoned thread ends well within the leak check's wait
    ticks: list[float] = []
    clock = QTimer(dialog)  # a GUI-thread timer of the test's own: it ticks only while the GUI thread is free
    clock.setInterval(100)
    clock.timeout.connect(lambda: ticks.append(time.monotonic()))
    clock.start()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: " — 0." in dialog.status.text() or " — 1." in dialog.status.text())  # its clock runs
    qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
    clock.stop()
    assert dialog.result_view.toPlainText() == "the tool 'nap' took longer than 2 s and was stopped"
    # Had the click waited for the tool, the timer could tick only once, after it.
    assert len(ticks) >= 3, "the GUI thread kept processing events while the tool ran"
    assert dialog.status.text().startswith("✗ Error")


def test_an_mcp_servers_tools_are_listed_then_tried(qtbot, make_dialog):
    dialog = make_dialog("tiny")
    assert not dialog.run_button.isEnabled()
    qtbot.mouseClick(dialog.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.mcp_combo.count() > 0, timeout=20000)
    assert dialog.asked == [["mcp"]]
    dialog.mcp_combo.setCurrentIndex(dialog.mcp_combo.findData("add"))
    qtbot.keyClicks(dialog.field("a"), "40")
    qtbot.keyClicks(dialog.field("b"), "2")
    run(qtbot, dialog, timeout=20000)
    assert dialog.result_view.toPlainText() == "42" and dialog.status.text().startswith("✓ Done")


def test_a_clock_with_an_optional_argument(qtbot, make_dialog):
    dialog = make_dialog("clock")
    run(qtbot, dialog)  # the optional timezone left empty: local time
    assert dialog.status.text().startswith("✓ Done") and dialog.result_view.toPlainText()[:2] == "20"
    qtbot.keyClicks(dialog.field("timezone"), "Not/AZone")
    run(qtbot, dialog)
    assert "unknown timezone 'Not/AZone'" in dialog.result_view.toPlainText()


def test_choosing_another_tool_clears_the_last_ones_output(qtbot, make_dialog):
    dialog = make_dialog("calc")
    qtbot.keyClicks(dialog.field("expression"), "6 * 7")
    run(qtbot, dialog)
    assert dialog.result_view.toPlainText() == "42"
    other = next(i for i in range(dialog.tool_combo.count()) if dialog.tool_combo.itemData(i) != "calc")
    dialog.tool_combo.setFocus()
    dialog.tool_combo.setCurrentIndex(other)
    assert dialog.tool_id != "calc" and dialog.result_view.toPlainText() == ""
