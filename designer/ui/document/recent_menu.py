"""File ▸ Open Recent: the recently used team files, newest first."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget


class RecentFilesMenu(QMenu):
    """One entry per path (its file name, the full path as tooltip); ``fileChosen(path)`` on a click."""

    fileChosen = Signal(str)  # noqa: N815 - Qt naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Open &Recent", parent)
        # One slot for the menu, not a lambda per action: PySide6 6.11 was seen to crash
        # when a menu deleted actions that had lambdas connected.
        self.triggered.connect(self._on_triggered)

    def set_paths(self, paths: Sequence[str]) -> None:
        self.clear()
        for path in paths:
            action = self.addAction(Path(path).name)
            action.setData(path)
            action.setToolTip(path)
        self.setEnabled(bool(paths))

    def _on_triggered(self, action: QAction) -> None:
        if action.data():
            self.fileChosen.emit(action.data())
