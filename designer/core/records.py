"""Typed records of a team file (format ``team-designer/v1``), except the team itself.

Models, tools, agents, inputs, termination and layout. The orchestration records live
with their pattern (:mod:`designer.core.patterns`) and the team record that holds them
all in :mod:`designer.core.spec`, which re-exports these names. YAML is parsed into them
first (see :mod:`designer.core.yamlio`); nothing downstream handles raw dicts.

Versioning rule: the ``schema`` value changes (v1 -> v2) only when a file that
v1 accepts would be read differently or rejected. Adding an optional field with
a default that keeps old behaviour does not bump the version.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

# Re-exported: the id rule and the termination block live in their own modules, imported from here.
from .agent_parts import CodeSpec, ContextSpec, SourceFilter
from .records_base import ID_PATTERN as ID_PATTERN
from .records_base import MAX_RUN_TIMEOUT_S as MAX_RUN_TIMEOUT_S
from .records_base import Identifier as Identifier
from .records_base import Record as Record
from .records_base import is_identifier as is_identifier
from .termination import DEFAULT_MAX_MESSAGES as DEFAULT_MAX_MESSAGES
from .termination import DEFAULT_TIMEOUT_S as DEFAULT_TIMEOUT_S
from .termination import TerminationSpec as TerminationSpec
from .termination import default_termination as default_termination

SCHEMA_ID: Final = "team-designer/v1"
SCHEMA_PREFIX = "team-designer/"

#: Agent ids AgentChat uses for itself (the task's source) or we use for team-level events.
RESERVED_AGENT_IDS = frozenset({"user", "team"})
#: The model every file can use without declaring it: SmolLM2 running in-process.
EMBEDDED_MODEL_ID = "embedded"

#: The most agents a team can have. AgentChat checks a graph (and a sequence, which is a graph)
#: with a recursive search whose depth is the longest chain; past about 900 agents a run would
#: fail with RecursionError, so validation refuses such a team up front, with room to spare.
MAX_AGENTS = 500


Provider = Literal[
    "embedded", "openai", "azure_openai", "anthropic", "gemini", "ollama", "openai_compatible", "scripted"
]
AgentKind = Literal["assistant", "user_proxy", "code_executor", "team"]

SecretRef = Annotated[
    str,
    Field(
        pattern=r"^(env|keyring):[A-Za-z0-9_.\-/]{1,128}$",
        description="A reference to a secret, never the secret: 'env:OPENAI_API_KEY' or 'keyring:NAME'.",
    ),
]


class ModelInfoSpec(Record):
    """Capability flags AgentChat needs for models it does not know by name."""

    vision: bool = False
    function_calling: bool = False
    json_output: bool = False
    structured_output: bool = False
    family: str = "unknown"


class ModelOptions(Record):
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    seed: int | None = None
    top_p: float | None = Field(default=None, gt=0, le=1)
    repeat_penalty: float | None = Field(
        default=None, gt=0, le=2,
        description="llama.cpp's repetition penalty (1 = off, 1.1-1.2 stops a small model looping); "
        "only provider 'embedded' uses it.",
    )
    parallel_tool_calls: bool | None = Field(
        default=None, description="Let the model call several tools in one reply (OpenAI-style providers)."
    )


class Prices(Record):
    """What a model costs, per million tokens: shown per agent and per run (unknown stays unknown)."""

    input: float = Field(ge=0, description="Price per million input (prompt) tokens.")
    output: float = Field(ge=0, description="Price per million output (completion) tokens.")
    currency: str = Field(default="USD", min_length=1, max_length=8, description="Currency code, e.g. USD or EUR.")


class ScriptedToolCall(Record):
    name: str
    arguments: dict[str, object] = Field(default_factory=dict)


class ScriptedReply(Record):
    """One scripted model reply that calls tools (plain text replies are plain strings)."""

    tool_calls: list[ScriptedToolCall] = Field(min_length=1)


class ModelSpec(Record):
    provider: Provider = "embedded"
    model: str = Field(default="", description="The model name at the provider (e.g. gpt-4o-mini, llama3.2).")
    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    api_key: SecretRef | None = None
    api_version: str | None = Field(default=None, description="Azure OpenAI API version.")
    deployment: str | None = Field(default=None, description="Azure OpenAI deployment name.")
    model_info: ModelInfoSpec | None = None
    options: ModelOptions = Field(default_factory=ModelOptions)
    prices: Prices | None = Field(default=None, description="What the model costs, for run costs (unknown when absent).")
    path: str | None = Field(
        default=None, min_length=1,
        description="Provider 'embedded' only: a GGUF model file (default: the built-in SmolLM2); "
        "'~' is your home folder, a relative path is relative to the team file.",
    )
    responses: list[str | ScriptedReply] | None = Field(
        default=None, description="Scripted provider only: the replies, in order (for tests and demos)."
    )
    delay: float | None = Field(
        default=None, ge=0, le=60, description="Scripted provider only: seconds per streamed chunk."
    )

    @field_validator("path")
    @classmethod
    def _path_for_the_os(cls, value: str | None) -> str | None:
        return value if value is None else _no_nul(value)

    @model_validator(mode="after")
    def _scripted_fields(self) -> ModelSpec:
        if self.provider == "scripted" and self.responses is None:
            raise ValueError("a scripted model needs 'responses'")
        if self.provider != "scripted" and (self.responses is not None or self.delay is not None):
            raise ValueError("'responses' and 'delay' are only for provider 'scripted'")
        if self.path is not None and self.provider != "embedded":
            raise ValueError("'path' (a GGUF file) is only for provider 'embedded'")
        return self


def _no_nul(value: str) -> str:
    # The OS cannot take NUL in a path, argument or environment value: say so before a run tries.
    if "\0" in value:
        raise ValueError("contains a NUL character")
    return value


#: Text handed to the operating system (paths, program arguments, environment values).
OsText = Annotated[str, AfterValidator(_no_nul)]


McpTransport = Literal["stdio", "sse", "http"]


class McpServerSpec(Record):
    """An MCP server: started over stdio when a run needs it (never when a file is opened), or
    reached at a URL over SSE or streamable HTTP."""

    transport: McpTransport = Field(default="stdio", description="stdio (a program), sse or http (a URL).")
    command: OsText | None = Field(default=None, min_length=1, description="stdio: the program to start, e.g. 'npx' or 'uvx'.")
    args: list[OsText] = Field(default_factory=list)
    env: dict[OsText, OsText] = Field(
        default_factory=dict,
        description="Environment for the server; secret values as references (env:NAME, keyring:NAME).",
    )
    cwd: OsText | None = None
    url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", description="sse / http: the server's URL.")
    headers: dict[str, str] = Field(
        default_factory=dict, description="sse / http: request headers; secret values as references (env:NAME, keyring:NAME)."
    )
    tools: list[str] | None = Field(default=None, description="Only these tools of the server (default: all).")

    @model_validator(mode="after")
    def _transport_fields(self) -> McpServerSpec:
        if self.transport == "stdio":
            if self.command is None:
                raise ValueError("an stdio MCP server needs 'command'")
            if self.url is not None or self.headers:
                raise ValueError("'url' and 'headers' are for transport 'sse' or 'http'")
        else:
            if self.url is None:
                raise ValueError(f"an {self.transport} MCP server needs 'url'")
            if self.command is not None or self.args or self.env or self.cwd is not None:
                raise ValueError("'command', 'args', 'env' and 'cwd' are for transport 'stdio'")
        return self


class ToolSpec(Record):
    builtin: str | None = Field(default=None, description="Id of a built-in tool.")
    function: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description="A trusted Python function as 'package.module:function'.",
    )
    mcp: McpServerSpec | None = Field(default=None, description="An MCP server whose tools the agent gets.")
    description: str | None = None
    parameters: dict[str, object] | None = Field(default=None, description="Declared JSON Schema of the arguments.")
    options: dict[str, object] = Field(
        default_factory=dict, description="Settings of a built-in tool, e.g. allow_hosts for http_get."
    )
    timeout: float = Field(default=30.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _one_source(self) -> ToolSpec:
        if sum(x is not None for x in (self.builtin, self.function, self.mcp)) != 1:
            raise ValueError("a tool needs exactly one of 'builtin', 'function' or 'mcp'")
        return self

    @property
    def source(self) -> str:
        """'builtin', 'function' or 'mcp'."""
        return "builtin" if self.builtin is not None else "function" if self.function is not None else "mcp"


class AgentSpec(Record):
    kind: AgentKind = "assistant"
    description: str = Field(default="", description="What selectors and coordinators route on.")
    model: str | None = Field(default=None, description="Model id; defaults to the team's default model.")
    tools: list[str] = Field(default_factory=list)
    handoffs: list[str] = Field(default_factory=list, description="Swarm hand-off targets; 'user' is the person running the team.")
    reflect_on_tool_use: bool = False
    max_tool_iterations: int = Field(default=1, ge=1, le=50)
    streaming: bool = True
    system_message: str = Field(default="", description="May use the team's {input} placeholders.")
    team: str | None = Field(default=None, description="Kind 'team': the id of its inner team in the file's 'teams'.")
    context: ContextSpec | None = Field(default=None, description="How much of the conversation its model sees.")
    sees: list[SourceFilter] = Field(default_factory=list, description="Only these messages, per source (a message filter).")
    memory: list[str] = Field(default_factory=list, description="Ids of the team's memories it reads.")
    output_schema: dict[str, object] | None = Field(
        default=None, description="A JSON Schema (an object) its replies must follow: a structured message."
    )
    code: CodeSpec | None = Field(default=None, description="Kind 'code_executor': how its code runs.")


class InputSpec(Record):
    default: str = ""
    description: str = ""


class NodePosition(Record):
    x: float
    y: float


class ViewSpec(Record):
    zoom: float = Field(default=1.0, gt=0, le=100)
    center_x: float = 0.0
    center_y: float = 0.0


class LayoutSpec(Record):
    """Canvas state, kept apart so that prompt diffs stay clean."""

    nodes: dict[str, NodePosition] = Field(default_factory=dict)
    view: ViewSpec | None = None
