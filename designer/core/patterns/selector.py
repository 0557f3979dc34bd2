"""Selector: a model picks who speaks next from the participants' descriptions."""

from __future__ import annotations

import string
from typing import Literal, Mapping

from pydantic import Field

from ..errors import EditError
from ..records import AgentSpec
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, check_template, register, replace_ids, with_
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
    allowed_transitions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="After an agent (key) speaks, only these may speak next (a candidate_func); agents not listed are free.",
    )
    max_selector_attempts: int = Field(default=3, ge=1, le=20, description="Tries the selector model gets to name a valid speaker.")


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
        lost += ["the allowed transitions"] if orch.allowed_transitions else []
        return lost + (["the selector model choice"] if orch.selector_model else [])

    def map_agents(self, orch: SelectorSpec, mapping: Mapping[str, str | None]) -> SelectorSpec:
        changes: dict[str, object] = {"participants": replace_ids(orch.participants, mapping)}
        if orch.allowed_transitions:  # only then: an untouched file keeps the field unset
            changes["allowed_transitions"] = map_transitions(orch.allowed_transitions, mapping)
        return with_(orch, **changes)

    def map_model(self, orch: SelectorSpec, old: str, new: str | None) -> SelectorSpec:
        return with_(orch, selector_model=new) if orch.selector_model == old else orch

    def with_new_agent(self, orch: SelectorSpec, agent_id: str) -> SelectorSpec:
        return with_(orch, participants=[*orch.participants, agent_id])

    def connections(self, orch: SelectorSpec, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        # Only the restricted speakers get arrows: an agent not listed may be followed by anyone,
        # and drawing all of those would hide the few rules the file sets.
        return [Connection(source, target, "turn")
                for source, targets in orch.allowed_transitions.items() if source in agents
                for target in targets if target in agents]

    def disconnect(self, orch: SelectorSpec, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None) -> Wiring:
        if target not in orch.allowed_transitions.get(source, []):
            return super().disconnect(orch, agents, source, target, index)
        return Wiring(set_transitions(orch, source, [t for t in orch.allowed_transitions[source] if t != target]))

    def layout(self, orch: SelectorSpec, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        return ring(members)

    def check(self, orch: SelectorSpec, checks: Checks) -> None:
        check_participants(orch.participants, 2, checks)
        if orch.selector_model:
            checks.model_ref(orch.selector_model, ("orchestration", "selector_model"))
        if orch.selector_prompt:
            _check_prompt(orch.selector_prompt, checks)
        if orch.allowed_transitions:
            _check_transitions(orch, checks)


# --- allowed transitions (compiled to AgentChat's candidate_func) ----------------------------


def map_transitions(transitions: Mapping[str, list[str]], mapping: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Renames and removals followed into keys and lists. A speaker whose last allowed follower
    was removed becomes free (anyone may follow): an empty list would let no one speak at all."""
    out: dict[str, list[str]] = {}
    for source, targets in transitions.items():
        new_source = mapping.get(source, source)
        new_targets = replace_ids(targets, mapping)
        if new_source is not None and (new_targets or not targets):
            out[new_source] = new_targets
    return out


def set_transitions(orch: SelectorSpec, source: str, targets: list[str]) -> SelectorSpec:
    """Who may speak after ``source``: ``targets`` (in participant order); an empty list makes
    ``source`` free again (anyone may follow it)."""
    if not isinstance(orch, SelectorSpec):
        raise EditError("the team is not a selector chat")
    if source not in orch.participants:
        raise EditError(f"{source} is not a participant")
    unknown = [t for t in targets if t not in orch.participants]
    if unknown:
        raise EditError(f"{unknown[0]} is not a participant")
    transitions = dict(orch.allowed_transitions)
    if targets:
        transitions[source] = [p for p in orch.participants if p in targets]
    else:
        transitions.pop(source, None)
    return with_(orch, allowed_transitions=transitions)


def next_speakers(orch: SelectorSpec, last: str | None) -> list[str]:
    """The candidates the selector may pick after ``last`` spoke (None: the task, or someone who
    is not a participant): its allowed list, or everyone when it has none. Without repeats the
    last speaker is left out, unless it is the only one allowed."""
    everyone = list(dict.fromkeys(orch.participants))
    if last is None or last not in everyone:
        return everyone
    allowed = orch.allowed_transitions.get(last)
    pool = everyone if allowed is None else [p for p in everyone if p in allowed]
    if not orch.allow_repeated_speaker:
        pool = [p for p in pool if p != last] or pool
    return pool or everyone


def _check_transitions(orch: SelectorSpec, checks: Checks) -> None:
    base = ("orchestration", "allowed_transitions")
    participants = set(orch.participants)
    hint = f"participants: {', '.join(orch.participants)}" if orch.participants else "add participants first"
    for source, targets in orch.allowed_transitions.items():
        where = base + (source,)
        if source not in participants:
            checks.error(f"{source!r} is not a participant, so no rule can follow it", where, hint)
        if not targets:
            checks.error(f"no one may speak after {source!r}", where,
                         "list who may follow it, or remove the entry so anyone may")
        seen: set[str] = set()
        for i, target in enumerate(targets):
            if target in seen:
                checks.error(f"{target!r} is listed twice", where + (i,))
            seen.add(target)
            if target not in participants:
                checks.error(f"{target!r} is not a participant", where + (i,), hint)
            elif target == source and not orch.allow_repeated_speaker:
                checks.warn(
                    f"{source!r} may follow itself here, but repeated speakers are off"
                    + (": it will speak again and again" if targets == [source] else ", so this has no effect"),
                    where + (i,), "turn on allow_repeated_speaker, or list other agents")
    for index, agent in enumerate(orch.participants):
        if agent in participants and not _reachable(orch, agent):
            checks.warn(f"no one may speak before {agent!r}: it can only speak first", ("orchestration", "participants", index),
                        f"add {agent} to some agent's allowed transitions")


def _reachable(orch: SelectorSpec, agent: str) -> bool:
    """Some participant may hand the turn to ``agent``."""
    return any(agent in next_speakers(orch, other) for other in dict.fromkeys(orch.participants)
               if other != agent or orch.allow_repeated_speaker)


# --- the selector prompt: AgentChat's fields and the team's inputs ----------------------------


def fill_inputs(prompt: str, values: Mapping[str, str]) -> str:
    """The prompt with the team's input placeholders filled and AgentChat's own fields kept, as a
    template AgentChat formats: literal braces, in the text and in the values, stay literal."""
    out: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(prompt):
        out.append(_escaped(literal))
        if name is None:
            continue
        out.append("{" + name + "}" if name in SELECTOR_FIELDS or name not in values else _escaped(str(values[name])))
    return "".join(out)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _check_prompt(prompt: str, checks: Checks) -> None:
    """AgentChat's own plain fields and the team's inputs only (see base.check_template)."""
    check_template(prompt, [*SELECTOR_FIELDS, *checks.input_names()], ("orchestration", "selector_prompt"),
                   "the selector prompt", checks, fields_of="the selector prompt or an input of the team")
