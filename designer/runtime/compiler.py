"""TeamSpec -> live AgentChat team: the run's termination, then the pattern's compile module.

Must be called inside the event loop that will run the team: AgentChat binds a team
to the loop it first runs in. A fresh team is built for every run; continuing a
conversation goes through ``save_state`` / ``load_state`` (see runner.py). Each pattern's
team is built in its own module of :mod:`designer.runtime.patterns`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Mapping

from autogen_agentchat.base import TerminationCondition, Team
from autogen_agentchat.conditions import ExternalTermination
from autogen_core.models import ChatCompletionClient

from ..core.spec import MAX_AGENTS, TeamSpec, TerminationSpec
from .conditions import MessageCounter, any_of
from .models import ModelHooks
from .patterns import compiler_for
from .recording import CallSession
from .team_builder import InputFunc, TeamBuilder
from .termination import run_condition
from .tools import RunTools

__all__ = ["CompiledTeam", "InputFunc", "compile_team", "termination_for"]

log = logging.getLogger(__name__)


@dataclass
class CompiledTeam:
    team: Team
    external: ExternalTermination
    clients: list[ChatCompletionClient] = field(default_factory=list)
    coordinator: str | None = None
    workers: frozenset[str] = frozenset()
    tools: RunTools | None = None

    async def close(self) -> None:
        for client in self.clients:
            try:
                await client.close()
            except Exception:  # closing is best effort after a run; the log keeps the traceback
                log.debug("closing a model client after the run failed", exc_info=True)


def termination_for(term: TerminationSpec, external: ExternalTermination, agents: list[str]) -> TerminationCondition:
    """OR of the file's conditions (nested any/all blocks included, see runtime/termination.py) and the
    runner's external stop. The run's timeout is enforced by the runner's watchdog instead, because
    AgentChat checks timeouts only when a message arrives."""
    return run_condition(term, external, agents)


def compile_team(
    spec: TeamSpec,
    input_func: InputFunc,
    *,
    termination: TerminationSpec | None = None,
    model_override: str | None = None,
    hooks: ModelHooks | None = None,
    tools: RunTools | None = None,
    session: CallSession | None = None,
    inputs: Mapping[str, str] | None = None,
) -> CompiledTeam:
    """``tools`` holds the run's tool resources (workspace, MCP servers); the caller starts,
    stops and cleans it up. None: a RunTools with no tool folders (built-in tools only)."""
    if len(spec.agents) > MAX_AGENTS:
        # Validation refuses this first; AgentChat's recursive graph check would fail past ~900.
        raise ValueError(f"the team has {len(spec.agents)} agents; a team can have at most {MAX_AGENTS}")
    hooks = hooks or ModelHooks()
    b = TeamBuilder(spec, input_func, model_override, hooks, tools or RunTools(spec), session)
    b.inputs.update({k: v for k, v in (inputs or {}).items() if k in spec.inputs})  # e.g. a selector prompt's
    orch = spec.orchestration
    external = ExternalTermination()
    condition = termination_for(termination or spec.termination, external, list(spec.agents))
    if session is not None and (session.replaying or orch.pattern == "selector"):
        # The count a replay's "from message N" and a speaker choice's reason are matched by.
        condition = any_of(condition, MessageCounter(session.count_messages))
    built = compiler_for(orch.pattern)(b, orch, condition)
    return CompiledTeam(built.team, external, list(b.clients.values()), built.coordinator, built.workers, b.run_tools)
