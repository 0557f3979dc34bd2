"""Magentic-One: an orchestrator (a model, not an agent of the file) plans, then picks each next
speaker from a progress ledger, re-plans after too many stalls, and writes the final answer.

AgentChat's ``MagenticOneGroupChat`` over the team's own agents. The orchestrator speaks in
the transcript as :data:`ORCHESTRATOR`, so no participant may have that id.
"""

from __future__ import annotations

from typing import Final, Literal, Mapping

from pydantic import Field

from .base import Checks, PatternRules, PatternSpec, check_template, register, replace_ids, with_
from .round_robin import check_participants
from .shapes import Positions, ring

#: The name the orchestrator speaks under in a run's events (AgentChat calls it MagenticOneOrchestrator).
ORCHESTRATOR: Final = "orchestrator"
#: The field the final-answer prompt may use: the run's task (filled in at run time).
FINAL_ANSWER_FIELDS: Final = ("task",)
#: AgentChat's default number of stalls before the orchestrator re-plans.
DEFAULT_MAX_STALLS: Final = 3


class MagenticOneSpec(PatternSpec):
    pattern: Literal["magentic_one"]
    participants: list[str] = Field(default_factory=list)
    orchestrator_model: str | None = Field(
        default=None, description="The orchestrator's model (default: the first participant's model)."
    )
    max_stalls: int = Field(
        default=DEFAULT_MAX_STALLS, ge=1, le=100,
        description="Rounds without progress (or in a loop) before the orchestrator re-plans.",
    )
    final_answer_prompt: str | None = Field(
        default=None, description="What the orchestrator is asked for the final answer; may use {task}."
    )


@register
class MagenticOne(PatternRules[MagenticOneSpec]):
    name = "magentic_one"
    label = "Magentic-One"
    summary = "An orchestrator model plans, picks each next speaker from a progress ledger, and writes the final answer."
    spec_type = MagenticOneSpec
    order = 6

    def members(self, orch: MagenticOneSpec) -> list[str]:
        return list(dict.fromkeys(orch.participants))

    def from_members(self, members: list[str]) -> MagenticOneSpec:
        # The orchestrator's own name cannot be a participant (the check below says why).
        return MagenticOneSpec(pattern="magentic_one", participants=[m for m in members if m != ORCHESTRATOR])

    def lost_on_switch(self, orch: MagenticOneSpec) -> list[str]:
        lost = ["the orchestrator model choice"] if orch.orchestrator_model else []
        lost += ["the final answer prompt"] if orch.final_answer_prompt else []
        return lost + (["the stall limit"] if orch.max_stalls != DEFAULT_MAX_STALLS else [])

    def map_agents(self, orch: MagenticOneSpec, mapping: Mapping[str, str | None]) -> MagenticOneSpec:
        return with_(orch, participants=replace_ids(orch.participants, mapping))

    def map_model(self, orch: MagenticOneSpec, old: str, new: str | None) -> MagenticOneSpec:
        return with_(orch, orchestrator_model=new) if orch.orchestrator_model == old else orch

    def with_new_agent(self, orch: MagenticOneSpec, agent_id: str) -> MagenticOneSpec:
        return orch if agent_id == ORCHESTRATOR else with_(orch, participants=[*orch.participants, agent_id])

    def layout(self, orch: MagenticOneSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        # The orchestrator is no node of the canvas: its participants sit in a ring around it.
        return ring(members)

    def check(self, orch: MagenticOneSpec, checks: Checks) -> None:
        check_participants(orch.participants, 1, checks)
        for i, agent_id in enumerate(orch.participants):
            where = ("orchestration", "participants", i)
            if agent_id == ORCHESTRATOR:
                checks.error(f"{ORCHESTRATOR!r} is the name the Magentic-One orchestrator speaks under",
                             where, "rename this agent")
            agent = checks.agents.get(agent_id)
            if agent is not None and agent.output_schema is not None:
                # The orchestrator reads its participants' replies as text and fails on a structured one.
                checks.error(f"{agent_id!r} replies with structured output, which the Magentic-One orchestrator cannot read",
                             where, f"remove output_schema from {agent_id}, or use another pattern")
        if orch.orchestrator_model:
            checks.model_ref(orch.orchestrator_model, ("orchestration", "orchestrator_model"))
        if orch.final_answer_prompt is not None:
            check_final_answer_prompt(orch.final_answer_prompt, checks)


def check_final_answer_prompt(prompt: str, checks: Checks) -> None:
    """Only {task} (filled when the run ends), so a prompt can neither break the run nor read
    objects through '{task.__class__}'-style attribute access; literal braces are doubled."""
    where = ("orchestration", "final_answer_prompt")
    if not prompt.strip():
        checks.error("the final answer prompt is empty", where, "write one, or remove it to use AgentChat's default")
        return
    check_template(prompt, FINAL_ANSWER_FIELDS, where, "the final answer prompt", checks)


def fill_final_answer_prompt(prompt: str, task: str) -> str:
    """The prompt with {task} filled in (as written if it is not a valid template)."""
    try:
        return prompt.format(task=task)
    except (ValueError, KeyError, IndexError, AttributeError):
        return prompt
