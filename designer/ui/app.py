"""Starting the window: application object, the theme (light, dark or the system's), recovery offer."""

from __future__ import annotations

import gc
import logging
import sys
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from .settings import APPLICATION, ORGANIZATION
from .theme import ThemeManager, dark_palette, theme_manager

__all__ = ["apply_system_palette", "dark_palette", "make_application", "run_app"]

log = logging.getLogger(__name__)


def apply_system_palette(app: QApplication, hints: Any = None) -> QObject:
    """Light or dark as the system says, now and whenever the system changes.
    ``hints`` is the source of the scheme (the platform's style hints unless a test gives one)."""
    return ThemeManager(app, hints, choice="system")


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")
    theme_manager(app)  # the remembered theme (View ▸ Theme), before any window is drawn
    return app


def log_uncaught_exceptions() -> None:
    """An exception escaping a slot is printed by Qt and forgotten; keep it in the log file too,
    then let the previous hook print it as before."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    sys.excepthook = hook


def run_app(file: str | None = None) -> int:
    app = make_application()
    log_uncaught_exceptions()
    from .main_window import MainWindow

    window = MainWindow()
    restored = window.offer_recovery()
    if file and not restored and not window.open_file(file) and not window.views.repairing:
        window.statusBar().showMessage(f"Could not open {file}", 10000)  # (a broken file is in the repair view)
    window.show()
    # Objects alive once the window is up (and the editor's modules are imported) live as long
    # as the process; freezing them keeps the garbage collector's full passes short during runs.
    window.editorPreloaded.connect(gc.freeze)
    return app.exec()
