"""The run event vocabulary: small, JSON-serialisable records shared by the CLI and the window.

Every event names the agent it is about (``"team"`` for team-level events). Events
produced by a worker inside a hierarchical delegation name the coordinator as
``parent``. ``seq`` orders events within a run and ``t`` is seconds since the start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, ClassVar, Literal

TEAM = "team"

FinishReason = Literal["completed", "termination", "stopped", "error"]


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass
class RunEvent:
    type: ClassVar[str] = "event"
    agent: str
    parent: str | None = field(default=None, kw_only=True)
    seq: int = field(default=0, kw_only=True)
    t: float = field(default=0.0, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy: every field is already a JSON value (asdict's deep copy costs 25x more).
        data: dict[str, Any] = {"type": self.type}
        for name in _field_names(type(self)):
            data[name] = getattr(self, name)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass
class RunStarted(RunEvent):
    type: ClassVar[str] = "started"
    team: str = ""
    pattern: str = ""
    task: str = ""
    participants: list[str] = field(default_factory=list)
    bound: str = ""
    snapshot: str = ""


@dataclass
class Message(RunEvent):
    type: ClassVar[str] = "message"
    content: str = ""
    #: "text", "tool_summary" (a tool result given as the answer), "stop", or "task"
    kind: str = "text"


@dataclass
class Chunk(RunEvent):
    type: ClassVar[str] = "chunk"
    text: str = ""


@dataclass
class ToolCall(RunEvent):
    type: ClassVar[str] = "tool_call"
    call_id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class ToolResult(RunEvent):
    type: ClassVar[str] = "tool_result"
    call_id: str = ""
    name: str = ""
    content: str = ""
    is_error: bool = False


@dataclass
class Handoff(RunEvent):
    type: ClassVar[str] = "handoff"
    target: str = ""
    content: str = ""


@dataclass
class SpeakerSelected(RunEvent):
    """``agent`` is the speaker chosen to talk next."""

    type: ClassVar[str] = "speaker_selected"
    by: str = "selector"


@dataclass
class InputRequested(RunEvent):
    type: ClassVar[str] = "input_requested"
    request_id: str = ""
    prompt: str = ""


@dataclass
class Usage(RunEvent):
    type: ClassVar[str] = "usage"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Error(RunEvent):
    type: ClassVar[str] = "error"
    message: str = ""
    #: "model", "tool", "input", "internal"
    kind: str = "internal"


@dataclass
class Finished(RunEvent):
    type: ClassVar[str] = "finished"
    reason: FinishReason = "completed"
    detail: str = ""
    messages: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_by_agent: dict[str, dict[str, int]] = field(default_factory=dict)
    duration: float = 0.0


EVENT_TYPES: dict[str, type[RunEvent]] = {
    cls.type: cls
    for cls in (RunStarted, Message, Chunk, ToolCall, ToolResult, Handoff, SpeakerSelected, InputRequested, Usage, Error, Finished)
}


def event_from_dict(data: dict[str, Any]) -> RunEvent:
    """Rebuild an event from :meth:`RunEvent.to_dict` output (e.g. a JSONL transcript)."""
    cls = EVENT_TYPES[data["type"]]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
