"""Inner teams run: as a group chat's participant (SocietyOfMindAgent) and as a hierarchical
worker (TeamTool); their members' messages nest under the team agent; Stop ends them."""

from __future__ import annotations

import json
import time

from tests.conftest import STOP_BOUND_S, collect_events, shape

NESTED = """
schema: team-designer/v1
name: nested
models:
  s: {provider: scripted, responses: ["fact one", "fact checked", "the research summary", "the article"]}
default_model: s
agents:
  research_team: {kind: team, team: research, description: Researches a topic., streaming: false}
  researcher: {system_message: find facts, streaming: false}
  checker: {system_message: check facts, streaming: false}
  writer: {system_message: write, streaming: false}
teams:
  research:
    orchestration: {pattern: round_robin, participants: [researcher, checker]}
    termination: {max_messages: 3}
orchestration: {pattern: sequential, order: [research_team, writer]}
termination: {max_messages: 10}
"""


def test_a_sequential_team_runs_its_inner_round_robin_team_nested_under_the_team_agent(make_spec):
    spec = make_spec(NESTED, allow_warnings=False)  # inner members get no "takes no part" warning
    events = collect_events(spec, "bees")
    assert shape(events) == [
        ("started", "team", None, "sequential"),
        ("message", "user", None, ("task", "bees")),
        # The inner team's bound counts its task, as AgentChat's does: two members' turns.
        ("message", "researcher", "research_team", ("text", "fact one")),
        ("message", "checker", "research_team", ("text", "fact checked")),
        # SocietyOfMindAgent's summarising call is the team agent's own message, not nested.
        ("message", "research_team", None, ("text", "the research summary")),
        ("message", "writer", None, ("text", "the article")),
        ("finished", "team", None, "completed"),
    ]
    usage = [e for e in events if e.type == "usage"]
    assert {(e.agent, e.parent) for e in usage} == {
        ("researcher", "research_team"), ("checker", "research_team"), ("research_team", None), ("writer", None)}


def test_the_team_agent_is_a_society_of_mind_agent_with_the_files_prompts_and_inner_bound(make_spec):
    import asyncio

    from autogen_agentchat.agents import SocietyOfMindAgent
    from autogen_agentchat.conditions import MaxMessageTermination

    from designer.runtime.compiler import compile_team

    spec = make_spec(NESTED.replace("    termination: {max_messages: 3}", """    termination: {max_messages: 3, max_turns: 2}
    instruction: Here is what your team said.
    summary_prompt: Answer in one line.""").replace("description: Researches a topic., streaming: false}",
                                                    "description: Researches a topic., streaming: false, context: {last_messages: 2}}"))

    async def build() -> SocietyOfMindAgent:
        async def ask(agent: str, prompt: str, token: object) -> str:
            return ""

        compiled = compile_team(spec, ask)
        agent = next(p for p in compiled.team._participants if p.name == "research_team")
        assert isinstance(agent, SocietyOfMindAgent)
        return agent

    agent = asyncio.run(build())
    assert (agent._instruction, agent._response_prompt) == ("Here is what your team said.", "Answer in one line.")
    assert type(agent.model_context).__name__ == "BufferedChatCompletionContext" and agent.model_context._buffer_size == 2
    inner = agent._team
    assert [p.name for p in inner._participants] == ["researcher", "checker"]
    # The inner team's own bound and turn cap, not the run's (10 messages, no cap).
    assert isinstance(inner._termination_condition, MaxMessageTermination)
    assert inner._termination_condition._max_messages == 3 and inner._max_turns == 2


def test_a_hierarchical_coordinator_calls_an_inner_team_as_a_team_tool(make_spec):
    spec = make_spec("""
schema: team-designer/v1
name: h
models:
  lead_m:
    provider: scripted
    responses:
    - tool_calls: [{name: research_team, arguments: {task: find facts about bees}}]
    - the final answer
  s: {provider: scripted, responses: ["bees dance", "checked: bees dance"]}
default_model: s
agents:
  lead: {model: lead_m, streaming: false, reflect_on_tool_use: true, max_tool_iterations: 2}
  research_team: {kind: team, team: research, description: Researches a topic., streaming: false}
  researcher: {streaming: false}
  checker: {streaming: false}
teams:
  research:
    orchestration: {pattern: round_robin, participants: [researcher, checker]}
    termination: {max_messages: 3}
orchestration: {pattern: hierarchical, coordinator: lead, workers: [research_team]}
""", allow_warnings=False)
    events = collect_events(spec, "tell me about bees")
    assert shape(events) == [
        ("started", "team", None, "hierarchical"),
        ("message", "user", None, ("task", "tell me about bees")),
        ("tool_call", "lead", None, ("research_team", '{"task": "find facts about bees"}')),
        ("message", "researcher", "research_team", ("text", "bees dance")),
        ("message", "checker", "research_team", ("text", "checked: bees dance")),
        # TeamTool returns the inner team's last message, as AgentTool returns a worker's.
        ("tool_result", "lead", None, ("research_team", "checked: bees dance", False)),
        ("message", "lead", None, ("text", "the final answer")),
        ("finished", "team", None, "completed"),
    ]


def test_stop_during_an_inner_run_stops_the_whole_run_promptly(make_spec):
    spec = make_spec(NESTED.replace(
        '  s: {provider: scripted, responses: ["fact one", "fact checked", "the research summary", "the article"]}',
        '  s: {provider: scripted, responses: ["fact one"]}\n  slow: {provider: scripted, responses: ["never"], delay: 60}',
    ).replace("checker: {system_message: check facts, streaming: false}",
              "checker: {system_message: check facts, streaming: false, model: slow}"))
    marks: dict[str, float] = {}

    def control(run, event):
        # The researcher has spoken inside the inner team; the checker's model call now hangs.
        if event.type == "message" and event.agent == "researcher" and "stop" not in marks:
            marks["stop"] = time.monotonic()
            run.stop()
        if event.type == "finished":
            marks["finished"] = time.monotonic()

    events = collect_events(spec, "bees", control=control)
    assert [e.agent for e in events if e.type == "message"] == ["user", "researcher"]
    finished = events[-1]
    assert finished.type == "finished" and finished.reason == "stopped", finished
    assert marks["finished"] - marks["stop"] < STOP_BOUND_S
    assert not [e for e in events if e.type == "error"]


def test_stop_during_an_inner_run_leaves_no_tasks(make_spec):
    import asyncio

    from designer.runtime.runner import TeamRun

    spec = make_spec(NESTED.replace(
        '  s: {provider: scripted, responses: ["fact one", "fact checked", "the research summary", "the article"]}',
        '  s: {provider: scripted, responses: ["fact one"]}\n  slow: {provider: scripted, responses: ["never"], delay: 60}',
    ).replace("checker: {system_message: check facts, streaming: false}",
              "checker: {system_message: check facts, streaming: false, model: slow}"))

    async def go() -> set[asyncio.Task[object]]:
        run = TeamRun(spec, "bees")
        async for event in run.events():
            if event.type == "message" and event.agent == "researcher":
                run.stop()
        return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}

    assert asyncio.run(go()) == set()


def test_the_cli_shows_inner_members_indented_under_the_team(tmp_path, capsys):
    from designer.cli.main import main

    team = tmp_path / "nested.yaml"
    team.write_text(NESTED)
    assert main(["run", str(team), "--task", "bees", "--no-record"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    │ researcher: fact one" in lines
    assert "    │ checker: fact checked" in lines
    assert "research_team: the research summary" in lines
    assert main(["run", str(team), "--task", "bees", "--jsonl", "--no-record"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    parents = {(e["agent"], e["parent"]) for e in events if e["type"] == "message"}
    assert ("checker", "research_team") in parents and ("research_team", None) in parents


def test_every_pattern_compiles_as_an_inner_team(make_spec):
    import asyncio

    from autogen_agentchat.agents import SocietyOfMindAgent

    from designer.core.patterns import PATTERNS, rules_for
    from designer.runtime.compiler import compile_team

    async def ask(agent: str, prompt: str, token: object) -> str:
        return ""

    for pattern in PATTERNS:
        spec = make_spec(NESTED)
        orch = rules_for(pattern).from_members(["researcher", "checker"])
        spec = spec.model_copy(update={"teams": {"research": spec.teams["research"].model_copy(update={"orchestration": orch})}})

        async def build(spec=spec) -> SocietyOfMindAgent:
            compiled = compile_team(spec, ask)
            return next(p for p in compiled.team._participants if p.name == "research_team")

        agent = asyncio.run(build())
        assert isinstance(agent, SocietyOfMindAgent), pattern
        names = {p.name for p in agent._team._participants}
        assert names & {"researcher", "checker"}, (pattern, names)
