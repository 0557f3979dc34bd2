"""The AgentChat JSON export's parts: tools read from source, model clients without keys, the
patterns' shapes, and what the report says. Loaded and run with plain AgentChat (scripted models)."""

from __future__ import annotations

import asyncio
import json
import textwrap
import warnings
from pathlib import Path
from typing import Any, Callable

import pytest

from designer.core.interop import report_text
from designer.runtime.export_json import export_agentchat_json


def load(text: str) -> Any:
    from autogen_agentchat.base import Team

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FunctionTool's "runs code" warning: these tools are the test's own
        return Team.load_component(json.loads(text))


def first_agent(data: dict[str, Any]) -> dict[str, Any]:
    return data["config"]["participants"][0]["config"]


def tools_of(agent: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # Plain tools sit in the agent's `tools` (what AgentChat 0.5 and 0.7 both read); beside MCP
    # servers, in a static workbench.
    own = list(agent.get("tools") or [])
    own += [t for wb in agent.get("workbench") or [] for t in wb["config"].get("tools", [])]
    return {t["config"]["name"]: t for t in own}


def run_tool(tool_component: dict[str, Any], args: dict[str, Any]) -> Any:
    from autogen_core import CancellationToken
    from autogen_core.tools import BaseTool

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tool = BaseTool.load_component(tool_component)
    return asyncio.run(tool.run_json(args, CancellationToken()))


ONE_AGENT = """\
schema: team-designer/v1
name: T
models:
  m: {{provider: scripted, responses: [done]}}
default_model: m
tools:
{tools}
agents:
  a: {{system_message: Go., tools: [{ids}]}}
orchestration: {{pattern: sequential, order: [a]}}
termination: {{max_messages: 3}}
"""


def one_agent_team(make_spec: Callable[..., Any], tools: dict[str, str]) -> Any:
    lines = "\n".join(f"  {k}: {v}" for k, v in tools.items())
    return make_spec(ONE_AGENT.format(tools=lines, ids=", ".join(tools)))


def test_a_function_tool_travels_as_its_source_with_its_helpers_and_imports(tmp_path: Path, make_spec: Any) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "words.py").write_text(textwrap.dedent('''\
        from __future__ import annotations

        import math
        import os  # not used by the tool: not imported by the JSON
        from collections import Counter as Tally

        SCALE = 10


        def longest(text: str, top: int = 1) -> str:
            """The most common words of a text, scaled."""
            counts = Tally(_words(text))
            return ", ".join(f"{w}:{math.ceil(n * SCALE)}" for w, n in counts.most_common(top))


        def _words(text: str) -> list[str]:
            return text.lower().split()
        '''))
    spec = one_agent_team(make_spec, {"longest": "{function: 'words:longest'}"})
    team_file = tmp_path / "team.yaml"
    out = export_agentchat_json(spec, team_file)
    tool = tools_of(first_agent(json.loads(out.text)))["longest"]
    config = tool["config"]
    assert config["source_code"].index("def longest") < config["source_code"].index("def _words")
    assert "import os" not in config["source_code"]
    assert {"module": "collections", "imports": [{"name": "Counter", "alias": "Tally"}]} in config["global_imports"]
    assert config["description"] == "The most common words of a text, scaled."
    assert run_tool(tool, {"text": "b a b", "top": 1}) == "b:20"
    assert "AgentChat runs it when the team is loaded" in report_text(out.notes)
    assert load(out.text) is not None


def test_a_tool_importing_its_own_folder_is_dropped_with_a_reason(tmp_path: Path, make_spec: Any) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "helper.py").write_text("def twice(x: int) -> int:\n    return 2 * x\n")
    (tmp_path / "tools" / "calc.py").write_text("from .helper import twice\n\n\ndef quad(x: int) -> int:\n"
                                                "    \"\"\"Four times x.\"\"\"\n    return twice(twice(x))\n")
    spec = one_agent_team(make_spec, {"quad": "{function: 'calc:quad'}"})
    out = export_agentchat_json(spec, tmp_path / "team.yaml")
    assert "quad" not in tools_of(first_agent(json.loads(out.text)))
    assert "dropped: tool 'quad': it imports twice from a module of its own folder" in report_text(out.notes)


def test_builtins_are_inlined_when_self_contained_else_dropped(make_spec: Any) -> None:
    spec = one_agent_team(make_spec, {"calculator": "{builtin: calculator}", "now": "{builtin: current_datetime}",
                                      "fetch": "{builtin: http_get, options: {allow_hosts: [example.com]}}"})
    out = export_agentchat_json(spec, None)
    tools = tools_of(first_agent(json.loads(out.text)))
    assert set(tools) == {"calculator", "now"}
    assert run_tool(tools["calculator"], {"expression": "(3 + 4) * 2"}) == 14
    assert "(" in run_tool(tools["now"], {"timezone": "UTC"})
    assert "dropped: tool 'fetch': it is a built-in that needs this product's run" in report_text(out.notes)


MODELS = """\
schema: team-designer/v1
name: Models
models:
  az: {provider: azure_openai, model: gpt-4o, base_url: "https://r.openai.azure.com/", deployment: d, api_version: "2024-10-21"}
  gem: {provider: gemini, model: gemini-2.0-flash}
  local: {provider: ollama, model: llama3.2, options: {temperature: 0.1, repeat_penalty: 1.1}}
  srv: {provider: openai_compatible, model: q, base_url: "http://127.0.0.1:9999/v1", api_key: "env:SRV_KEY",
        model_info: {function_calling: true}}
agents:
  a: {model: az}
  b: {model: gem}
  c: {model: local}
  d: {model: srv}
orchestration: {pattern: round_robin, participants: [a, b, c, d]}
termination: {max_messages: 4}
"""


def test_each_provider_becomes_its_autogen_ext_client_without_a_key(make_spec: Any, monkeypatch: Any) -> None:
    out = export_agentchat_json(make_spec(MODELS), None)
    clients = [p["config"]["model_client"] for p in json.loads(out.text)["config"]["participants"]]
    assert [c["provider"].rsplit(".", 1)[1] for c in clients] == ["AzureOpenAIChatCompletionClient"] + ["OpenAIChatCompletionClient"] * 3
    assert clients[0]["config"]["azure_deployment"] == "d" and "api_key" not in clients[0]["config"]
    assert clients[1]["config"]["base_url"].startswith("https://generativelanguage.googleapis.com")
    assert clients[2]["config"] == {**clients[2]["config"], "base_url": "http://127.0.0.1:11434/v1", "api_key": "not-needed",
                                    "temperature": 0.1}
    assert "api_key" not in clients[3]["config"]
    report = report_text(out.notes)
    assert "key: model 'srv': set SRV_KEY and pass it as api_key" in report
    assert "key: model 'az': set AZURE_OPENAI_API_KEY" in report and "key: model 'gem': set GEMINI_API_KEY" in report
    assert "dropped: model 'local': repeat_penalty" in report
    assert "info: model 'az': loading AzureOpenAIChatCompletionClient needs autogen-ext[azure]" in report
    for name in ("AZURE_OPENAI_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.setenv(name, "fake-for-loading")
    from autogen_agentchat.base import ChatAgent

    # The Azure client's loader imports the azure package (autogen-ext[azure]), not installed here.
    agents = [ChatAgent.load_component(p) for p in json.loads(out.text)["config"]["participants"][1:]]
    assert [a.name for a in agents] == ["b", "c", "d"]


def test_an_exported_scripted_team_runs_in_plain_agentchat(make_spec: Any) -> None:
    spec = make_spec("""\
        schema: team-designer/v1
        name: Scripted
        models:
          w: {provider: scripted, responses: [{tool_calls: [{name: calculator, arguments: {expression: "6 * 7"}}]}, "It is 42."]}
          c: {provider: scripted, responses: ["APPROVE"]}
        tools:
          calculator: {builtin: calculator}
        agents:
          writer: {model: w, tools: [calculator], reflect_on_tool_use: true}
          critic: {model: c}
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {text: APPROVE, max_messages: 10}
        """)
    team = load(export_agentchat_json(spec, None).text)
    result = asyncio.run(team.run(task="What is 6 * 7?"))
    chat = [(m.source, type(m).__name__) for m in result.messages]
    assert chat == [("user", "TextMessage"), ("writer", "ToolCallRequestEvent"), ("writer", "ToolCallExecutionEvent"),
                    ("writer", "TextMessage"), ("critic", "TextMessage")]
    assert "42" in str(result.messages[2].content[0].content)


def test_patterns_keep_their_shape_and_say_what_agentchat_cannot_hold(make_spec: Any) -> None:
    spec = make_spec("""\
        schema: team-designer/v1
        name: Shapes
        inputs: {topic: {default: bees}}
        models:
          m: {provider: scripted, responses: [ok]}
        default_model: m
        agents:
          lead: {system_message: "Lead on {topic}."}
          solo: {description: Does one thing.}
          inner_team: {kind: team, team: pair, description: A pair.}
          x: {}
          y: {}
        teams:
          pair:
            orchestration: {pattern: round_robin, participants: [x, y]}
            termination: {max_messages: 3}
        orchestration: {pattern: hierarchical, coordinator: lead, workers: [solo, inner_team]}
        termination: {max_messages: 10, max_turns: 3}
        """)
    out = export_agentchat_json(spec, None)
    data = json.loads(out.text)
    assert data["config"]["max_turns"] == 3
    lead = first_agent(data)
    assert lead["system_message"] == "Lead on bees."
    assert lead["model_client"]["provider"].endswith("ReplayChatCompletionClient")
    workers = lead["tools"]
    assert [w["provider"] for w in workers] == ["autogen_agentchat.tools.AgentTool", "autogen_agentchat.tools.TeamTool"]
    conditions = data["config"]["termination_condition"]["config"]["conditions"]
    assert {"sources": ["lead"]} in [c["config"] for c in conditions]
    team = load(out.text)
    assert [p.name for p in team._participants] == ["lead"]
    assert "changed: agent 'lead''s system message: the inputs' {placeholders} are filled" in report_text(out.notes)


def test_graph_and_selector_losses_are_reported(make_spec: Any) -> None:
    spec = make_spec("""\
        schema: team-designer/v1
        name: G
        models:
          m: {provider: scripted, responses: [ok]}
        default_model: m
        agents: {a: {}, b: {}, c: {}}
        orchestration:
          pattern: graph
          entry: a
          edges:
          - {from: a, to: b, when: {contains: 'YES'}}
          - {from: a, to: c, when: {not_contains: 'YES'}}
        termination: {max_messages: 5}
        """)
    out = export_agentchat_json(spec, None)
    graph = json.loads(out.text)["config"]["graph"]
    assert graph["nodes"]["a"]["edges"] == [{"target": "b", "condition": "YES", "activation_group": "b", "activation_condition": "any"}]
    assert "dropped: edge a -> c (when not_contains 'YES')" in report_text(out.notes)
    sel = make_spec("""\
        schema: team-designer/v1
        name: S
        models:
          m: {provider: scripted, responses: [a]}
        default_model: m
        agents: {a: {description: A.}, b: {description: B.}}
        orchestration: {pattern: selector, participants: [a, b], allowed_transitions: {a: [b]}, max_selector_attempts: 2}
        termination: {max_messages: 5}
        """)
    out = export_agentchat_json(sel, None)
    config = json.loads(out.text)["config"]
    assert config["max_selector_attempts"] == 2 and "{roles}" in config["selector_prompt"]
    assert "dropped: allowed_transitions (a -> b)" in report_text(out.notes)
    assert type(load(out.text)).__name__ == "SelectorGroupChat"


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_keyring_key_is_never_resolved(make_spec: Any, provider: str, memory_keyring: Any) -> None:
    from designer.core.secrets import KEYRING_SERVICE

    import keyring

    keyring.set_password(KEYRING_SERVICE, "team_key", "sk-planted-keyring-0123456789")
    spec = make_spec(f"""\
        schema: team-designer/v1
        name: K
        models:
          m: {{provider: {provider}, model: some-model, api_key: "keyring:team_key", model_info: {{function_calling: true}}}}
        default_model: m
        agents: {{a: {{}}}}
        orchestration: {{pattern: sequential, order: [a]}}
        termination: {{max_messages: 2}}
        """)
    out = export_agentchat_json(spec, None)
    assert "sk-planted-keyring" not in out.text + report_text(out.notes)
    assert "keyring as team_key" in report_text(out.notes)


def test_plain_tools_are_written_where_agentchat_0_5_and_0_7_both_read_them(make_spec: Any) -> None:
    # AutoGen Studio 0.4.2 runs on AgentChat 0.5, whose `workbench` is one component where 0.7's is a
    # list: a JSON with a workbench loads in only one of them, `tools` in both
    # (scripts/check_autogenstudio_load.sh loads every example there).
    plain = first_agent(json.loads(export_agentchat_json(one_agent_team(make_spec, {"calculator": "{builtin: calculator}"}), None).text))
    assert [t["config"]["name"] for t in plain["tools"]] == ["calculator"] and plain.get("workbench") is None
    # Beside an MCP server there is no common form: 0.7's list, and the report says so.
    server = "{mcp: {command: python, args: [server.py]}}"
    out = export_agentchat_json(one_agent_team(make_spec, {"calculator": "{builtin: calculator}", "files": server}), None)
    agent = first_agent(json.loads(out.text))
    assert agent.get("tools") is None and [w["provider"].rsplit(".", 1)[-1] for w in agent["workbench"]] == [
        "StaticStreamWorkbench", "McpWorkbench"]
    assert "AutoGen Studio 0.4.2, on AgentChat 0.5, reads a single workbench" in report_text(out.notes)


def test_the_embedded_models_description_and_note_give_the_same_server_command(make_spec: Any) -> None:
    # A user copies the command from either place: both must start the server the client needs.
    spec = make_spec("""\
        schema: team-designer/v1
        name: E
        models: {small: {provider: embedded}}
        default_model: small
        agents: {a: {system_message: Go.}}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {max_messages: 2}
        """)
    out = export_agentchat_json(spec, None)
    client = first_agent(json.loads(out.text))["model_client"]
    command = client["description"].split("started as: ", 1)[1]
    assert command.startswith("python -m llama_cpp.server --model ")
    assert command.endswith("--model_alias SmolLM2-135M-Instruct --port 8080 --n_ctx 4096 --chat_format chatml-function-calling")
    note = next(n.text for n in out.notes if n.level == "info" and "llama.cpp server" in n.text)
    assert note.endswith(f"start one with: {command}")
