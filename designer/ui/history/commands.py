"""What the History panel does with a run beyond its list: open its team, export it, read a bundle.

Kept apart from the panel's widgets; each function gets what it acts on and reports failures
through ``show_error`` (a replaceable attribute of the panel), never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Literal

from ...core.run_bundle import BUNDLE_SUFFIX, BundleError, read_bundle, write_bundle
from ...core.run_data import StoredRun
from ...core.run_store import Call
from ...core.teamfile import atomic_write

log = logging.getLogger(__name__)

ExportKind = Literal["markdown", "jsonl", "html", "bundle"]
#: Menu text, dialog title and file suffix per export.
EXPORTS: dict[ExportKind, tuple[str, str, str]] = {
    "markdown": ("as &Markdown…", "Export run as Markdown", ".md"),
    "jsonl": ("as &JSONL…", "Export run as JSONL", ".jsonl"),
    "html": ("as &HTML page…", "Export run as an HTML page", ".html"),
    "bundle": ("as run &bundle (.tdrun)…", "Export run as a bundle to share", BUNDLE_SUFFIX),
}
ShowError = Callable[[str, str], None]


def snapshot_title(run: StoredRun) -> str:
    """How the window names a run's team opened as a document: 'Untitled — team of run 3f9a2c1'."""
    return f"Untitled — team of run {run.short_id}"


def open_snapshot(window: Any, run: StoredRun, show_error: ShowError) -> bool:
    """The team as ``run`` ran it, as a new unsaved document (Save asks where). Parsed only:
    nothing in it runs, and a snapshot this version cannot read is refused in words."""
    from ...core.yamlio import parse_team

    result = parse_team(run.snapshot, f"the team of run {run.short_id}")
    if result.spec is None:
        lines = "\n".join(p.format() for p in result.problems[:8])
        show_error("Cannot open the team", f"The team of run {run.short_id} could not be read:\n\n{lines}")
        return False
    if not window.files.maybe_save():
        return False
    window.controller.set_design(result.spec, None, untitled=snapshot_title(run))
    window._show_editor()
    window.statusBar().showMessage(f"Opened the team as run {run.short_id} ran it: Save asks where to keep it", 8000)
    return True


def export_text(run: StoredRun, kind: ExportKind) -> str:
    from ...core.run_render import run_html, run_jsonl, run_markdown

    return {"markdown": run_markdown, "jsonl": run_jsonl, "html": run_html}[kind](run)


def export_run(
    run: StoredRun, calls: Callable[[], list[Call]], kind: ExportKind, *,
    choose_path: Callable[[str, str], str | None], show_error: ShowError,
) -> str:
    """Write ``run`` (with its events) where the user chooses; a status line, "" if cancelled."""
    _, title, suffix = EXPORTS[kind]
    path = choose_path(title, suffix)
    if not path:
        return ""
    try:
        if kind == "bundle":
            write_bundle(path, run, calls())
        else:
            atomic_write(path, export_text(run, kind))
    except OSError as exc:
        log.warning("exporting run %s to %s failed", run.id, path, exc_info=True)
        show_error("Cannot export", f"{path} could not be written: {exc.strerror or exc}.")
        return ""
    return f"Exported run {run.short_id} to {Path(path).name}"


def open_bundle(path: str, show_error: ShowError) -> tuple[StoredRun, list[Call]] | None:
    """A run bundle, read (never run); None after saying why it cannot be read."""
    try:
        return read_bundle(path)
    except BundleError as exc:
        show_error("Cannot open run", str(exc))
        return None
