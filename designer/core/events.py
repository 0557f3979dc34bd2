"""The run event vocabulary: small, JSON-serialisable records shared by the CLI and the window.

Every event names the agent it is about (``"team"`` for team-level events). Events
produced by a worker inside a hierarchical delegation name the coordinator as
``parent``. ``seq`` orders events within a run and ``t`` is seconds since the start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

TEAM = "team"

#: The ``type`` of each event class, as it appears in JSONL transcripts.
EventType = Literal[
    "started", "message", "chunk", "tool_call", "tool_result", "handoff", "speaker_selected",
    "input_requested", "usage", "error", "finished",
]
#: "text"; "thought" (reasoning shown before the answer); "tool_summary" (a tool result given as
#: the answer); "stop" (an agent ended the run); "task" (the task the run was given).
MessageKind = Literal["text", "thought", "tool_summary", "stop", "task"]
#: What an error is about: the model (its server, key or script), a tool, code not trusted,
#: a human-input request, or the engine itself.
ErrorKind = Literal["model", "tool", "trust", "input", "internal"]
FinishReason = Literal["completed", "termination", "stopped", "error"]


#: Each event class's field names, looked up once per class.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass
class RunEvent:
    """The base of every event; only its subclasses are emitted."""

    type: ClassVar[EventType]
    agent: str
    parent: str | None = field(default=None, kw_only=True)
    seq: int = field(default=0, kw_only=True)
    t: float = field(default=0.0, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy: every field is already a JSON value (asdict's deep copy costs 25x more).
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        data: dict[str, Any] = {"type": self.type}
        for name in names:
            data[name] = getattr(self, name)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass
class RunStarted(RunEvent):
    type: ClassVar[EventType] = "started"
    team: str = ""
    pattern: str = ""
    task: str = ""
    participants: list[str] = field(default_factory=list)
    bound: str = ""
    snapshot: str = ""


@dataclass
class Message(RunEvent):
    type: ClassVar[EventType] = "message"
    content: str = ""
    kind: MessageKind = "text"


@dataclass
class Chunk(RunEvent):
    type: ClassVar[EventType] = "chunk"
    text: str = ""


@dataclass
class ToolCall(RunEvent):
    type: ClassVar[EventType] = "tool_call"
    call_id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class ToolResult(RunEvent):
    type: ClassVar[EventType] = "tool_result"
    call_id: str = ""
    name: str = ""
    content: str = ""
    is_error: bool = False


@dataclass
class Handoff(RunEvent):
    type: ClassVar[EventType] = "handoff"
    target: str = ""
    content: str = ""


@dataclass
class SpeakerSelected(RunEvent):
    """``agent`` is the speaker chosen to talk next."""

    type: ClassVar[EventType] = "speaker_selected"
    by: str = "selector"


@dataclass
class InputRequested(RunEvent):
    type: ClassVar[EventType] = "input_requested"
    request_id: str = ""
    prompt: str = ""


@dataclass
class Usage(RunEvent):
    type: ClassVar[EventType] = "usage"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Error(RunEvent):
    type: ClassVar[EventType] = "error"
    message: str = ""
    kind: ErrorKind = "internal"


@dataclass
class Finished(RunEvent):
    type: ClassVar[EventType] = "finished"
    reason: FinishReason = "completed"
    detail: str = ""
    messages: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_by_agent: dict[str, dict[str, int]] = field(default_factory=dict)
    duration: float = 0.0

