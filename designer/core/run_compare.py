"""Two runs side by side: their transcripts as turns, aligned by speaker, and their totals.

A turn is what a reader counts as one step: an agent's message (or hand-off, or error) with the
tool calls it made on the way. Aligning by speaker (not by position) keeps the two columns in
step when one run has an extra turn: the rest still pairs researcher with researcher.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .run_data import MINUS, StoredRun, cost_text, money, reason_text
from .team_diff import TeamChange, Words, change_summary, team_changes, word_diff

#: Who a task message is shown as: the run's input, not one of the agents.
TASK_SPEAKER = "Task"


@dataclass
class ToolStep:
    name: str
    call_id: str = ""
    arguments: str = ""
    result: str | None = None  # None: the run ended before the tool answered
    is_error: bool = False


#: What a speaker choice's ``fallback: true`` means, in words.
FALLBACK_WORDS = "the answer named no participant, so AgentChat chose by its fallback rule"


@dataclass
class SpeakerChoice:
    """Why an agent spoke: the selector's prompt and raw answer, and the fallback taken when the
    answer named no participant (speaker_selected events may carry them)."""

    by: str
    prompt: str = ""
    answer: str = ""
    fallback: str = ""


@dataclass
class Turn:
    speaker: str
    text: str
    #: A message's kind (text, thought, tool_summary, stop, task), or "handoff", "error", or "cut"
    #: (a reply the run's end cut short: only its streamed text exists), or "tools" (calls made
    #: just before the run ended, with no message after them).
    kind: str = "text"
    origin: str = "live"  # "replayed": answered from a recording
    parent: str | None = None
    tools: list[ToolStep] = field(default_factory=list)
    target: str = ""  # a hand-off's target
    choice: SpeakerChoice | None = None
    seq: int = 0
    t: float = 0.0


def _key(event: dict[str, Any]) -> tuple[str, str | None]:
    return str(event.get("agent", "")), event.get("parent")


def turns(events: list[dict[str, Any]]) -> list[Turn]:
    """The run as turns; chunks, usage, start and finish are not turns."""
    out: list[Turn] = []
    tools: dict[tuple[str, str | None], list[ToolStep]] = {}
    calls: dict[str, ToolStep] = {}
    streams: dict[tuple[str, str | None], dict[str, Any]] = {}
    choices: dict[str, SpeakerChoice] = {}

    def turn(event: dict[str, Any], text: str, kind: str, speaker: str | None = None) -> Turn:
        key = _key(event)
        streams.pop(key, None)
        return Turn(
            speaker or key[0], text, kind, str(event.get("origin") or "live"), key[1],
            tools.pop(key, []), choice=choices.pop(key[0], None), seq=int(event.get("seq", 0)),
            t=float(event.get("t", 0.0)),
        )

    for event in events:
        kind = event.get("type")
        if kind == "message":
            is_task = event.get("kind") == "task"
            out.append(turn(event, str(event.get("content", "")), str(event.get("kind", "text")),
                            TASK_SPEAKER if is_task else None))
        elif kind == "handoff":
            made = turn(event, str(event.get("content", "")), "handoff")
            made.target = str(event.get("target", ""))
            out.append(made)
        elif kind == "error":
            out.append(turn(event, str(event.get("message", "")), "error"))
        elif kind == "tool_call":
            step = ToolStep(str(event.get("name", "")), str(event.get("call_id", "")), str(event.get("arguments", "")))
            tools.setdefault(_key(event), []).append(step)
            calls[step.call_id] = step
        elif kind == "tool_result":
            called = calls.get(str(event.get("call_id", "")))
            if called is not None:
                called.result, called.is_error = str(event.get("content", "")), bool(event.get("is_error", False))
        elif kind == "chunk":
            stream = streams.setdefault(_key(event), {**event, "text": ""})
            stream["text"] += str(event.get("text", ""))
        elif kind == "speaker_selected":
            choices[str(event.get("agent", ""))] = SpeakerChoice(
                str(event.get("by", "selector")), str(event.get("prompt", "")), str(event.get("answer", "")),
                FALLBACK_WORDS if event.get("fallback") is True else "",
            )
    # What the run's end cut short is still part of what happened: a reply half streamed, calls
    # made with no message after them.
    for stream in list(streams.values()):
        out.append(turn(stream, stream["text"], "cut"))
    for key in list(tools):
        out.append(turn({"agent": key[0], "parent": key[1]}, "", "tools"))
    return out


@dataclass
class ToolPair:
    left: ToolStep | None
    right: ToolStep | None
    args_changed: bool = False
    result_changed: bool = False

    @property
    def name(self) -> str:
        step = self.left or self.right
        return step.name if step is not None else ""


@dataclass
class TurnPair:
    left: Turn | None
    right: Turn | None
    same: bool = False
    words: Words | None = None  # the text's word diff, when both turns exist and their texts differ
    tools: list[ToolPair] = field(default_factory=list)

    @property
    def mark(self) -> str:
        """'=' the same, '~' changed, '<' only in the left run, '>' only in the right one."""
        if self.right is None:
            return "<"
        if self.left is None:
            return ">"
        return "=" if self.same else "~"


def _pair_tools(a: list[ToolStep], b: list[ToolStep]) -> list[ToolPair]:
    """The k-th call of a tool in one turn with the k-th call of the same tool in the other."""
    free: dict[str, list[ToolStep]] = {}
    for step in b:
        free.setdefault(step.name, []).append(step)
    out: list[ToolPair] = []
    for step in a:
        match = free.get(step.name, [])
        other = match.pop(0) if match else None
        if other is None:
            out.append(ToolPair(step, None))
        else:
            out.append(ToolPair(step, other, step.arguments != other.arguments,
                                (step.result, step.is_error) != (other.result, other.is_error)))
    matched = {id(p.right) for p in out if p.right is not None}
    out += [ToolPair(None, step) for step in b if id(step) not in matched]
    return out


def _pair(left: Turn, right: Turn) -> TurnPair:
    tools = _pair_tools(left.tools, right.tools)
    text_same = left.text == right.text and left.kind == right.kind
    tools_same = all(p.left and p.right and not (p.args_changed or p.result_changed) for p in tools)
    words = None if left.text == right.text else word_diff(left.text, right.text)
    return TurnPair(left, right, text_same and tools_same, words, tools)


def align(a: list[Turn], b: list[Turn]) -> list[TurnPair]:
    """Turn by turn, matched by speaker; a turn with no counterpart pairs with None."""
    speakers_a = [(t.speaker, t.parent) for t in a]
    speakers_b = [(t.speaker, t.parent) for t in b]
    out: list[TurnPair] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, speakers_a, speakers_b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [_pair(a[i1 + k], b[j1 + k]) for k in range(i2 - i1)]
            continue
        out += [TurnPair(turn, None, tools=[ToolPair(s, None) for s in turn.tools]) for turn in a[i1:i2]]
        out += [TurnPair(None, turn, tools=[ToolPair(None, s) for s in turn.tools]) for turn in b[j1:j2]]
    return out


@dataclass
class TotalRow:
    label: str
    left: str
    right: str
    delta: str  # "+12", "-0.4 s" (with a real minus sign), "+$0.0012", "±0", "unknown", "same", "changed"
    #: "better" (the right run used fewer tokens, less money or time, or saved more), "worse", or
    #: "" (no change, unknown, or a figure with no better way round such as the message count).
    tone: str = ""


def _sign(value: float) -> str:
    return "+" if value > 0 else MINUS if value < 0 else "±"


def _tone(delta: float, less_is_better: bool = True) -> str:
    if delta == 0:
        return ""
    return "better" if (delta < 0) == less_is_better else "worse"


def _count_row(label: str, left: int, right: int, unit: Callable[[int], str] = str, *,
               less_is_better: bool | None = True) -> TotalRow:
    delta = right - left
    tone = "" if less_is_better is None else _tone(delta, less_is_better)
    return TotalRow(label, unit(left), unit(right), f"{_sign(delta)}{abs(delta)}", tone)


def _cost_row(label: str, left: float | None, lcur: str | None, right: float | None, rcur: str | None, *,
              less_is_better: bool = True) -> TotalRow:
    """Unknown stays unknown: a delta needs both costs, in one currency."""
    row = TotalRow(label, cost_text(left, lcur), cost_text(right, rcur), "unknown")
    if left is not None and right is not None and (lcur or "USD").upper() == (rcur or "USD").upper():
        delta = round(right - left, 6)  # float noise is not a change
        row.delta = ("±" + money(0, lcur)) if delta == 0 else _sign(delta) + money(abs(delta), lcur)
        row.tone = _tone(delta, less_is_better)
    return row


def _saved_cost(run: StoredRun) -> float | None:
    """A run that replayed nothing saved nothing: 0 when its prices are known, not 'unknown'."""
    if run.saved_cost is None and not run.saved_tokens and run.cost is not None:
        return 0.0
    return run.saved_cost


def totals(a: StoredRun, b: StoredRun) -> list[TotalRow]:
    """Messages, tokens, cost, duration and finish reason of both runs, with the change from a to b."""
    rows = [
        _count_row("Messages", a.messages, b.messages, less_is_better=None),
        _count_row("Tokens", a.tokens, b.tokens),
        _cost_row("Cost", a.cost, a.currency, b.cost, b.currency),
    ]
    seconds = round(b.duration - a.duration, 1)
    rows.append(TotalRow("Duration", f"{a.duration:.1f} s", f"{b.duration:.1f} s", f"{_sign(seconds)}{abs(seconds):.1f} s",
                         _tone(seconds)))
    if a.saved_tokens or b.saved_tokens:  # only replays save anything: no row of zeros otherwise
        rows.append(_count_row("Saved by replay", a.saved_tokens, b.saved_tokens, lambda n: f"{n} tokens",
                               less_is_better=False))
        rows.append(_cost_row("Cost saved", _saved_cost(a), a.currency, _saved_cost(b), b.currency, less_is_better=False))
    left, right = reason_text(a.reason, a.detail), reason_text(b.reason, b.detail)
    rows.append(TotalRow("Finish", left, right, "same" if left == right else "changed"))
    return rows


def agent_totals(a: StoredRun, b: StoredRun) -> list[TotalRow]:
    """Tokens per agent in both runs (agents of either run, a's first), for the per-agent table."""
    names = list(a.tokens_by_agent) + [n for n in b.tokens_by_agent if n not in a.tokens_by_agent]

    def tokens(run: StoredRun, name: str) -> int:
        split = run.tokens_by_agent.get(name, {})
        return int(split.get("prompt", 0)) + int(split.get("completion", 0))

    return [_count_row(name, tokens(a, name), tokens(b, name)) for name in names]


@dataclass
class Comparison:
    changes: list[TeamChange]
    pairs: list[TurnPair]
    totals: list[TotalRow]
    summary: str = ""  # the team changes as one line ("" when the team did not change)
    agents: list[TotalRow] = field(default_factory=list)

    def count(self, mark: str) -> int:
        """How many turn pairs carry a mark ('=', '~', '<', '>')."""
        return sum(1 for p in self.pairs if p.mark == mark)


def compare(a: StoredRun, b: StoredRun) -> Comparison:
    """Run a against run b: the team change from a's snapshot to b's, the turns, the totals."""
    return Comparison(
        team_changes(a.snapshot, b.snapshot),
        align(turns(a.events), turns(b.events)),
        totals(a, b),
        change_summary(a.snapshot, b.snapshot),
        agent_totals(a, b),
    )
