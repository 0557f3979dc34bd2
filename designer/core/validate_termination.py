"""Checks of ``termination:`` blocks, the run's and each inner team's, nested ``any:`` / ``all:`` included.

The run's bound (``has_bound`` of the top-level block) is checked in validate.py; an inner team's by
the nested-team checks. Here: what each condition names exists, and each block is well formed.
"""

from __future__ import annotations

from .patterns import PatternSpec, rules_for
from .patterns.base import Checks
from .problems import Path
from .spec import TeamSpec, TerminationSpec


def check_terminations(checker: Checks, spec: TeamSpec) -> None:
    """Check the run's termination and every inner team's (``spec.teams``)."""
    check_termination_block(checker, spec, spec.termination, ("termination",), spec.orchestration)
    for team_id, inner in spec.teams.items():
        check_termination_block(checker, spec, inner.termination, ("teams", team_id, "termination"), inner.orchestration)


def check_termination_block(checker: Checks, spec: TeamSpec, term: TerminationSpec, at: Path, orch: PatternSpec) -> None:
    """The checks of one team's termination block and its children; problems located under ``at``
    (e.g. ``("teams", "research", "termination")``); ``orch`` is that team's orchestration."""
    for sub, block in term.blocks():
        path: Path = at + sub
        if sub and block.max_turns is not None:
            checker.error("max_turns is the team's turn cap: it belongs at the top of the termination block",
                          path + ("max_turns",), "move it up to termination.max_turns, or use max_messages here")
        if sub and not block.describe():
            checker.warn("this block has no condition: it never holds", path, "add a condition or remove the block")
        if len(block.all_of) == 1:
            checker.warn("'all' with one block is just that block", path + ("all",),
                         "add the condition that must hold too, or move the block up")
        if block.tool_called:
            _check_tool(checker, spec, block.tool_called, path + ("tool_called",), orch)
        if block.text_from:
            checker.agent_ref(block.text_from, path + ("text_from",))
        if block.spoke:
            checker.agent_list(block.spoke, path + ("spoke",))
        if block.handoff_to:
            _check_handoff(checker, spec, block.handoff_to, path + ("handoff_to",), orch)


def _check_tool(checker: Checks, spec: TeamSpec, name: str, path: Path, orch: PatternSpec) -> None:
    tool = spec.tools.get(name)
    if tool is not None and tool.mcp is not None:
        checker.warn(f"{name!r} is an MCP server, not one of its tools: the condition never holds", path,
                     "name the tool the server offers, as the agent calls it")
        return
    if tool is not None:
        if not any(name in agent.tools for agent in spec.agents.values()):
            checker.warn(f"no agent can call tool {name!r}: the condition never holds", path,
                         f"give an agent the tool {name!r}")
        return
    if name in _delegations(spec, orch):
        return  # a hierarchical coordinator calls each worker as a tool named like the worker
    servers = [t for t, tool_spec in spec.tools.items() if tool_spec.mcp is not None]
    if servers:
        checker.warn(f"{name!r} is not a tool id of the team: it holds only if an MCP server offers a tool of that name",
                     path, f"MCP tools cannot be checked offline; the team's MCP servers: {', '.join(servers)}")
    else:
        checker.warn(f"unknown tool {name!r}: the condition never holds", path,
                     f"the team's tools: {', '.join(spec.tools)}" if spec.tools else "the team has no tools")


def _delegations(spec: TeamSpec, orch: PatternSpec) -> list[str]:
    """The tools a coordinator calls to delegate (its workers, by id), if the pattern has one."""
    rules = rules_for(orch)
    lead = rules.lead(orch)
    return [m for m in rules.members(orch) if m != lead] if lead else []


def _check_handoff(checker: Checks, spec: TeamSpec, target: str, path: Path, orch: PatternSpec) -> None:
    if target != "user" and not checker.agent_ref(target, path, "hand-off target"):
        return
    if not rules_for(orch).uses_handoffs:
        checker.warn(f"hand-offs happen only in a swarm; this team is {orch.pattern}", path)
    elif not any(target in agent.handoffs for agent in spec.agents.values()):
        checker.warn(f"no agent hands off to {target!r}: the condition never holds", path,
                     f"add {target!r} to an agent's handoffs")
