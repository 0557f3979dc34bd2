"""The ``termination:`` block of a team file: when a run (or an inner team's run) ends.

A block's conditions combine with OR: any one that holds ends the run. ``any:`` and ``all:``
hold further blocks, so AgentChat's ``|`` and ``&`` can both be written:

    termination:
      max_messages: 30                 # the bound (a run is never unbounded)
      all:                             # ... or: the critic approved AND the writer has spoken
        - text: APPROVE
        - spoke: [writer]

Only the top-level block bounds a run: validation requires one of ``max_messages``,
``timeout``, ``max_tokens``, ``max_prompt_tokens``, ``max_completion_tokens`` or
``max_turns`` there. ``max_turns`` is the team's own turn cap (AgentChat's ``max_turns``) and is
allowed at the top level of a block only (a team's or an inner team's).
"""

from __future__ import annotations

from typing import Final

from pydantic import Field

from .records_base import MAX_RUN_TIMEOUT_S, Record

DEFAULT_MAX_MESSAGES: Final = 20
DEFAULT_TIMEOUT_S: Final = 600.0


class TerminationSpec(Record):
    """Any condition that holds ends the run (they combine with OR)."""

    text: str | None = Field(default=None, min_length=1, description="End when a message mentions this text.")
    max_messages: int | None = Field(default=None, ge=1, le=100_000)
    timeout: float | None = Field(default=None, gt=0, le=MAX_RUN_TIMEOUT_S, description="Seconds.")
    max_tokens: int | None = Field(default=None, ge=1, description="Token budget over all agents.")
    max_prompt_tokens: int | None = Field(default=None, ge=1, description="Prompt-token budget over all agents.")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="Completion-token budget over all agents.")
    max_turns: int | None = Field(
        default=None, ge=1, le=100_000, description="The team's turn cap (AgentChat's max_turns); top level only."
    )
    tool_called: str | None = Field(
        default=None, min_length=1, description="End when this tool (a tool id or MCP tool name) has been called."
    )
    text_from: str | None = Field(
        default=None, min_length=1, description="End when this agent sends a plain text message (TextMessageTermination)."
    )
    handoff_to: str | None = Field(
        default=None, min_length=1,
        description="End when an agent hands off to this target ('user' for the person running the team).",
    )
    spoke: list[str] = Field(default_factory=list, description="End when any of these agents has spoken.")
    any_of: list[TerminationSpec] = Field(
        default_factory=list, alias="any", description="Blocks of which any one ends the run (AgentChat's |)."
    )
    all_of: list[TerminationSpec] = Field(
        default_factory=list, alias="all", description="Blocks that must all have held to end the run (AgentChat's &)."
    )

    def has_bound(self) -> bool:
        """True when a condition of this block (not of its any/all children) always ends a run."""
        bounds = (self.max_messages, self.timeout, self.max_tokens, self.max_prompt_tokens,
                  self.max_completion_tokens, self.max_turns)
        return any(v is not None for v in bounds)

    def describe(self) -> str:
        """'20 messages, 600 s, 5,000 tokens, text 'TERMINATE'' (empty when nothing is set)."""
        parts = []
        if self.max_messages:
            parts.append(f"{self.max_messages:,} message{'s' if self.max_messages != 1 else ''}")
        if self.max_turns:
            parts.append(f"{self.max_turns:,} turn{'s' if self.max_turns != 1 else ''}")
        if self.timeout:
            parts.append(f"{self.timeout:g} s")
        if self.max_tokens:
            parts.append(f"{self.max_tokens:,} tokens")
        if self.max_prompt_tokens:
            parts.append(f"{self.max_prompt_tokens:,} prompt tokens")
        if self.max_completion_tokens:
            parts.append(f"{self.max_completion_tokens:,} completion tokens")
        if self.text:
            parts.append(f"text {self.text!r}")
        if self.tool_called:
            parts.append(f"tool {self.tool_called} called")
        if self.text_from:
            parts.append(f"text from {self.text_from}")
        if self.handoff_to:
            parts.append(f"hand-off to {self.handoff_to}")
        if self.spoke:
            parts.append(f"{' or '.join(self.spoke)} spoke")
        if self.any_of:
            parts.append("any of (" + "; ".join(b.describe() for b in self.any_of) + ")")
        if self.all_of:
            parts.append("all of (" + "; ".join(b.describe() for b in self.all_of) + ")")
        return ", ".join(parts)

    def blocks(self) -> list[tuple[tuple[str | int, ...], TerminationSpec]]:
        """This block and every nested one, each with its path below ``termination`` (for checks and renames)."""
        out: list[tuple[tuple[str | int, ...], TerminationSpec]] = [((), self)]
        for key, children in (("any", self.any_of), ("all", self.all_of)):
            for i, child in enumerate(children):
                out.extend(((key, i, *path), block) for path, block in child.blocks())
        return out


def default_termination() -> TerminationSpec:
    return TerminationSpec(max_messages=DEFAULT_MAX_MESSAGES, timeout=DEFAULT_TIMEOUT_S)
