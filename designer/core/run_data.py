"""A stored run as plain data: what the run store returns and what comparing and rendering read.

The store (core/run_store.py) fills it; nothing here touches sqlite, Qt or AutoGen, so the CLI,
the window's History and Compare views and the renderers share one shape. ``events`` are the
dicts of :meth:`designer.core.events.RunEvent.to_dict`, in ``seq`` order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Sequence

if TYPE_CHECKING:
    from .run_schema import Call

#: How long a label may be before it is shortened with "…": a history row or a column header.
LABEL_CHARS = 60

#: How each stored finish reason reads. The store adds "interrupted" (the app died mid-run) and
#: "running" to the four reasons a run itself reports (core/events.py FinishReason).
REASON_WORDS: dict[str, str] = {
    "completed": "Finished",
    "termination": "Finished",
    "stopped": "Stopped",
    "error": "Failed",
    "interrupted": "Interrupted",
    "running": "Running",
}


@dataclass
class StoredRun:
    id: str  # 12 hex chars
    team: str  # team name
    team_path: str | None  # the team file, absolute, or None (unsaved design)
    snapshot: str  # the team's YAML text as it was run (secrets are references like env:KEY)
    task: str
    started_at: float  # epoch seconds
    reason: str  # completed | termination | stopped | error | interrupted | running
    detail: str
    messages: int
    prompt_tokens: int
    completion_tokens: int
    duration: float
    cost: float | None  # None: unknown (never show unknown as 0)
    currency: str | None
    saved_tokens: int = 0  # tokens answered from a recording (replay) instead of the model
    saved_cost: float | None = None
    title: str = ""  # user's rename
    starred: bool = False
    origin: str = "run"  # run | replay | rerun
    parent: str | None = None  # the run it replayed / continued from
    changes: str = ""  # one line: what changed in the team since the previous run
    cost_by_agent: dict[str, float | None] = field(default_factory=dict)
    tokens_by_agent: dict[str, dict[str, int]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # event.to_dict() dicts, in seq order
    #: What the run's caller changed for it (model_override, max_messages, timeout, reply_tokens):
    #: a replay repeats them, so its requests can match the recording's.
    overrides: dict[str, Any] = field(default_factory=dict)
    #: The values of the team's {inputs} the run was given (they fill the task and the system
    #: messages): a replay gives them again, or a system message that uses one would not match.
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        return self.id[:7]

    @property
    def label(self) -> str:
        """The user's title, else the task's first non-blank line, else the run's short id."""
        text = self.title.strip()
        if not text:
            text = next((line.strip() for line in self.task.splitlines() if line.strip()), "")
        if not text:
            return f"run {self.short_id}"
        return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def when(self) -> str:
        """When the run started, local time to the minute: '2026-12-01 16:56'."""
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at))

    def clock(self, t: float) -> str:
        """The local time of the moment ``t`` seconds into the run: '16:56:43'."""
        return clock(self.started_at, t)


def clock(started_at: float, t: float) -> str:
    """The local time ``t`` seconds after ``started_at`` (epoch seconds), to the second."""
    return time.strftime("%H:%M:%S", time.localtime(started_at + t))


def reason_text(reason: str, detail: str = "") -> str:
    """'Finished: the limit of 4 messages was reached'; an unknown reason reads as itself."""
    word = REASON_WORDS.get(reason, reason.capitalize() or "Unknown")
    return word + (f": {detail}" if detail else "")


#: The minus sign of a negative figure (U+2212): a hyphen reads as a dash in prose.
MINUS = "\u2212"

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(value: float, currency: str | None) -> str:
    """'$0.0012', '€1.20', '0.0040 CHF'. Small amounts keep four decimals: a run often costs less
    than a cent, and '$0.00' would read as free."""
    if value == 0:  # a known nothing (a model run in-process): no false precision
        places = 0
    else:
        places = 2 if abs(value) >= 1 else 4
    number = f"{abs(value):.{places}f}"
    if value and float(number) == 0:
        number = "0.0001"
        sign = "<"
    else:
        sign = MINUS if value < 0 else ""
    code = (currency or "USD").upper()
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"


def cost_text(cost: float | None, currency: str | None) -> str:
    """A run's cost, or 'unknown' when a model entry has no prices: never 0 for unknown."""
    return "unknown" if cost is None else money(cost, currency)


ReplayMode = Literal["strict", "reuse"]


@dataclass
class ReplayPlan:
    """How a run answers from a recorded one (designer/runtime/recording.py says how each mode
    answers). Plain data, so the window can make one without importing the engine."""

    calls: Sequence[Call]
    mode: ReplayMode = "reuse"
    #: Re-run from here: the number of team messages answered from the recording, in the order
    #: they were made, before the run goes live.
    live_from: int | None = None
    live_tools: bool = False
    #: The run this replays (its id), for the history.
    source: str | None = None
