"""Mapping details of `import`: AgentChat components (built here with AgentChat itself and dumped
with dump_component(), as a user's file would be) read as data into a team file's mapping.

Every result has passed TeamSpec and the validator inside import_team; the tests check what
each AgentChat class became and what the report says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat.agents import (
    AssistantAgent,
    CodeExecutorAgent,
    MessageFilterAgent,
    MessageFilterConfig,
    PerSourceFilter,
    SocietyOfMindAgent,
    UserProxyAgent,
)
from autogen_agentchat.conditions import (
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    StopMessageTermination,
    TextMentionTermination,
    TextMessageTermination,
    TimeoutTermination,
    TokenUsageTermination,
)
from autogen_agentchat.teams import MagenticOneGroupChat, RoundRobinGroupChat, SelectorGroupChat, Swarm
from autogen_agentchat.tools import AgentTool, TeamTool
from autogen_core.memory import ListMemory, MemoryContent, MemoryMimeType
from autogen_core.model_context import BufferedChatCompletionContext, HeadAndTailChatCompletionContext
from autogen_core.model_context import TokenLimitedChatCompletionContext
from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor
from autogen_ext.models.anthropic import AnthropicChatCompletionClient
from autogen_ext.models.openai import OpenAIChatCompletionClient
from autogen_ext.tools.mcp import McpWorkbench, StdioServerParams, StreamableHttpServerParams
from pydantic import BaseModel, SecretStr

from designer.core.interop import ImportedTeam, InteropError, TeamEntry, report_text
from designer.core.interop.components import parse_components
from designer.core.interop.importer import import_team
from designer.core.interop.save_import import default_out_path, save_import
from designer.core.validate import validate_file

KEY = "sk-fixture-unit-0000000000000000"


def client(model: str = "gpt-4o-mini", **kwargs: Any) -> OpenAIChatCompletionClient:
    return OpenAIChatCompletionClient(model=model, api_key=KEY, **kwargs)


def dumped(component: Any, *, keep_key: bool = True) -> dict[str, Any]:
    """The JSON a user's file holds: with the key as written by hand, or masked as AgentChat's
    model_dump_json writes it."""
    model = component.dump_component()
    if not keep_key:
        return json.loads(model.model_dump_json())
    return json.loads(json.dumps(model.model_dump(), default=lambda v: v.get_secret_value() if isinstance(v, SecretStr) else str(v)))


def imported(team: Any, **kwargs: Any) -> ImportedTeam:
    return import_team(TeamEntry(label="T", description="", component=dumped(team, **kwargs)))


def report(result: ImportedTeam) -> str:
    return report_text(result.notes)


def test_a_hierarchy_of_agent_tools_and_a_team_tool_becomes_the_hierarchical_pattern():
    inner = RoundRobinGroupChat([AssistantAgent("checker", client()), AssistantAgent("fixer", client())],
                                termination_condition=MaxMessageTermination(3))
    lead = AssistantAgent("lead", client(), tools=[
        AgentTool(AssistantAgent("writer", client(), description="Writes."), return_value_as_last_message=True),
        TeamTool(inner, name="review", description="Reviews the text.", return_value_as_last_message=True)])
    data = imported(RoundRobinGroupChat([lead], termination_condition=SourceMatchTermination(["lead"]))).data
    assert data["orchestration"] == {"pattern": "hierarchical", "coordinator": "lead", "workers": ["writer", "review"]}
    assert data["agents"]["review"] == {"kind": "team", "team": "review", "description": "Reviews the text."}
    assert data["teams"]["review"]["orchestration"] == {"pattern": "round_robin", "participants": ["checker", "fixer"]}
    assert data["teams"]["review"]["termination"] == {"max_messages": 3}
    # The coordinator's answer ending the run is the pattern itself; the default bound keeps it bounded.
    assert data["termination"] == {"max_messages": 20, "timeout": 600.0}


def test_a_society_of_mind_agent_is_a_team_agent_with_its_inner_team():
    inner = RoundRobinGroupChat([AssistantAgent("a", client()), AssistantAgent("b", client())], max_turns=2)
    som = SocietyOfMindAgent("research", team=inner, model_client=client(), instruction="Sum it up.")
    result = imported(RoundRobinGroupChat([som, AssistantAgent("writer", client())], termination_condition=MaxMessageTermination(5)))
    agents, teams = result.data["agents"], result.data["teams"]
    assert agents["research"] == {"kind": "team", "team": "research"}
    assert teams["research"]["instruction"] == "Sum it up." and "summary_prompt" not in teams["research"]  # AgentChat's default
    assert teams["research"]["termination"]["max_turns"] == 2
    assert "changed: the inner team of agent 'research' had no condition that always ends a run" not in report(result)
    assert result.data["orchestration"]["participants"] == ["research", "writer"]


def test_agent_parts_context_memory_output_schema_filter():
    class City(BaseModel):
        name: str
        population: int

    notes = ListMemory(name="trip notes", memory_contents=[MemoryContent(content="No meat.", mime_type=MemoryMimeType.TEXT)])
    a = AssistantAgent("planner", client(), memory=[notes], model_context=BufferedChatCompletionContext(buffer_size=4),
                       output_content_type=City, reflect_on_tool_use=True, max_tool_iterations=3)
    b = AssistantAgent("judge", client(), model_context=TokenLimitedChatCompletionContext(client(), token_limit=2000))
    judge = MessageFilterAgent("judge", b, MessageFilterConfig(per_source=[
        PerSourceFilter(source="user", position="first", count=1), PerSourceFilter(source="planner", position="last", count=1)]))
    c = AssistantAgent("head_tail", client(), model_context=HeadAndTailChatCompletionContext(head_size=1, tail_size=2))
    result = imported(RoundRobinGroupChat([a, judge, c], max_turns=3))
    agents = result.data["agents"]
    assert agents["planner"]["context"] == {"last_messages": 4}
    assert agents["planner"]["memory"] == ["trip_notes"]
    assert result.data["memories"] == {"trip_notes": {"entries": ["No meat."]}}
    assert agents["planner"]["output_schema"]["required"] == ["name", "population"]
    assert agents["planner"]["reflect_on_tool_use"] is True and agents["planner"]["max_tool_iterations"] == 3
    assert agents["judge"]["context"] == {"max_tokens": 2000}
    assert agents["judge"]["sees"] == [{"source": "user", "first": 1}, {"source": "planner", "last": 1}]
    assert "context" not in agents["head_tail"]
    assert "dropped: HeadAndTailChatCompletionContext of agent 'head_tail' — no equivalent" in report(result)
    assert result.data["termination"] == {"max_turns": 3}


@pytest.mark.filterwarnings("ignore::UserWarning")  # AgentChat warns about local code execution
def test_code_executor_user_proxy_and_magentic_one():
    runner = CodeExecutorAgent("runner", code_executor=LocalCommandLineCodeExecutor(work_dir="work", timeout=20),
                               supported_languages=["python"])
    team = MagenticOneGroupChat([AssistantAgent("poet", client()), runner, UserProxyAgent("human")],
                                model_client=client("gpt-4o"), max_stalls=2, max_turns=5)
    data = imported(team).data
    assert data["agents"]["runner"] == {"kind": "code_executor",
                                        "code": {"languages": ["python"], "timeout": 20, "work_dir": "work"}}
    assert data["agents"]["human"] == {"kind": "user_proxy"}
    assert data["orchestration"] == {"pattern": "magentic_one", "participants": ["poet", "runner", "human"],
                                     "orchestrator_model": "gpt_4o", "max_stalls": 2}
    assert data["termination"] == {"max_turns": 5}


def test_conditions_or_and_and_their_drops():
    a, b = AssistantAgent("a", client()), AssistantAgent("b", client(), handoffs=["a"])
    condition = ((MaxMessageTermination(10) | MaxMessageTermination(6) | TextMentionTermination("DONE", sources=["a"])
                  | TimeoutTermination(30) | TokenUsageTermination(max_total_token=500))
                 | (FunctionCallTermination("publish") & TextMessageTermination("a"))
                 | HandoffTermination("user") | StopMessageTermination())
    result = imported(Swarm([b, a], termination_condition=condition))
    assert result.data["termination"] == {
        "max_messages": 6, "text": "DONE", "timeout": 30.0, "max_tokens": 500,
        "all": [{"tool_called": "publish"}, {"text_from": "a"}], "handoff_to": "user"}
    text = report(result)
    # AgentChat's JSON leaves TextMentionTermination's sources out: 'text' counts every agent either way.
    assert "dropped: StopMessageTermination 'StopMessageTermination' of team 'T' — no equivalent termination condition" in text
    assert result.data["orchestration"] == {"pattern": "swarm", "entry": "b", "participants": ["b", "a"]}
    assert result.data["agents"]["b"]["handoffs"] == ["a"]


def test_a_team_without_a_bound_gets_the_default_and_says_so():
    result = imported(RoundRobinGroupChat([AssistantAgent("a", client())], termination_condition=TextMentionTermination("X")))
    assert result.data["termination"] == {"text": "X", "max_messages": 20, "timeout": 600.0}
    assert "changed: team 'T' had no condition that always ends a run: it ends after 20 messages or 600 s" in report(result)


def test_models_are_deduplicated_keys_held_apart_and_providers_mapped():
    local = OpenAIChatCompletionClient(model="llama3", base_url="http://127.0.0.1:8000/v1", api_key="local-secret-1",
                                       model_info={"vision": False, "function_calling": True, "json_output": True,
                                                   "family": "unknown", "structured_output": False})
    team = SelectorGroupChat([AssistantAgent("a", client(temperature=0.3)), AssistantAgent("b", client(temperature=0.3)),
                              AssistantAgent("c", local),
                              AssistantAgent("d", AnthropicChatCompletionClient(model="claude-3-5-haiku-latest", api_key="k2"))],
                             model_client=client(temperature=0.3), termination_condition=MaxMessageTermination(4))
    result = imported(team)
    models = result.data["models"]
    assert sorted(models) == ["claude_3_5_haiku_latest", "gpt_4o_mini", "llama3"]
    assert result.data["default_model"] == "gpt_4o_mini" and "model" not in result.data["agents"]["a"]
    assert models["gpt_4o_mini"] == {"provider": "openai", "model": "gpt-4o-mini", "options": {"temperature": 0.3}}
    assert models["llama3"]["provider"] == "openai_compatible" and models["llama3"]["base_url"] == "http://127.0.0.1:8000/v1"
    assert models["claude_3_5_haiku_latest"]["provider"] == "anthropic"
    assert result.data["orchestration"]["selector_model"] == "gpt_4o_mini"
    assert [(k.model_id, k.env_var) for k in result.keys] == [
        ("gpt_4o_mini", "OPENAI_API_KEY"), ("llama3", "LLAMA3_API_KEY"), ("claude_3_5_haiku_latest", "ANTHROPIC_API_KEY")]
    assert KEY not in json.dumps(result.data) and KEY not in report(result) and KEY not in repr(result.keys)


def test_a_masked_key_is_no_key_the_entry_refers_to_the_usual_variable():
    result = imported(RoundRobinGroupChat([AssistantAgent("a", client())], max_turns=1), keep_key=False)
    assert result.keys == [] and result.data["models"]["gpt_4o_mini"]["api_key"] == "env:OPENAI_API_KEY"
    # A local server's placeholder key ('not-needed') is no secret: no keyring entry, no variable to set.
    local = OpenAIChatCompletionClient(model="m", base_url="http://127.0.0.1:8080/v1", api_key="not-needed",
                                       model_info={"vision": False, "function_calling": True, "json_output": True,
                                                   "family": "unknown", "structured_output": False})
    result = imported(RoundRobinGroupChat([AssistantAgent("a", local)], max_turns=1))
    assert result.keys == [] and "api_key" not in result.data["models"]["m"]


def test_names_become_ids_collisions_get_suffixes_and_the_name_stays_readable():
    team = RoundRobinGroupChat([AssistantAgent("writer", client()), AssistantAgent("lead", client(), description="Leads."),
                                SocietyOfMindAgent("panel", RoundRobinGroupChat([AssistantAgent("writer", client())]), client())],
                               max_turns=2)
    component = dumped(team)
    component["config"]["participants"][1]["config"]["name"] = "Lead Writer"  # AutoGen Studio allows any name
    result = import_team(TeamEntry("T", "", component))
    agents = result.data["agents"]
    assert list(agents) == ["writer", "lead_writer", "panel", "writer_2"]
    assert agents["lead_writer"]["description"] == "Lead Writer: Leads."
    assert agents["writer_2"]["description"] == "writer"
    assert result.data["teams"]["panel"]["orchestration"]["participants"] == ["writer_2"]


def test_unknown_agents_are_dropped_and_the_rest_imported_and_nothing_left_is_an_error():
    team = dumped(RoundRobinGroupChat([AssistantAgent("a", client())], max_turns=1))
    surfer = {"provider": "autogen_ext.agents.web_surfer.MultimodalWebSurfer", "component_type": "agent",
              "config": {"name": "web_surfer"}}
    team["config"]["participants"].append(surfer)
    result = import_team(TeamEntry("T", "", team))
    assert "dropped: MultimodalWebSurfer 'web_surfer' of team 'T' — no equivalent" in report(result)
    assert result.data["orchestration"]["participants"] == ["a"]
    team["config"]["participants"] = [surfer]
    with pytest.raises(InteropError, match="nothing of the team 'T' can be imported: MultimodalWebSurfer 'web_surfer'"):
        import_team(TeamEntry("T", "", team))


def test_mcp_workbenches_become_mcp_tools_without_their_secrets():
    stdio = McpWorkbench(StdioServerParams(command="uvx", args=["mcp-server-fetch"], env={"API_TOKEN": "abc123"}))
    http = McpWorkbench(StreamableHttpServerParams(url="https://mcp.example.com/mcp", headers={"Authorization": "Bearer t0k3n"}))
    agent = AssistantAgent("a", client(), workbench=[stdio, http])
    result = imported(RoundRobinGroupChat([agent], max_turns=1))
    tools = result.data["tools"]
    assert tools["mcp_server_fetch"] == {"mcp": {"command": "uvx", "args": ["mcp-server-fetch"], "env": {"API_TOKEN": "env:API_TOKEN"}}}
    assert tools["mcp_example_com"]["mcp"]["headers"] == {"Authorization": "Bearer env:MCP_EXAMPLE_COM_TOKEN"}
    assert "t0k3n" not in json.dumps(result.data) and "abc123" not in json.dumps(result.data)
    assert result.data["agents"]["a"]["tools"] == ["mcp_server_fetch", "mcp_example_com"]


def word_count(text: str) -> int:
    """Count the words."""
    return len(text.split())


def test_save_import_stores_the_key_in_the_keyring_and_writes_a_valid_file(tmp_path: Path, memory_keyring):
    from autogen_core.tools import FunctionTool

    agent = AssistantAgent("counter", client(), tools=[FunctionTool(word_count, "Count the words.")])
    result = imported(RoundRobinGroupChat([agent], max_turns=1))
    out = default_out_path(TeamEntry("My Team", "", {}), tmp_path)
    assert out == tmp_path / "my_team.yaml"
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "word_count.py").write_text("def word_count(text: str) -> int:\n    return 0\n")
    notes = report_text(save_import(result, out))
    assert memory_keyring.entries[("team-designer", "gpt_4o_mini")] == KEY
    text = out.read_text()
    assert "api_key: keyring:gpt_4o_mini" in text and KEY not in text
    # Someone's module of that name is kept; the tool's reference follows the new module.
    assert (tmp_path / "tools" / "word_count.py").read_text().endswith("return 0\n")
    assert "function: word_count_2:word_count" in text
    assert "changed: tools/word_count.py already exists with other code: the tool module is tools/word_count_2.py" in notes
    assert "info: tool module tools/word_count_2.py written: trust the team before it runs" in notes
    assert "key: gpt_4o_mini: stored in the system keyring; the file refers to keyring:gpt_4o_mini" in notes
    assert validate_file(out).spec is not None and not [p for p in validate_file(out).problems if p.is_error]
    with pytest.raises(InteropError, match="already exists"):
        save_import(result, out)


def test_a_result_that_does_not_validate_leaves_nothing_behind(tmp_path: Path, no_keyring):
    result = imported(RoundRobinGroupChat([AssistantAgent("a", client())], max_turns=1))
    result.data["agents"]["a"]["tools"] = ["nowhere"]  # what a broken import would produce
    out = tmp_path / "t.yaml"
    with pytest.raises(InteropError, match="does not validate"):
        save_import(result, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_files_autogen_studio_wraps_a_team_in():
    team = dumped(RoundRobinGroupChat([AssistantAgent("a", client())], max_turns=1), keep_key=False)
    team["label"] = "Mine"
    for wrapped in (team, {"id": 3, "component": team}, {"status": True, "data": {"id": 3, "component": team}},
                    {"id": 1, "config": {"id": "g", "name": "G", "components": {"teams": [team], "agents": []}}}):
        entries = parse_components(json.dumps(wrapped), "x.json")
        assert [e.label for e in entries] == ["Mine"]
    with pytest.raises(InteropError, match="gallery without teams"):
        parse_components(json.dumps({"components": {"teams": []}}), "g.json")
    with pytest.raises(InteropError, match="nested more than"):
        parse_components("[" * 100 + "]" * 100, "deep.json")


def test_graph_joins_activation_groups_and_a_chain():
    from autogen_agentchat.teams import DiGraphBuilder, GraphFlow

    planner, researcher, stylist, legal, editor = (AssistantAgent(n, client())
                                                   for n in ("planner", "researcher", "stylist", "legal", "editor"))
    builder = DiGraphBuilder()
    for agent in (planner, researcher, stylist, legal, editor):
        builder.add_node(agent)
    for worker in (researcher, stylist, legal):
        builder.add_edge(planner, worker)
    builder.add_edge(researcher, editor, activation_group="critical", activation_condition="all")
    builder.add_edge(stylist, editor, activation_group="critical", activation_condition="all")
    builder.add_edge(legal, editor, activation_group="optional", activation_condition="any")
    builder.set_entry_point(planner)
    team = GraphFlow([planner, researcher, stylist, legal, editor], graph=builder.build(), max_turns=9)
    orchestration = imported(team).data["orchestration"]
    assert orchestration["edges"][3:] == [  # as teams/graph_activation_groups.yaml writes it
        {"from": "researcher", "to": "editor", "group": "critical", "activation": "all"},
        {"from": "stylist", "to": "editor", "group": "critical"},
        {"from": "legal", "to": "editor", "group": "optional", "activation": "any"}]
    # A join in the target's own group (AgentChat's default, activation 'all'): wait_for_all.
    builder = DiGraphBuilder()
    for agent in (planner, researcher, stylist, editor):
        builder.add_node(agent)
    for a, b in ((planner, researcher), (planner, stylist), (researcher, editor), (stylist, editor)):
        builder.add_edge(a, b)
    joined = imported(GraphFlow([planner, researcher, stylist, editor], graph=builder.build(), max_turns=9)).data
    assert joined["orchestration"]["wait_for_all"] == ["editor"]
    builder = DiGraphBuilder()
    for agent in (planner, researcher, editor):
        builder.add_node(agent)
    builder.add_edge(planner, researcher).add_edge(researcher, editor)
    chain = imported(GraphFlow([planner, researcher, editor], graph=builder.build(), max_turns=3)).data
    assert chain["orchestration"] == {"pattern": "sequential", "order": ["planner", "researcher", "editor"]}


def test_values_the_validator_refuses_are_left_out_and_reported():
    class Inner(BaseModel):
        x: int

    class Nested(BaseModel):
        inner: Inner

    team = SelectorGroupChat([AssistantAgent("a", client(), output_content_type=Nested), AssistantAgent("b", client())],
                             model_client=client(), selector_prompt="{roles} {participants} {history} for {task}", max_turns=3)
    result = imported(team)
    assert "selector_prompt" not in result.data["orchestration"] and "output_schema" not in result.data["agents"]["a"]
    text = report(result)
    assert ("dropped: orchestration.selector_prompt — {task} is not a field of the selector prompt or an input of the "
            "team (left out)") in text
    assert "dropped: agents.a.output_schema — output_schema: '$defs' is not supported" in text


def test_agentchats_own_words_for_a_team_are_no_name_or_description():
    # dump_component() writes the class name as label and the class docstring as description;
    # the table the importer recognises them by is AgentChat's own text.
    from autogen_agentchat.teams import GraphFlow

    from designer.core.interop.components import TEAM_CLASS_DESCRIPTIONS
    from designer.runtime.export_json_base import class_description

    classes = (RoundRobinGroupChat, SelectorGroupChat, Swarm, GraphFlow, MagenticOneGroupChat)
    assert TEAM_CLASS_DESCRIPTIONS == {c.__name__: " ".join(class_description(c).split()) for c in classes}
    team = dumped(RoundRobinGroupChat([AssistantAgent("a", client())], max_turns=1), keep_key=False)
    (entry,) = parse_components(json.dumps(team), "my-team.json")
    assert (entry.label, entry.description) == ("My team", "")
    # A label of the user's (as the JSON export writes it) beside the class's docstring: the label stays.
    team["label"] = "Mine"
    (entry,) = parse_components(json.dumps(team), "x.json")
    assert (entry.label, entry.description) == ("Mine", "")
    team["description"] = "Writes poems."
    (entry,) = parse_components(json.dumps(team), "x.json")
    assert (entry.label, entry.description) == ("Mine", "Writes poems.")
