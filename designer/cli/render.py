"""The terminal transcript: run events rendered for people, or as JSON lines for programs."""

from __future__ import annotations

import json
import sys
import zlib
from typing import TextIO

from ..core import events as ev
from ..core.finish import figures_text, finish_text
from ..core.run_data import cost_text

#: How a replay marks a turn answered from the recording, and one that went to the live model.
REPLAYED_MARK = "↺"
LIVE_MARK = "(live)"

_PALETTE = (33, 35, 36, 32, 34, 91, 93, 95, 96, 92)


class TerminalRenderer:
    """Streams a readable transcript; colours agent names only when writing to a terminal."""

    def __init__(self, out: TextIO | None = None, *, colour: bool | None = None) -> None:
        # sys.stdout when called, not when this module was imported (a test's capture replaces it).
        self.out = out if out is not None else sys.stdout
        self.colour = self.out.isatty() if colour is None else colour
        self._streaming: tuple[str, str | None] | None = None  # (agent, parent) being streamed

    def _c(self, code: int | str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def _name(self, agent: str) -> str:
        code = _PALETTE[zlib.crc32(agent.encode()) % len(_PALETTE)]
        return self._c(f"1;{code}", agent)

    @staticmethod
    def _indent(event: ev.RunEvent) -> str:
        return "    │ " if event.parent else ""

    def _end_stream(self) -> None:
        if self._streaming is not None:
            self.out.write("\n")
            self._streaming = None

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _block(self, event: ev.RunEvent, text: str) -> str:
        pad = self._indent(event)
        return "\n".join(pad + line for line in text.splitlines() or [""])

    def render(self, event: ev.RunEvent) -> None:
        if isinstance(event, ev.Chunk):
            key = (event.agent, event.parent)
            if self._streaming != key:
                self._end_stream()
                self._write(f"{self._indent(event)}{self._name(event.agent)}: ")
                self._streaming = key
            self._write(event.text.replace("\n", "\n" + self._indent(event)))
            return
        if isinstance(event, ev.Message) and self._streaming == (event.agent, event.parent):
            self._write(self._origin(event))  # its text already streamed: only the replay's mark is left
            self._end_stream()
            self._write("")
            return
        self._end_stream()
        text = self._line(event)
        if text is not None:
            self._write(text + "\n")

    def _line(self, event: ev.RunEvent) -> str | None:
        pad = self._indent(event)
        if isinstance(event, ev.RunStarted):
            return self._c(1, f"▶ {event.team}") + self._c(2, f"  ({event.pattern}; bound: {event.bound})")
        if isinstance(event, ev.Message):
            if event.kind == "task":
                return self._c(2, "task: ") + event.content
            label = self._name(event.agent) + (self._c(2, " (thought)") if event.kind == "thought" else "")
            body = self._block(event, event.content)
            return f"{pad}{label}: {body[len(pad):]}{self._origin(event)}"
        if isinstance(event, ev.ToolCall):
            return f"{pad}  {self._c(2, '⚙')} {self._name(event.agent)} calls {self._c(1, event.name)}({event.arguments})"
        if isinstance(event, ev.ToolResult):
            mark = self._c(31, "✖ error:") if event.is_error else self._c(2, "↳")
            content = event.content if len(event.content) <= 2000 else event.content[:2000] + " …"
            lines = content.splitlines() or [""]
            rest = "".join(f"\n{pad}      {line}" for line in lines[1:])
            return f"{pad}    {mark} {lines[0]}{rest}"
        if isinstance(event, ev.Handoff):
            return f"{pad}  {self._c(2, '↪')} {self._name(event.agent)} hands off to {self._name(event.target)}"
        if isinstance(event, ev.SpeakerSelected):
            return self._c(2, f"  (next speaker: {event.agent})")
        if isinstance(event, ev.ApprovalRequested):  # the question itself: cli/run.py asks it
            return f"{self._name(event.agent)} {self._c(1, 'wants to run this code:')}\n{self._block(event, event.code)}"
        if isinstance(event, ev.Notice):
            return self._c(2, f"  ({event.agent}: {event.text})")
        if isinstance(event, ev.Error):
            return self._c(31, f"✖ {event.agent}: {event.message}")
        if isinstance(event, ev.Finished):
            return self._summary(event)
        return None  # usage and input requests are shown elsewhere

    def _origin(self, event: ev.Message) -> str:
        """A replay's mark at the end of a message: where its answer came from ("" in a plain run)."""
        if event.origin == "replayed":
            return " " + self._c(2, REPLAYED_MARK)
        return " " + self._c(2, LIVE_MARK) if event.origin == "live" else ""

    def _summary(self, event: ev.Finished) -> str:
        head = "■ " + finish_text(event.reason, event.detail, capital=False)
        lines = [self._c(31 if event.reason == "error" else 1, head)]
        # The same figures as the window's transcript (core.finish), then the split the window shows on hover.
        # The cost from the model entries' prices; "cost unknown" without them, never 0.
        cost = cost_text(event.cost, event.currency)
        lines.append(self._c(2, f"  {figures_text(event)}, cost {cost} — {event.prompt_tokens} prompt, "
                                f"{event.completion_tokens} completion"))
        for agent, tokens in event.tokens_by_agent.items():
            share = f", {cost_text(event.cost_by_agent[agent], event.currency)}" if agent in event.cost_by_agent else ""
            lines.append(self._c(2, f"    {agent}: {tokens['prompt']} prompt + {tokens['completion']} completion{share}"))
        return "\n".join(lines)

    def ask(self, event: ev.InputRequested) -> None:
        self._end_stream()
        self._write(f"{self._name(event.agent)} {self._c(2, '(you)')} > ")


class JsonlRenderer:
    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout

    def render(self, event: ev.RunEvent) -> None:
        self.out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        self.out.flush()

    def ask(self, event: ev.InputRequested) -> None:
        """The input_requested line already told the caller; the answer is the next stdin line."""
