"""The agents of the team as build_team's statements: one AgentChat object per agent, built from
its record as designer/runtime (team_builder.py, agent_parts.py, code_agents.py, nested.py) does."""

from __future__ import annotations

from pathlib import Path

from ..agent_parts import CodeSpec
from ..spec import AgentSpec
from ..task import system_fields
from .tools import remember_expr, tool_expr, workbench_expr
from .writer import Script, py

_AGENTS = "autogen_agentchat.agents"

FILL = '''
def fill(text: str, values: Mapping[str, str]) -> str:
    """A system message with each {input} filled; {{name}} writes {name}; other braces stay as written."""

    def one(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped is not None:
            return f"{{{escaped}}}" if escaped in values else match.group(0)
        return str(values[name]) if name in values else match.group(0)

    return re.sub(r"\\{\\{([A-Za-z_][A-Za-z0-9_]*)\\}\\}|\\{([A-Za-z_][A-Za-z0-9_]*)\\}", one, text)
'''

STRUCTURED = '''
def model_from_schema(schema: Mapping[str, Any], name: str) -> type[BaseModel]:
    """An agent's output_schema (a small JSON Schema) as the pydantic model of its replies."""
    scalars: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}

    def kind(sub: Mapping[str, Any], where: str) -> Any:
        if "enum" in sub:
            return Literal[tuple(sub["enum"])]
        if sub.get("type") == "object":
            return model_from_schema(sub, where)
        if sub.get("type") == "array":
            return list[kind(sub["items"], f"{where}_item")]  # type: ignore[misc]
        return scalars[sub["type"]]

    required = schema.get("required", [])
    fields: dict[str, Any] = {}
    for i, (key, sub) in enumerate(schema["properties"].items()):
        field_type = kind(sub, f"{name}_{i}")
        if key in required:
            fields[f"f{i}"] = (field_type, Field(alias=key, description=sub.get("description")))
        else:
            fields[f"f{i}"] = (field_type | None, Field(default=None, alias=key, description=sub.get("description")))
    config = ConfigDict(extra="forbid", serialize_by_alias=True, title=schema.get("title") or name)
    return create_model(name, __config__=config, **fields)


class StructuredAssistant(AssistantAgent):
    """An assistant whose replies are StructuredMessage[its model], named among the message types it
    produces so that every kind of team carries them (AgentChat's teams register only those)."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        reply = self._output_content_type
        return [*super().produced_message_types, *([StructuredMessage[reply]] if reply is not None else [])]
'''

TOKEN_WINDOW = '''
class TokenWindow(TokenLimitedChatCompletionContext):
    """AgentChat's token-limited context keeping the newest messages (AgentChat's drops from the
    middle, which can drop the message to answer); four characters a token when the client cannot count."""

    def __init__(self, model_client: ChatCompletionClient, *, token_limit: int) -> None:
        super().__init__(model_client, token_limit=token_limit)
        self.limit = token_limit

    def _count(self, messages: list[LLMMessage]) -> int:
        try:
            return self._model_client.count_tokens(messages, tools=self._tool_schema)
        except Exception:  # e.g. tiktoken cannot download its tables offline
            return sum(len(str(m.content)) // 4 + 4 for m in messages)

    async def get_messages(self) -> list[LLMMessage]:
        messages = list(self._messages)
        while len(messages) > 1 and self._count(messages) > self.limit:
            del messages[0]
        while messages and isinstance(messages[0], FunctionExecutionResultMessage):
            del messages[0]  # a tool result without its call would be refused
        return messages
'''

FILTERED = '''
class FilteredAgent(MessageFilterAgent):
    """MessageFilterAgent keeping the wrapped agent's description (selectors route on it) and state."""

    def __init__(self, name: str, wrapped_agent: BaseChatAgent, filter: MessageFilterConfig) -> None:  # noqa: A002
        super().__init__(name, wrapped_agent, filter)
        self.inner = wrapped_agent
        self._description = wrapped_agent.description

    async def save_state(self) -> Mapping[str, Any]:
        return await self.inner.save_state()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        await self.inner.load_state(state)
'''

ASK = '''
def ask_as(agent: str, input_func: Callable[[str], str]) -> Callable[[str], str]:
    """A user_proxy agent's input_func: asks the person with the agent's name as the prompt."""
    return lambda prompt: input_func(f"{agent} (you) > ")
'''

APPROVAL = '''
def approval(approve_code: bool) -> Callable[[ApprovalRequest], ApprovalResponse]:
    """Asked before a code_executor agent runs code: --approve-code approves every block; else the
    person decides on a terminal, and without one every block is refused (the agent is told why)."""

    def decide(request: ApprovalRequest) -> ApprovalResponse:
        if approve_code:
            return ApprovalResponse(approved=True, reason="approved for this run (--approve-code)")
        if not sys.stdin.isatty():
            return ApprovalResponse(approved=False, reason="denied: no approval (run with --approve-code to allow)")
        print(f"\\n{request.code}\\n", file=sys.stderr)
        yes = input("Run this code? [y/N] ").strip().lower() in ("y", "yes")
        return ApprovalResponse(approved=yes, reason="approved by the person running the team" if yes
                                else "denied by the person running the team")

    return decide
'''

CODE_EXECUTOR = '''
def code_executor(work_dir: str | None, timeout: float, docker: str = "never", image: str = "python:3-slim") -> Any:
    """Where a code_executor agent's code runs: WORKSPACE (or its work_dir), on this computer or in
    Docker (autogen-ext[docker]; docker: auto falls back to this computer when Docker is not there)."""
    folder = Path(work_dir) if work_dir else WORKSPACE
    folder.mkdir(parents=True, exist_ok=True)
    if docker != "never":
        try:
            import docker as docker_sdk
            from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor

            docker_sdk.from_env().ping()
        except Exception as exc:
            if docker == "always":
                raise RuntimeError(f"Docker is not available ({exc}); the team needs it (docker: always)") from None
            print(f"Docker is not available ({exc}): the code runs on this computer (docker: auto)", file=sys.stderr)
        else:

            class StartedDocker(DockerCommandLineCodeExecutor):
                """autogen-ext's Docker executor, its container started at the first code block."""

                async def execute_code_blocks(self, code_blocks: list[Any], cancellation_token: Any) -> Any:
                    if not self._running:
                        await self.start()
                    return await super().execute_code_blocks(code_blocks, cancellation_token)

            return StartedDocker(image=image, work_dir=folder, timeout=max(1, int(timeout)))
    return LocalCommandLineCodeExecutor(work_dir=folder, timeout=max(1, int(timeout)))
'''


LOCAL_EXECUTOR = '''
def code_executor(work_dir: str | None, timeout: float) -> LocalCommandLineCodeExecutor:
    """Where a code_executor agent's code runs: WORKSPACE (or its work_dir), on this computer."""
    folder = Path(work_dir) if work_dir else WORKSPACE
    folder.mkdir(parents=True, exist_ok=True)
    return LocalCommandLineCodeExecutor(work_dir=folder, timeout=max(1, int(timeout)))
'''


def describe(s: Script, agent_id: str) -> str:
    """What selectors and coordinators route on: the description, else its inner team's, else a default."""
    agent = s.spec.agents[agent_id]
    inner = s.spec.teams.get(agent.team or "")
    if not agent.description and inner is not None and inner.description:
        return inner.description
    return agent.description or f"An agent named {agent_id}."


def system_message(s: Script, text: str) -> str:
    """The system message expression: filled from the run's inputs when it names one."""
    if s.spec.inputs and ("{{" in text or set(system_fields(text)) & set(s.spec.inputs)):
        s.need("re")
        s.need("typing", "Mapping")
        s.helper("fill", FILL)
        return f"fill({py(text, 8)}, values)"
    return py(text, 8)


def agent(s: Script, agent_id: str, extra_tools: list[str] | None = None, *, handoffs: bool = False) -> str:
    """Emit the statements building ``agent_id``; the variable that holds it."""
    spec = s.spec.agents[agent_id]
    name = s.var(agent_id)
    if spec.kind == "user_proxy":
        s.need(_AGENTS, "UserProxyAgent")
        s.need("typing", "Callable")
        s.helper("ask_as", ASK)
        s.emit(f"{name} = UserProxyAgent(\n        {py(agent_id)},\n        description={py(describe(s, agent_id), 8)},\n"
               f"        input_func=ask_as({py(agent_id)}, input_func),\n    )")
    elif spec.kind == "code_executor":
        _code_agent(s, name, agent_id, spec)
    elif spec.kind == "team":
        _team_agent(s, name, agent_id, spec)
    else:
        _assistant(s, name, agent_id, spec, extra_tools or [], handoffs=handoffs)
    if spec.sees:
        s.need(_AGENTS, "MessageFilterAgent", "MessageFilterConfig", "PerSourceFilter", "BaseChatAgent")
        s.need("typing", "Any", "Mapping")
        s.helper("filtered", FILTERED)
        rules = ", ".join(f"PerSourceFilter(source={py(f.source)}, position={py(f.position)}, count={f.count})"
                          for f in spec.sees)
        s.emit(f"{name} = FilteredAgent({py(agent_id)}, {name}, MessageFilterConfig(per_source=[{rules}]))")
    return name


def _context(s: Script, spec: AgentSpec, client: str) -> list[str]:
    if spec.context is None:
        return []
    if spec.context.last_messages is not None:
        s.need("autogen_core.model_context", "BufferedChatCompletionContext")
        return [f"model_context=BufferedChatCompletionContext(buffer_size={spec.context.last_messages})"]
    s.need("autogen_core.model_context", "TokenLimitedChatCompletionContext")
    s.need("autogen_core.models", "ChatCompletionClient", "FunctionExecutionResultMessage", "LLMMessage")
    s.helper("token_window", TOKEN_WINDOW)
    return [f"model_context=TokenWindow({client}, token_limit={spec.context.max_tokens})"]


def _tool_var(s: Script, tool_id: str) -> str:
    if tool_id not in s.tool_vars:
        mcp = s.spec.tools[tool_id].mcp is not None
        var = s.tool_vars[tool_id] = s.var(f"{tool_id}_server" if mcp else f"{tool_id}_tool")
        s.emit(f"{var} = {workbench_expr(s, tool_id) if mcp else tool_expr(s, tool_id)}")
    return s.tool_vars[tool_id]


def _assistant(s: Script, name: str, agent_id: str, spec: AgentSpec, extra: list[str], *, handoffs: bool) -> None:
    tools = [_tool_var(s, t) for t in spec.tools if s.spec.tools[t].mcp is None] + extra
    tools += [remember_expr(s, m) for m, memory in s.spec.memories.items() if agent_id in memory.writers]
    servers = [_tool_var(s, t) for t in spec.tools if s.spec.tools[t].mcp is not None]
    client = s.model(s.spec.model_id_for(agent_id), sequential=bool(extra))
    args = [py(agent_id), f"model_client={client}"]
    if servers:
        # AgentChat takes tools or workbenches, not both: the other tools join a static workbench.
        s.need("autogen_core.tools", "StaticStreamWorkbench")
        args.append(f"workbench=[StaticStreamWorkbench([{', '.join(tools)}]), {', '.join(servers)}]")
    elif tools:
        args.append(f"tools=[{', '.join(tools)}]")
    if handoffs and spec.handoffs:
        args.append(f"handoffs={py(list(spec.handoffs))}")
    args.append(f"description={py(describe(s, agent_id), 8)}")
    if spec.system_message:
        args.append(f"system_message={system_message(s, spec.system_message)}")
    if tools or servers:
        args.append(f"reflect_on_tool_use={spec.reflect_on_tool_use}")
    if spec.max_tool_iterations != 1:
        args.append(f"max_tool_iterations={spec.max_tool_iterations}")
    args += _context(s, spec, client)
    if spec.memory:
        args.append("memory=[" + ", ".join(f"memories[{py(m)}]" for m in spec.memory) + "]")
    cls = "AssistantAgent"
    s.need(_AGENTS, "AssistantAgent")
    if spec.output_schema is not None:
        for module, names in ((_AGENTS, ("AssistantAgent",)), ("autogen_agentchat.messages", ("BaseChatMessage",
                              "StructuredMessage")), ("pydantic", ("BaseModel", "ConfigDict", "Field", "create_model")),
                              ("typing", ("Any", "Literal", "Mapping", "Sequence"))):
            s.need(module, *names)
        s.helper("structured", STRUCTURED)
        cls = "StructuredAssistant"
        args.append(f"output_content_type=model_from_schema({py(spec.output_schema, 8)}, {py(agent_id + '_reply')})")
    s.emit(f"{name} = {cls}(\n        " + ",\n        ".join(args) + ",\n    )")


def _code_agent(s: Script, name: str, agent_id: str, spec: AgentSpec) -> None:
    code = spec.code or CodeSpec()
    for module, names in ((_AGENTS, ("ApprovalRequest", "ApprovalResponse", "CodeExecutorAgent")),
                          ("autogen_ext.code_executors.local", ("LocalCommandLineCodeExecutor",)),
                          ("typing", ("Any", "Callable")), ("pathlib", ("Path",))):
        s.need(module, *names)
    s.need("sys")
    s.need("tempfile")
    s.helper("workspace", '''
#: The run's workspace folder (the files tools read and write, where code runs): a fresh one per run.
WORKSPACE = Path(tempfile.mkdtemp(prefix="team-run-"))''')
    s.helper("code_executor", CODE_EXECUTOR if code.docker != "never" else LOCAL_EXECUTOR)
    s.helper("approval", APPROVAL)
    s.note("changed", f"agent '{agent_id}': its code sees this process's environment and is not killed with "
                      "its child processes (the product removes API keys and kills the whole process group)")
    work_dir = code.work_dir
    if work_dir is not None and s.team_file is not None and not Path(work_dir).expanduser().is_absolute():
        work_dir = str(s.team_file.resolve().parent / work_dir)  # relative to the team file, as in the product
    executor = f"code_executor({py(work_dir)}, {code.timeout!r}"
    executor += f", {py(code.docker)}, {py(code.image)})" if code.docker != "never" else ")"
    args = [py(agent_id), f"code_executor={executor}"]
    writes = spec.model is not None or code.retries > 0
    client = s.model(s.spec.model_id_for(agent_id)) if writes else None
    if client is not None:
        args.append(f"model_client={client}")
    if code.retries:
        args.append(f"max_retries_on_error={code.retries}")
    args.append(f"supported_languages={py(list(code.languages))}")
    args.append(f"description={py(describe(s, agent_id), 8)}")
    if code.approval:
        args.append("approval_func=approval(approve_code)")
    if client is not None:
        args += _context(s, spec, client)
        if spec.system_message:
            args.append(f"system_message={system_message(s, spec.system_message)}")
    s.emit(f"{name} = CodeExecutorAgent(\n        " + ",\n        ".join(args) + ",\n    )")


def _team_agent(s: Script, name: str, agent_id: str, spec: AgentSpec) -> None:
    assert spec.team is not None and s.build_inner is not None  # validation refuses a team agent without a team
    inner = s.spec.teams[spec.team]
    team_var = s.build_inner(spec.team)
    client = s.model(s.spec.model_id_for(agent_id))
    s.need(_AGENTS, "SocietyOfMindAgent")
    args = [py(agent_id), f"team={team_var}", f"model_client={client}", f"description={py(describe(s, agent_id), 8)}"]
    if inner.instruction:
        args.append(f"instruction={py(inner.instruction, 8)}")
    if inner.summary_prompt:
        args.append(f"response_prompt={py(inner.summary_prompt, 8)}")
    args += _context(s, spec, client)
    s.emit(f"{name} = SocietyOfMindAgent(\n        " + ",\n        ".join(args) + ",\n    )")
