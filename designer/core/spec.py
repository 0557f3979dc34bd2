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
    "DEFAULT_MAX_MESSAGES", "DEFAULT_TIMEOUT_S", "EMBEDDED_MODEL_ID", "ID_PATTERN", "MAX_AGENTS", "MAX_RUN_TIMEOUT_S",
    "PATTERNS", "RESERVED_AGENT_IDS", "SCHEMA_ID", "SCHEMA_PREFIX", "AgentKind", "AgentSpec",
    "InputSpec", "LayoutSpec", "McpServerSpec", "ModelInfoSpec",
    "ModelOptions", "ModelSpec", "NodePosition", "OrchestrationSpec", "PatternSpec", "Provider", "Record",
    "ScriptedReply", "ScriptedToolCall", "SecretRef",
    "TeamSpec", "TerminationSpec", "ToolSpec", "ViewSpec", "default_termination", "is_identifier",
]


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
    orchestration: OrchestrationSpec
    termination: TerminationSpec = Field(default_factory=default_termination)
    layout: LayoutSpec | None = None

    @field_validator("inputs", "models", "tools", "agents")
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
