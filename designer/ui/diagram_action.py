"""File ▸ Export diagram…: the menu action on the first screen; the drawing (canvas/export.py,
QtSvg and the team model) is imported when it is first used."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow

from . import settings
from .actions import menu_named

log = logging.getLogger(__name__)

_FILTERS = "SVG image (*.svg);;PNG image (*.png)"


class DiagramExport(QObject):
    """File ▸ Export diagram…: asks where (``choose_path`` is replaceable in tests) and writes."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window: Any = window  # the MainWindow: controller, files.show_error, status bar
        #: Replaceable in tests: a suggested file name -> the chosen path (None: cancelled).
        self.choose_path: Callable[[str], str | None] = self._ask_path
        self.action = QAction("Export &diagram…", window)
        self.action.setStatusTip("Save the canvas as an SVG or PNG picture, for docs and slides")
        self.action.triggered.connect(self._on_export)
        file_menu = menu_named(window, "File")
        if file_menu is None:
            return
        actions = file_menu.actions()
        # After the transcript exports, so every export sits together.
        after = next((i for i, a in enumerate(actions) if a.text().replace("&", "").startswith("Export transcript as JSONL")), None)
        if after is not None and after + 1 < len(actions):
            file_menu.insertAction(actions[after + 1], self.action)
        else:
            file_menu.addAction(self.action)

    def _ask_path(self, suggested: str) -> str | None:
        start = Path(settings.get("files/last_folder") or Path.home()) / suggested
        path, chosen = QFileDialog.getSaveFileName(self._window, "Export diagram", str(start), _FILTERS)
        if path and not Path(path).suffix:
            path += ".png" if "png" in chosen.lower() else ".svg"
        return path or None

    @Slot()
    def _on_export(self) -> None:
        window = self._window
        from .canvas.export import DiagramError, export_diagram  # on first use: the canvas scene and QtSvg

        controller = window.controller
        if not controller.spec.agents:
            window.statusBar().showMessage("Nothing to export yet: add an agent first", 6000)
            return
        from ..core.teamfile import file_name_for

        # The file's name, or a safe slug of the team's name for an unsaved one ("support_desk").
        stem = controller.path.stem if controller.path is not None else file_name_for(controller.spec.name).removesuffix(".yaml")
        path = self.choose_path(f"{stem}.svg")
        if not path:
            return
        try:
            export_diagram(controller.spec, path, controller.path)
        except DiagramError as exc:
            window.files.show_error("Cannot export the diagram", str(exc))
            return
        except OSError as exc:
            log.warning("exporting the diagram to %s failed", path, exc_info=True)
            window.files.show_error("Cannot export the diagram", f"{path} could not be written: {exc.strerror or exc}.")
            return
        window.statusBar().showMessage(f"Exported {Path(path).name}", 6000)
