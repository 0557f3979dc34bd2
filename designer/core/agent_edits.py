"""Edits of one agent that take more than setting a field: pure functions, one per gesture.

The agent panel, the CLI and Qt-free tests share them; the window wraps each as one undo step.
"""

from __future__ import annotations

from typing import get_args

from .edit_result import Edited
from .errors import EditError
from .spec import AgentSpec, TeamSpec

#: Read from the spec's own Literal, so a new kind cannot be forgotten here.
AGENT_KINDS: tuple[str, ...] = get_args(AgentSpec.model_fields["kind"].annotation)


#: The fields each kind uses at run time (runtime/team_builder.py and the kinds' modules): a user
#: proxy is built from its id and description only; a code executor from its code options, with a
#: model (and its context) when it writes or fixes code; a team agent summarises its inner team
#: with a model. Anything else left on them would be saved as settings that do nothing, so
#: changing the kind drops it (undo brings it back).
KIND_FIELDS: dict[str, frozenset[str]] = {
    "assistant": frozenset(AgentSpec.model_fields) - {"team", "code"},
    "user_proxy": frozenset({"kind", "description"}),
    "code_executor": frozenset({"kind", "description", "model", "system_message", "streaming", "code", "context", "sees"}),
    "team": frozenset({"kind", "description", "model", "team", "context", "sees"}),
}
#: How a dropped field is named to the user (tools and hand-offs are named one by one).
_FIELD_WORDS = {
    "model": "model", "system_message": "system message", "reflect_on_tool_use": "reflect on tool use",
    "max_tool_iterations": "max tool iterations", "streaming": "streaming setting",
    "team": "inner team", "context": "context limit", "sees": "message filter", "memory": "memories",
    "output_schema": "output schema", "code": "code options",
}


def set_kind(spec: TeamSpec, agent_id: str, kind: str) -> Edited[list[str]]:
    """Change an agent's kind, dropping the fields the new kind does not use (KIND_FIELDS), so the
    saved file holds no leftovers. The extra result names what was dropped ('calc', 'hand-off to
    editor', 'system message'), for the user; it is one edit, so one undo restores it all."""
    if kind not in AGENT_KINDS:
        raise EditError(f"unknown agent kind {kind!r}: use one of {', '.join(AGENT_KINDS)}")
    agent = spec.agents.get(agent_id)
    if agent is None:
        raise EditError(f"there is no agent {agent_id!r}")
    if kind == agent.kind:
        return Edited(spec, [])
    keep = KIND_FIELDS.get(kind, frozenset(AgentSpec.model_fields))
    dropped = [*agent.tools, *(f"hand-off to {target}" for target in agent.handoffs)] if "tools" not in keep else []
    # Only fields that carry something are worth naming; an explicit default is dropped quietly.
    dropped += [_FIELD_WORDS[f] for f in AgentSpec.model_fields if f in _FIELD_WORDS and f not in keep
                and f in agent.model_fields_set
                and getattr(agent, f) != AgentSpec.model_fields[f].get_default(call_default_factory=True)]
    # Rebuilt from the kept fields that were set: unset ones stay unset, so they are not written.
    values = {f: getattr(agent, f) for f in agent.model_fields_set if f in keep and f != "kind"}
    if kind != AgentSpec.model_fields["kind"].get_default():  # the default kind goes unwritten
        values["kind"] = kind
    changed = AgentSpec(**values)
    return Edited(spec.model_copy(update={"agents": {**spec.agents, agent_id: changed}}), dropped)
