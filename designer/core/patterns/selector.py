"""Selector: a model picks who speaks next from the participants' descriptions."""

from __future__ import annotations

import string
from typing import Literal, Mapping

from pydantic import Field

from .base import Checks, PatternRules, PatternSpec, register, replace_ids, with_
from .round_robin import check_participants
from .shapes import Positions, ring

#: Fields SelectorGroupChat fills in a selector prompt; anything else would fail (or leak) at run time.
SELECTOR_FIELDS = ("roles", "participants", "history")


class SelectorSpec(PatternSpec):
    pattern: Literal["selector"]
    participants: list[str] = Field(default_factory=list)
    selector_prompt: str | None = None
    selector_model: str | None = None
    allow_repeated_speaker: bool = False


@register
class Selector(PatternRules[SelectorSpec]):
    name = "selector"
    label = "Selector"
    summary = "A model picks who speaks next from the participants' descriptions."
    spec_type = SelectorSpec
    order = 3

    def members(self, orch: SelectorSpec) -> list[str]:
        return list(dict.fromkeys(orch.participants))

    def from_members(self, members: list[str]) -> SelectorSpec:
        return SelectorSpec(pattern="selector", participants=members)

    def lost_on_switch(self, orch: SelectorSpec) -> list[str]:
        lost = ["the selector prompt"] if orch.selector_prompt else []
        return lost + (["the selector model choice"] if orch.selector_model else [])

    def map_agents(self, orch: SelectorSpec, mapping: Mapping[str, str | None]) -> SelectorSpec:
        return with_(orch, participants=replace_ids(orch.participants, mapping))

    def map_model(self, orch: SelectorSpec, old: str, new: str | None) -> SelectorSpec:
        return with_(orch, selector_model=new) if orch.selector_model == old else orch

    def with_new_agent(self, orch: SelectorSpec, agent_id: str) -> SelectorSpec:
        return with_(orch, participants=[*orch.participants, agent_id])

    def layout(self, orch: SelectorSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        return ring(members)

    def check(self, orch: SelectorSpec, checks: Checks) -> None:
        check_participants(orch.participants, 2, checks)
        if orch.selector_model:
            checks.model_ref(orch.selector_model, ("orchestration", "selector_model"))
        if orch.selector_prompt:
            _check_prompt(orch.selector_prompt, checks)


def _check_prompt(prompt: str, checks: Checks) -> None:
    """A format string AgentChat fills: only its own plain fields, so a prompt can neither break
    the run nor read objects through '{history.__class__...}'-style attribute access."""
    where = ("orchestration", "selector_prompt")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(prompt) if name is not None]
    except ValueError as exc:
        checks.error(f"the selector prompt is not a valid template: {exc}", where, "write literal braces as {{ and }}")
        return
    for name, format_spec, conversion in fields:
        if name not in SELECTOR_FIELDS or format_spec or conversion:
            checks.error(
                f"{{{name}}} is not a field of the selector prompt" if name not in SELECTOR_FIELDS
                else f"{{{name}}} cannot have a format or conversion here",
                where, f"use only {', '.join('{' + f + '}' for f in SELECTOR_FIELDS)}; write literal braces as {{{{ and }}}}",
            )
