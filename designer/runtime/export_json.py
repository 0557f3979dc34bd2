"""A team file as AgentChat component JSON: what ``Team.dump_component().model_dump_json()`` writes,
so that plain AgentChat 0.7 (``Team.load_component``) and AutoGen Studio load it.

Built as data, with AgentChat's and autogen-ext's own config records under their public provider
paths (never this product's classes; see export_json_base.py), following docs/agentchat-mapping.md
forwards and the runtime's compile modules for what a run builds: nothing of the user's code is
imported or run, no model is loaded and no key is resolved. What plain AgentChat cannot hold is
said in the report (``changed`` / ``dropped`` notes); keys as ``key`` notes naming the variable.

Parts: export_json_base (components, notes), export_json_models, export_json_tools, export_json_agents.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from autogen_agentchat.base import AndTerminationCondition, OrTerminationCondition
from autogen_agentchat.conditions import (
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    TextMentionTermination,
    TextMessageTermination,
    TimeoutTermination,
    TokenUsageTermination,
)
from autogen_agentchat.teams import GraphFlow, MagenticOneGroupChat, RoundRobinGroupChat, SelectorGroupChat, Swarm
from autogen_agentchat.teams._group_chat._graph._digraph_group_chat import DiGraph, DiGraphEdge, DiGraphNode, GraphFlowConfig
from autogen_agentchat.teams._group_chat._magentic_one._magentic_one_group_chat import MagenticOneGroupChatConfig
from autogen_agentchat.teams._group_chat._round_robin_group_chat import RoundRobinGroupChatConfig
from autogen_agentchat.teams._group_chat._selector_group_chat import SelectorGroupChatConfig
from autogen_agentchat.teams._group_chat._swarm_group_chat import SwarmConfig
from autogen_agentchat.tools import AgentTool, TeamTool
from autogen_agentchat.tools._agent import AgentToolConfig
from autogen_agentchat.tools._team import TeamToolConfig
from autogen_core import ComponentModel

from ..core.ids import to_identifier
from ..core.interop import Exported, InteropError
from ..core.patterns.graph import GraphSpec, activations, group_of
from ..core.patterns.hierarchical import HierarchicalSpec
from ..core.patterns.magentic_one import MagenticOneSpec
from ..core.patterns.round_robin import RoundRobinSpec
from ..core.patterns.selector import SelectorSpec
from ..core.patterns.sequential import SequentialSpec
from ..core.patterns.swarm import HANDOFF_USER, SwarmSpec
from ..core.spec import MAX_AGENTS, PatternSpec, TeamSpec, TerminationSpec
from .export_json_agents import agent_component, describe
from .export_json_base import Component, Export, component
from .export_json_models import model_component

__all__ = ["export_agentchat_json", "termination_component"]

_SELECTOR_PROMPT: str = inspect.signature(SelectorGroupChat.__init__).parameters["selector_prompt"].default
_FINAL_ANSWER_PROMPT: str = inspect.signature(MagenticOneGroupChat.__init__).parameters["final_answer_prompt"].default


def export_agentchat_json(spec: TeamSpec, team_file: Path | None) -> Exported:
    """The team as AgentChat component JSON, and the report of what it could not hold.
    ``team_file``: where the team lives (its ``tools/`` folder, relative paths); None for an unsaved team.
    InteropError when the team cannot be written at all."""
    if len(spec.agents) > MAX_AGENTS:
        raise InteropError(f"the team has {len(spec.agents)} agents; a team can have at most {MAX_AGENTS}")
    x = Export(spec, Path(team_file) if team_file is not None else None)
    try:
        team = _team(x, spec.orchestration, spec.termination, name=to_identifier(spec.name, fallback="team"),
                     description=spec.description.strip() or None, outer=True)
    except (KeyError, ValueError, AssertionError) as exc:  # a file validation would have refused
        raise InteropError(f"the team cannot be exported: {exc}; run 'team-designer validate' on it first") from None
    team["label"] = spec.name
    if spec.description.strip():
        team["description"] = spec.description.strip()
    ComponentModel.model_validate(team)  # the shape load_component reads
    if spec.task:
        x.note("info", f"the task is not part of the JSON: run the team with team.run(task={x.filled(spec.task, 'the task')!r})")
    return Exported(json.dumps(team, indent=2, ensure_ascii=False) + "\n", x.notes)


# --- termination ---------------------------------------------------------------------------


def termination_component(term: TerminationSpec, x: Export | None = None, *, where: str = "termination",
                          extra: list[Component] | None = None) -> Component | None:
    """One block (its conditions OR'ed, ``any:`` OR'ed, ``all:`` AND'ed) as AgentChat's conditions;
    None when it has none. ``max_turns`` is no condition: the team's constructor takes it."""
    parts: list[Component] = []
    if term.text:
        parts.append(component(TextMentionTermination, {"text": term.text}))
        if x is not None:
            x.note("changed", f"{where}: text {term.text!r} is AgentChat's TextMentionTermination, which also counts the "
                              "task (the product counts the agents' messages only)")
    if term.max_messages:
        parts.append(component(MaxMessageTermination, {"max_messages": term.max_messages, "include_agent_event": False}))
    tokens = [("max_total_token", term.max_tokens), ("max_prompt_token", term.max_prompt_tokens),
              ("max_completion_token", term.max_completion_tokens)]
    for key, value in tokens:
        if value:
            parts.append(component(TokenUsageTermination, {**{k: None for k, _ in tokens}, key: value}))
    if term.timeout:
        parts.append(component(TimeoutTermination, {"timeout_seconds": term.timeout}))
        if x is not None and where == "termination":
            x.note("changed", f"{where}: timeout {term.timeout:g} s is AgentChat's TimeoutTermination, checked only when "
                              "a message arrives (the product's watchdog also stops a run between messages)")
    if term.tool_called:
        parts.append(component(FunctionCallTermination, {"function_name": term.tool_called}))
    if term.text_from:
        parts.append(component(TextMessageTermination, {"source": term.text_from}))
    if term.handoff_to:
        parts.append(component(HandoffTermination, {"target": term.handoff_to}))
    if term.spoke:
        parts.append(component(SourceMatchTermination, {"sources": list(term.spoke)}))
    parts += [c for c in (termination_component(b, x, where=where) for b in term.any_of) if c is not None]
    if term.all_of:
        every = [termination_component(b, x, where=where) for b in term.all_of]
        if all(c is not None for c in every):
            parts.append(_joined(AndTerminationCondition, [c for c in every if c is not None]))
    parts += extra or []
    return _joined(OrTerminationCondition, parts) if parts else None


def _joined(cls: type, parts: list[Component]) -> Component:
    return parts[0] if len(parts) == 1 else component(cls, {"conditions": parts})


# --- teams -----------------------------------------------------------------------------------


def _inner_team(x: Export, team_id: str) -> Component:
    inner = x.spec.teams[team_id]
    return _team(x, inner.orchestration, inner.termination, name=team_id, description=inner.description or None,
                 outer=False)


def _agent(x: Export, agent_id: str, **kwargs: Any) -> Component:
    return agent_component(x, agent_id, _inner_team, **kwargs)


def _team(x: Export, orch: PatternSpec, term: TerminationSpec, *, name: str, description: str | None,
          outer: bool) -> Component:
    where = "termination" if outer else f"team {name!r}'s termination"
    common: dict[str, Any] = {"name": name, "description": description, "max_turns": term.max_turns}
    if isinstance(orch, HierarchicalSpec):
        return _hierarchical(x, orch, term, where, common)
    if isinstance(orch, SwarmSpec):
        members = [orch.entry] + [p for p in orch.participants if p != orch.entry]
        extra = []
        if any(HANDOFF_USER in x.spec.agents[a].handoffs for a in members) and term.handoff_to != HANDOFF_USER:
            # As the runtime: a hand-off to the person stops the run; AgentChat's caller resumes it.
            extra.append(component(HandoffTermination, {"target": HANDOFF_USER}))
            x.note("changed", f"{where}: a hand-off to user ends the run (HandoffTermination 'user'); resume it with "
                              "team.run(task=HandoffMessage(source='user', target=<agent>, content=<answer>)), as "
                              "AgentChat's Swarm docs show (the product asks and resumes by itself)")
        config = SwarmConfig(participants=[_agent(x, a, handoffs=True) for a in members],  # type: ignore[misc]
                             termination_condition=termination_component(term, x, where=where, extra=extra),  # type: ignore[arg-type]
                             **common)
        return component(Swarm, config)
    condition = termination_component(term, x, where=where)
    if isinstance(orch, RoundRobinSpec):
        config_rr = RoundRobinGroupChatConfig(participants=[_agent(x, a) for a in orch.participants],  # type: ignore[misc]
                                              termination_condition=condition, **common)  # type: ignore[arg-type]
        return component(RoundRobinGroupChat, config_rr)
    if isinstance(orch, SelectorSpec):
        return _selector(x, orch, condition, common)
    if isinstance(orch, (GraphSpec, SequentialSpec)):
        return _graph(x, orch, condition, common)
    if isinstance(orch, MagenticOneSpec):
        return _magentic_one(x, orch, condition, common)
    raise InteropError(f"the pattern {orch.pattern!r} has no AgentChat JSON form")


def _hierarchical(x: Export, orch: HierarchicalSpec, term: TerminationSpec, where: str, common: dict[str, Any]) -> Component:
    workers = []
    for worker in orch.workers:
        agent = x.spec.agents[worker]
        if agent.kind == "team" and agent.team is not None:
            workers.append(component(TeamTool, TeamToolConfig(name=worker, description=describe(x, worker),
                                                              team=_inner_team(x, agent.team),  # type: ignore[arg-type]
                                                              return_value_as_last_message=True)))
        else:
            workers.append(component(AgentTool, AgentToolConfig(agent=_agent(x, worker),  # type: ignore[arg-type]
                                                                return_value_as_last_message=True)))
    lead = _agent(x, orch.coordinator, extra_tools=workers, sequential=True)
    # The run ends when the coordinator has answered, as runtime/patterns/hierarchical.py builds it.
    ends = component(SourceMatchTermination, {"sources": [orch.coordinator]})
    config = RoundRobinGroupChatConfig(participants=[lead],  # type: ignore[list-item]
                                       termination_condition=termination_component(term, x, where=where, extra=[ends]),  # type: ignore[arg-type]
                                       **common)
    return component(RoundRobinGroupChat, config)


def _selector(x: Export, orch: SelectorSpec, condition: Component | None, common: dict[str, Any]) -> Component:
    model_id = orch.selector_model or x.spec.model_id_for(orch.participants[0])
    if orch.allowed_transitions:
        table = "; ".join(f"{a} -> {', '.join(b)}" for a, b in orch.allowed_transitions.items())
        x.note("dropped", f"allowed_transitions ({table}): AgentChat's JSON cannot hold a candidate_func, so the selector "
                          "may pick any participant")
    prompt = x.filled_template(orch.selector_prompt, "the selector prompt") if orch.selector_prompt else _SELECTOR_PROMPT
    config = SelectorGroupChatConfig(
        participants=[_agent(x, a) for a in orch.participants],  # type: ignore[misc]
        model_client=model_component(x, model_id),  # type: ignore[arg-type]
        termination_condition=condition,  # type: ignore[arg-type]
        selector_prompt=prompt, allow_repeated_speaker=orch.allow_repeated_speaker,
        max_selector_attempts=orch.max_selector_attempts, **common,
    )
    return component(SelectorGroupChat, config)


def _graph(x: Export, orch: GraphSpec | SequentialSpec, condition: Component | None, common: dict[str, Any]) -> Component:
    if isinstance(orch, SequentialSpec):  # a chain, as runtime/patterns/sequential.py builds it
        order = list(dict.fromkeys(orch.order))
        nodes = {a: DiGraphNode(name=a, edges=[DiGraphEdge(target=b)] if b else [], activation="all")
                 for a, b in zip(order, [*order[1:], None], strict=True)}
        entry = order[0]
    else:
        names = orch.nodes()
        nodes = {a: DiGraphNode(name=a, edges=[], activation="all" if a in orch.wait_for_all else "any") for a in names}
        for edge, join in zip(orch.edges, activations(orch), strict=True):
            when: str | None = None
            if edge.when is not None and edge.when.contains is not None:
                when = edge.when.contains  # AgentChat's string condition: the text is in the message
            elif edge.when is not None:
                x.note("dropped", f"edge {edge.source} -> {edge.target} (when not_contains {edge.when.not_contains!r}): "
                                  "AgentChat's JSON holds only 'contains' conditions (a callable is not saved), so the "
                                  f"graph can no longer go this way")
                continue
            nodes[edge.source].edges.append(DiGraphEdge(target=edge.target, condition=when,
                                                        activation_group=group_of(edge), activation_condition=join))
        entry = orch.entry
    graph = DiGraph(nodes=nodes, default_start_node=entry)
    try:
        graph.graph_validate()
    except ValueError as exc:
        raise InteropError(f"the graph cannot be written for AgentChat: {exc}") from None
    participants = [_agent(x, a) for a in nodes]
    config = GraphFlowConfig(participants=participants, termination_condition=condition, graph=graph, **common)  # type: ignore[arg-type]
    return component(GraphFlow, config)


def _magentic_one(x: Export, orch: MagenticOneSpec, condition: Component | None, common: dict[str, Any]) -> Component:
    model_id = orch.orchestrator_model or x.spec.model_id_for(orch.participants[0])
    if common["max_turns"] is not None:
        # Written as the file has it (the import reads it back the same way); AgentChat's orchestrator
        # checks 'rounds > max_turns', so it runs one round more than the product does.
        x.note("changed", f"Magentic-One's max_turns {common['max_turns']}: AgentChat's orchestrator runs one round more "
                          "(max_turns + 1) before its final answer")
    if orch.final_answer_prompt is not None and "{task}" in orch.final_answer_prompt:
        x.note("changed", "the final answer prompt's {task} is sent as written: AgentChat fills it only in its own prompt")
    x.note("changed", "Magentic-One's orchestrator is AgentChat's own (the product's marks its messages and, on the "
                      "embedded model, writes the progress ledger under a grammar)")
    config = MagenticOneGroupChatConfig(
        participants=[_agent(x, a) for a in orch.participants],  # type: ignore[misc]
        model_client=model_component(x, model_id),  # type: ignore[arg-type]
        termination_condition=condition,  # type: ignore[arg-type]
        max_stalls=orch.max_stalls, final_answer_prompt=orch.final_answer_prompt or _FINAL_ANSWER_PROMPT, **common,
    )
    return component(MagenticOneGroupChat, config)
