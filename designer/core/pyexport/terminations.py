"""A ``termination:`` block as an AgentChat expression: conditions joined with ``|``, ``all:``
blocks with ``&`` (docs/agentchat-mapping.md, "Termination conditions")."""

from __future__ import annotations

from typing import Sequence

from ..spec import TerminationSpec
from .writer import Script, py

_COND = "autogen_agentchat.conditions"


def condition(s: Script, term: TerminationSpec, agents: Sequence[str], *, own_timeout: bool, where: str) -> str | None:
    """The block's condition expression; None when it has none. ``agents``: whose words ``text``
    counts. ``own_timeout=False``: the run's timeout, which the script's main() enforces instead."""
    parts = _parts(s, term, agents, where, own_timeout=own_timeout)
    return " | ".join(parts) if parts else None


def _parts(s: Script, term: TerminationSpec, agents: Sequence[str], where: str, *, own_timeout: bool = True) -> list[str]:
    """The block's conditions, to be joined with ``|``."""
    parts: list[str] = []
    if term.text:
        s.need(_COND, "TextMentionTermination")
        parts.append(f"TextMentionTermination({py(term.text)}, sources={py(list(agents))})")
    if term.max_messages:
        s.need(_COND, "MaxMessageTermination")
        parts.append(f"MaxMessageTermination({term.max_messages})")
    for value, arg in ((term.max_tokens, "max_total_token"), (term.max_prompt_tokens, "max_prompt_token"),
                       (term.max_completion_tokens, "max_completion_token")):
        if value:
            s.need(_COND, "TokenUsageTermination")
            parts.append(f"TokenUsageTermination({arg}={value})")
    if term.timeout and own_timeout:
        s.need(_COND, "TimeoutTermination")
        parts.append(f"TimeoutTermination({term.timeout!r})")
        # The product's clock starts at the first check, AgentChat's when built or reset.
        s.note("changed", f"{where}: the timeout of {term.timeout:g} s counts from when AgentChat builds or resets "
                          "the condition (the product counts from its first message)")
    if term.tool_called:
        s.need(_COND, "FunctionCallTermination")
        parts.append(f"FunctionCallTermination({py(term.tool_called)})")
    if term.text_from:
        s.need(_COND, "TextMessageTermination")
        parts.append(f"TextMessageTermination({py(term.text_from)})")
    if term.handoff_to:
        s.need(_COND, "HandoffTermination")
        parts.append(f"HandoffTermination(target={py(term.handoff_to)})")
    if term.spoke:
        s.need(_COND, "SourceMatchTermination")
        parts.append(f"SourceMatchTermination({py(list(term.spoke))})")
    for child in term.any_of:
        parts += _parts(s, child, agents, where)  # an OR inside an OR is the same OR
    if term.all_of:
        every = [_parts(s, child, agents, where) for child in term.all_of]
        if all(every):  # an empty part never holds, so neither would the whole
            joined = " & ".join(p[0] if len(p) == 1 else "(" + " | ".join(p) + ")" for p in every)
            parts.append(f"({joined})" if len(every) > 1 else joined)
    return parts
