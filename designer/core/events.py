"""The run event vocabulary: small, JSON-serialisable records shared by the CLI and the window.

Every event names the agent it is about (``"team"`` for team-level events). Events
produced by a worker inside a hierarchical delegation name the coordinator as
``parent``. ``seq`` orders events within a run and ``t`` is seconds since the start.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Literal, Mapping, get_args

TEAM = "team"

#: The ``type`` of each event class, as it appears in JSONL transcripts.
EventType = Literal[
    "started", "message", "chunk", "tool_call", "tool_result", "handoff", "speaker_selected",
    "input_requested", "usage", "error", "finished", "approval_requested", "notice",
]
#: "text"; "thought" (reasoning shown before the answer); "tool_summary" (a tool result given as
#: the answer); "stop" (an agent ended the run); "task" (the task the run was given); "plan" and
#: "instruction" (Magentic-One's orchestrator: its task ledger, and what it asks the next speaker).
MessageKind = Literal["text", "thought", "tool_summary", "stop", "task", "plan", "instruction"]
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
        """The event as one JSON line. Written out once: the run history and a JSONL transcript
        both ask for it, and an event is not changed once the run has yielded it."""
        text = self.__dict__.get("_json")
        if text is None:
            text = self.__dict__["_json"] = json.dumps(self.to_dict(), ensure_ascii=False)
        return text


@dataclass
class RunStarted(RunEvent):
    type: ClassVar[EventType] = "started"
    team: str = ""
    pattern: str = ""
    task: str = ""
    participants: list[str] = field(default_factory=list)
    bound: str = ""
    snapshot: str = ""
    #: The run's id in the run history (``runs show ID``); "" when the run is not recorded.
    run_id: str = ""
    #: "run"; "replay" (answered from a recording); "rerun" (continued from a message of one).
    origin: str = "run"


@dataclass
class Message(RunEvent):
    type: ClassVar[EventType] = "message"
    content: str = ""
    kind: MessageKind = "text"
    #: In a replay: "replayed" (answered from the recording) or "live"; "" in a plain run.
    origin: str = ""
    #: The reply follows the agent's output_schema: ``content`` is its JSON (AgentChat's StructuredMessage).
    structured: bool = False


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
    #: Why this agent spoke: the selector's prompt and its raw answer ("" when no model was asked).
    prompt: str = ""
    answer: str = ""
    #: The answer named no participant, so AgentChat chose by its fallback rule.
    fallback: bool = False


@dataclass
class InputRequested(RunEvent):
    type: ClassVar[EventType] = "input_requested"
    request_id: str = ""
    prompt: str = ""
    #: "replayed": a replay answered it from the recording (no one is asked); "" otherwise.
    origin: str = ""


@dataclass
class ApprovalRequested(RunEvent):
    """A code_executor agent waits for the person to approve ``code`` (TeamRun.approve answers)."""

    type: ClassVar[EventType] = "approval_requested"
    request_id: str = ""
    code: str = ""


@dataclass
class Notice(RunEvent):
    """A line about the run for the person (a code block approved or denied, Docker unavailable)."""

    type: ClassVar[EventType] = "notice"
    text: str = ""


@dataclass
class Usage(RunEvent):
    type: ClassVar[EventType] = "usage"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Answered from a recording: the tokens were saved, not spent.
    replayed: bool = False


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
    #: Replay: tokens of the calls answered from the recording (not in the counts above).
    saved_tokens: int = 0
    saved_by_agent: dict[str, dict[str, int]] = field(default_factory=dict)
    replayed_calls: int = 0
    live_calls: int = 0
    #: From the model entries' prices; None: unknown (never shown as 0).
    cost: float | None = None
    currency: str | None = None
    saved_cost: float | None = None
    cost_by_agent: dict[str, float | None] = field(default_factory=dict)
    #: Why the run history did not keep this run whole ("" when it did, or was not asked to).
    record_problem: str = ""


#: The fields whose values are one of a few words: a stored value outside them is dropped.
_CHOICES: dict[str, tuple[str, ...]] = {
    "message.kind": get_args(MessageKind), "error.kind": get_args(ErrorKind), "finished.reason": get_args(FinishReason),
}


def event_from_dict(data: Mapping[str, Any]) -> RunEvent | None:
    """A stored event (a :meth:`RunEvent.to_dict` dict from the run history or a bundle) as its
    event again; None for a type this version does not know. A bundle is someone else's file:
    a field of the wrong type (or an unknown word) falls back to its default rather than
    reaching a view that would trip over it, and unknown fields are ignored."""
    cls = next((c for c in _event_classes() if c.type == data.get("type")), None)
    if cls is None:
        return None
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        value = data[item.name]
        default = item.default_factory() if item.default_factory is not MISSING else item.default
        if default is MISSING:  # agent: the one field without a default
            default = ""
        if default is None:
            ok = value is None or isinstance(value, (int, float, str))
        elif isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(default, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float))
        else:
            ok = isinstance(value, type(default))
        choices = _CHOICES.get(f"{cls.type}.{item.name}")
        if ok and (choices is None or value in choices):
            values[item.name] = value
    values.setdefault("agent", TEAM)
    return cls(**values)


def _event_classes() -> list[type[RunEvent]]:
    return RunEvent.__subclasses__()

