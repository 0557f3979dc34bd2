"""The Tools dock, driven like a user: pick from the palette, check for an agent, edit options,
drop on an agent's node, remove and undo, add an MCP server and list its tools, try a tool.

Every gesture is one undo step; listing an MCP server's tools starts it only after the trust
question; functions are read from the tool folder's source, never imported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

from designer.core.trust import TrustStore
from designer.ui.dialogs.tool_try import ToolTryDialog
from tests.conftest import FIXTURES

TEAM = """\
schema: team-designer/v1
name: Palette
tools:
  calc: {builtin: calculator}
  web: {builtin: http_get}
agents:
  a: {tools: [calc, web], system_message: "A"}
  b: {tools: [web], system_message: "B"}
orchestration: {pattern: round_robin, participants: [a, b]}
layout:
  nodes:
    a: {x: 0, y: 0}
    b: {x: 400, y: 0}
"""

WEATHER = '''\
from pathlib import Path

Path(__file__).with_name("IMPORTED").write_text("imported")


def forecast(city: str, days: int = 3) -> str:
    """Weather forecast for a city."""
    return "sunny"
'''


@pytest.fixture
def window(make_main_window: Any, tmp_path: Path) -> Any:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "weather.py").write_text(WEATHER)
    (tmp_path / "tools" / "broken.py").write_text("def oops(:\n")
    path = tmp_path / "team.yaml"
    path.write_text(TEAM)
    w = make_main_window(path)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    w.asked = []
    w.preparation.ask = lambda items: w.asked.append([i.kind for i in items]) or True
    return w


def click_node(qtbot: Any, w: Any, agent_id: str) -> None:
    node = w.canvas.item_for(agent_id)
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=w.canvas.mapFromScene(node.sceneBoundingRect().center()))
    assert w.controller.current_agent == agent_id


def choose(qtbot: Any, palette: Any, key: str) -> None:
    assert palette.select(key), key
    palette.tree.setFocus()


def test_the_dock_is_listed_in_view_with_every_section(window: Any):
    view = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    assert "Tools" in [a.text() for a in view.actions()]
    palette = window.tool_library
    assert window.docks["tools"].isVisible() and window.docks["tools"].widget() is palette
    assert [palette.sections[k].childCount() > 0 for k in ("team", "builtin", "function", "mcp")] == [True] * 4
    assert palette.item_for("builtin:http_get") is not None and palette.item_for("team:calc") is not None


def test_a_builtin_is_added_from_the_palette_and_checked_for_an_agent(qtbot: Any, window: Any):
    palette = window.tool_library
    click_node(qtbot, window, "b")
    choose(qtbot, palette, "builtin:current_datetime")
    qtbot.mouseClick(palette.add_button, Qt.MouseButton.LeftButton)
    assert window.controller.spec.tools["current_datetime"].builtin == "current_datetime"
    assert palette.current_key() == "team:current_datetime"  # the new entry is selected, ready to check
    item = palette.item_for("team:current_datetime")
    assert item.checkState(0) == Qt.CheckState.Unchecked
    qtbot.keyClick(palette.tree, Qt.Key.Key_Space)  # check it for the selected agent, from the keyboard
    assert window.controller.spec.agents["b"].tools == ["web", "current_datetime"]
    assert palette.item_for("team:current_datetime").checkState(0) == Qt.CheckState.Checked
    assert window.agent_panel.tools_list.item_for("current_datetime").checkState() == Qt.CheckState.Checked
    # Enter adds too (a second calculator gets its own id); the undo stack has one step per gesture.
    steps = window.controller.undo_stack.count()
    choose(qtbot, palette, "builtin:calculator")
    qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert window.controller.spec.tools["calculator"].builtin == "calculator"
    assert window.controller.undo_stack.count() == steps + 1


def test_functions_come_from_the_tools_folder_unimported_and_refresh(qtbot: Any, window: Any, tmp_path: Path):
    palette = window.tool_library
    item = palette.item_for("function:weather:forecast")
    assert item is not None and "(city: str, days: int=3) -> str" in item.text(0) and "Weather forecast" in item.text(0)
    texts = [palette.sections["function"].child(i).text(0) for i in range(palette.sections["function"].childCount())]
    assert "⚠ broken.py line 1: invalid syntax" in texts
    assert not (tmp_path / "tools" / "IMPORTED").exists()
    (tmp_path / "tools" / "texts.py").write_text('def shout(text: str) -> str:\n    """In capitals."""\n    return text\n')
    assert palette.item_for("function:texts:shout") is None
    qtbot.mouseClick(palette.refresh_button, Qt.MouseButton.LeftButton)
    assert palette.item_for("function:texts:shout") is not None
    choose(qtbot, palette, "function:texts:shout")
    palette.tree.scrollToItem(palette.item_for("function:texts:shout"))
    at = palette.tree.visualItemRect(palette.item_for("function:texts:shout")).center()
    qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)  # a double-click begins with a press
    qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert window.controller.spec.tools["shout"].function == "texts:shout"


def test_http_get_allow_hosts_error_is_shown_inline_then_a_valid_value_is_saved(qtbot: Any, window: Any):
    palette = window.tool_library
    choose(qtbot, palette, "team:web")
    qtbot.mouseClick(palette.options_button, Qt.MouseButton.LeftButton)
    dialog = palette.options_dialog
    assert dialog is not None and dialog.isVisible()
    hosts = dialog.findChild(QLineEdit, "option_allow_hosts")
    error = dialog.errors["allow_hosts"]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok_at = ok.mapTo(dialog, QPoint(0, 0))
    qtbot.keyClicks(hosts, "example.com, not/a/host")
    assert error.text() == "'not/a/host' is not a host name: write names like example.com, *.wikipedia.org or 127.0.0.1"
    assert ok.mapTo(dialog, QPoint(0, 0)) == ok_at, "the message moved the rows below it"
    steps = window.controller.undo_stack.count()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and window.controller.spec.tools["web"].options == {}  # nothing saved yet
    hosts.clear()
    qtbot.keyClicks(hosts, "example.com, *.wikipedia.org")
    assert error.text() == ""
    timeout = dialog.findChild(QLineEdit, "option_timeout")
    timeout.clear()
    qtbot.keyClicks(timeout, "12")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: palette.options_dialog is None)
    web = window.controller.spec.tools["web"]
    assert web.options == {"allow_hosts": ["example.com", "*.wikipedia.org"]} and web.timeout == 12
    assert window.controller.undo_stack.count() == steps + 1
    assert window.controller.undo_stack.undoText() == "Edit options of web"


def _drag(w: Any, mime: Any, pos: QPoint) -> QDropEvent:
    viewport = w.canvas.viewport()
    actions, buttons, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(pos.toPointF(), actions, mime, buttons, mods)
    if move.isAccepted():
        QApplication.sendEvent(viewport, drop)
    return move


class FakeDrag:
    """Stands in for QDrag, whose exec() runs a nested event loop that offscreen tests cannot steer."""

    made: ClassVar[list[FakeDrag]] = []

    def __init__(self, source: Any) -> None:
        self.mime: Any = None
        self.actions: Any = None
        FakeDrag.made.append(self)

    def setMimeData(self, mime: Any) -> None:  # noqa: N802 - QDrag's name
        self.mime = mime

    def setPixmap(self, pixmap: Any) -> None:  # noqa: N802
        assert not pixmap.isNull()

    def exec(self, actions: Any) -> Any:
        self.actions = actions
        return actions


def test_dropping_a_palette_entry_on_an_agent_node_adds_and_wires_it_in_one_step(qtbot: Any, window: Any, monkeypatch: Any):
    palette, controller = window.tool_library, window.controller
    monkeypatch.setattr("designer.ui.tools.palette_tree.QDrag", FakeDrag)
    FakeDrag.made.clear()
    choose(qtbot, palette, "builtin:read_text_file")
    palette.tree.startDrag(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction)  # what the view calls once the mouse moved
    assert [d.actions for d in FakeDrag.made] == [Qt.DropAction.CopyAction], "a move would take the entry out of the palette"
    mime = FakeDrag.made[0].mime
    assert palette.item_for("builtin:read_text_file") is not None
    node = window.canvas.item_for("b")
    steps = controller.undo_stack.count()
    away = window.canvas.mapFromScene(node.sceneBoundingRect().bottomRight()) + QPoint(150, 150)
    assert not _drag(window, mime, away).isAccepted(), "a drop beside the nodes is refused"
    assert controller.undo_stack.count() == steps
    on_b = window.canvas.mapFromScene(node.sceneBoundingRect().center())
    assert _drag(window, mime, on_b).isAccepted()
    assert controller.spec.tools["read_text_file"].builtin == "read_text_file"
    assert controller.spec.agents["b"].tools == ["web", "read_text_file"]
    assert controller.undo_stack.count() == steps + 1 and controller.undo_stack.undoText() == "Add tool read_text_file to b"
    # A tool the team has already is only wired.
    _drag(window, palette.tree.mimeData([palette.item_for("team:calc")]), on_b)
    assert controller.spec.agents["b"].tools == ["web", "read_text_file", "calc"] and len(controller.spec.tools) == 3
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert "read_text_file" not in controller.spec.tools and controller.spec.agents["b"].tools == ["web"]


def test_remove_takes_the_tool_from_every_agent_and_one_ctrl_z_restores_all(qtbot: Any, window: Any):
    palette, controller = window.tool_library, window.controller
    before = controller.spec
    choose(qtbot, palette, "team:web")
    qtbot.keyClick(palette.tree, Qt.Key.Key_Delete)
    assert "web" not in controller.spec.tools
    assert controller.spec.agents["a"].tools == ["calc"] and controller.spec.agents["b"].tools == []
    assert controller.undo_stack.undoText() == "Remove tool web"
    assert palette.item_for("team:web") is None and "took it from a, b" in palette.message.text()
    qtbot.keyClick(palette.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert controller.spec == before
    assert palette.item_for("team:web") is not None


def test_an_mcp_server_is_added_by_command_and_lists_its_tools_after_the_trust_question(qtbot: Any, window: Any):
    palette, controller = window.tool_library, window.controller
    qtbot.mouseClick(palette.server_button, Qt.MouseButton.LeftButton)
    dialog = palette.server_dialog
    qtbot.keyClicks(dialog.command_edit, sys.executable)
    qtbot.keyClicks(dialog.args_edit, str(FIXTURES / "mcp_server.py"))
    qtbot.keyClicks(dialog.env_edit, "API_KEY=sk-literal")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "API_KEY looks like a secret" in dialog.error.text() and not controller.spec.tools.get("mcp_server")
    dialog.env_edit.clear()
    qtbot.keyClicks(dialog.env_edit, "LOG_LEVEL=debug")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: palette.server_dialog is None)
    server = controller.spec.tools["mcp_server"].mcp
    assert server is not None and server.args == [str(FIXTURES / "mcp_server.py")] and server.env == {"LOG_LEVEL": "debug"}
    assert palette.current_key() == "team:mcp_server" and window.asked == []  # added, not started
    # No means nothing starts.
    window.preparation.ask = lambda items: window.asked.append("no") or False
    qtbot.mouseClick(palette.list_button, Qt.MouseButton.LeftButton)
    assert window.asked == ["no"] and palette.message.text() == "Not started: mcp_server's command is not trusted."
    window.preparation.ask = lambda items: window.asked.append([i.kind for i in items]) or True
    qtbot.mouseClick(palette.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not palette.tasks.busy("mcp"), timeout=30000)
    assert window.asked[1:] == [["mcp"]], palette.message.text()
    server_item = next(palette.sections["mcp"].child(i) for i in range(palette.sections["mcp"].childCount())
                       if palette.sections["mcp"].child(i).data(0, Qt.ItemDataRole.UserRole) == "team:mcp_server")
    listed = [server_item.child(i).text(0) for i in range(server_item.childCount())]
    assert "add — Add two whole numbers." in listed and "shout — The text in capitals." in listed
    assert palette.message.text().startswith("mcp_server offers 5 tools: add, shout")


def test_a_server_that_cannot_start_is_reported_in_plain_words(qtbot: Any, window: Any):
    palette, controller = window.tool_library, window.controller
    controller.edit("Add MCP server", __import__("designer.core.tool_edits").core.tool_edits.add_mcp_server,
                    sys.executable, ["-c", "import sys; sys.exit(3)"], tool_id="dead")
    choose(qtbot, palette, "team:dead")
    qtbot.mouseClick(palette.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not palette.tasks.busy("mcp"), timeout=90000)
    text = palette.message.text()
    assert text.startswith("Could not list the tools of dead: ") and "Traceback" not in text
    assert len(text.splitlines()) == 1


def test_try_opens_the_try_dialog_on_that_tool(qtbot: Any, window: Any):
    palette = window.tool_library
    choose(qtbot, palette, "team:calc")
    qtbot.mouseClick(palette.try_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in window.findChildren(ToolTryDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].tool_id == "calc"
    dialogs[0].close()
    qtbot.waitUntil(lambda: not window.findChildren(ToolTryDialog))


def test_try_a_tool_on_a_team_without_tools_offers_the_tools_dock(qtbot: Any, make_main_window: Any):
    w = make_main_window()
    w.window_actions["new"].trigger()
    w.docks["tools"].hide()
    offered: list[bool] = []
    w.tools_menu.ask_show_library = lambda: offered.append(True) or True
    w.tools_menu.try_action.trigger()
    assert offered == [True] and w.docks["tools"].isVisible()
    assert "add one from the Tools dock" in w.statusBar().currentMessage()
    assert w.tool_library.current_key() == "builtin:calculate_rectangle_area"  # ready for Enter


def test_the_palette_works_from_the_keyboard(qtbot: Any, window: Any):
    palette = window.tool_library
    qtbot.keyClicks(palette.filter_edit, "web page")
    assert palette.item_for("team:calc").isHidden() and not palette.item_for("builtin:http_get").isHidden()
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)  # into the palette, on the first match
    assert palette.current_key() == "team:web"
    qtbot.keyClick(palette.tree, Qt.Key.Key_Down)  # the Built-in heading (Left and Right fold it)
    qtbot.keyClick(palette.tree, Qt.Key.Key_Down)
    assert palette.current_key() == "builtin:http_get"
    qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert window.controller.spec.tools["http_get"].builtin == "http_get"
    qtbot.keyClick(palette.tree, Qt.Key.Key_Return)  # on a team entry, Enter opens its options
    assert palette.options_dialog is not None and palette.options_dialog.tool_id == "http_get"
    palette.options_dialog.reject()
    qtbot.waitUntil(lambda: palette.options_dialog is None)
    qtbot.keyClick(palette.tree, Qt.Key.Key_Delete)
    assert "http_get" not in window.controller.spec.tools and "web" in window.controller.spec.tools


def test_the_folders_in_settings_are_listed_too(qtbot: Any, window: Any, tmp_path: Path):
    from designer.ui import settings

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "texts.py").write_text('def shout(text: str) -> str:\n    """In capitals."""\n    return text\n')
    settings.put("tools/folders", [str(extra)])
    try:
        qtbot.mouseClick(window.tool_library.refresh_button, Qt.MouseButton.LeftButton)
        item = window.tool_library.item_for("function:texts:shout")
        assert item is not None and str(extra.resolve()) in item.toolTip(0)
    finally:
        settings.put("tools/folders", [])
