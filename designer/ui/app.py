"""Starting the window: application object, palette that follows the system, recovery offer."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from .settings import APPLICATION, ORGANIZATION


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


def apply_system_palette(app: QApplication) -> None:
    """Light or dark as the system says, now and whenever the system changes."""
    hints = QGuiApplication.styleHints()

    def update() -> None:
        dark = hints.colorScheme() == Qt.ColorScheme.Dark
        app.setPalette(dark_palette() if dark else app.style().standardPalette())

    update()
    hints.colorSchemeChanged.connect(lambda _scheme: update())


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")
    apply_system_palette(app)
    return app


def run_app(file: str | None = None) -> int:
    app = make_application()
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
