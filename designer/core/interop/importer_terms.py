"""AgentChat termination conditions -> a ``termination:`` block (data only).

``a | b`` becomes the conditions of one block (two bounds of one kind: the smaller ends the
run first, so it is the one kept); a second condition of a kind that is not a bound goes into
``any:``. ``a & b`` becomes ``all:``. Conditions the format cannot say are reported dropped.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..termination import DEFAULT_MAX_MESSAGES, DEFAULT_TIMEOUT_S
from ..records_base import MAX_RUN_TIMEOUT_S
from . import Note
from .components import is_component, short_name

_BOUNDS = ("max_messages", "timeout", "max_tokens", "max_prompt_tokens", "max_completion_tokens", "max_turns")
_TOKENS = {"max_total_token": "max_tokens", "max_prompt_token": "max_prompt_tokens",
           "max_completion_token": "max_completion_tokens"}
#: Conditions AgentChat adds or users add for a Stop button: the product's Stop is always there.
_SILENT = ("ExternalTermination",)


class Conditions:
    """Maps conditions of one team; ``names`` maps its agents' names to ids, ``tool_ids`` tool names."""

    def __init__(self, notes: list[Note], names: Mapping[str, str], tool_ids: Callable[[str], str], where: str) -> None:
        self.notes, self.names, self.tool_ids, self.where = notes, names, tool_ids, where

    def block(self, component: object) -> dict[str, Any] | None:
        """The block for one condition (None: nothing of it could be kept)."""
        if not is_component(component):
            return None
        assert isinstance(component, dict)
        kind = short_name(component["provider"])
        config = component.get("config") or {}
        if kind in ("OrTerminationCondition", "AndTerminationCondition"):
            children = [b for b in (self.block(c) for c in config.get("conditions") or []) if b]
            if kind == "AndTerminationCondition":
                return {"all": children} if len(children) > 1 else (children[0] if children else None)
            out: dict[str, Any] = {}
            for child in children:
                merge(out, child)
            return out or None
        leaf = self._leaf(kind, config)
        if leaf is None and kind not in _SILENT:
            self.notes.append(Note("dropped", f"{kind} '{component.get('label') or kind}' of {self.where} — "
                                              "no equivalent termination condition"))
        return leaf or None

    def _agent(self, name: object) -> str | None:
        if name == "user":
            return "user"
        return self.names.get(str(name)) if isinstance(name, str) else None

    def _leaf(self, kind: str, config: dict[str, Any]) -> dict[str, Any] | None:
        if kind == "MaxMessageTermination":
            n = config.get("max_messages")
            return {"max_messages": n} if _positive_int(n) else None
        if kind == "TextMentionTermination":
            text = config.get("text")
            if not isinstance(text, str) or not text:
                return None
            if config.get("sources"):
                self.notes.append(Note("changed", f"TextMentionTermination {text!r} of {self.where}: counted for every "
                                                  "agent, not only " + ", ".join(map(str, config["sources"]))))
            return {"text": text}
        if kind == "TimeoutTermination":
            seconds = config.get("timeout_seconds")
            ok = isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 < seconds <= MAX_RUN_TIMEOUT_S
            return {"timeout": float(seconds)} if ok else None  # type: ignore[arg-type]
        if kind == "TokenUsageTermination":
            return {ours: config[theirs] for theirs, ours in _TOKENS.items()
                    if _positive_int(config.get(theirs), 10**12)} or None
        if kind == "FunctionCallTermination":
            name = config.get("function_name")
            return {"tool_called": self.tool_ids(name)} if isinstance(name, str) and name else None
        if kind == "TextMessageTermination":
            source = config.get("source")
            if source is None:  # any agent's text message: one condition per agent
                return {"any": [{"text_from": a} for a in self.names.values()]} if self.names else None
            agent = self._agent(source)
            return {"text_from": agent} if agent and agent != "user" else None
        if kind == "HandoffTermination":
            target = self._agent(config.get("target"))
            return {"handoff_to": target} if target else None
        if kind == "SourceMatchTermination":
            spoke = [a for a in (self._agent(s) for s in config.get("sources") or []) if a and a != "user"]
            return {"spoke": spoke} if spoke else None
        return None


def merge(block: dict[str, Any], child: dict[str, Any]) -> None:
    """OR ``child`` into ``block``: keys it does not have yet join it, the rest go into ``any``."""
    for key, value in child.items():
        if key not in block:
            block[key] = value
        elif key in _BOUNDS:
            block[key] = min(block[key], value)  # of two bounds of one kind, the smaller ends the run
        elif key in ("spoke", "any"):
            block[key] = [*block[key], *(v for v in value if v not in block[key])]
        else:
            block.setdefault("any", []).append({key: value})


def bounded(block: dict[str, Any] | None, max_turns: object, notes: list[Note], where: str) -> dict[str, Any]:
    """The team's block with its ``max_turns`` and, when nothing bounds it, the default bound."""
    out = dict(block or {})
    if _positive_int(max_turns):
        out["max_turns"] = min(int(max_turns), 100_000)  # type: ignore[call-overload]
    if not any(k in out for k in _BOUNDS):
        # Every run of a team file is bounded; AgentChat allows a team that never stops.
        out.setdefault("max_messages", DEFAULT_MAX_MESSAGES)
        out.setdefault("timeout", DEFAULT_TIMEOUT_S)
        said = "no termination condition" if block is None else "no condition that always ends a run"
        notes.append(Note("changed", f"{where} had {said}: it ends after {DEFAULT_MAX_MESSAGES} messages "
                                     f"or {DEFAULT_TIMEOUT_S:g} s"))
    return out


def _positive_int(value: object, limit: int = 100_000) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= limit
