"""The agents of a run, built from their records: model clients, tools, workbenches, hand-offs.

Shared by every pattern's compile module; must run inside the event loop the team runs in.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from autogen_agentchat.agents import BaseChatAgent, UserProxyAgent
from autogen_core import CancellationToken
from autogen_core.models import ChatCompletionClient
from autogen_core.tools import BaseTool, StaticStreamWorkbench, Workbench

from ..core.spec import AgentSpec, TeamSpec
from .agent_kinds import builder_for
from .agent_parts import assistant_class, assistant_parts, memory_tools, with_filter
from .models import AgentClient, ModelHooks, ModelSetupError, UnavailableClient, build_client
from .recorded import model_identity
from .recording import CallSession, RecordingCache
from .tools import RunTools

#: Asked when a user_proxy agent needs a human: (agent id, prompt, token) -> the answer.
InputFunc = Callable[[str, str, CancellationToken | None], Awaitable[str]]


class TeamBuilder:
    """Builds the agents of one run: one model client per model, tools from the run's resources.
    Each pattern's compile module asks it for agents (see runtime/patterns)."""

    def __init__(
        self, spec: TeamSpec, input_func: InputFunc, model_override: str | None, hooks: ModelHooks, tools: RunTools,
        session: CallSession | None = None,
    ) -> None:
        self.spec = spec
        #: Records the run's model calls, and in a replay answers them from a recording.
        self.session = session
        self.hooks = hooks
        self.input_func = input_func
        self.model_override = model_override
        self.clients: dict[tuple[str, bool], ChatCompletionClient] = {}
        self.run_tools = tools
        #: The run's input values (the {placeholders}): the file's defaults unless compile_team got the run's.
        self.inputs: dict[str, str] = {name: item.default for name, item in spec.inputs.items()}

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
            try:
                self.clients[key] = build_client(model, model_id, parallel_tool_calls=False if sequential else None,
                                                 base_dir=self.run_tools.locations.base_dir)
            except ModelSetupError as exc:
                if self.session is None or not self.session.replaying:
                    raise
                # A replay needs no key, server or package until a request must go live.
                self.clients[key] = UnavailableClient(model, str(exc))
        return self.clients[key]

    def model_client(self, agent_id: str, model_id: str, *, stream: bool, sequential_tools: bool = False) -> AgentClient:
        """What an agent (or the selector) talks to: the model's shared client, recorded."""
        shared = self.client(model_id, sequential_tools=sequential_tools)
        if self.session is not None:
            used = self.model_override or model_id
            model = self.spec.model_for(used)
            assert model is not None  # self.client checked it
            shared = RecordingCache(shared, agent_id, model_identity(model, used), self.session)
        return AgentClient(shared, agent_id, self.hooks, stream=stream)

    def tool(self, tool_id: str) -> BaseTool[Any, Any]:
        return self.run_tools.tool(tool_id)

    def agent(self, agent_id: str, extra_tools: list[BaseTool[Any, Any]] | None = None, *, handoffs: bool = False) -> BaseChatAgent:
        """The agent ``agent_id``, behind its ``sees:`` message filter in every pattern (agent_parts.py)."""
        return with_filter(self._of_kind(agent_id, extra_tools, handoffs=handoffs), self.spec.agents[agent_id])

    def _of_kind(self, agent_id: str, extra_tools: list[BaseTool[Any, Any]] | None, *, handoffs: bool) -> BaseChatAgent:
        """The agent ``agent_id`` as its kind builds it (each kind has its own home below or in a module)."""
        spec: AgentSpec = self.spec.agents[agent_id]
        if spec.kind == "user_proxy":
            return self._user_proxy(agent_id, spec)
        if spec.kind == "code_executor":
            from .code_agents import code_agent  # the code_executor kind's home

            return code_agent(self, agent_id, spec)
        build = builder_for(spec.kind)  # kinds with a module of their own (team: runtime/nested.py)
        if build is not None:
            return build(self, agent_id, spec)
        return self._assistant(agent_id, spec, extra_tools, handoffs=handoffs)

    def describe(self, agent_id: str) -> str:
        return self.spec.agents[agent_id].description or f"An agent named {agent_id}."

    def _user_proxy(self, agent_id: str, spec: AgentSpec) -> BaseChatAgent:
        ask = self.input_func

        async def input_func(prompt: str, token: CancellationToken | None) -> str:
            return await ask(agent_id, prompt, token)

        return UserProxyAgent(agent_id, description=self.describe(agent_id), input_func=input_func)

    def _assistant(
        self, agent_id: str, spec: AgentSpec, extra_tools: list[BaseTool[Any, Any]] | None, *, handoffs: bool
    ) -> BaseChatAgent:
        tools = [self.tool(t) for t in spec.tools if not self.run_tools.is_mcp(t)] + list(extra_tools or [])
        tools += memory_tools(self, agent_id)  # remember_<memory> for the memories it writes
        # MCP servers come as workbenches; AgentChat takes tools or workbenches, not both, so the
        # other tools join them in a streaming static workbench (which keeps AgentTool's streaming).
        servers: list[Workbench] = [self.run_tools.workbench(t) for t in spec.tools if self.run_tools.is_mcp(t)]
        workbench: list[Workbench] | None = [StaticStreamWorkbench(tools), *servers] if servers else None
        client = self.model_client(agent_id, self.spec.model_id_for(agent_id), stream=spec.streaming,
                                   sequential_tools=bool(extra_tools))
        return assistant_class(spec)(  # AssistantAgent, or the one with structured replies
            agent_id,
            model_client=client,
            tools=([*tools] or None) if workbench is None else None,
            workbench=workbench,
            handoffs=list(spec.handoffs) if handoffs and spec.handoffs else None,
            description=self.describe(agent_id),
            system_message=spec.system_message or None,
            reflect_on_tool_use=spec.reflect_on_tool_use if tools or servers else None,
            max_tool_iterations=spec.max_tool_iterations,
            model_client_stream=False,  # streaming goes through AgentClient's hooks instead
            **assistant_parts(self, agent_id, spec, client),  # context, memory, output_schema
        )
