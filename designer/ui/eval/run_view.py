"""One evaluated run's transcript, read back from the run history, in a window of its own.

The same transcript view the History panel shows a stored run in (run/transcript_view.py),
filled the same way: the run's stored events, its clock at the run's own start.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from ...core.eval_types import JobResult
from ...core.run_data import StoredRun
from ..run.transcript_view import TranscriptWidget


def result_line(result: JobResult) -> str:
    if result.status == "error":
        return f"✖ error: {result.error}"
    failed = [c.label for c in result.checks if not c.passed]
    verdict = "✔ passed" if result.status == "passed" else "✖ failed: " + "; ".join(failed)
    return f"{verdict} — {result.messages} messages · {result.tokens:,} tokens · {result.seconds:.1f} s"


class RunDialog(QDialog):
    """Not modal; deleted when closed (Esc closes it, as any dialog)."""

    def __init__(self, run: StoredRun, result: JobResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("eval_run_dialog")
        self.setWindowTitle(f"{result.variant} · {result.task_id} · run {result.repeat + 1} — {run.short_id}")
        self.run, self.job = run, result
        self.verdict = QLabel(result_line(result), self)
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.transcript = TranscriptWidget(self)
        self.transcript.view.setObjectName("eval_run_transcript")
        self.transcript.model.show_stored(run.events, run.started_at)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.transcript, 1)
        self.resize(760, 620)
