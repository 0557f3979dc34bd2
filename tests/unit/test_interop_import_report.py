"""What an import's report says about its losses: small hand-written components (as a user's
file holds them) read by import_team, and the report lines a user reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import main
from designer.core.interop import ImportedTeam, InteropError, TeamEntry, report_text
from designer.core.interop.components import read_component_file
from designer.core.interop.importer import import_team

FIXTURES = Path(__file__).parents[1] / "fixtures" / "interop"
OPENAI = {"provider": "autogen_ext.models.openai.OpenAIChatCompletionClient", "config": {"model": "gpt-4o-mini"}}


def agent(name: str, **config: Any) -> dict[str, Any]:
    return {"provider": "autogen_agentchat.agents.AssistantAgent", "component_type": "agent",
            "config": {"name": name, **config}}


def team(*participants: Any, provider: str = "RoundRobinGroupChat", **config: Any) -> dict[str, Any]:
    return {"provider": f"autogen_agentchat.teams.{provider}", "component_type": "team",
            "config": {"participants": list(participants), "max_turns": 2, **config}}


def imported(component: dict[str, Any], label: str = "T") -> tuple[ImportedTeam, str]:
    result = import_team(TeamEntry(label, "", component))
    return result, report_text(result.notes)


def mcp_http(url: str, token: str) -> dict[str, Any]:
    return {"provider": "autogen_ext.tools.mcp.McpWorkbench", "config": {"server_params": {
        "type": "StreamableHttpServerParams", "url": url, "headers": {"Authorization": f"Bearer {token}"}}}}


def mcp_stdio(package: str, token: str) -> dict[str, Any]:
    return {"provider": "autogen_ext.tools.mcp.McpWorkbench", "config": {"server_params": {
        "type": "StdioServerParams", "command": "npx", "args": ["-y", package], "env": {"GITHUB_TOKEN": token}}}}


def test_each_mcp_secret_gets_its_own_variable_and_the_note_names_the_server():
    benches = [mcp_http("https://api.githubcopilot.com/mcp/", "ghp-one-1111"), mcp_http("https://mcp.example.com/mcp", "two-2222"),
               mcp_stdio("server-github", "ghp-three-3333"), mcp_stdio("server-gitlab", "glpat-four-4444")]
    result, text = imported(team(agent("dev", model_client=OPENAI, workbench=benches)))
    servers = {tool_id: tool["mcp"] for tool_id, tool in result.data["tools"].items()}
    assert servers["api_githubcopilot_com"]["headers"] == {"Authorization": "Bearer env:API_GITHUBCOPILOT_COM_MCP_TOKEN"}
    assert servers["mcp_example_com"]["headers"] == {"Authorization": "Bearer env:MCP_EXAMPLE_COM_TOKEN"}
    # The first server keeps the variable's own name; a different token under that name gets the tool's.
    assert servers["server_github"]["env"] == {"GITHUB_TOKEN": "env:GITHUB_TOKEN"}
    assert servers["server_gitlab"]["env"] == {"GITHUB_TOKEN": "env:SERVER_GITLAB_GITHUB_TOKEN"}
    assert ("key: MCP server 'api_githubcopilot_com' (https://api.githubcopilot.com/mcp/) of agent 'dev': the "
            "Authorization header was not imported; the file refers to env:API_GITHUBCOPILOT_COM_MCP_TOKEN, "
            "set it before running") in text
    assert "key: MCP server 'server_gitlab' (npx server-gitlab) of agent 'dev': GITHUB_TOKEN was not imported" in text
    for secret in ("1111", "2222", "3333", "4444"):
        assert secret not in text and secret not in json.dumps(result.data)


def test_agents_on_another_model_are_reported_with_the_model_they_run_on():
    custom = {"provider": "my_pkg.MyClient", "label": "MyClient", "config": {}}
    result, text = imported(team(agent("a", model_client=OPENAI), agent("b"), agent("c", model_client=custom)))
    assert "agents" in result.data and result.data["default_model"] == "gpt_4o_mini"
    default = "the team's default model 'gpt_4o_mini' (openai gpt-4o-mini)"
    assert f"changed: agent 'b' has no model client; it runs on {default}" in text
    assert f"dropped: model client MyClient of agent 'c' — no equivalent; it runs on {default}" in text
    _, text = imported(team(agent("solo")))
    assert ("changed: agent 'solo' has no model client; it runs on the built-in embedded model SmolLM2-135M-Instruct "
            "(the file names no model the format can hold)") in text
    _, text = imported(team(agent("w", model_client=OPENAI), agent("r", model_client=OPENAI), provider="SelectorGroupChat"))
    assert ("changed: the selector of team 'T' has no model client; it runs on the model of its first participant "
            f"'w', {default}") in text


def test_a_system_message_that_is_no_text_and_a_second_agent_of_one_name_are_reported():
    result, text = imported(team(agent("critic", model_client=OPENAI, system_message=5),
                                 agent("critic", model_client=OPENAI, system_message="Second.")))
    assert "system_message" not in result.data["agents"]["critic"]
    assert "dropped: the system message of agent 'critic' — it is not text (int), so the file has none" in text
    assert result.data["orchestration"]["participants"] == ["critic"]
    assert result.data["agents"]["critic_2"]["system_message"] == "Second."
    assert ("changed: a second agent named 'critic' in team 'T' is agent 'critic_2' of the file, not a participant "
            "(AgentChat refuses two participants of one name): add it to the team if you want it") in text


def test_a_dropped_participants_name_left_in_prompts_is_listed_by_field():
    entry = next(e for e in read_component_file(FIXTURES / "autogenstudio_default_gallery.json") if "Operator" in e.label)
    result = import_team(entry)
    text = report_text(result.notes)
    assert "dropped: MultimodalWebSurfer 'websurfer_agent'" in text
    assert ("changed: 'websurfer_agent' was left out of team 'Web Agent Team (Operator)' but is still named in "
            "agents.assistant_agent.system_message, agents.user_proxy.description, orchestration.selector_prompt: "
            "edit those texts") in text
    assert "websurfer_agent" in result.data["orchestration"]["selector_prompt"]  # reported, not rewritten


@pytest.mark.parametrize(("participants", "reason"), [("oops", "its participants are not a list of agents"),
                                                      ([], "it has no participants"),
                                                      ([5], "participant 1 of team 'Wrongshape' — not an agent component")])
def test_a_team_of_the_wrong_shape_says_what_is_wrong(participants: Any, reason: str):
    with pytest.raises(InteropError) as caught:
        import_team(TeamEntry("Wrongshape", "", team(participants=participants)))
    assert str(caught.value) == f"nothing of the team 'Wrongshape' can be imported: {reason}"


def test_the_cli_prints_the_reason_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    source = tmp_path / "wrong.json"
    source.write_text(json.dumps({**team(participants=[]), "label": "Wrongshape"}))
    assert main(["import", str(source), str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: nothing of the team 'Wrongshape' can be imported: it has no participants"
    assert not (tmp_path / "out.yaml").exists()
