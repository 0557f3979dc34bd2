"""Agent kinds built in their own modules, found by kind: the one way TeamBuilder reaches them.

A kind's module (e.g. :mod:`.nested` for kind ``team``) registers its build function with
``@builds(kind)``; the modules are imported with the pattern compile modules (the hierarchical
one imports :mod:`.nested` for its TeamTool workers), so they are registered before any team is
built. TeamBuilder looks the function up here instead of importing the module, because
a kind's module builds on the builder (and, for inner teams, on the pattern compile modules that
import the builder): importing it from the builder would tie them in an import cycle.
"""

from __future__ import annotations

from typing import Any, Callable

from autogen_agentchat.agents import BaseChatAgent

from ..core.records import AgentSpec
from ..core.registry import Registry

#: (the run's TeamBuilder, agent id, its record) -> the agent. The builder is typed Any here:
#: naming its class would import the builder, the cycle this module exists to avoid.
Build = Callable[[Any, str, AgentSpec], BaseChatAgent]
_KINDS: Registry[Build] = Registry("agent builder")


def builds(kind: str) -> Callable[[Build], Build]:
    """Decorator: ``fn`` builds the agents of ``kind``."""
    return _KINDS.register(kind)


def builder_for(kind: str) -> Build | None:
    """The build function registered for ``kind``; None for the kinds TeamBuilder builds itself."""
    return _KINDS.items().get(kind)
