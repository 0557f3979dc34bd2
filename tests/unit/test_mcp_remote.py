"""MCP servers at a URL, from the file alone: located checks, the trust item, the environment rule.

The runs (a real server over SSE and streamable HTTP) are in tests/e2e/test_mcp_http.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designer.core.child_env import child_environment, referenced_secrets, referenced_variables
from designer.core.mcp_headers import header_reference
from designer.core.tool_catalog import describe_tool
from designer.core.tool_introspect import ToolLocations
from designer.core.tool_library import base_id
from designer.core.trust import TrustStore, code_manifest, describe_items
from designer.core.validate import validate_text


def team(server: str) -> str:
    return f"""\
schema: team-designer/v1
name: t
default_model: s
models:
  s: {{provider: scripted, responses: ["done"]}}
tools:
  remote:
    mcp: {server}
agents:
  a: {{tools: [remote]}}
orchestration: {{pattern: round_robin, participants: [a]}}
"""


def problems(server: str) -> list[tuple[str, str, str, int | None]]:
    result = validate_text(team(server), "t.yaml")
    return [(p.severity, p.dotted_path, p.message, p.line) for p in result.problems]


def test_a_url_server_over_https_with_a_referenced_token_is_fine():
    assert problems('{transport: http, url: "https://mcp.example.com/mcp", '
                    'headers: {Authorization: "Bearer env:MCP_TOKEN", Accept: application/json}}') == []
    assert problems('{transport: sse, url: "http://127.0.0.1:8000/sse", headers: {X-Api-Key: "keyring:mcp"}}') == []


def test_secret_literals_in_headers_or_the_url_are_errors_at_their_line():
    found = problems('{transport: http, url: "https://mcp.example.com/mcp", headers: {Authorization: "Bearer sk-proj-abcdefgh12345678"}}')
    assert [(s, p, line) for s, p, _, line in found] == [("error", "tools.remote.mcp.headers.Authorization", 8)]
    assert "looks like a secret" in found[0][2]
    result = validate_text(team('{transport: http, url: "https://x.example/mcp", headers: {X-Api-Key: hunter2hunter2}}'))
    assert result.problems[0].hint.startswith("e.g. env:X_API_KEY")
    # A token without a telling name is caught by its shape; plain values are not.
    shaped = problems('{transport: http, url: "https://x.example/mcp", headers: {X-Thing: "a8F3kQ9zL2mN7pR4tV6wX1yB5cD0eG"}}')
    assert shaped[0][0] == "error"
    assert problems('{transport: http, url: "https://x.example/mcp", headers: {X-Client: team-designer}}') == []
    assert [p[1] for p in problems('{transport: http, url: "https://ada:pw@x.example/mcp"}')] == ["tools.remote.mcp.url"]
    assert "secret" in problems('{transport: http, url: "https://x.example/mcp?api_key=abc123456"}')[0][2]
    assert "not a header name" in problems('{transport: http, url: "https://x.example/mcp", headers: {"bad name": x}}')[0][2]
    assert "cannot carry" in problems('{transport: http, url: "https://x.example/mcp", headers: {X-Team: "Café"}}')[0][2]


def test_plain_http_to_another_computer_is_a_warning():
    found = problems('{transport: sse, url: "http://10.1.2.3:8000/sse"}')
    assert [(s, p) for s, p, _, _ in found] == [("warning", "tools.remote.mcp.url")] and "unencrypted" in found[0][2]
    assert problems('{transport: sse, url: "http://localhost:8000/sse"}') == []
    assert problems('{transport: http, url: "http://[::1]:8000/mcp"}') == []


def test_fields_of_the_other_transport_are_refused_where_written():
    result = validate_text(team('{transport: http, command: npx, url: "https://x.example/mcp"}'), "t.yaml")
    assert result.spec is None and result.problems[0].line == 8 and "'command'" in result.problems[0].message
    assert "needs 'url'" in validate_text(team("{transport: sse}")).problems[0].message
    assert "needs 'command'" in validate_text(team("{args: [x]}")).problems[0].message


def test_header_references_with_and_without_a_scheme():
    assert header_reference("env:T") == ("", "env:T")
    assert header_reference("Bearer env:MCP_TOKEN") == ("Bearer ", "env:MCP_TOKEN")
    assert header_reference("Bearer sk-123") is None and header_reference("two words env:X") is None


def spec_of(server: str) -> Any:
    result = validate_text(team(server))
    assert result.spec is not None, result.problems
    return result.spec


def test_trust_covers_the_url_and_the_headers_with_secrets_as_references(tmp_path: Path):
    spec = spec_of('{transport: http, url: "https://mcp.example.com/mcp", headers: {Authorization: "Bearer env:MCP_TOKEN"}}')
    [item] = code_manifest(spec, ToolLocations(base_dir=tmp_path))
    assert item.kind == "remote" and item.url == "https://mcp.example.com/mcp"
    assert item.headers == (("Authorization", "Bearer env:MCP_TOKEN"),)
    text = describe_items([item])
    assert "url: https://mcp.example.com/mcp  (streamable HTTP)" in text and "header: Authorization: Bearer env:MCP_TOKEN" in text
    assert "receives" in text and not item.command and not item.files
    store = TrustStore(tmp_path / "trust.json")
    store.trust([item])
    assert store.untrusted([item]) == []
    moved = code_manifest(spec_of('{transport: http, url: "https://evil.example/mcp", headers: {Authorization: "Bearer env:MCP_TOKEN"}}'),
                          ToolLocations(base_dir=tmp_path))
    more = code_manifest(spec_of('{transport: http, url: "https://mcp.example.com/mcp", '
                                 'headers: {Authorization: "Bearer env:MCP_TOKEN", X-Extra: "1"}}'), ToolLocations(base_dir=tmp_path))
    other_key = code_manifest(spec_of('{transport: http, url: "https://mcp.example.com/mcp", '
                                      'headers: {Authorization: "Bearer env:OPENAI_API_KEY"}}'), ToolLocations(base_dir=tmp_path))
    assert len(store.untrusted(moved)) == 1 and len(store.untrusted(more)) == 1, "another URL or header asks again"
    assert len(store.untrusted(other_key)) == 1, "sending another secret to the server asks again"


def test_header_references_are_secrets_of_the_team_and_stay_out_of_child_processes():
    spec = spec_of('{transport: sse, url: "https://x.example/sse", headers: {Authorization: "Bearer env:MCP_PAT", X-Key: "keyring:mcp"}}')
    assert "MCP_PAT" in referenced_variables(spec)
    assert referenced_secrets(spec)[-2:] == ["env:MCP_PAT", "keyring:mcp"]
    assert "MCP_PAT" not in child_environment(spec, {"PATH": "/bin", "MCP_PAT": "secret-value"})


def test_the_library_names_and_describes_a_url_server():
    spec = spec_of('{transport: sse, url: "https://tools.example.com/sse"}')
    assert base_id(spec.tools["remote"]) == "tools"
    assert base_id(spec_of('{transport: http, url: "http://127.0.0.1:9/mcp"}').tools["remote"]) == "mcp"
    assert "https://tools.example.com/sse (SSE)" in describe_tool("remote", spec.tools["remote"], None).description


def test_a_url_server_round_trips_and_writes_only_what_was_set():
    from designer.core.teamfile import dump_team

    text = dump_team(spec_of('{transport: sse, url: "https://x.example/sse", headers: {Authorization: "Bearer env:MCP_PAT"}}'))
    reloaded = validate_text(text).spec
    assert reloaded is not None and dump_team(reloaded) == text
    block = text.split("tools:", 1)[1].split("agents:", 1)[0]
    assert "transport: sse" in block and "url: https://x.example/sse" in block and "Bearer env:MCP_PAT" in block
    assert "command" not in block and "args" not in block and "env:" not in block.replace("env:MCP_PAT", "")


def test_designer_validate_reports_a_header_secret_and_a_clear_text_url_at_their_lines(tmp_path: Path, capsys: Any):
    from designer.cli.main import main

    file = tmp_path / "t.yaml"
    file.write_text(team('\n      transport: http\n      url: "http://mcp.example.com/mcp"\n'
                         '      headers: {Authorization: "Bearer ghp_abcdefghij1234567890"}'), encoding="utf-8")
    assert main(["validate", str(file)]) == 2
    out = capsys.readouterr()
    lines = (out.out + out.err).splitlines()
    assert any(line.startswith(f"{file}:11:") and "Authorization looks like a secret" in line for line in lines), lines
    assert any(line.startswith(f"{file}:10:") and "unencrypted" in line for line in lines), lines
    assert "ghp_abcdefghij1234567890" not in out.out + out.err
