"""Run ▸ Export: the transcript as Markdown (for people) or as JSON lines (every event, for programs)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Literal

from PySide6.QtWidgets import QFileDialog, QWidget

from ...core.teamfile import atomic_write
from .. import settings
from .transcript_model import TranscriptModel

log = logging.getLogger(__name__)

ExportFormat = Literal["markdown", "jsonl"]
#: Dialog title and file suffix per format.
FORMATS: dict[ExportFormat, tuple[str, str]] = {
    "markdown": ("Export transcript as Markdown", ".md"),
    "jsonl": ("Export transcript as JSONL", ".jsonl"),
}


def choose_export_path(parent: QWidget, title: str, suffix: str) -> str | None:
    """Ask where to write, starting in the folder last used for team files."""
    start = Path(settings.get("files/last_folder") or Path.home()) / f"transcript{suffix}"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start))
    return path or None


def export_transcript(
    model: TranscriptModel,
    fmt: ExportFormat,
    *,
    choose_path: Callable[[str, str], str | None],
    show_error: Callable[[str, str], None],
) -> str:
    """Write the transcript where the user chooses; returns a line for the status bar ("" when
    cancelled). A write that fails is shown with ``show_error`` and logged with its traceback."""
    if not model.entries:
        return "Nothing to export yet: run the team first"
    title, suffix = FORMATS[fmt]
    path = choose_path(title, suffix)
    if not path:
        return ""
    text = model.to_markdown() if fmt == "markdown" else model.to_jsonl()
    try:
        atomic_write(path, text)
    except OSError as exc:
        log.warning("exporting the transcript to %s failed", path, exc_info=True)
        show_error("Cannot export", f"{path} could not be written: {exc.strerror or exc}.")
        return ""
    return f"Exported {Path(path).name}"
