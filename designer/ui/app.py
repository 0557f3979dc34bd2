"""Starting the window: application object, palette that follows the system, recovery offer."""

from __future__ import annotations

import gc
import logging
import sys
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from .settings import APPLICATION, ORGANIZATION

log = logging.getLogger(__name__)


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#dfe1e5",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#2b2d30",
        QPalette.ColorRole.Text: "#dfe1e5", QPalette.ColorRole.Button: "#3c3f41",
        QPalette.ColorRole.ButtonText: "#dfe1e5", QPalette.ColorRole.Highlight: "#3574f0",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#3c3f41",
        QPalette.ColorRole.ToolTipText: "#dfe1e5", QPalette.ColorRole.PlaceholderText: "#8c8f94",
        QPalette.ColorRole.Link: "#589df6",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


class _PaletteFollower(QObject):
    """Keeps the application palette in step with the system's light/dark scheme."""

    def __init__(self, app: QApplication, hints: Any) -> None:
        super().__init__(app)
        self._app = app
        self._hints = hints
        hints.colorSchemeChanged.connect(self._on_scheme_changed)
        self._on_scheme_changed(hints.colorScheme())

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        dark = scheme == Qt.ColorScheme.Dark
        self._app.setPalette(dark_palette() if dark else self._app.style().standardPalette())


def apply_system_palette(app: QApplication, hints: Any = None) -> QObject:
    """Light or dark as the system says, now and whenever the system changes.
    ``hints`` is the source of the scheme (the platform's style hints unless a test gives one)."""
    return _PaletteFollower(app, hints or QGuiApplication.styleHints())


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")
    apply_system_palette(app)
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
    if file and not restored and not window.open_file(file):
        window.statusBar().showMessage(f"Could not open {file}", 10000)
    window.show()
    # Objects alive once the window is up live as long as the process; freezing them keeps
    # the garbage collector's full passes short during runs.
    QTimer.singleShot(0, gc.freeze)
    return app.exec()
