"""Pins of AgentChat 0.7.5 behaviour the engine is designed around (see runtime/runner.py).

If an upgrade changes one of these, the test tells which design decision to revisit.
They use AgentChat directly, not the engine.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat
from autogen_core import CancellationToken
from autogen_core.models import ModelInfo
from autogen_core.tools import FunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient

TOOLS_INFO = ModelInfo(vision=False, function_calling=True, json_output=False, family="unknown", structured_output=False)


def _team(replies: list, max_messages: int = 4, tools: list | None = None) -> RoundRobinGroupChat:
    client = ReplayChatCompletionClient(replies, model_info=TOOLS_INFO if tools else None)
    agent = AssistantAgent("a", model_client=client, tools=tools)
    return RoundRobinGroupChat([agent], termination_condition=MaxMessageTermination(max_messages))


def test_a_team_is_bound_to_the_loop_it_first_ran_in():
    """(a) Hence the engine compiles the team inside the loop that runs it."""
    team = _team([f"r{i}" for i in range(10)])
    asyncio.run(team.run(task="first"))

    async def again() -> None:
        await team.reset()
        await asyncio.wait_for(team.run(task="second"), timeout=5)

    with pytest.raises((RuntimeError, asyncio.TimeoutError)):
        asyncio.run(again())


REUSE_AFTER_CANCEL = """
import asyncio, json, logging
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import CreateResult, ModelInfo, RequestUsage
from autogen_core.tools import FunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient
logging.getLogger("autogen_core").setLevel(logging.CRITICAL)
INFO = ModelInfo(vision=False, function_calling=True, json_output=False, family="unknown", structured_output=False)
async def long_tool(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "done"
CALL = CreateResult(finish_reason="function_calls", content=[FunctionCall(id="1", name="long_tool",
    arguments=json.dumps({"seconds": 30}))], usage=RequestUsage(prompt_tokens=0, completion_tokens=0), cached=False)
def team():
    client = ReplayChatCompletionClient([CALL] + [f"r{i}" for i in range(30)], model_info=INFO)
    agent = AssistantAgent("a", model_client=client, tools=[FunctionTool(long_tool, description="sleeps")])
    return RoundRobinGroupChat([agent], termination_condition=MaxMessageTermination(6))
async def main():
    t = team()
    token = CancellationToken()
    async def consume():
        async for _ in t.run_stream(task="first", cancellation_token=token):
            pass
    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0.2)
    token.cancel()
    await asyncio.sleep(0.5)
    task.cancel()
    await asyncio.wait([task], timeout=2)
    print("cancelled", flush=True)
    await t.reset()
    print("reused", len((await t.run(task="second")).messages), flush=True)
asyncio.run(main())
"""


def test_a_team_cancelled_mid_tool_call_cannot_be_reused(tmp_path: Path):
    """(b) Hence a fresh team per run, and save_state -> new team -> load_state to continue.

    Reusing the cancelled team object (reset + run) does not give a normal run (here it never
    completes). The engine's answer, a fresh team in the same loop, is tested in
    test_runner.py::test_a_new_run_in_the_same_loop_works_after_a_stop_mid_tool_call."""
    import subprocess
    import sys

    script = tmp_path / "reuse.py"
    script.write_text(REUSE_AFTER_CANCEL)
    try:
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=8).stdout
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
    assert "cancelled" in out
    assert "reused 6" not in out


async def _long_tool(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "done"


def test_token_cancel_alone_does_not_end_a_long_async_tool_call():
    """(c) Hence the runner cancels the task consuming run_stream() after a short grace."""

    async def go() -> bool:
        tool = FunctionTool(_long_tool, description="sleeps")
        from autogen_core import FunctionCall
        from autogen_core.models import CreateResult, RequestUsage

        call = CreateResult(
            finish_reason="function_calls",
            content=[FunctionCall(id="1", name="_long_tool", arguments=json.dumps({"seconds": 60}))],
            usage=RequestUsage(prompt_tokens=0, completion_tokens=0),
            cached=False,
        )
        team = _team([call, "after"], tools=[tool])
        token = CancellationToken()

        async def consume() -> None:
            async for item in team.run_stream(task="go", cancellation_token=token):
                if type(item).__name__ == "ToolCallRequestEvent":
                    asyncio.get_running_loop().call_later(0.2, token.cancel)

        consumer = asyncio.ensure_future(consume())
        done, _ = await asyncio.wait([consumer], timeout=2.0)
        hung = not done
        consumer.cancel()
        await asyncio.wait([consumer], timeout=2.0)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        return hung

    assert asyncio.run(go()) is True


def test_replay_client_cannot_call_tools_unless_told():
    """(d) Hence the engine's scripted client always passes model_info with function_calling."""
    client = ReplayChatCompletionClient(["x"])
    assert client.model_info["function_calling"] is False
    with pytest.raises(ValueError, match="function calling"):
        AssistantAgent("a", model_client=client, tools=[FunctionTool(_long_tool, description="sleeps")])


def test_load_component_executes_tool_source_and_drops_callable_conditions(tmp_path: Path):
    """(e) Hence a user-supplied component JSON is never loaded; our YAML holds references only."""
    marker = tmp_path / "executed"
    tool = FunctionTool(_long_tool, description="sleeps")
    config = tool.dump_component().model_dump()
    config["config"]["source_code"] = f"open({str(marker)!r}, 'w').write('ran')\n" + config["config"]["source_code"]
    with pytest.warns(UserWarning, match="SECURITY WARNING"):  # AutoGen's own warning, for what follows
        FunctionTool.load_component(config)
    assert marker.read_text() == "ran"

    client = ReplayChatCompletionClient(["x"])
    a, b, c = (AssistantAgent(n, model_client=client) for n in "abc")
    builder = DiGraphBuilder()
    for agent in (a, b, c):
        builder.add_node(agent)
    builder.add_edge(a, b, condition=lambda m: "yes" in m.to_model_text())
    builder.add_edge(a, c, condition=lambda m: "yes" not in m.to_model_text())
    flow = GraphFlow([a, b, c], graph=builder.build())
    reloaded = GraphFlow.load_component(flow.dump_component())
    edges = reloaded._graph.nodes["a"].edges  # inspecting what the round trip kept
    assert all(e.condition is None and e.condition_function is None for e in edges)


def test_the_engine_never_loads_components():
    # Calls, not mentions: the import and export modules say in words why they never call it
    # (and tell the user how to load an exported file), which is no risk.
    import ast

    package = Path(__file__).resolve().parents[2] / "designer"
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("load_component", "_from_config"):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id in ("load_component", "_from_config"):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []
