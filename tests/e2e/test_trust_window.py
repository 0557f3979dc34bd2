"""The window asks before a run executes untrusted code, remembers the answer, and asks again after a change.

Also: the real trust dialog lists paths and hashes with Cancel as the default, local Python
execution is asked about for the team's content (a node moved on the canvas asks nothing, a
typed prompt change asks again), the agent panel describes user tools from their source, and
the Tools menu leads to "try it".
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from designer.core.trust import TrustStore, code_manifest, describe_items
from designer.core.tool_introspect import ToolLocations
from designer.core.validate import validate_file
from designer.ui.dialogs.trust import TrustDialog

TEAM = """\
schema: team-designer/v1
name: Greeter
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: greet, arguments: {who: Ada}}]}, "done"]}
tools:
  greet: {function: "greeter:greet"}
agents:
  a: {tools: [greet], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: done, max_messages: 5}
"""

GREETER = '''\
def greet(who: str) -> str:
    """Says hello to someone by name."""
    return "hello " + who
'''


def make_team(tmp_path: Path) -> Path:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "greeter.py").write_text(GREETER)
    path = tmp_path / "team.yaml"
    path.write_text(TEAM)
    return path


def run_to_end(qtbot: Any, w: Any) -> list[Any]:
    qtbot.waitUntil(lambda: not w.runs.running, timeout=15000)
    return [e for e in w.transcript.model.events if e.type == "tool_result"]


def test_a_run_with_an_untrusted_module_asks_first_and_remembers(make_main_window, qtbot, tmp_path: Path):
    path = make_team(tmp_path)
    w = make_main_window(path)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    questions: list[list[str]] = []
    answers = [False, True]

    def ask(items: Any) -> bool:
        questions.append([line for item in items for line in item.describe()])
        return answers.pop(0)

    w.preparation.ask = ask
    greeter = tmp_path / "tools" / "greeter.py"
    assert w.start_run("go") is False and not w.runs.running  # refused: nothing started
    assert f"{greeter}  sha256:{hashlib.sha256(greeter.read_bytes()).hexdigest()}" in questions[0][1]
    assert w.start_run("go") is True
    assert [r.content for r in run_to_end(qtbot, w)] == ["hello Ada"]
    assert len(questions) == 2
    assert w.start_run("go") is True  # remembered: not asked again
    assert [r.content for r in run_to_end(qtbot, w)] == ["hello Ada"]
    assert len(questions) == 2
    greeter.write_text(GREETER.replace("hello ", "hi "))
    answers.append(True)
    assert w.start_run("go") is True
    assert len(questions) == 3, "a changed file is asked about again"
    assert [r.content for r in run_to_end(qtbot, w)] == ["hi Ada"]  # and the new code runs


def test_the_trust_dialog_lists_what_would_run_and_defaults_to_cancel(qtbot, tmp_path: Path):
    path = make_team(tmp_path)
    items = code_manifest(validate_file(path).spec, ToolLocations.for_file(path), path)
    dialog = TrustDialog(items)
    qtbot.addWidget(dialog)
    text = dialog.listing.toPlainText()
    assert "Python module 'greeter'" in text and str(tmp_path / "tools" / "greeter.py") in text and "sha256:" in text
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.isDefault() and dialog.trust_button.text() == "Trust and run"


PYTHON_TEAM = """\
schema: team-designer/v1
name: Coder
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: py, arguments: {code: "print('from the window')"}}]}, "done"]}
tools:
  py: {builtin: run_python, timeout: 20}
agents:
  a: {system_message: You code., tools: [py], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: done, max_messages: 5}
"""


def test_local_python_is_trusted_for_the_teams_content_not_for_its_layout(make_main_window, qtbot, tmp_path: Path):
    path = tmp_path / "team.yaml"
    path.write_text(PYTHON_TEAM)
    w = make_main_window(path)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    questions: list[str] = []
    w.preparation.ask = lambda items: questions.append(describe_items(items)) or True
    assert w.start_run("go") is True
    assert [r.content for r in run_to_end(qtbot, w)] == ["from the window\n"]
    assert len(questions) == 1
    assert "working folder: the run's workspace: a new temporary folder made for each run" in questions[0]
    assert "trusted for the team's content  sha256:" in questions[0] and f"team: {path}" in questions[0]

    # Moving the node writes the layout block, which decides nothing: no new question.
    view = w.canvas
    start = view.mapFromScene(view.item_for("a").scenePos())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + QPoint(0, 20 * step))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(0, 100))
    assert w.controller.spec.layout is not None and w.controller.undo_stack.undoText() == "Move agent"
    assert w.start_run("go") is True
    run_to_end(qtbot, w)
    assert len(questions) == 1

    # Typing into the system message changes the team: asked again, saying so.
    w.controller.select_agents(["a"])
    editor = w.agent_panel.prompt.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Be brief.")
    assert w.controller.spec.agents["a"].system_message == "You code. Be brief."
    assert w.start_run("go") is True
    run_to_end(qtbot, w)
    assert len(questions) == 2 and "changed since you trusted it: the team's content" in questions[1]


def test_the_trust_dialog_says_what_its_answer_covers(qtbot, tmp_path: Path):
    path = tmp_path / "team.yaml"
    path.write_text(PYTHON_TEAM)
    items = code_manifest(validate_file(path).spec, ToolLocations.for_file(path), path)
    dialog = TrustDialog(items)
    qtbot.addWidget(dialog)
    assert "when anything in the team but its layout changes" in dialog.intro.text()
    assert "the run's workspace: a new temporary folder" in dialog.listing.toPlainText()


def test_the_agent_panel_and_the_tools_menu_read_tools_from_source(make_main_window, qtbot, tmp_path: Path):
    path = make_team(tmp_path)
    (tmp_path / "tools" / "greeter.py").write_text(GREETER + "\nopen(__file__ + '.imported', 'w').write('x')\n")
    w = make_main_window(path)
    w.controller.select_agents(["a"])
    tooltip = w.agent_panel.tools_list.item_for("greet").toolTip()
    assert tooltip.startswith("Says hello to someone by name.") and "Parameters: who: string" in tooltip
    assert "greeter.py:1" in tooltip
    assert [a.text() for a in w.tools_menu.menu.actions()] == ["&Try a tool…", "Tool &folders…"]
    assert w.tools_menu.menu.menuAction() in w.menuBar().actions()
    dialog = w.tools_menu.make_try_dialog("greet")
    qtbot.addWidget(dialog)
    assert dialog.description.text() == "Says hello to someone by name." and dialog.field("who") is not None
    assert not (tmp_path / "tools" / "greeter.py.imported").exists()


def test_tool_folders_from_settings_are_searched(make_main_window, qtbot, tmp_path: Path):
    from designer.ui import settings

    team = tmp_path / "team.yaml"
    team.write_text(TEAM)  # no tools/ beside it
    w = make_main_window(team)
    w.controller.validate_now()
    assert any(p.path == ("tools", "greet", "function") and p.is_error for p in w.controller.problems)
    extra = tmp_path / "shared_tools"
    extra.mkdir()
    (extra / "greeter.py").write_text(GREETER)
    settings.put("tools/folders", [str(extra)])
    try:
        w.controller.validate_now()
        assert not [p for p in w.controller.problems if p.is_error]
        assert w.controller.tool_locations().folders == [tmp_path / "tools", extra]
    finally:
        settings.put("tools/folders", [])


def test_runs_keep_their_files_when_a_workspace_folder_is_set(make_main_window, qtbot, tmp_path: Path):
    from designer.ui import settings
    from designer.ui.dialogs.tool_folders import ToolFoldersDialog

    team = tmp_path / "team.yaml"
    team.write_text(textwrap.dedent("""\
        schema: team-designer/v1
        name: Writer team
        task: go
        default_model: s
        models:
          s: {provider: scripted, responses: [{tool_calls: [{name: save, arguments: {path: notes.txt, content: kept}}]}, "done"]}
        tools:
          save: {builtin: write_text_file}
        agents:
          a: {tools: [save], streaming: false}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {text: done, max_messages: 5}
    """))
    dialog = ToolFoldersDialog(["/x/tools"], str(tmp_path / "keep"))
    qtbot.addWidget(dialog)
    assert dialog.folders() == ["/x/tools"] and dialog.workspace_edit.text() == str(tmp_path / "keep")
    settings.put("tools/workspace", str(tmp_path / "keep"))
    try:
        w = make_main_window(team)
        assert w.start_run("go") is True  # built-in file tools need no trust
        assert [r.content for r in run_to_end(qtbot, w)] == ["wrote 4 bytes to notes.txt"]
    finally:
        settings.put("tools/workspace", "")
    kept = list((tmp_path / "keep").glob("Writer-team-*/notes.txt"))
    assert len(kept) == 1 and kept[0].read_text() == "kept"


def test_what_cannot_be_checked_cannot_be_trusted_from_the_window(make_main_window, qtbot, tmp_path: Path):
    """An MCP server whose folder holds too many files to hash: the dialog says why and offers no
    'Trust and run'; even a yes (a test's answer) starts nothing and remembers nothing."""
    import sys

    from designer.core.tool_introspect import MAX_IMPORTABLE_FILES

    srv = tmp_path / "srv"
    srv.mkdir()
    for i in range(MAX_IMPORTABLE_FILES + 1):
        (srv / f"m{i}.py").write_text("X = 1\n")
    marker = tmp_path / "started"
    (srv / "server.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n")
    team = tmp_path / "team.yaml"
    team.write_text(textwrap.dedent(f"""\
        schema: team-designer/v1
        name: Big folder
        task: go
        default_model: s
        models:
          s: {{provider: scripted, responses: [done]}}
        tools:
          srv: {{mcp: {{command: {sys.executable}, args: [srv/server.py], cwd: srv}}}}
        agents:
          a: {{tools: [srv]}}
        orchestration: {{pattern: round_robin, participants: [a]}}
        termination: {{max_messages: 2}}
    """), encoding="utf-8")
    spec = validate_file(team).spec
    items = code_manifest(spec, ToolLocations.for_file(team), team)
    dialog = TrustDialog(items)
    qtbot.addWidget(dialog)
    assert not dialog.trust_button.isEnabled() and "cannot be trusted" in dialog.intro.text()
    w = make_main_window(team)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    asked: list[Any] = []
    w.preparation.ask = lambda listed: asked.append(listed) or True
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    assert asked and not w.runs.running and not marker.exists()
    assert w.preparation.trust.untrusted(items), "nothing was remembered as trusted"
