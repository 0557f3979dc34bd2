"""The optional parts of an agent record: what it sees, what it remembers, what shape its reply
has, and how its code runs. Each maps to one AgentChat class (docs/agentchat-mapping.md):

    context:  {last_messages: 10}        BufferedChatCompletionContext(buffer_size=10)
              {max_tokens: 2000}          TokenLimitedChatCompletionContext(token_limit=2000)
    sees:     [{source: planner, last: 1}, {source: user, first: 1}]
                                          MessageFilterAgent(per_source=[PerSourceFilter(...)])
    memory:   [notes]                     the team's ListMemory 'notes' (team-level ``memories:``)
    output_schema: {JSON Schema object}   AssistantAgent(output_content_type=<model built from it>)
    code:     {work_dir, languages, ...}  CodeExecutorAgent options (kind code_executor only)

A team's ``memories:`` are declared once (:class:`MemorySpec`) and shared by every agent that
lists them; ``writers`` get a tool that adds entries during a run.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .records_base import Record

#: Languages CodeExecutorAgent can run locally (AgentChat's defaults and the shells it knows).
CODE_LANGUAGES = ("python", "bash", "sh", "shell", "pwsh", "powershell", "ps1")


class ContextSpec(Record):
    """How much of the conversation an agent's model sees: the last N messages, or a token limit."""

    last_messages: int | None = Field(default=None, ge=1, le=10_000, description="Keep the last N messages.")
    max_tokens: int | None = Field(default=None, ge=16, le=10_000_000, description="Keep the newest messages within N tokens.")

    @model_validator(mode="after")
    def _exactly_one(self) -> ContextSpec:
        if (self.last_messages is None) == (self.max_tokens is None):
            raise ValueError("a context needs exactly one of 'last_messages' or 'max_tokens'")
        return self

    def describe(self) -> str:
        return f"last {self.last_messages} messages" if self.last_messages else f"newest {self.max_tokens:,} tokens"


class SourceFilter(Record):
    """Of the messages from ``source`` (an agent id, or 'user' for the task), only the first or last N."""

    source: str = Field(min_length=1)
    first: int | None = Field(default=None, ge=1, le=10_000)
    last: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _exactly_one(self) -> SourceFilter:
        if (self.first is None) == (self.last is None):
            raise ValueError("a filter needs exactly one of 'first' or 'last'")
        return self

    @property
    def position(self) -> Literal["first", "last"]:
        return "first" if self.first is not None else "last"

    @property
    def count(self) -> int:
        return self.first if self.first is not None else self.last or 0

    def describe(self) -> str:
        return f"{self.position} {self.count} from {self.source}"


class MemorySpec(Record):
    """A list memory several agents share (AgentChat's ListMemory)."""

    description: str = ""
    entries: list[str] = Field(default_factory=list, description="What the memory holds when a run starts.")
    writers: list[str] = Field(
        default_factory=list, description="Agents that get a tool to add an entry during the run."
    )


DockerMode = Literal["never", "auto", "always"]


class CodeSpec(Record):
    """How a code_executor agent runs code. Every block waits for approval unless ``approval`` is false
    and the team is trusted (the CLI's --approve-code approves for the run)."""

    work_dir: str | None = Field(
        default=None, min_length=1,
        description="Folder the code runs in (relative: to the team file); default: a fresh folder per run.",
    )
    languages: list[str] = Field(default_factory=lambda: ["python"], min_length=1)
    retries: int = Field(default=0, ge=0, le=10, description="Times the agent's model may fix code that failed.")
    docker: DockerMode = Field(default="never", description="'auto': in Docker when it is available, else locally.")
    image: str = Field(default="python:3-slim", min_length=1)
    timeout: float = Field(default=60.0, gt=0, le=3600, description="Seconds per code block.")
    approval: bool = Field(default=True, description="Ask before any code runs.")

    @model_validator(mode="after")
    def _known_languages(self) -> CodeSpec:
        unknown = [lang for lang in self.languages if lang not in CODE_LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; known: {', '.join(CODE_LANGUAGES)}")
        return self
