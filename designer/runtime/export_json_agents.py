"""A team file's agents as AgentChat agent components, as runtime/team_builder.py builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from autogen_agentchat.agents import (
    AssistantAgent,
    CodeExecutorAgent,
    MessageFilterAgent,
    MessageFilterConfig,
    PerSourceFilter,
    SocietyOfMindAgent,
    UserProxyAgent,
)
from autogen_agentchat.agents._assistant_agent import AssistantAgentConfig
from autogen_agentchat.agents._code_executor_agent import CodeExecutorAgentConfig
from autogen_agentchat.agents._message_filter_agent import MessageFilterAgentConfig
from autogen_agentchat.agents._society_of_mind_agent import SocietyOfMindAgentConfig
from autogen_agentchat.agents._user_proxy_agent import UserProxyAgentConfig
from autogen_agentchat.base import Handoff
from autogen_core.memory import ListMemory, MemoryContent, MemoryMimeType
from autogen_core.memory._list_memory import ListMemoryConfig
from autogen_core.model_context import BufferedChatCompletionContext, TokenLimitedChatCompletionContext
from autogen_core.model_context._buffered_chat_completion_context import BufferedChatCompletionContextConfig
from autogen_core.model_context._token_limited_chat_completion_context import TokenLimitedChatCompletionContextConfig
from autogen_core.tools import StaticStreamWorkbench
from autogen_core.tools._static_workbench import StaticWorkbenchConfig
from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor
from autogen_ext.code_executors.local import LocalCommandLineCodeExecutorConfig

from ..core.agent_parts import CodeSpec
from ..core.spec import AgentSpec
from .export_json_base import Component, Export, component, raw_component
from .export_json_models import model_component
from .export_json_tools import mcp_workbench, remember_component, tool_component

#: (export, inner team id) -> the inner team's component (export_json.py builds teams).
InnerTeam = Callable[[Export, str], Component]


def describe(x: Export, agent_id: str) -> str:
    """What selectors and coordinators route on: the description, else the inner team's, else a default."""
    agent = x.spec.agents[agent_id]
    inner = x.spec.teams.get(agent.team or "")
    if not agent.description and inner is not None and inner.description:
        return inner.description
    return agent.description or f"An agent named {agent_id}."


def _context(x: Export, agent_id: str, spec: AgentSpec, model: Component) -> Component | None:
    if spec.context is None:
        return None
    if spec.context.last_messages is not None:
        return component(BufferedChatCompletionContext, BufferedChatCompletionContextConfig(buffer_size=spec.context.last_messages))
    x.note("changed", f"agent {agent_id!r}: context max_tokens is AgentChat's TokenLimitedChatCompletionContext, "
                      "which drops messages from the middle (the product keeps the newest)")
    config = TokenLimitedChatCompletionContextConfig(model_client=model, token_limit=spec.context.max_tokens)  # type: ignore[arg-type]
    return component(TokenLimitedChatCompletionContext, config)


def _memory(x: Export, agent_id: str, memory_id: str) -> Component:
    memory = x.spec.memories[memory_id]
    readers = [a for a, s in x.spec.agents.items() if memory_id in s.memory]
    if len(readers) > 1:
        x.note("changed", f"memory {memory_id!r}: each reader ({', '.join(readers)}) gets its own ListMemory with the "
                          "file's entries (a JSON component cannot be shared)")
    contents = [MemoryContent(content=entry, mime_type=MemoryMimeType.TEXT) for entry in memory.entries]
    return component(ListMemory, ListMemoryConfig(name=memory_id, memory_contents=contents))


def _structured(x: Export, agent_id: str) -> None:
    # AssistantAgentConfig.structured_message_factory holds the schema, and such an agent loads; but
    # a team loaded from JSON cannot register its StructuredMessage type (the team configs have no
    # custom_message_types), so its first reply would fail the run: better left out, and said.
    x.note("dropped", f"agent {agent_id!r}: output_schema (a team loaded from AgentChat JSON cannot register the "
                      "StructuredMessage type, so the run would fail at the agent's first reply); it replies in text")


def assistant(x: Export, agent_id: str, extra_tools: list[Component], *, handoffs: bool, sequential: bool) -> Component:
    spec = x.spec.agents[agent_id]
    model = model_component(x, x.spec.model_id_for(agent_id), sequential=sequential)
    if spec.output_schema is not None:
        _structured(x, agent_id)
    tools = [t for t in (tool_component(x, tid) for tid in spec.tools if x.spec.tools[tid].mcp is None) if t is not None]
    tools += extra_tools
    tools += [remember_component(x, m, agent_id) for m, memory in x.spec.memories.items() if agent_id in memory.writers]
    servers = [mcp_workbench(x, tid) for tid in spec.tools if x.spec.tools[tid].mcp is not None]
    # Plain tools go in `tools`, which AgentChat 0.5 (what AutoGen Studio 0.4.2 runs on) and 0.7 both
    # read; `workbench` is one component in 0.5 and a list in 0.7, so a team whose JSON has one loads
    # in only one of them. With MCP servers there is no way round it: 0.7's form, tools beside them
    # in a static (streaming) workbench, as dump_component writes it.
    workbench: list[Component] = []
    if servers:
        workbench = [component(StaticStreamWorkbench, StaticWorkbenchConfig(tools=tools))] if tools else []  # type: ignore[arg-type]
        workbench += servers
        x.note("info", f"agent {agent_id!r}: its MCP servers are in a workbench list, which AgentChat 0.7 reads "
                       "(AutoGen Studio 0.4.2, on AgentChat 0.5, reads a single workbench and refuses the list)")
    config = AssistantAgentConfig(
        name=agent_id,
        model_client=model,  # type: ignore[arg-type]
        tools=(tools or None) if not servers else None,  # type: ignore[arg-type]
        workbench=workbench or None,  # type: ignore[arg-type]
        handoffs=[Handoff(target=t) for t in spec.handoffs] if handoffs and spec.handoffs else None,
        model_context=_context(x, agent_id, spec, model),  # type: ignore[arg-type]
        memory=[_memory(x, agent_id, m) for m in spec.memory] or None,  # type: ignore[misc]
        description=describe(x, agent_id),
        system_message=x.filled(spec.system_message, f"agent {agent_id!r}'s system message") or None,
        model_client_stream=False,
        reflect_on_tool_use=spec.reflect_on_tool_use if (tools or servers) else False,
        tool_call_summary_format="{result}",
        max_tool_iterations=spec.max_tool_iterations,
    )
    return component(AssistantAgent, config)


def _executor(x: Export, agent_id: str, code: CodeSpec) -> Component:
    if code.docker == "always":
        x.note("info", f"agent {agent_id!r}: the Docker executor needs autogen-ext[docker] to load")
        config: dict[str, Any] = {"image": code.image, "timeout": int(code.timeout), "auto_remove": True, "stop_container": True}
        if code.work_dir:
            config["work_dir"] = code.work_dir
        return raw_component("autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor", "code_executor", 1, config,
                             label="DockerCommandLineCodeExecutor",
                             description="Executes code through a command line environment in a Docker container.")
    if code.docker == "auto":
        x.note("changed", f"agent {agent_id!r}: docker auto runs its code on this computer (AgentChat cannot choose at load time)")
    x.note("changed", f"agent {agent_id!r}: its code runs with the whole environment (the product removes keys from it)")
    work_dir = code.work_dir
    if work_dir is not None and not Path(work_dir).expanduser().is_absolute():
        x.note("changed", f"agent {agent_id!r}: work_dir {work_dir!r} is relative to where the team is run, not to the team file")
    config_model = LocalCommandLineCodeExecutorConfig(timeout=int(max(1, code.timeout)), work_dir=work_dir)
    return component(LocalCommandLineCodeExecutor, config_model)


def code_executor(x: Export, agent_id: str) -> Component:
    spec = x.spec.agents[agent_id]
    code = spec.code or CodeSpec()
    if code.approval:
        x.note("changed", f"agent {agent_id!r}: its code runs without asking (AgentChat's JSON cannot hold an approval_func)")
    if code.retries:
        x.note("dropped", f"agent {agent_id!r}: retries {code.retries} (CodeExecutorAgent's max_retries_on_error is not in its JSON)")
    writes = spec.model is not None or code.retries > 0  # as runtime/code_agents.writes_code
    model = model_component(x, x.spec.model_id_for(agent_id)) if writes else None
    config = CodeExecutorAgentConfig(
        name=agent_id, code_executor=_executor(x, agent_id, code),  # type: ignore[arg-type]
        model_client=model,  # type: ignore[arg-type]
        description=describe(x, agent_id),
        system_message=(x.filled(spec.system_message, f"agent {agent_id!r}'s system message") or
                        CodeExecutorAgent.DEFAULT_SYSTEM_MESSAGE) if writes else None,
        model_context=_context(x, agent_id, spec, model) if model is not None else None,  # type: ignore[arg-type]
        supported_languages=list(code.languages),
    )
    return component(CodeExecutorAgent, config)


def team_agent(x: Export, agent_id: str, inner_team: InnerTeam) -> Component:
    spec = x.spec.agents[agent_id]
    assert spec.team is not None  # validation refuses a team agent without a team
    inner = x.spec.teams[spec.team]
    model = model_component(x, x.spec.model_id_for(agent_id))
    config = SocietyOfMindAgentConfig(
        name=agent_id, team=inner_team(x, spec.team), model_client=model,  # type: ignore[arg-type]
        description=describe(x, agent_id), instruction=inner.instruction, response_prompt=inner.summary_prompt,
        model_context=_context(x, agent_id, spec, model),  # type: ignore[arg-type]
    )
    return component(SocietyOfMindAgent, config)


def agent_component(x: Export, agent_id: str, inner_team: InnerTeam, extra_tools: list[Component] | None = None, *,
                    handoffs: bool = False, sequential: bool = False) -> Component:
    """The agent ``agent_id``, behind its ``sees:`` filter (a MessageFilterAgent) when it has one."""
    spec = x.spec.agents[agent_id]
    if spec.kind == "user_proxy":
        x.note("info", f"agent {agent_id!r}: a UserProxyAgent asks on the terminal (input()) unless you give it an input_func")
        built = component(UserProxyAgent, UserProxyAgentConfig(name=agent_id, description=describe(x, agent_id)))
    elif spec.kind == "code_executor":
        built = code_executor(x, agent_id)
    elif spec.kind == "team":
        built = team_agent(x, agent_id, inner_team)
    else:
        built = assistant(x, agent_id, list(extra_tools or []), handoffs=handoffs, sequential=sequential)
    if not spec.sees:
        return built
    x.note("changed", f"agent {agent_id!r}: sees is AgentChat's MessageFilterAgent, whose description gains "
                      "' (with message filtering)' and whose saved state is the filter's, not the agent's")
    per_source = [PerSourceFilter(source=s.source, position=s.position, count=s.count) for s in spec.sees]
    config = MessageFilterAgentConfig(name=agent_id, wrapped_agent=built,  # type: ignore[arg-type]
                                      filter=MessageFilterConfig(per_source=per_source))
    return component(MessageFilterAgent, config)
