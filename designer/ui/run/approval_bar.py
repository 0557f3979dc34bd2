"""The approval bar: under the transcript while a code_executor agent waits to run code.

It shows the code as it would run (monospace, read-only) with Run and Don't run, like the input
row a user_proxy's question opens. Questions that arrive while one is shown wait their turn.
The bar is a child of the transcript widget, made on the first question of a window's life.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from .controller import RunController
    from .transcript_view import TranscriptWidget


class _Window(Protocol):
    """What the bar needs of the window (WindowRuns): where it sits, and whom it answers."""

    transcript: TranscriptWidget
    runs: RunController


class ApprovalBar(QWidget):
    """One code approval at a time: its agent, its code, Run / Don't run."""

    decided = Signal(str, bool)  # (request id, approved)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approval_bar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.code_view = QPlainTextEdit(self)
        self.code_view.setReadOnly(True)
        self.code_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code_view.setMaximumHeight(self.code_view.fontMetrics().lineSpacing() * 14 + 12)
        self.code_view.setAccessibleName("Code waiting for approval")
        self.run_button = QPushButton("&Run", self)
        self.run_button.setToolTip("Run this code now, on this computer or in Docker as the agent is set up")
        self.skip_button = QPushButton("&Don't run", self)
        self.skip_button.setToolTip("Refuse: the code does not run, and the agent is told so")
        self.run_button.clicked.connect(lambda: self._decide(True))
        self.skip_button.clicked.connect(lambda: self._decide(False))
        buttons = QHBoxLayout()
        buttons.addWidget(self.label, 1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.code_view)
        #: (request id, agent, code) waiting; the first is shown.
        self.queue: list[tuple[str, str, str]] = []
        self.hide()

    def ask(self, agent: str, request_id: str, code: str) -> None:
        self.queue.append((request_id, agent, code))
        if len(self.queue) == 1:
            self._show_first()

    def _show_first(self) -> None:
        if not self.queue:
            self.hide()
            return
        _, agent, code = self.queue[0]
        waiting = f" ({len(self.queue) - 1} more waiting)" if len(self.queue) > 1 else ""
        self.label.setText(f"<b>{agent}</b> wants to run this code{waiting}:")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.code_view.setPlainText(code)
        self.show()
        self.skip_button.setFocus(Qt.FocusReason.OtherFocusReason)  # the safe answer is the default one

    def _decide(self, approved: bool) -> None:
        if not self.queue:
            return
        request_id = self.queue.pop(0)[0]
        self._show_first()
        self.decided.emit(request_id, approved)

    def clear(self) -> None:
        """The run ended: nothing waits any more."""
        self.queue.clear()
        self.hide()


def approval_bar(window: _Window) -> ApprovalBar:
    """The window's approval bar (made under its transcript on first use, answering its run)."""
    found = window.transcript.findChild(ApprovalBar)
    if found is not None:
        return found
    bar = ApprovalBar(window.transcript)
    layout = window.transcript.layout()
    assert layout is not None  # TranscriptWidget lays out its list and input row in a box
    layout.addWidget(bar)
    bar.decided.connect(lambda request_id, approved: window.runs.approve(request_id, approved))
    return bar
