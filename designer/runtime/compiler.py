"""TeamSpec -> live AgentChat team, one pattern at a time.

Must be called inside the event loop that will run the team: AgentChat binds a team
to the loop it first runs in. A fresh team is built for every run; continuing a
conversation goes through ``save_state`` / ``load_state`` (see runner.py).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from autogen_agentchat.agents import AssistantAgent, CodeExecutorAgent, UserProxyAgent
from autogen_agentchat.base import ChatAgent, TerminationCondition, Team
from autogen_agentchat.conditions import (
    ExternalTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    TextMentionTermination,
    TokenUsageTermination,
)
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat, SelectorGroupChat, Swarm
from autogen_core import CancellationToken
from autogen_core.models import ChatCompletionClient
from autogen_core.tools import BaseTool, StaticStreamWorkbench, Workbench

from ..core.spec import (
    MAX_AGENTS,
    AgentSpec,
    EdgeCondition,
    GraphSpec,
    HierarchicalSpec,
    RoundRobinSpec,
    SelectorSpec,
    SequentialSpec,
    SwarmSpec,
    TeamSpec,
    TerminationSpec,
)
from .models import AgentClient, ModelHooks, build_client
from .tools import RunTools

#: Asked when a user_proxy agent needs a human: (agent id, prompt, token) -> the answer.
InputFunc = Callable[[str, str, CancellationToken | None], Awaitable[str]]

log = logging.getLogger(__name__)


@dataclass
class CompiledTeam:
    team: Team
    external: ExternalTermination
    clients: list[ChatCompletionClient] = field(default_factory=list)
    coordinator: str | None = None
    workers: frozenset[str] = frozenset()
    tools: RunTools | None = None

    async def close(self) -> None:
        for client in self.clients:
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing is best effort after a run
                log.debug("closing a model client after the run failed", exc_info=True)


class _Builder:
    def __init__(
        self, spec: TeamSpec, input_func: InputFunc, model_override: str | None, hooks: ModelHooks, tools: RunTools
    ) -> None:
        self.spec = spec
        self.hooks = hooks
        self.input_func = input_func
        self.model_override = model_override
        self.clients: dict[tuple[str, bool], ChatCompletionClient] = {}
        self.run_tools = tools

    def client(self, model_id: str, *, sequential_tools: bool = False) -> ChatCompletionClient:
        model_id = self.model_override or model_id
        model = self.spec.model_for(model_id)
        if model is None:
            raise ValueError(f"unknown model {model_id!r}")
        # One client per model, so a scripted model's replies are consumed in call order; only
        # OpenAI-style servers need a separate client that keeps delegations sequential.
        sequential = sequential_tools and model.provider not in ("embedded", "scripted")
        key = (model_id, sequential)
        if key not in self.clients:
            self.clients[key] = build_client(model, model_id, parallel_tool_calls=False if sequential else None)
        return self.clients[key]

    def tool(self, tool_id: str) -> BaseTool[Any, Any]:
        return self.run_tools.tool(tool_id)

    def agent(self, agent_id: str, extra_tools: list[BaseTool[Any, Any]] | None = None, *, handoffs: bool = False) -> ChatAgent:
        spec: AgentSpec = self.spec.agents[agent_id]
        description = spec.description or f"An agent named {agent_id}."
        if spec.kind == "user_proxy":
            ask = self.input_func

            async def input_func(prompt: str, token: CancellationToken | None) -> str:
                return await ask(agent_id, prompt, token)

            return UserProxyAgent(agent_id, description=description, input_func=input_func)
        if spec.kind == "code_executor":
            executor = self.run_tools.code_executor(timeout=60)
            with warnings.catch_warnings():
                # "No approval function set": the user approved this team's local code execution
                # (trust, by content) before the run; the warning would only alarm them on stderr.
                warnings.filterwarnings("ignore", message=".*approval function.*")
                return CodeExecutorAgent(agent_id, code_executor=executor, description=description)
        tools = [self.tool(t) for t in spec.tools if not self.run_tools.is_mcp(t)] + list(extra_tools or [])
        # MCP servers come as workbenches; AgentChat takes tools or workbenches, not both, so the
        # other tools join them in a streaming static workbench (which keeps AgentTool's streaming).
        servers: list[Workbench] = [self.run_tools.workbench(t) for t in spec.tools if self.run_tools.is_mcp(t)]
        workbench: list[Workbench] | None = [StaticStreamWorkbench(tools), *servers] if servers else None
        shared = self.client(self.spec.model_id_for(agent_id), sequential_tools=bool(extra_tools))
        return AssistantAgent(
            agent_id,
            model_client=AgentClient(shared, agent_id, self.hooks, stream=spec.streaming),
            tools=(tools or None) if workbench is None else None,
            workbench=workbench,
            handoffs=list(spec.handoffs) if handoffs and spec.handoffs else None,
            description=description,
            system_message=spec.system_message or None,
            reflect_on_tool_use=spec.reflect_on_tool_use if tools or servers else None,
            max_tool_iterations=spec.max_tool_iterations,
            model_client_stream=False,  # streaming goes through AgentClient's hooks instead
        )


def _condition(cond: EdgeCondition) -> Callable[[BaseChatMessage], bool]:
    if cond.contains is not None:
        text = cond.contains
        return lambda message: text in message.to_model_text()
    absent = cond.not_contains or ""
    return lambda message: absent not in message.to_model_text()


def termination_for(term: TerminationSpec, external: ExternalTermination, agents: list[str]) -> TerminationCondition:
    """OR of the file's conditions and the runner's external stop. Timeouts are enforced by the
    runner's watchdog instead, because AgentChat checks them only when a message arrives."""
    condition: TerminationCondition = external
    if term.text:
        # Only the agents' words count: a task that quotes the stop word must not end the run
        # before anyone has spoken.
        condition = condition | TextMentionTermination(term.text, sources=agents)
    if term.max_messages:
        condition = condition | MaxMessageTermination(term.max_messages)
    if term.max_tokens:
        condition = condition | TokenUsageTermination(max_total_token=term.max_tokens)
    return condition


def compile_team(
    spec: TeamSpec,
    input_func: InputFunc,
    *,
    termination: TerminationSpec | None = None,
    model_override: str | None = None,
    hooks: ModelHooks | None = None,
    tools: RunTools | None = None,
) -> CompiledTeam:
    """``tools`` holds the run's tool resources (workspace, MCP servers); the caller starts,
    stops and cleans it up. None: a RunTools with no tool folders (built-in tools only)."""
    if len(spec.agents) > MAX_AGENTS:
        # Validation refuses this first; AgentChat's recursive graph check would fail past ~900.
        raise ValueError(f"the team has {len(spec.agents)} agents; a team can have at most {MAX_AGENTS}")
    hooks = hooks or ModelHooks()
    b = _Builder(spec, input_func, model_override, hooks, tools or RunTools(spec))
    external = ExternalTermination()
    condition = termination_for(termination or spec.termination, external, list(spec.agents))
    orch = spec.orchestration
    coordinator: str | None = None
    workers: frozenset[str] = frozenset()
    team: Team
    if isinstance(orch, SequentialSpec):
        builder = DiGraphBuilder()
        agents = [b.agent(a) for a in dict.fromkeys(orch.order)]
        for agent in agents:
            builder.add_node(agent)
        for before, after in zip(agents, agents[1:]):
            builder.add_edge(before, after)
        builder.set_entry_point(agents[0])
        team = GraphFlow(agents, graph=builder.build(), termination_condition=condition)
    elif isinstance(orch, HierarchicalSpec):
        # The coordinator delegates by calling each worker as a tool; AgentChat streams the
        # worker's own messages through the coordinator's stream, and the runner marks them nested.
        from autogen_agentchat.tools import AgentTool

        worker_tools: list[BaseTool[Any, Any]] = [AgentTool(b.agent(w), return_value_as_last_message=True) for w in orch.workers]
        lead = b.agent(orch.coordinator, worker_tools)
        coordinator, workers = orch.coordinator, frozenset(orch.workers)
        team = RoundRobinGroupChat([lead], termination_condition=condition | SourceMatchTermination([orch.coordinator]))
    elif isinstance(orch, RoundRobinSpec):
        team = RoundRobinGroupChat([b.agent(a) for a in orch.participants], termination_condition=condition)
    elif isinstance(orch, SelectorSpec):
        selector_model = orch.selector_model or spec.model_id_for(orch.participants[0])
        kwargs: dict[str, Any] = {}
        if orch.selector_prompt:
            kwargs["selector_prompt"] = orch.selector_prompt
        team = SelectorGroupChat(
            [b.agent(a) for a in orch.participants],
            model_client=AgentClient(b.client(selector_model), "selector", hooks, stream=False),
            termination_condition=condition,
            allow_repeated_speaker=orch.allow_repeated_speaker,
            emit_team_events=True,
            **kwargs,
        )
    elif isinstance(orch, GraphSpec):
        team = _graph(b, orch, condition)
    elif isinstance(orch, SwarmSpec):
        members = [orch.entry] + [p for p in orch.participants if p != orch.entry]
        team = Swarm([b.agent(a, handoffs=True) for a in members], termination_condition=condition)
    else:  # pragma: no cover - the spec union is exhaustive
        raise ValueError(f"unknown pattern {orch!r}")
    return CompiledTeam(team, external, list(b.clients.values()), coordinator, workers, b.run_tools)


def _graph(b: _Builder, graph: GraphSpec, condition: TerminationCondition) -> GraphFlow:
    builder = DiGraphBuilder()
    agents = {name: b.agent(name) for name in graph.nodes()}
    for name, agent in agents.items():
        builder.add_node(agent, activation="all" if name in graph.wait_for_all else "any")
    for edge in graph.edges:
        # State-machine semantics by default: a node runs when any incoming edge fires.
        join = "all" if edge.target in graph.wait_for_all else "any"
        builder.add_edge(
            edge.source,
            edge.target,
            condition=_condition(edge.when) if edge.when else None,
            activation_condition=join,
        )
    builder.set_entry_point(agents[graph.entry])
    return GraphFlow(list(agents.values()), graph=builder.build(), termination_condition=condition)
