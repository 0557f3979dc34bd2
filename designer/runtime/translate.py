"""AgentChat messages and events -> the engine's run event vocabulary."""

from __future__ import annotations

import re
from typing import Any, Mapping

from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    HandoffMessage,
    SelectSpeakerEvent,
    StopMessage,
    StructuredMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)

from ..core import events as ev
from ..core.patterns.magentic_one import ORCHESTRATOR
from .magentic_ledger import SOURCE as MAGENTIC_SOURCE
from .magentic_ledger import orchestrator_events
from .recording import CallSession


class Translator:
    """Stateful: tracks tokens per agent and which events are nested in a delegation."""

    def __init__(
        self, coordinator: str | None = None, workers: frozenset[str] = frozenset(), session: CallSession | None = None,
        parents: Mapping[str, str] | None = None,
    ) -> None:
        self.coordinator = coordinator
        self.workers = workers
        #: Who each nested speaker's messages nest under: hierarchical workers under the coordinator,
        #: inner teams' members under their team agent (TeamSpec.inner_members(), which wins).
        self.parents: dict[str, str] = {w: coordinator for w in workers} if coordinator else {}
        self.parents.update(parents or {})
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
        return self.parents.get(source)

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
            # The recorded reasons are the outer selector's, by message count: an inner selector's pick has none.
            inner = any(self.parent_of(name) is not None for name in item.content)
            reason = self.session.selector_reason(self.messages) if self.session is not None and not inner else None
            prompt, answer, last = reason or ("", "", "")
            return [ev.SpeakerSelected(name, prompt=prompt, answer=answer, fallback=bool(last) and not named(name, last),
                                       parent=self.parent_of(name)) for name in item.content]
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
            if source == MAGENTIC_SOURCE:  # Magentic-One's orchestrator: its plan, speaker choices, final answer
                return orchestrator_events(item, self._origin(ORCHESTRATOR), self.parent_of)
            kind: ev.MessageKind = (
                "tool_summary" if isinstance(item, ToolCallSummaryMessage) else "stop" if isinstance(item, StopMessage) else "text"
            )
            # A structured reply is the JSON the model wrote (fields it left out stay out, where to_text()
            # writes null for them, which the schema's own json-schema check would fail).
            structured = isinstance(item, StructuredMessage)
            content = item.content.model_dump_json(exclude_unset=True) if isinstance(item, StructuredMessage) else item.to_text()
            message = ev.Message(source, content=content, kind=kind, parent=parent, origin=self._origin(source), structured=structured)
            return [message, *self._usage(source, item.models_usage)]
        # Memory queries are left out on purpose: every turn of a memory's reader would repeat all its
        # entries; what changes a memory (a writer's remember_ call) shows as a tool call. Code
        # generation notices, input requests (emitted by the runner itself) ...
        return []


def named(name: str, answer: str) -> bool:
    """Whether the selector's answer names this agent, as AgentChat reads it (a whole word; an
    underscore may be written as a space or escaped)."""
    forms = "|".join(re.escape(f) for f in (name, name.replace("_", " "), name.replace("_", r"\_")))
    return re.search(rf"(?<=\W)({forms})(?=\W)", f" {answer} ") is not None
