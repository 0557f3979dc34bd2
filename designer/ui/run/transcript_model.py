"""The live transcript as a list model: one entry per message, tool call, hand-off or notice.

Run events arrive in order; streamed chunks grow the speaker's open entry, the final
message replaces its text, a tool result completes the entry of its call. Entries are
plain records so 5,000 of them stay cheap; rendering happens in the delegate.

In a replay each message says whether the recording answered it ("replayed") or the model
did ("live"); each message also remembers how many of the team's messages came before it,
which is where "Re-run from here" continues a recorded run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ...core import events as ev
from ...core.finish import figures_text, finish_text
from ...core.patterns.magentic_one import ORCHESTRATOR

#: The item data role under which the model hands the delegate a whole Entry.
EntryRole = Qt.ItemDataRole.UserRole + 1

#: What an entry shows: the task, an agent's message, a tool call with its result, a notice
#: (start, hand-off, next speaker, a question waiting), an error, or the run's end.
EntryKind = Literal["task", "message", "tool", "system", "error", "finished"]
#: Entries without a speaker's header line: one line of text, drawn muted (or red for errors).
NOTICE_KINDS: frozenset[EntryKind] = frozenset({"system", "error", "finished"})


@dataclass
class Entry:
    kind: EntryKind
    agent: str
    text: str = ""
    parent: str | None = None
    clock: str = ""
    streaming: bool = False
    # tool entries
    call_id: str = ""
    tool: str = ""
    arguments: str = ""
    result: str | None = None
    is_error: bool = False
    expanded: bool = False
    #: Bumped on every change, so the delegate's layout cache knows when to re-measure.
    version: int = 0
    #: A message entry's Message.kind ("text", "thought", "tool_summary", ...); "" for other entries.
    message_kind: str = ""
    #: A finished entry's reason; None for other entries.
    reason: ev.FinishReason | None = None
    #: A message's origin in a replay: "replayed" (answered from the recording), "live", or "" (a plain run).
    origin: str = ""
    #: A message entry: the team's messages before it (the task not counted), the count a
    #: re-run from this entry starts live at; -1 for entries that are not the team's messages.
    before: int = -1
    #: A speaker choice (selector teams): why this agent spoke, the selector's prompt and raw answer.
    prompt: str = ""
    answer: str = ""
    #: The selector's answer named no participant, so AgentChat chose by its fallback rule.
    fallback: bool = False
    #: A structured reply (the agent's output_schema): ``text`` is its JSON, indented.
    structured: bool = False

    @property
    def has_reason(self) -> bool:
        """A speaker choice with something to show about why (a click expands it)."""
        return bool(self.prompt or self.answer or self.fallback)

    @property
    def expandable(self) -> bool:
        return self.kind == "tool" or self.has_reason

    def plain_text(self) -> str:
        if self.kind == "tool":
            out = f"{self.agent} called {self.tool}({self.arguments})"
            if self.result is not None:
                out += f"\n{'error' if self.is_error else 'result'}: {self.result}"
            return out
        return self.text


class TranscriptModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        #: Every event of the current run, for the JSONL export.
        self.events: list[ev.RunEvent] = []
        self.started: ev.RunStarted | None = None
        self.finished: ev.Finished | None = None
        self._open: dict[tuple[str, str | None], int] = {}  # streaming entry per speaker
        self._calls: dict[str, int] = {}
        self._wall_start = time.time()
        #: The team's messages so far, counted as AgentChat's manager counts them (the task and
        #: thoughts are not messages; a worker's messages inside a delegation never reach it).
        self.team_messages = 0

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == EntryRole:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.plain_text()
        if role == Qt.ItemDataRole.ToolTipRole:
            if entry.kind == "tool":
                return "Click to show or hide the arguments and result"
            if entry.has_reason:
                return "Click to show or hide why this agent spoke: the selector's prompt and its answer"
            if entry.origin == "replayed":
                return "Answered from the recording: no model was called, no tokens were spent"
            if entry.origin == "live":
                return "Answered by the model (this turn was not in the recording, or came after a change)"
        return None

    # --- feeding events ------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self.entries.clear()
        self.events.clear()
        self._open.clear()
        self._calls.clear()
        self.team_messages = 0
        self.started = self.finished = None
        self.endResetModel()

    def _clock(self, event: ev.RunEvent) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self._wall_start + event.t))

    def _append(self, entry: Entry) -> int:
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()
        return row

    def _touch(self, row: int) -> None:
        self.entries[row].version += 1
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def add_events(self, batch: list[ev.RunEvent]) -> None:
        for event in batch:
            self.add_event(event)

    def show_stored(self, events: list[dict[str, Any]], started_at: float) -> None:
        """A stored run's events (core.events dicts), read back; clocks at the run's own time, not today's."""
        self.clear()
        for data in events:
            event = ev.event_from_dict(data)
            if event is None:
                continue
            self.add_event(event)
            if isinstance(event, ev.RunStarted):
                self._wall_start = started_at - event.t

    def add_event(self, event: ev.RunEvent) -> None:
        if not isinstance(event, ev.Chunk):
            self.events.append(event)
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def _on_started(self, event: ev.RunStarted) -> None:
        self._wall_start = time.time() - event.t
        self.started = event
        self._append(Entry("system", ev.TEAM, f"Run of “{event.team}” ({event.pattern}) — bound: {event.bound}", clock=self._clock(event)))

    def _on_chunk(self, event: ev.Chunk) -> None:
        key = (event.agent, event.parent)
        row = self._open.get(key)
        if row is None:
            row = self._append(Entry("message", event.agent, "", parent=event.parent, clock=self._clock(event), streaming=True))
            self._open[key] = row
        self.entries[row].text += event.text
        self._touch(row)

    def _count(self, event: ev.Message | ev.Handoff) -> int:
        """The team's messages before this one (-1: it is not one of them); counts it."""
        # The person's answer to a hand-off is, like the task, no message of the team's (AgentChat's count).
        if event.parent is not None or (isinstance(event, ev.Message) and (event.kind in ("task", "thought")
                                                                          or event.agent == "user")):
            return -1
        before = self.team_messages
        self.team_messages += 1
        return before

    def _on_message(self, event: ev.Message) -> None:
        key = (event.agent, event.parent)
        row = self._open.pop(key, None)
        before = self._count(event)
        text = _indented_json(event.content) if event.structured else self._headed(event)
        if row is not None:
            entry = self.entries[row]
            entry.text, entry.streaming, entry.structured = text, False, event.structured
            entry.message_kind, entry.origin, entry.before = event.kind, event.origin, before
            self._touch(row)
            return
        kind: EntryKind = "task" if event.kind == "task" else "message"
        self._append(Entry(kind, event.agent, text, parent=event.parent, clock=self._clock(event),
                           message_kind=event.kind, origin=event.origin, before=before, structured=event.structured))

    def _headed(self, event: ev.Message) -> str:
        """Magentic-One's orchestrator: its plan (a re-plan after stalling) and its final answer
        under a heading; its instructions follow the line saying whom it picked."""
        magentic = self.started is not None and self.started.pattern == "magentic_one" and event.agent == ORCHESTRATOR
        if event.kind == "plan":  # only an orchestrator's (an inner team's too)
            again = any(e.message_kind == "plan" and e.parent == event.parent for e in self.entries)
            return ("**New plan** (after stalling)" if again else "**Plan**") + "\n\n" + event.content.strip()
        return f"**Final answer**\n\n{event.content}" if magentic and event.kind == "text" else event.content

    def _on_tool_call(self, event: ev.ToolCall) -> None:
        row = self._append(Entry(
            "tool", event.agent, parent=event.parent, clock=self._clock(event),
            call_id=event.call_id, tool=event.name, arguments=event.arguments,
        ))
        self._calls[event.call_id] = row

    def _on_tool_result(self, event: ev.ToolResult) -> None:
        row = self._calls.get(event.call_id)
        if row is None:
            return
        entry = self.entries[row]
        entry.result, entry.is_error = event.content, event.is_error
        self._touch(row)

    def _on_handoff(self, event: ev.Handoff) -> None:
        self._count(event)  # a hand-off is one of the team's messages (re-run from here counts it)
        self._append(Entry("system", event.agent, f"{event.agent} hands off to {event.target}", parent=event.parent,
                           clock=self._clock(event)))

    def _on_speaker_selected(self, event: ev.SpeakerSelected) -> None:
        self._append(Entry("system", event.agent, f"{event.by} picks {event.agent} to speak next", clock=self._clock(event),
                           prompt=event.prompt, answer=event.answer, fallback=event.fallback))

    def _on_input_requested(self, event: ev.InputRequested) -> None:
        self._append(Entry("system", event.agent, f"{event.agent} is waiting for your answer", clock=self._clock(event)))

    def _on_approval_requested(self, event: ev.ApprovalRequested) -> None:
        self._append(Entry("system", event.agent, f"{event.agent} waits for your approval to run code", clock=self._clock(event)))

    def _on_notice(self, event: ev.Notice) -> None:
        self._append(Entry("system", event.agent, f"{event.agent}: {event.text}", parent=event.parent, clock=self._clock(event)))

    def _on_error(self, event: ev.Error) -> None:
        self._append(Entry("error", event.agent, event.message, parent=event.parent, clock=self._clock(event)))

    def _on_finished(self, event: ev.Finished) -> None:
        self.finished = event
        for row in self._open.values():  # a stop can cut a stream short
            self.entries[row].streaming = False
            self._touch(row)
        self._open.clear()
        text = f"{finish_text(event.reason, event.detail)} — {figures_text(event)}"
        self._append(Entry("finished", ev.TEAM, text, clock=self._clock(event), reason=event.reason))

    def toggle(self, row: int) -> None:
        entry = self.entries[row]
        if entry.expandable:
            entry.expanded = not entry.expanded
            self._touch(row)

    @property
    def run_id(self) -> str:
        """The shown run's id in the run history ("" when it was not recorded)."""
        return self.started.run_id if self.started is not None else ""

    # --- export -------------------------------------------------------------------------

    def to_markdown(self) -> str:
        lines = []
        if self.started is not None:
            about = f"Pattern: {self.started.pattern} · bound: {self.started.bound} · design snapshot {self.started.snapshot}"
            lines += [f"# {self.started.team}", "", about, ""]
        for entry in self.entries:
            indent = "> " if entry.parent else ""
            if entry.kind in ("message", "task"):
                who = "Task" if entry.kind == "task" else entry.agent
                mark = " · ↺ replayed" if entry.origin == "replayed" else ""
                lines.append(f"{indent}### {who}{mark} · {entry.clock}")
                lines.append(indent)
                fence = [f"{indent}```json"] if entry.structured else []
                lines += fence + [indent + line for line in entry.text.splitlines()] + [f"{indent}```" for _ in fence]
            elif entry.kind == "tool":
                lines.append(f"{indent}**{entry.agent}** called `{entry.tool}` · {entry.clock}")
                lines.append(indent)
                lines.append(f"{indent}```json")
                lines.append(indent + entry.arguments)
                lines.append(f"{indent}```")
                if entry.result is not None:
                    lines.append(f"{indent}{'Error' if entry.is_error else 'Result'}: {entry.result}")
            else:
                lines.append(f"{indent}*{entry.text}* · {entry.clock}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def to_jsonl(self) -> str:
        return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in self.events)


def _indented_json(text: str) -> str:
    """A structured reply's JSON laid out for reading (as it came when it is not JSON after all)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
