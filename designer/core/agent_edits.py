"""Edits of one agent that take more than setting a field: pure functions, one per gesture.

The agent panel, the CLI and Qt-free tests share them; the window wraps each as one undo step.
"""

from __future__ import annotations

from typing import get_args

from .edit_result import Edited
from .edits import set_agent_field
from .errors import EditError
from .spec import AgentSpec, TeamSpec

#: Read from the spec's own Literal, so a new kind cannot be forgotten here.
AGENT_KINDS: tuple[str, ...] = get_args(AgentSpec.model_fields["kind"].annotation)


def set_kind(spec: TeamSpec, agent_id: str, kind: str) -> Edited[list[str]]:
    """Change an agent's kind. Only assistants call tools or hand off, so another kind drops
    both; the extra result names what was dropped ('calc', 'hand-off to editor'), for the user."""
    if kind not in AGENT_KINDS:
        raise EditError(f"unknown agent kind {kind!r}: use one of {', '.join(AGENT_KINDS)}")
    agent = spec.agents.get(agent_id)
    if agent is None:
        raise EditError(f"there is no agent {agent_id!r}")
    spec = set_agent_field(spec, agent_id, "kind", kind)
    if kind == "assistant":
        return Edited(spec, [])
    dropped = [*agent.tools, *(f"hand-off to {target}" for target in agent.handoffs)]
    spec = set_agent_field(spec, agent_id, "tools", [])
    spec = set_agent_field(spec, agent_id, "handoffs", [])
    return Edited(spec, dropped)
