"""The editor area's pages: Design (the canvas), YAML (the design as text) and Repair.

The window's central stack keeps its pages (start page, canvas) and gains the YAML view and
the repair view; a tab bar above it switches between them while a design is open. The
canvas stays a page of the stack itself, so "the canvas is showing" still means the stack's
current widget is the canvas. The window constructs this in one line and hands it its parts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QTabBar, QVBoxLayout, QWidget

from ...core.problems import Problem
from ...core.spec import TeamSpec
from .files import FileManager
from .repair_view import RepairViewWidget, read_repairable
from .yaml_view import YamlViewWidget

log = logging.getLogger(__name__)

DESIGN_TAB, YAML_TAB, REPAIR_TAB = 0, 1, 2


class EditorViews(QObject):
    """Owns the YAML and repair pages and the tab bar; FileManager.open hands it files that
    did not load because of what is in them."""

    def __init__(self, window: QMainWindow, stack: QStackedWidget, canvas: QWidget, start_page: QWidget,
                 files: FileManager, page_changed: Callable[[], object]) -> None:
        super().__init__(window)
        self._stack, self._canvas, self._start_page, self._files = stack, canvas, start_page, files
        self.yaml = YamlViewWidget(files.controller, files.save, stack)
        self.repair = RepairViewWidget(stack)
        stack.addWidget(self.yaml)
        stack.addWidget(self.repair)
        self.tabs = QTabBar()
        self.tabs.setObjectName("editor_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.addTab("Design")
        self.tabs.addTab("YAML")
        self.tabs.addTab("Repair")
        self.tabs.setTabToolTip(DESIGN_TAB, "The canvas")
        self.tabs.setTabToolTip(YAML_TAB, "The team file as Save writes it; edit it and Apply")
        self.tabs.setTabVisible(REPAIR_TAB, False)
        # The stack sits in a container with the tab bar above it (taken back first if it was
        # already central: replacing a central widget deletes it).
        if window.centralWidget() is stack:
            window.takeCentralWidget()
        area = QWidget(window)
        area.setObjectName("editor_area")
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(stack, 1)
        window.setCentralWidget(area)
        #: Where Cancel in the repair view goes back to.
        self._return_to: QWidget = start_page
        #: A design is open (the start page is not what the user came from).
        self._design_open = False
        self.tabs.currentChanged.connect(self._on_tab)
        self.tabs.tabBarClicked.connect(self._on_tab)
        stack.currentChanged.connect(self._on_page_changed)
        self._page_changed = page_changed  # the window's title follows the page
        stack.currentChanged.connect(self._on_page_shown)
        self.yaml.dirtyChanged.connect(self._on_yaml_dirty)
        self.repair.applied.connect(self._on_repaired)
        self.repair.cancelled.connect(self._on_repair_cancelled)
        files.repair = self.show_repair
        files.unapplied = lambda: self.yaml.dirty
        files.settle_unapplied = self._settle_yaml
        self._on_page_changed()

    # --- what the window asks --------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """The open design is showing (as the canvas or as YAML)."""
        return self._stack.currentWidget() in (self._canvas, self.yaml)

    @property
    def design_open(self) -> bool:
        """A design is open (False on the start page, and in a repair view reached from it)."""
        return self._design_open

    @property
    def repairing(self) -> bool:
        return self.tabs.isTabVisible(REPAIR_TAB)

    @property
    def title(self) -> str | None:
        """The window title's name when no design is showing (None: the window's own)."""
        return f"Repair {self.repair.name}" if self._stack.currentWidget() is self.repair else None

    def show_yaml(self) -> None:
        self._stack.setCurrentWidget(self.yaml)

    def show_design(self) -> None:
        self._stack.setCurrentWidget(self._canvas)

    def _settle_yaml(self, apply: bool) -> bool:
        if apply:
            return self.yaml.apply() or not self.yaml.dirty
        self.yaml.revert()
        return True

    # --- the repair view -------------------------------------------------------------------

    def show_repair(self, path: str, problems: list[Problem]) -> bool:
        """Open a file that did not load in the repair view; False when its bytes cannot be
        edited as text (unreadable: the open error explains it; too large or not UTF-8: said here)."""
        text, why_not = read_repairable(path)
        if text is None:
            if not why_not:
                return False
            lines = "\n".join(p.format() for p in problems)
            self._files.show_error("Cannot open team file", f"{Path(path).name} could not be opened:\n\n{lines}\n\n{why_not}")
            return True
        current = self._stack.currentWidget()
        if current is not None and current is not self.repair:
            self._return_to = current
        self.repair.load(path, text, problems)
        self.tabs.setTabText(REPAIR_TAB, f"⚠ Repair {self.repair.name}")
        self.tabs.setTabToolTip(REPAIR_TAB, f"{path} did not load: fix it here")
        self.tabs.setTabVisible(REPAIR_TAB, True)
        self._stack.setCurrentWidget(self.repair)
        self._on_page_changed()
        self.repair.editor.setFocus()
        return True

    def _close_repair(self) -> None:
        self.tabs.setTabVisible(REPAIR_TAB, False)

    @Slot(object, str, bool)
    def _on_repaired(self, spec: TeamSpec, path: str, save: bool) -> None:
        if not self._files.open_repaired(spec, path):
            return  # the user kept the current design (unsaved changes, Cancel): stay here
        self._close_repair()
        self.show_design()
        if save:
            self._files.save()

    @Slot()
    def _on_repair_cancelled(self) -> None:
        self._close_repair()
        back = self._return_to if self._stack.indexOf(self._return_to) >= 0 else self._start_page
        self._stack.setCurrentWidget(back)
        self._on_page_changed()

    # --- tabs ------------------------------------------------------------------------------

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        page = {DESIGN_TAB: self._canvas, YAML_TAB: self.yaml, REPAIR_TAB: self.repair}.get(index)
        if page is not None and self._stack.currentWidget() is not page:
            self._stack.setCurrentWidget(page)

    @Slot()
    def _on_page_changed(self, *args: object) -> None:
        current = self._stack.currentWidget()
        if current in (self._canvas, self.yaml):
            self._design_open = True
        elif current is self._start_page:
            self._design_open = False
        index = {self._canvas: DESIGN_TAB, self.yaml: YAML_TAB, self.repair: REPAIR_TAB}.get(current) if current is not None else None
        # Reflecting the page, not asking for one: hiding the current tab moves the bar's current
        # index, which must not switch the page.
        self.tabs.blockSignals(True)
        try:
            self.tabs.setTabVisible(DESIGN_TAB, self._design_open)
            self.tabs.setTabVisible(YAML_TAB, self._design_open)
            if index is not None:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(False)
        self.tabs.setVisible(self._design_open or self.repairing)

    @Slot(int)
    def _on_page_shown(self, index: int) -> None:
        self._page_changed()

    @Slot(bool)
    def _on_yaml_dirty(self, dirty: bool) -> None:
        self._page_changed()  # the title's modified mark counts typed text too
        self.tabs.setTabText(YAML_TAB, "YAML ●" if dirty else "YAML")
        self.tabs.setTabToolTip(YAML_TAB, "Typed YAML not applied yet: Apply or Revert it in this tab" if dirty
                                else "The team file as Save writes it; edit it and Apply")
