"""The status bar's run figures: state, elapsed time, messages, tokens and cost (per agent in the
tooltips), and for a replay what the recording answered and saved."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ...core import events as ev
from ...core.finish import estimated, finish_mark, finish_word, plural, tokens_text
from ...core.run_data import cost_text, money


class RunStatusWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel("Idle", self)
        self.elapsed = QLabel("", self)
        self.messages = QLabel("", self)
        self.tokens = QLabel("", self)
        #: The run's cost once it has ended ("cost unknown" when a model has no prices: never 0).
        self.cost = QLabel("", self)
        #: A replay: "2 replayed · 1 live · saved 18 tokens ($0.0001)".
        self.replay = QLabel("", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (self.state, self.elapsed, self.messages, self.tokens, self.cost, self.replay):
            layout.addWidget(label)
        self._start = 0.0
        self._end: float | None = None
        self._messages = 0
        self._tokens: dict[str, list[int]] = {}
        #: Tokens of replies the run's end cut short: estimated, and shown as such.
        self._estimated = 0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._on_tick)

    def begin(self) -> None:
        self._start = time.monotonic()
        self._end = None
        self._messages = 0
        self._tokens = {}
        self._estimated = 0
        self.state.setText("● Running")
        self.state.setToolTip("")
        for label in (self.cost, self.replay):
            label.setText("")
            label.setToolTip("")
        self._timer.start()
        self._refresh()

    def add_events(self, batch: list[ev.RunEvent]) -> None:
        for event in batch:
            if isinstance(event, ev.RunStarted) and event.origin != "run":
                self.replay.setText("↺ replaying from the recording…" if event.origin == "replay" else
                                    "↺ re-running: the start from the recording…")
            elif isinstance(event, (ev.Message, ev.Handoff)) and getattr(event, "kind", "text") != "task":
                self._messages += 1
            elif isinstance(event, ev.Usage) and not event.replayed:  # replayed tokens were saved, not spent
                totals = self._tokens.setdefault(event.agent, [0, 0])
                totals[0] += event.prompt_tokens
                totals[1] += event.completion_tokens
            elif isinstance(event, ev.Finished):
                self._end = self._start + event.duration
                # The run's own count wins over the live one: it includes a reply a stop cut short.
                self._messages = event.messages
                self._tokens = {a: [t.get("prompt", 0), t.get("completion", 0)] for a, t in event.tokens_by_agent.items()}
                self._estimated = estimated(event)
                self.state.setText(f"{finish_mark(event.reason)} {finish_word(event.reason)}")
                # A strict replay's mismatch (or any failure) says why where the state is shown.
                self.state.setToolTip(event.detail)
                self._show_cost(event)
        self._refresh()

    def _show_cost(self, event: ev.Finished) -> None:
        self.cost.setText("cost " + cost_text(event.cost, event.currency))
        per_agent = [f"{agent}: {cost_text(value, event.currency)}" for agent, value in event.cost_by_agent.items()]
        if event.cost is None:
            per_agent.append("unknown: a model entry has no prices (add them in Models… to see costs)")
        self.cost.setToolTip("\n".join(per_agent) or "No model was called")
        if not (event.replayed_calls or event.live_calls or event.saved_tokens):
            self.replay.setText("")
            return
        saved = "cost unknown" if event.saved_cost is None else money(event.saved_cost, event.currency)
        self.replay.setText(f"↺ {event.replayed_calls} replayed · {event.live_calls} live · "
                            f"saved {plural(event.saved_tokens, 'token')} ({saved})")
        self.replay.setToolTip("\n".join(
            ["Calls answered from the recording (no tokens spent):"]
            + [f"{agent}: {t.get('prompt', 0)} prompt + {t.get('completion', 0)} completion tokens saved"
               for agent, t in event.saved_by_agent.items()]))

    def end(self) -> None:
        self._timer.stop()
        if self._end is None and self._start:
            self._end = time.monotonic()
        self._refresh()

    def _on_tick(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if not self._start:
            return
        seconds = (self._end or time.monotonic()) - self._start
        self.elapsed.setText(f"{seconds:.1f} s")
        self.messages.setText(plural(self._messages, "message"))
        total = sum(p + c for p, c in self._tokens.values())
        self.tokens.setText(tokens_text(total, self._estimated, say_why=False))  # narrow: the why is in the tooltip
        per_agent = [f"{agent}: {p} prompt + {c} completion" for agent, (p, c) in self._tokens.items()]
        if self._estimated:
            per_agent.append(f"{self._estimated} of them estimated from the streamed text of a reply cut short")
        self.tokens.setToolTip("\n".join(per_agent) or "No tokens yet")
