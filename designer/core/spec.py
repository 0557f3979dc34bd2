"""The team record of a team file (format ``team-designer/v1``), and every record name in one place.

Everything the engine and the window know about a design lives in pydantic models: the
parts in :mod:`designer.core.records`, each pattern's ``orchestration:`` block in its module
of :mod:`designer.core.patterns`, and the team that holds them here. YAML is parsed into
them first (see :mod:`designer.core.yamlio`); nothing downstream handles raw dicts.
Structural rules live in the records, cross-reference rules in :mod:`designer.core.validate`.

Versioning rule: the ``schema`` value changes (v1 -> v2) only when a file that
v1 accepts would be read differently or rejected. Adding an optional field with
a default that keeps old behaviour does not bump the version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import Field, field_validator

from .patterns import PATTERNS, PatternSpec, registered, rules_for
from .agent_parts import CodeSpec, ContextSpec, MemorySpec, SourceFilter
from .records import (
    DEFAULT_MAX_MESSAGES,
    DEFAULT_TIMEOUT_S,
    EMBEDDED_MODEL_ID,
    ID_PATTERN,
    MAX_AGENTS,
    MAX_RUN_TIMEOUT_S,
    RESERVED_AGENT_IDS,
    SCHEMA_ID,
    SCHEMA_PREFIX,
    AgentKind,
    AgentSpec,
    InputSpec,
    LayoutSpec,
    McpServerSpec,
    ModelInfoSpec,
    ModelOptions,
    ModelSpec,
    NodePosition,
    Provider,
    Record,
    ScriptedReply,
    ScriptedToolCall,
    SecretRef,
    TerminationSpec,
    ToolSpec,
    ViewSpec,
    default_termination,
    is_identifier,
)

if TYPE_CHECKING:
    # The checker sees the common base: code reaches a pattern's fields through its rules.
    OrchestrationSpec = PatternSpec
else:
    # The file format's union, in picker order, built from the registered patterns.
    OrchestrationSpec = Annotated[Union[tuple(r.spec_type for r in registered())], Field(discriminator="pattern")]

__all__ = [
    "CodeSpec", "ContextSpec", "InnerTeamSpec", "MemorySpec", "SourceFilter",
    "DEFAULT_MAX_MESSAGES", "DEFAULT_TIMEOUT_S", "EMBEDDED_MODEL_ID", "ID_PATTERN", "MAX_AGENTS", "MAX_RUN_TIMEOUT_S",
    "PATTERNS", "RESERVED_AGENT_IDS", "SCHEMA_ID", "SCHEMA_PREFIX", "AgentKind", "AgentSpec",
    "InputSpec", "LayoutSpec", "McpServerSpec", "ModelInfoSpec",
    "ModelOptions", "ModelSpec", "NodePosition", "OrchestrationSpec", "PatternSpec", "Provider", "Record",
    "ScriptedReply", "ScriptedToolCall", "SecretRef",
    "TeamSpec", "TerminationSpec", "ToolSpec", "ViewSpec", "default_termination", "is_identifier",
]


class InnerTeamSpec(Record):
    """A team inside the team, run by an agent of kind ``team``: a participant of a group chat
    (AgentChat's SocietyOfMindAgent, which summarises the inner conversation with its model) or a
    hierarchical worker (TeamTool, which the coordinator calls). Its members are agents of the file
    that take no part in the outer orchestration."""

    description: str = ""
    orchestration: OrchestrationSpec
    termination: TerminationSpec = Field(default_factory=default_termination)
    instruction: str | None = Field(
        default=None, description="SocietyOfMindAgent: what the summarising call is told before the inner transcript."
    )
    summary_prompt: str | None = Field(
        default=None, description="SocietyOfMindAgent: the request for the answer after the inner transcript."
    )

    def members(self) -> list[str]:
        return rules_for(self.orchestration).members(self.orchestration)


class TeamSpec(Record):
    schema_: Literal["team-designer/v1"] = Field(alias="schema", default=SCHEMA_ID)
    name: str = Field(min_length=1)
    description: str = ""
    task: str = ""
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    default_model: str | None = None
    models: dict[str, ModelSpec] = Field(default_factory=dict)
    tools: dict[str, ToolSpec] = Field(default_factory=dict)
    agents: dict[str, AgentSpec] = Field(default_factory=dict)
    teams: dict[str, InnerTeamSpec] = Field(default_factory=dict, description="Inner teams, run by agents of kind 'team'.")
    memories: dict[str, MemorySpec] = Field(default_factory=dict, description="Memories agents share.")
    orchestration: OrchestrationSpec
    termination: TerminationSpec = Field(default_factory=default_termination)
    layout: LayoutSpec | None = None

    @field_validator("inputs", "models", "tools", "agents", "teams", "memories")
    @classmethod
    def _ids_are_identifiers(cls, value: dict[str, object]) -> dict[str, object]:
        for key in value:
            if not is_identifier(key):
                raise ValueError(
                    f"{key!r} is not a valid id: use letters, digits and '_', starting with a letter or '_'"
                )
        return value

    # --- derived views used by the validator, compiler and GUI -------------------------

    def participants(self) -> list[str]:
        """Agent ids taking part in the orchestration, in pattern order."""
        return rules_for(self.orchestration).members(self.orchestration)

    def running_agents(self) -> list[str]:
        """Every agent a run builds: the pattern's participants, then the members of inner teams.
        What trust, cost and model caps must count (an inner team's tools run like the team's own)."""
        return list(dict.fromkeys([*self.participants(), *self.inner_members()]))

    def team_of(self, agent_id: str) -> str | None:
        """The inner team ``agent_id`` is a member of; None for the outer team (or none at all)."""
        runner = self.inner_members().get(agent_id)
        return self.agents[runner].team if runner is not None else None

    def inner_members(self) -> dict[str, str]:
        """Each agent that belongs to an inner team -> the id of the agent of kind 'team' running it."""
        out: dict[str, str] = {}
        for agent_id, agent in self.agents.items():
            if agent.kind == "team" and agent.team in self.teams:
                for member in self.teams[agent.team].members():
                    out.setdefault(member, agent_id)
        return out

    def model_id_for(self, agent_id: str) -> str:
        """The model id an agent runs on: its own, else the team default, else the embedded model."""
        agent = self.agents[agent_id]
        if agent.model:
            return agent.model
        if self.default_model:
            return self.default_model
        return EMBEDDED_MODEL_ID

    def model_for(self, model_id: str) -> ModelSpec | None:
        if model_id in self.models:
            return self.models[model_id]
        if model_id == EMBEDDED_MODEL_ID:
            return ModelSpec(provider="embedded", model="SmolLM2-135M-Instruct")
        return None
