"""AgentChat messages and events -> the engine's run event vocabulary."""

from __future__ import annotations

import re
from typing import Any

from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    HandoffMessage,
    SelectSpeakerEvent,
    StopMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)

from ..core import events as ev
from .recording import CallSession


class Translator:
    """Stateful: tracks tokens per agent and which events are nested in a delegation."""

    def __init__(
        self, coordinator: str | None = None, workers: frozenset[str] = frozenset(), session: CallSession | None = None
    ) -> None:
        self.coordinator = coordinator
        self.workers = workers
        #: The run's recording: in a replay, which turns were answered from it.
        self.session = session
        self.tokens: dict[str, dict[str, int]] = {}
        self.messages = 0
        self._seen_task = False

    def task_message(self, task: str) -> ev.Message:
        """The run's task as its first message; AgentChat's own copy of it is then not repeated."""
        self._seen_task = True
        return ev.Message("user", content=task, kind="task")

    def parent_of(self, source: str) -> str | None:
        return self.coordinator if source in self.workers else None

    def _origin(self, source: str) -> str:
        session = self.session
        return session.last_origin.get(source, "live") if session is not None and session.replaying else ""

    def _usage(self, source: str, usage: Any) -> list[ev.RunEvent]:
        if usage is None or (usage.prompt_tokens == 0 and usage.completion_tokens == 0):
            return []
        if self._origin(source) == "replayed":  # saved, not spent: the session counts it (saved)
            return [ev.Usage(source, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                             parent=self.parent_of(source), replayed=True)]
        totals = self.tokens.setdefault(source, {"prompt": 0, "completion": 0})
        totals["prompt"] += usage.prompt_tokens
        totals["completion"] += usage.completion_tokens
        return [
            ev.Usage(source, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, parent=self.parent_of(source))
        ]

    def translate(self, item: BaseAgentEvent | BaseChatMessage) -> list[ev.RunEvent]:
        source = item.source
        parent = self.parent_of(source)
        if isinstance(item, ToolCallRequestEvent):
            calls: list[ev.RunEvent] = [
                ev.ToolCall(source, call_id=c.id, name=c.name, arguments=c.arguments, parent=parent) for c in item.content
            ]
            return calls + self._usage(source, item.models_usage)
        if isinstance(item, ToolCallExecutionEvent):
            return [
                ev.ToolResult(source, call_id=r.call_id, name=r.name, content=r.content, is_error=bool(r.is_error), parent=parent)
                for r in item.content
            ]
        if isinstance(item, SelectSpeakerEvent):
            reason = self.session.selector_reason(self.messages) if self.session is not None else None
            prompt, answer, last = reason or ("", "", "")
            return [ev.SpeakerSelected(name, prompt=prompt, answer=answer, fallback=bool(last) and not named(name, last))
                    for name in item.content]
        if isinstance(item, ThoughtEvent):
            return [ev.Message(source, content=item.content, kind="thought", parent=parent)]
        if isinstance(item, CodeExecutionEvent):
            result = item.result
            return [
                ev.ToolResult(source, call_id=str(item.retry_attempt), name="code_execution", content=result.output,
                              is_error=result.exit_code != 0, parent=parent)
            ]
        if isinstance(item, HandoffMessage):
            self.messages += 1
            return [ev.Handoff(source, target=item.target, content=item.content, parent=parent)] + self._usage(source, item.models_usage)
        if isinstance(item, BaseChatMessage):
            if source == "user":
                if self._seen_task:
                    # A delegation's task inside a hierarchical run: the coordinator's tool call shows it.
                    return []
                self._seen_task = True  # the task is not counted among the team's messages
                return [ev.Message("user", content=item.to_text(), kind="task")]
            self.messages += 1
            kind: ev.MessageKind = (
                "tool_summary" if isinstance(item, ToolCallSummaryMessage) else "stop" if isinstance(item, StopMessage) else "text"
            )
            message = ev.Message(source, content=item.to_text(), kind=kind, parent=parent, origin=self._origin(source))
            return [message, *self._usage(source, item.models_usage)]
        # Memory queries, code generation notices, input requests (emitted by the runner itself) ...
        return []


def named(name: str, answer: str) -> bool:
    """Whether the selector's answer names this agent, as AgentChat reads it (a whole word; an
    underscore may be written as a space or escaped)."""
    forms = "|".join(re.escape(f) for f in (name, name.replace("_", " "), name.replace("_", r"\_")))
    return re.search(rf"(?<=\W)({forms})(?=\W)", f" {answer} ") is not None
