"""The Tools dock lists the tools of an MCP server at a URL (a real server on 127.0.0.1), after a
trust question that names the URL and the headers (secrets by reference) and says the server receives tool calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from PySide6.QtCore import Qt

from designer.core.trust import TrustStore, code_manifest
from designer.core.tool_introspect import ToolLocations
from designer.ui.dialogs.trust import TrustDialog
from tests.mcp_url_server import UrlServers

TOKEN = "tok-0b1c2d3e4f5a6b7c8d9e"


@pytest.fixture
def url() -> Iterator[str]:
    servers = UrlServers(TOKEN)
    yield servers.start("http")
    servers.stop()


def team_text(url: str) -> str:
    server = {"transport": "http", "url": url, "headers": {"Authorization": "Bearer env:MCP_UI_TOKEN"}}
    return "\n".join([
        "schema: team-designer/v1",
        "name: remote",
        "default_model: s",
        "models:",
        "  s: {provider: scripted, responses: [done]}",
        "tools:",
        f"  remote: {{mcp: {json.dumps(server)}}}",
        "agents:",
        "  a: {tools: [remote]}",
        "orchestration: {pattern: round_robin, participants: [a]}",
        "",
    ])


def test_listing_a_url_servers_tools_asks_first_then_shows_them(qtbot: Any, make_main_window: Any, url: str,
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MCP_UI_TOKEN", TOKEN)
    path = tmp_path / "team.yaml"
    path.write_text(team_text(url), encoding="utf-8")
    w = make_main_window(path)
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    asked: list[Any] = []
    w.preparation.ask = lambda items: asked.append(list(items)) or False
    palette = w.tool_library
    assert palette.select("team:remote")
    palette.tree.setFocus()
    assert url in palette.item_for("team:remote").text(0)  # the entry names its URL, not a command
    qtbot.mouseClick(palette.list_button, Qt.MouseButton.LeftButton)
    assert [i.kind for i in asked[0]] == ["remote"] and palette.message.text() == "Not contacted: remote's URL is not trusted."
    w.preparation.ask = lambda items: asked.append(list(items)) or True
    qtbot.mouseClick(palette.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not palette.tasks.busy("mcp"), timeout=30000)
    assert palette.message.text() == "remote offers 3 tools: add, secret_word, authorization"
    assert TOKEN not in palette.message.text()


def test_the_trust_dialog_says_what_a_url_server_receives(qtbot: Any, tmp_path: Path):
    from designer.core.validate import validate_text

    spec = validate_text(team_text("https://mcp.example.com/mcp")).spec
    assert spec is not None
    dialog = TrustDialog(code_manifest(spec, ToolLocations(base_dir=tmp_path)))
    qtbot.addWidget(dialog)
    assert "send tool calls to MCP servers at a URL" in dialog.intro.text()
    listing = dialog.listing.toPlainText()
    assert "url: https://mcp.example.com/mcp  (streamable HTTP)" in listing
    assert "header: Authorization: Bearer env:MCP_UI_TOKEN" in listing and "can reach it" in listing
