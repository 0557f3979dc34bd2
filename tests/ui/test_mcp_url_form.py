"""The Tools dock's "Add MCP server" form for a server at a URL: the transport choice shows the URL
and header fields, a secret typed as a header value is refused in words (nothing is added), a
reference is written, and the saved file reloads equal."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from designer.core.edits import new_team
from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team
from designer.ui.tools.options_dialog import AddMcpServerDialog


def open_form(qtbot: Any, make_controller: Any) -> tuple[Any, AddMcpServerDialog]:
    controller = make_controller(new_team())
    dialog = AddMcpServerDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return controller, dialog


def test_a_url_server_with_a_header_reference_is_added(qtbot, make_controller):
    controller, dialog = open_form(qtbot, make_controller)
    assert dialog.command_edit.isVisibleTo(dialog) and not dialog.url_edit.isVisibleTo(dialog)
    dialog.transport_combo.setCurrentIndex(dialog.transport_combo.findData("http"))
    assert dialog.url_edit.isVisibleTo(dialog) and dialog.headers_edit.isVisibleTo(dialog)
    assert not dialog.command_edit.isVisibleTo(dialog) and not dialog.env_edit.isVisibleTo(dialog)
    before = controller.spec
    qtbot.keyClicks(dialog.name_edit, "search")
    qtbot.keyClicks(dialog.url_edit, "http://127.0.0.1:8000/mcp")
    dialog.headers_edit.setFocus()
    qtbot.keyClicks(dialog.headers_edit, "Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz123456")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK
    assert controller.spec == before and dialog.isVisible()
    assert "env:" in dialog.error.text()  # the secret is refused, with how to write it
    dialog.headers_edit.clear()
    qtbot.keyClicks(dialog.headers_edit, "Authorization: Bearer env:SEARCH_TOKEN")
    qtbot.keyClick(dialog.headers_edit, Qt.Key.Key_Return)  # a new line in the headers, not OK
    qtbot.keyClicks(dialog.headers_edit, "X-Team: designers")
    dialog.url_edit.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.added == "search" and not dialog.isVisible()
    server = controller.spec.tools["search"].mcp
    assert (server.transport, server.url, server.command) == ("http", "http://127.0.0.1:8000/mcp", None)
    assert server.headers == {"Authorization": "Bearer env:SEARCH_TOKEN", "X-Team": "designers"}
    text = dump_team(controller.spec)
    assert "sk-" not in text and "Bearer env:SEARCH_TOKEN" in text
    assert parse_team(text).spec == controller.spec
    controller.undo_stack.undo()
    assert controller.spec == before


def test_a_bad_url_or_header_line_is_said_in_words(qtbot, make_controller):
    controller, dialog = open_form(qtbot, make_controller)
    dialog.transport_combo.setCurrentIndex(dialog.transport_combo.findData("sse"))
    before = controller.spec
    qtbot.keyClicks(dialog.url_edit, "ftp://example.org/sse")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "http:// or https://" in dialog.error.text() and controller.spec == before
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "https://example.org/sse")
    dialog.headers_edit.setPlainText("no colon here")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "Name: value" in dialog.error.text() and controller.spec == before
    dialog.headers_edit.clear()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert controller.spec.tools[dialog.added].mcp.transport == "sse"
